package providers

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/scrubgate/scrubgate/providers/sse"
)

// BenchmarkStreamEvent measures the gateway's cost of a streamed answer of 130
// word-sized deltas of ordinary text, as providers send them, in the three stream
// shapes (one op = one whole stream; ns/event is the per-event cost).
//
//	go test ./providers -run '^$' -bench StreamEvent
func BenchmarkStreamEvent(b *testing.B) {
	words := strings.SplitAfter(strings.Repeat("Here is the summary you asked for. The build passed, the tests are green, and the deployment is scheduled for tonight. ", 6), " ")
	for _, c := range []struct {
		name string
		raw  string
	}{
		{"chat", chatStream(words, nil)},
		{"anthropic", anthropicStream(words, nil)},
		{"responses", responsesStream(words, strings.Join(words, ""))},
	} {
		var events []*sse.Event
		rd := sse.NewReader(strings.NewReader(c.raw), 0)
		for {
			ev, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events = append(events, ev)
		}
		b.Run(c.name, func(b *testing.B) {
			s, rec := newTestScrubber(b)
			var out bytes.Buffer
			b.SetBytes(int64(len(c.raw)))
			b.ReportAllocs()
			t0 := time.Now()
			for b.Loop() {
				out.Reset()
				st := s.NewStream(&out)
				for _, ev := range events {
					if err := st.Event(ev); err != nil {
						b.Fatal(err)
					}
				}
				if err := st.Close(); err != nil || !st.Terminated() {
					b.Fatalf("close: %v", err)
				}
			}
			b.ReportMetric(float64(time.Since(t0).Nanoseconds())/float64(b.N*len(events)), "ns/event")
			if len(rec.hits) != 0 || !bytes.Contains(out.Bytes(), []byte("tonight")) {
				b.Fatalf("clean text changed: %d hits", len(rec.hits))
			}
		})
	}
}
