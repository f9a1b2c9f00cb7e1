// Command scrubgate keeps credentials out of AI agents' LLM traffic.
//
//	scrubgate redact [FILE|-]      write the input with every secret replaced by a handle
//	scrubgate scan PATH... | -     report secrets (text or JSON); exit 1 when any is found
//	scrubgate rules list|test      inspect the rule pack and run its examples
//
// The command is thin: it parses flags and wires the scanner, vault and report
// packages together.
package main
