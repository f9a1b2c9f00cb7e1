package ciscan

import (
	"bytes"
	"io"
)

// AllowMarker on a line suppresses the findings on that line.
const AllowMarker = "scrubgate:allow"

// lineTracker sits between an input and the scanner: it counts the bytes and lines
// that pass and notes the lines (1-based, counted by '\n' as the scanner counts them)
// that contain AllowMarker, also when a read cuts the marker in two.
type lineTracker struct {
	r     io.Reader
	n     int64 // bytes read
	line  int   // line of the next byte
	tail  []byte
	tLine int // line of tail[0]
	allow map[int]bool
}

func newLineTracker(r io.Reader) *lineTracker {
	return &lineTracker{r: r, line: 1, tLine: 1}
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.see(p[:n])
	}
	return n, err
}

func (t *lineTracker) see(b []byte) {
	marker := []byte(AllowMarker)
	// a marker that starts in the tail of the previous read
	if len(t.tail) > 0 {
		k := min(len(b), len(marker)-1)
		joint := append(t.tail, b[:k]...)
		for i := 0; i < len(t.tail); i++ {
			if bytes.HasPrefix(joint[i:], marker) {
				t.mark(t.tLine + bytes.Count(joint[:i], []byte{'\n'}))
			}
		}
		t.tail = joint[:len(t.tail)]
	}
	for off := 0; ; {
		i := bytes.Index(b[off:], marker)
		if i < 0 {
			break
		}
		t.mark(t.line + bytes.Count(b[:off+i], []byte{'\n'}))
		off += i + 1
	}
	t.n += int64(len(b))
	t.line += bytes.Count(b, []byte{'\n'})
	// keep the last len(marker)-1 bytes for the next read
	keep := len(marker) - 1
	if len(b) >= keep {
		t.tail = append(t.tail[:0], b[len(b)-keep:]...)
	} else {
		t.tail = append(t.tail, b...)
		if len(t.tail) > keep {
			t.tail = t.tail[len(t.tail)-keep:]
		}
	}
	t.tLine = t.line - bytes.Count(t.tail, []byte{'\n'})
}

func (t *lineTracker) mark(line int) {
	if t.allow == nil {
		t.allow = map[int]bool{}
	}
	t.allow[line] = true
}

// allowed reports whether a line in [from, to] carries the marker.
func (t *lineTracker) allowed(from, to int) bool {
	if len(t.allow) == 0 {
		return false
	}
	if to-from > len(t.allow) {
		for l := range t.allow {
			if l >= from && l <= to {
				return true
			}
		}
		return false
	}
	for l := from; l <= to; l++ {
		if t.allow[l] {
			return true
		}
	}
	return false
}
