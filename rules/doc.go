// Package rules holds scrubgate's detection rules as data: the TOML schema, the
// embedded default pack (rules/default/*.toml), the loader that reads native and
// gitleaks-style files, and the static validation every pack passes before the
// scanner compiles it. The scanner runs each rule's examples when it compiles a pack;
// see docs/RULES.md for the schema and the semantics the engine relies on.
package rules
