package bench

import (
	"fmt"
	"io"
	"testing"

	"github.com/scrubgate/scrubgate/bench/corpus"
	"github.com/scrubgate/scrubgate/scanner"
)

var sizes = []struct {
	name string
	n    int
}{{"2KB", 2 << 10}, {"32KB", 32 << 10}, {"4MB", 4 << 20}}

type benchCorpus struct {
	name string
	mode scanner.Mode
	gen  func(n int) []byte
}

var corpora = []benchCorpus{
	{"clean", scanner.ModeText, func(n int) []byte { return corpus.CleanMixed(n, 11) }},
	{"dense", scanner.ModeText, func(n int) []byte { d, _ := corpus.SecretDense(n, 12); return d }},
	{"jsonl", scanner.ModeJSONL, func(n int) []byte { d, _ := corpus.Transcripts(n, 13); return d }},
}

func mask(f scanner.Finding) []byte { return []byte("[[scrub:" + f.Kind + ":0000000000]]") }

// run benchmarks fn over every corpus and size, reporting MB/s.
func run(b *testing.B, fn func(s *scanner.Scanner, data []byte, mode scanner.Mode)) {
	s := defaultScanner(b)
	for _, c := range corpora {
		for _, sz := range sizes {
			data := c.gen(sz.n)
			b.Run(fmt.Sprintf("%s/%s", c.name, sz.name), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					fn(s, data, c.mode)
				}
			})
		}
	}
}

func BenchmarkScan(b *testing.B) {
	run(b, func(s *scanner.Scanner, data []byte, mode scanner.Mode) { s.ScanMode(data, mode) })
}

func BenchmarkRedact(b *testing.B) {
	run(b, func(s *scanner.Scanner, data []byte, mode scanner.Mode) { s.RedactMode(data, mode, mask) })
}

// BenchmarkWriter streams the corpus through the Writer in 4 KB writes, as a proxy
// relaying a body or an SSE stream would.
func BenchmarkWriter(b *testing.B) {
	run(b, func(s *scanner.Scanner, data []byte, mode scanner.Mode) {
		w := s.NewWriter(io.Discard, mode, mask, nil)
		for off := 0; off < len(data); off += 4 << 10 {
			w.Write(data[off:min(len(data), off+4<<10)])
		}
		w.Close()
	})
}
