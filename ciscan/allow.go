package ciscan

import (
	"bytes"
	"io"

	"github.com/scrubgate/scrubgate/scanner"
)

// AllowMarker on a line suppresses the findings on that line.
const AllowMarker = "scrubgate:allow"

// lineTracker sits between an input and the scanner: it counts the bytes and lines
// that pass and notes the lines (1-based, counted by '\n' as the scanner counts them)
// that contain AllowMarker, also when a read cuts the marker in two.
type lineTracker struct {
	r     io.Reader
	n     int64 // bytes read
	nuls  int64 // NUL bytes read (a UTF-16 segment in a UTF-8 file shows as NULs)
	line  int   // line of the next byte
	tail  []byte
	tLine int // line of tail[0]
	allow map[int]bool

	// For JSON input a physical line is a whole record (a JSONL line can hold a
	// whole tool output): there the marker covers only its own line of text, the
	// bytes between the line breaks (raw newlines or \n escapes) around it.
	spans     []allowSpan
	lastBreak int64 // offset just past the last line break seen
	open      int   // spans[open:] still wait for the break that ends them
	bsPending bool  // the previous read ended in a run of backslashes
	bsStart   int64 // where that run started
}

// allowSpan is the text line around a marker: [start, end), end -1 while open.
type allowSpan struct{ start, end int64 }

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
	t.seeSpans(b)
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
	t.nuls += int64(bytes.Count(b, []byte{0}))
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

// seeSpans records the text-line span of every marker in b (absolute offsets).
func (t *lineTracker) seeSpans(b []byte) {
	base := t.n
	var marks []int64
	// a marker that starts in the previous read's tail
	if len(t.tail) > 0 {
		k := min(len(b), len(AllowMarker)-1)
		joint := append(append([]byte(nil), t.tail...), b[:k]...)
		for i := 0; i < len(t.tail); i++ {
			if bytes.HasPrefix(joint[i:], []byte(AllowMarker)) {
				marks = append(marks, base-int64(len(t.tail)-i))
			}
		}
	}
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(AllowMarker))
		if i < 0 {
			break
		}
		marks = append(marks, base+int64(off+i))
		off += i + 1
	}
	mi := 0
	openUpTo := func(p int64) {
		for ; mi < len(marks) && marks[mi] < p; mi++ {
			t.spans = append(t.spans, allowSpan{start: t.lastBreak, end: -1})
		}
	}
	// brk ends the open spans at a line break at `at`; the next line starts at next.
	brk := func(at, next int64) {
		openUpTo(at)
		for ; t.open < len(t.spans); t.open++ {
			t.spans[t.open].end = at
		}
		t.lastBreak = next
	}
	// A line break is a raw newline or an n after any run of backslashes: \n is
	// a break once the text is decoded twice (a tool output inside a JSON-encoded
	// function_call_output, as Codex saves them), \\n three times. Counting a
	// literal backslash-n as a break too only makes a marker cover less.
	start := 0
	if t.bsPending {
		j := 0
		for j < len(b) && b[j] == '\\' {
			j++
		}
		start = len(b)
		if j < len(b) {
			t.bsPending = false
			if b[j] == 'n' {
				brk(t.bsStart, base+int64(j+1))
			}
			start = j + 1
		}
	}
	for off := start; off < len(b); {
		i := bytes.IndexAny(b[off:], "\n\\")
		if i < 0 {
			break
		}
		p := off + i
		if b[p] == '\n' {
			brk(base+int64(p), base+int64(p+1))
			off = p + 1
			continue
		}
		j := p
		for j < len(b) && b[j] == '\\' {
			j++
		}
		if j == len(b) { // the run may go on, or its n come, with the next read
			t.bsPending, t.bsStart = true, base+int64(p)
			break
		}
		if b[j] == 'n' {
			brk(base+int64(p), base+int64(j+1))
		}
		off = j + 1
	}
	openUpTo(base + int64(len(b)) + 1)
}

// allowedSpan reports whether a marker shares the text line of [start, end).
func (t *lineTracker) allowedSpan(start, end int64) bool {
	for _, s := range t.spans {
		if s.start <= start && (s.end < 0 || end <= s.end) {
			return true
		}
	}
	return false
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

// suppresses reports whether an allow marker covers a finding: on its line for text;
// for JSON input (read as UTF-8) on its line of text within the record.
func (t *lineTracker) suppresses(f *scanner.Finding, mode scanner.Mode, utf16 bool) bool {
	if !t.allowed(f.Start.Line, f.End.Line) {
		return false
	}
	if (mode == scanner.ModeJSON || mode == scanner.ModeJSONL) && !utf16 {
		return t.allowedSpan(f.Start.Offset, f.End.Offset)
	}
	return true
}
