// Package scanner is scrubgate's detection engine. It compiles a rule pack into a
// Scanner that is safe for concurrent use and finds credentials in text, JSON and
// JSONL, one-shot (Scan, Redact) or streaming (NewWriter), with the same result for
// any way the input is cut into chunks.
//
// The data path: one pass finds rule keywords (ASCII case-folded); a cheap gate at
// each keyword hit decides whether the rule's RE2 regex (Latin-1, byte semantics)
// runs on a window around it; validators confirm or drop candidates; overlapping
// findings resolve to the most specific rule; a replacement function supplied by
// the caller rewrites each secret. In JSON modes the engine scans decoded string
// values and maps spans back to the raw bytes, escaping replacements. Base64 runs
// that decode to text containing a secret are findings too, and literal known
// values (registered secrets, canaries) are matched anywhere.
//
// The scanner knows nothing of HTTP or handles: the caller decides what replaces a
// secret. A Finding never carries the secret in any printed or serialised form.
package scanner
