package scanner

import (
	"fmt"
	"testing"

	"github.com/scrubgate/scrubgate/bench/corpus"
)

func BenchmarkDbgJSONL(b *testing.B) {
	s := testScanner(b)
	data, _ := corpus.Transcripts(4<<20, 13)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var st Stats
	for i := 0; i < b.N; i++ {
		p := s.newPipeline(ModeJSONL, nil, nil, func(Finding) {})
		p.write(data)
		p.close()
		st = p.stats
	}
	fmt.Println(st)
}

func BenchmarkDbgClean(b *testing.B) {
	s := testScanner(b)
	data := corpus.CleanMixed(4<<20, 11)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var st Stats
	for i := 0; i < b.N; i++ {
		p := s.newPipeline(ModeText, nil, nil, func(Finding) {})
		p.write(data)
		p.close()
		st = p.stats
	}
	fmt.Println(st)
}
