// Package ciscan runs a CI scan: walks paths, reads artifacts as they really are,
// detects formats, scans in parallel, applies baselines and inline allows, writes
// redacted copies.
//
// It is what `scrubgate scan` does, as a library: the command parses flags into
// Options, calls Run and renders the Result with package report.
//
//   - Inputs: files, directories (walked recursively, .git skipped), glob patterns
//     (expanded here, ** included), "-" for standard input, or the files staged in git.
//     --include/--exclude globs and, on request, .gitignore files narrow a walk; a file
//     named explicitly is always scanned. Nothing is skipped silently: a file that
//     cannot be read or is larger than the size limit is recorded with a reason.
//   - Artifacts as they are: gzip and zstd streams are decompressed, zip archives are
//     scanned member by member (reported as archive.zip!member/path), UTF-16 text (with
//     a byte order mark, or without one when its NUL pattern gives it away) is decoded.
//     Positions stay those of the original: inside the member, and for UTF-16 the line
//     and the column in characters, with the byte offset mapped back to the UTF-16 bytes.
//   - Formats: text, JSON, JSONL and SSE captures; Claude Code and Codex CLI session
//     logs are recognised (and scanned JSON-aware, so findings carry JSON paths).
//   - Every input is streamed: memory stays bounded however large a file is, and a
//     pool of workers (one per core) scans files in parallel; the result is sorted.
//   - A finding on a line that contains "scrubgate:allow" is suppressed; a baseline
//     file suppresses known findings by (rule, file, JSON path, keyed fingerprint), never
//     by line number and never by anything derived from the secret without a key.
//   - Redaction writes scrubbed copies in place or to a directory, in the format of the
//     original (JSONL stays JSONL, .gz stays gzip, a zip keeps its other members, UTF-16
//     keeps its byte order mark), atomically and with the original file mode.
package ciscan
