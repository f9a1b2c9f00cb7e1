package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t testing.TB, in string, max int) ([]*Event, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in), max)
	var evs []*Event
	for {
		ev, err := r.Next()
		if ev != nil {
			evs = append(evs, ev)
		}
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
	}
}

func TestReaderFields(t *testing.T) {
	in := ": keep-alive\n\nevent: message_start\ndata: {\"a\":1}\n\nid: 7\nretry: 1500\ndata:first\ndata: second\n\ndata\n\n"
	evs, err := readAll(t, in, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("got %d events, want 4", len(evs))
	}
	if !evs[0].IsComment() || string(evs[0].Comments[0]) != " keep-alive" {
		t.Errorf("comment event = %+v", evs[0])
	}
	if evs[1].Name != "message_start" || string(evs[1].Data) != `{"a":1}` {
		t.Errorf("event 1 = %q %q", evs[1].Name, evs[1].Data)
	}
	if evs[2].ID != "7" || !evs[2].HasID || evs[2].Retry != "1500" || string(evs[2].Data) != "first\nsecond" {
		t.Errorf("event 2 = %+v data %q", evs[2], evs[2].Data)
	}
	if !evs[3].HasData || len(evs[3].Data) != 0 {
		t.Errorf("a bare data line is an empty data value: %+v", evs[3])
	}
}

func TestReaderLineEndingsAndOffsets(t *testing.T) {
	for _, nl := range []string{"\n", "\r\n", "\r"} {
		in := "event: x" + nl + "data: hello" + nl + nl + "data: world" + nl + nl
		evs, err := readAll(t, in, 0)
		if err != nil {
			t.Fatalf("%q: %v", nl, err)
		}
		if len(evs) != 2 || string(evs[0].Data) != "hello" || string(evs[1].Data) != "world" {
			t.Fatalf("%q: events %v", nl, evs)
		}
		for _, ev := range evs {
			for _, sp := range ev.DataLines {
				got := in[sp.Offset : sp.Offset+int64(sp.Len)]
				if got != string(ev.Data) {
					t.Errorf("%q: data span %+v reads %q, want %q", nl, sp, got, ev.Data)
				}
			}
		}
		if evs[1].Offset != int64(strings.Index(in, "data: world")) || evs[1].Line != 4 {
			t.Errorf("%q: second event at offset %d line %d", nl, evs[1].Offset, evs[1].Line)
		}
	}
}

func TestReaderTruncated(t *testing.T) {
	evs, err := readAll(t, "data: complete\n\ndata: {\"delta\":\"gh", 0)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if len(evs) != 2 || string(evs[1].Data) != `{"delta":"gh` {
		t.Fatalf("events = %v", evs)
	}
}

func TestReaderTooLarge(t *testing.T) {
	big := "data: " + strings.Repeat("x", 200) + "\n\n"
	if _, err := readAll(t, big, 100); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one long line: err = %v", err)
	}
	many := strings.Repeat("data: "+strings.Repeat("x", 30)+"\n", 10) + "\n"
	if _, err := readAll(t, many, 100); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("many lines: err = %v", err)
	}
	if _, err := readAll(t, many, 1000); err != nil {
		t.Fatalf("under the limit: %v", err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	ev := &Event{Name: "content_block_delta", ID: "3", HasID: true, Retry: "10", Data: []byte("line one\nline two\r\nthree"), HasData: true, Comments: [][]byte{[]byte(" ping")}}
	var b bytes.Buffer
	if err := Write(&b, ev); err != nil {
		t.Fatal(err)
	}
	want := ": ping\nevent: content_block_delta\nid: 3\nretry: 10\ndata: line one\ndata: line two\ndata: three\n\n"
	if b.String() != want {
		t.Fatalf("Write = %q, want %q", b.String(), want)
	}
	evs, err := readAll(t, b.String(), 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("re-read: %v %v", evs, err)
	}
	if string(evs[0].Data) != "line one\nline two\nthree" || evs[0].Name != ev.Name || evs[0].ID != "3" {
		t.Fatalf("re-read event %+v", evs[0])
	}
}

func TestWriteCannotInjectFields(t *testing.T) {
	var b bytes.Buffer
	Append(&b, &Event{Name: "x\ndata: injected", HasData: true, Data: []byte("ok")})
	evs, err := readAll(t, b.String(), 0)
	if err != nil || len(evs) != 1 || string(evs[0].Data) != "ok" {
		t.Fatalf("a line break in a name must not start a field: %q -> %v %v", b.String(), evs, err)
	}
}

func TestEventStringHidesData(t *testing.T) {
	ev := &Event{Data: []byte("ghp_secretsecret"), HasData: true}
	if strings.Contains(ev.String(), "secret") {
		t.Fatalf("String leaks data: %s", ev)
	}
}

// FuzzReader checks that any input parses without panic, that offsets point at the
// data they describe, and that writing the events and reading them back is stable.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"data: x\n\n", "event: a\r\ndata: b\r\n\r\n", ": c\rdata:\r\r", "id: 1\nretry: 5\ndata: {}\n", "data: a\ndata: b\n\n\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in), 1<<12)
		var evs []*Event
		for {
			ev, err := r.Next()
			if ev != nil {
				var joined [][]byte
				for _, sp := range ev.DataLines {
					if sp.Offset < 0 || sp.Offset+int64(sp.Len) > int64(len(in)) {
						t.Fatalf("span %+v outside input", sp)
					}
					joined = append(joined, in[sp.Offset:sp.Offset+int64(sp.Len)])
				}
				if !bytes.Equal(bytes.Join(joined, []byte("\n")), ev.Data) {
					t.Fatalf("data %q != spans %q", ev.Data, joined)
				}
				if err == nil {
					evs = append(evs, ev)
				}
			}
			if err != nil {
				break
			}
		}
		var b bytes.Buffer
		for _, ev := range evs {
			Append(&b, ev)
		}
		again, err := readAll(t, b.String(), 1<<14)
		if err != nil {
			t.Fatalf("re-reading written events: %v", err)
		}
		if len(again) != len(evs) {
			t.Fatalf("%d events written, %d read back", len(evs), len(again))
		}
		for i := range evs {
			if !bytes.Equal(again[i].Data, bytes.ReplaceAll(bytes.ReplaceAll(evs[i].Data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))) || again[i].HasData != evs[i].HasData || again[i].ID != evs[i].ID {
				t.Fatalf("event %d changed: %q -> %q", i, evs[i].Data, again[i].Data)
			}
		}
	})
}

