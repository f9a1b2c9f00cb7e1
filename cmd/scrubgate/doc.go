// Command scrubgate keeps credentials out of AI agents' LLM traffic.
//
//	scrubgate redact [FILE|-]      write the input with every secret replaced by a handle
//	scrubgate scan [PATH...|-]     CI scan of files, archives, transcripts or staged changes
//	                               (text, JSON, SARIF, JUnit, GitHub); exit 1 on findings
//	scrubgate rules list|test      inspect the rule pack and run its examples
//
// The command is thin: it parses flags and wires the scanner, vault, ciscan and
// report packages together.
package main
