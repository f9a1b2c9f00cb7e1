// Package report renders scan results for people and machines. It is the one place
// output formats live, so formats can be added without touching the scanner:
//
//   - text: findings grouped by file, skipped files with their reasons, one summary
//     line; ANSI colour only with Options.Color.
//   - json: the versioned report (scrubgate.report/v1): findings in the scanner's one
//     schema plus their file, the skipped files and the summary counts.
//   - sarif: SARIF 2.1.0 as GitHub code scanning reads it (rules with help, results
//     located by repository-relative URI, keyed fingerprints, skips as notifications).
//   - junit: JUnit XML, a testsuite per file and a failing testcase per finding.
//   - github: GitHub Actions workflow commands, at most MaxAnnotations ::error
//     annotations ranked by confidence, the rest summarised.
//
// No format ever contains a secret: findings carry only a preview (a public prefix
// and the length), and no writer calls scanner.Finding.Secret. docs/REPORTS.md
// describes each format.
package report
