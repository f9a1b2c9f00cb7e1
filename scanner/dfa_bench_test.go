package scanner

import (
	"testing"

	"github.com/scrubgate/scrubgate/bench/corpus"
)

// BenchmarkKeywordDFA measures the keyword automaton alone over the default pack's
// keywords (the first stage of every scan), on clean text and on JSONL transcripts.
//
//	go test ./scanner -run '^$' -bench KeywordDFA
func BenchmarkKeywordDFA(b *testing.B) {
	s := testScanner(b)
	jsonl, _ := corpus.Transcripts(4<<20, 13)
	for _, c := range []struct {
		name string
		data []byte
	}{{"clean", corpus.CleanMixed(4<<20, 11)}, {"jsonl", jsonl}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			hits := 0
			for b.Loop() {
				s.kw.find(c.data, 0, len(c.data), func(kw int32, start int) { hits++ })
			}
			if hits == 0 {
				b.Fatal("no keyword found")
			}
		})
	}
}