// chunkSource hands out its chunks one Read at a time and counts the reads.
type chunkSource struct {
	chunks [][]byte
	reads  int
}

func (c *chunkSource) Read(p []byte) (int, error) {
	c.reads++
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	if c.chunks[0] = c.chunks[0][n:]; len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

func TestReaderReady(t *testing.T) {
	src := &chunkSource{chunks: [][]byte{
		[]byte("data: a\n\ndata: b\r\n\r\nx-unknown: 1\n\ndata: c"), // two whole events, an unknown-only one, a partial
		[]byte("\n\n: ping\n"),
		[]byte("\n"),
	}}
	r := NewReader(src, 0)
	if r.Ready() {
		t.Fatal("Ready before anything was read")
	}
	want := []struct {
		data      string
		readyThen bool // Ready after this event
	}{{"a", true}, {"b", false}, {"c", false}}
	for _, w := range want {
		ev, err := r.Next()
		if err != nil || string(ev.Data) != w.data {
			t.Fatalf("Next = %v, %v; want %q", ev, err, w.data)
		}
		if got := r.Ready(); got != w.readyThen {
			t.Fatalf("after %q: Ready = %v, want %v", w.data, got, w.readyThen)
		}
	}
	ev, err := r.Next()
	if err != nil || !ev.IsComment() {
		t.Fatalf("comment event: %v, %v", ev, err)
	}
	reads := src.reads
	for !r.Ready() { // only the end of input is left to read
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("end: %v", err)
		}
	}
	if _, err := r.Next(); err != io.EOF || src.reads != reads+1 {
		t.Fatalf("end: %v after %d reads", err, src.reads-reads)
	}
}

// Lines that leave an event with nothing to dispatch (an empty event name, the
// last of several; an invalid retry) make Next skip it: Ready must not promise it.
func TestReaderReadyUndispatchedEvents(t *testing.T) {
	for _, tail := range []string{"event:\n\n", "event: \n\n", "event: x\nevent:\n\n", "retry: x\n\n", "x-unknown: 1\n\n", "id: a\x00b\n\n"} {
		src := &chunkSource{chunks: [][]byte{[]byte("data: a\n\n" + tail)}}
		r := NewReader(src, 0)
		if ev, err := r.Next(); err != nil || string(ev.Data) != "a" {
			t.Fatalf("%q: first event %v, %v", tail, ev, err)
		}
		if r.Ready() {
			t.Errorf("%q: Ready promised an event Next will skip", tail)
		}
	}
	for _, tail := range []string{"event: x\n\n", "id:\n\n", "retry: 10\n\n", ":\n\n", "data\n\n"} {
		src := &chunkSource{chunks: [][]byte{[]byte("data: a\n\n" + tail)}}
		r := NewReader(src, 0)
		r.Next()
		if !r.Ready() {
			t.Errorf("%q: a buffered event was not reported", tail)
		}
	}
}

func TestReaderNoProgress(t *testing.T) {
	r := NewReader(readerFunc(func([]byte) (int, error) { return 0, nil }), 0)
	if _, err := r.Next(); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("a source that never returns data: err = %v", err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// FuzzReaderReady checks Ready's promise under any chunking: when it reports a
// buffered event, Next returns without reading the source.
func FuzzReaderReady(f *testing.F) {
	f.Add([]byte("data: a\n\nevent: x\r\ndata: b\r\n\r\nfoo: 1\n\n: c\rdata:\r\r"), uint64(0x9e3779b97f4a7c15))
	f.Add([]byte("data: a\ndata: b\n\n\n\nid: 1\n\nretry: x\n\n"), uint64(7))
	f.Add([]byte("data: a\n\nevent:\n\nevent: x\nevent:\n\nretry: 1\nretry: x\n\n"), uint64(1)<<62)
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		src := &chunkSource{}
		for rest := in; len(rest) > 0; {
			n := 1 + int(seed%7) // mostly tiny pieces, sometimes whole events
			if seed>>60 < 6 {
				n = 1 + int(seed>>8%97)
			}
			seed = seed*6364136223846793005 + 1442695040888963407
			n = min(n, len(rest))
			src.chunks = append(src.chunks, rest[:n])
			rest = rest[n:]
		}
		r := NewReader(src, 1<<12)
		for i := 0; i <= len(in)+1; i++ {
			ready, reads := r.Ready(), src.reads
			_, err := r.Next()
			if ready && src.reads != reads {
				t.Fatalf("Ready, yet Next read the source (event %d)", i)
			}
			if err != nil {
				return
			}
		}
		t.Fatal("more events than bytes")
	})
}
