// Package report renders scan results for people and machines: a human-readable text
// report and the versioned JSON report (findings in the scanner's one schema, plus the
// file each came from and a summary). It is the one place output formats live, so CI
// formats can be added beside these without touching the scanner.
package report
