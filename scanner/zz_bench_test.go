package scanner

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkTmpClean(b *testing.B) {
	s := testScanner(b)
	data, _ := os.ReadFile("/tmp/clean4m.txt")
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n += len(s.ScanMode(data, ModeText))
	}
	b.ReportMetric(float64(n)/float64(b.N), "findings")
}

func BenchmarkTmpB64(b *testing.B) {
	s := testScanner(b)
	data, _ := os.ReadFile("/tmp/clean4m.txt")
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := s.newPipeline(ModeText, nil, nil, nil)
		p.scanBase64(data, 0, int64(len(data)), true)
	}
}

func BenchmarkTmpLoop(b *testing.B) {
	data, _ := os.ReadFile("/tmp/clean4m.txt")
	b.SetBytes(int64(len(data)))
	n := 0
	for i := 0; i < b.N; i++ {
		for _, c := range data {
			if c == 0x01 {
				n++
			}
		}
	}
	_ = n
}

func BenchmarkTmpRE2Call(b *testing.B) {
	s := testScanner(b)
	var r *compiledRule
	for _, x := range s.rules {
		if x.ID == "generic-secret-assignment" {
			r = x
		}
	}
	win := []byte(`	api_key = os.environ["OPENAI_API_KEY"]` + strings.Repeat(" word", 120))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.anchored.FindSubmatchIndex(win)
	}
}

func BenchmarkTmpRE2CallShort(b *testing.B) {
	s := testScanner(b)
	var r *compiledRule
	for _, x := range s.rules {
		if x.ID == "generic-secret-assignment" {
			r = x
		}
	}
	win := []byte(`	api_key = os.environ["OPENAI_API_KEY"]`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.anchored.FindSubmatchIndex(win)
	}
}

func BenchmarkTmpDFA(b *testing.B) {
	s := testScanner(b)
	data, _ := os.ReadFile("/tmp/clean4m.txt")
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		s.kw.find(data, 0, len(data), func(kw int32, start int) { n++ })
	}
}
