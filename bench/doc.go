// Package bench holds scrubgate's performance and detection-quality harness: Go
// benchmarks (b.SetBytes, MB/s) over the deterministic corpora of bench/corpus at
// 2 KB, 32 KB and 4 MB for Scan, Redact and the streaming Writer, and the corpus
// tests: every planted secret is caught and the real-world clean corpus in
// testdata/clean yields no finding. Command ciscanbench (bench/cmd/ciscanbench)
// measures `scrubgate scan` over a generated directory of transcripts (1 GB by
// default) against the engine alone: MB/s, MB per CPU-second and peak RSS.
package bench
