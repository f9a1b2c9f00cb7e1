package ciscan

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sort"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/providers/sse"
	"github.com/scrubgate/scrubgate/scanner"
)

// A saved SSE capture is scanned twice over in one reading. The scanner reads it as
// JSON lines, which finds every secret inside one event (with its JSON path). The
// assembler below reads the same bytes as events, joins the text deltas of each
// streamed field (providers.StreamDeltas: OpenAI chat chunks, Responses events,
// Anthropic content_block_delta; same stream, same choice, same field) and scans each
// field's text as one, so that a token split across data: events is found too. Such
// a finding points at the first fragment's characters (line, column and offset in
// the file) and ends at the last fragment's; SplitFinding lists the lines of the
// events that carried it.

// SplitFinding tells where the pieces of a secret reassembled from SSE deltas were.
type SplitFinding struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	RuleID string `json:"rule_id"`
	// Stream is the field the deltas belong to, e.g. chat/chatcmpl-1/0/content.
	Stream string `json:"stream"`
	// Events are the lines of the data: lines that carried the pieces, in order.
	Events []int `json:"events"`
}

// sseAssembler joins the deltas of every field of an SSE stream and scans them.
type sseAssembler struct {
	s      *scanner.Scanner
	win    *window
	fields map[string]*sseField
	order  []*sseField
	found  []assembled
	err    error // why assembly stopped early, if it did
	peak   int   // most fragments one field has held (memory stays bounded)
	lines  bool  // the stream is newline-delimited JSON, a line an event
}

type assembled struct {
	f      scanner.Finding // positions in the file
	frags  int             // how many fragments the secret spans
	stream string
	events []int
	tokens [][2]int64 // file spans of the string tokens that carried its pieces
}

// sseField is one streamed field: its redactor (used to scan: output is discarded)
// and where each fragment of its text came from.
type sseField struct {
	key   string
	w     *scanner.Writer
	frags []fragment
	size  int64 // length of the text so far
	path  string
	a     *sseAssembler
}

// fragment is one delta: where it starts in the field's text, and its JSON string
// token in the file.
type fragment struct {
	at     int64  // offset of the fragment in the field's text
	n      int64  // its decoded length
	raw    []byte // the string token, quotes included
	tokOff int64  // file offset of the token
	line   int    // line and column of the token
	col    int
}

func newSSEAssembler(s *scanner.Scanner) *sseAssembler {
	return &sseAssembler{s: s, fields: map[string]*sseField{}}
}

// run reads events from r until it ends, then closes every field.
func (a *sseAssembler) run(r io.Reader) {
	a.win = &window{r: r, line: 1}
	var rd interface{ Next() (*sse.Event, error) } = sse.NewReader(a.win, 0)
	if a.lines {
		rd = &ndjsonEvents{br: bufio.NewReaderSize(a.win, 64<<10)}
	}
	for {
		ev, err := rd.Next()
		if ev != nil {
			a.event(ev)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, sse.ErrTruncated) {
				a.err = err
			}
			break
		}
	}
	a.closeFields(providers.Ends{All: true})
}

func (a *sseAssembler) event(ev *sse.Event) {
	defer a.win.trim(ev.Offset)
	if !ev.HasData {
		return
	}
	deltas, ends, err := providers.StreamDeltas(ev.Name, ev.Data)
	if err != nil {
		return // not JSON: the scanner has read it as text already
	}
	for _, d := range deltas {
		f := a.field(d)
		raw := ev.Data[d.Start:d.End]
		off, ok := dataOffset(ev, d.Start)
		if !ok {
			continue
		}
		line, col := a.win.pos(off)
		f.frags = append(f.frags, fragment{at: f.size, n: int64(len(d.Text)), raw: append([]byte(nil), raw...), tokOff: off, line: line, col: col})
		f.size += int64(len(d.Text))
		f.w.Write([]byte(d.Text))
		f.prune()
		a.peak = max(a.peak, len(f.frags))
	}
	if ends.All || len(ends.Prefixes) > 0 {
		a.closeFields(ends)
	}
}

func (a *sseAssembler) field(d providers.Delta) *sseField {
	if f, ok := a.fields[d.Key]; ok {
		return f
	}
	f := &sseField{key: d.Key, path: d.Path, a: a}
	mode := scanner.ModeText
	if d.JSONSource {
		mode = scanner.ModeJSON
	}
	f.w = a.s.NewWriter(io.Discard, mode, func(scanner.Finding) []byte { return nil }, f.finding)
	a.fields[d.Key] = f
	a.order = append(a.order, f)
	return f
}

func (a *sseAssembler) closeFields(ends providers.Ends) {
	kept := a.order[:0]
	for _, f := range a.order {
		if !ends.All && !hasPrefix(f.key, ends.Prefixes) {
			kept = append(kept, f)
			continue
		}
		f.w.Close()
		delete(a.fields, f.key)
	}
	a.order = kept
}

func hasPrefix(key string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(key) >= len(p) && key[:len(p)] == p {
			return true
		}
	}
	return false
}

// prune forgets fragments no finding can reach any more: the field's redactor has
// decided everything before what it holds back, and a finding starts in what it
// holds. (A margin is kept.) A long stream then costs memory in proportion to the
// hold-back, not to its length.
func (f *sseField) prune() {
	if len(f.frags) < 512 {
		return
	}
	cut := f.size - f.w.Held() - 4096
	i := 0
	for i < len(f.frags)-1 && f.frags[i].at+f.frags[i].n < cut {
		i++
	}
	if i > len(f.frags)/2 {
		f.frags = append([]fragment(nil), f.frags[i:]...)
	}
}

// finding maps a finding in the field's text to the file.
func (f *sseField) finding(fd scanner.Finding) {
	first, last := f.fragAt(fd.Start.Offset), f.fragAt(fd.End.Offset-1)
	if first < 0 || last < 0 {
		return
	}
	out := fd
	out.JSONPath = f.path
	out.Start = f.frags[first].position(fd.Start.Offset)
	out.End = f.frags[last].position(fd.End.Offset)
	var events []int
	var tokens [][2]int64
	for i := first; i <= last; i++ {
		if n := len(events); n == 0 || events[n-1] != f.frags[i].line {
			events = append(events, f.frags[i].line)
		}
		tokens = append(tokens, [2]int64{f.frags[i].tokOff, f.frags[i].tokOff + int64(len(f.frags[i].raw))})
	}
	f.a.found = append(f.a.found, assembled{f: out, frags: last - first + 1, stream: f.key, events: events, tokens: tokens})
}

// fragAt returns the index of the fragment holding text offset off, or -1.
func (f *sseField) fragAt(off int64) int {
	i := sort.Search(len(f.frags), func(i int) bool { return f.frags[i].at+f.frags[i].n > off })
	if i == len(f.frags) || off < f.frags[i].at {
		return -1 // past the end, or in a fragment already pruned
	}
	return i
}

// position is the file position of text offset off (within or just past this
// fragment).
func (fr *fragment) position(off int64) scanner.Position {
	ri := jsonStringIndex(fr.raw, int(off-fr.at))
	return scanner.Position{
		Offset: fr.tokOff + int64(ri),
		Line:   fr.line,
		Column: fr.col + utf8.RuneCount(fr.raw[:ri]),
	}
}

// dataOffset maps an offset in an event's data (its data lines joined by "\n") to
// the file.
func dataOffset(ev *sse.Event, off int) (int64, bool) {
	start := 0
	for _, sp := range ev.DataLines {
		if off <= start+sp.Len {
			return sp.Offset + int64(off-start), true
		}
		start += sp.Len + 1
	}
	return 0, false
}

// jsonStringIndex returns the index in raw (a JSON string token, quotes included) at
// which decoded byte k begins, decoding as encoding/json does (invalid UTF-8 and lone
// surrogates become U+FFFD). An index past the text is clamped to the closing quote.
func jsonStringIndex(raw []byte, k int) int {
	if len(raw) < 2 {
		return 0
	}
	end := len(raw) - 1
	dec := 0
	i := 1
	for i < end && dec < k {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < end:
			if raw[i+1] == 'u' && i+6 <= end {
				r := hex4(raw[i+2 : i+6])
				if r >= 0xD800 && r < 0xDC00 && i+12 <= end && raw[i+6] == '\\' && raw[i+7] == 'u' {
					if r2 := hex4(raw[i+8 : i+12]); r2 >= 0xDC00 && r2 < 0xE000 {
						dec += 4
						i += 12
						continue
					}
				}
				switch {
				case r < 0:
					dec++ // not an escape the decoder accepts: count the byte
					i++
					continue
				case r >= 0xD800 && r < 0xE000:
					dec += 3
				default:
					dec += utf8.RuneLen(rune(r))
				}
				i += 6
				continue
			}
			dec++
			i += 2
		case c < utf8.RuneSelf:
			dec++
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:end])
			if r == utf8.RuneError && n == 1 {
				dec += 3
			} else {
				dec += n
			}
			i += n
		}
	}
	return min(i, end)
}

func hex4(b []byte) int {
	v := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return -1
		}
	}
	return v
}

// merge combines the scanner's findings with the reassembled ones: a secret split
// across events replaces the partial findings inside its span; a reassembled secret
// that lies in one fragment is kept only if the scanner did not already find it
// there (the split was in its context, e.g. "password=" in the previous delta).
func (a *sseAssembler) merge(found []scanner.Finding, file string) ([]scanner.Finding, []SplitFinding) {
	var splits []SplitFinding
	var keep []scanner.Finding
	for _, f := range found {
		// A partial finding is covered by a split secret only if it lies in one of
		// the events that carried the secret's pieces: another stream, choice or
		// field interleaved between the pieces keeps its own findings.
		covered := false
		for _, r := range a.found {
			if r.frags > 1 && insideToken(r.tokens, f.Start.Offset, f.End.Offset) {
				covered = true
				break
			}
		}
		if !covered {
			keep = append(keep, f)
		}
	}
	for _, r := range a.found {
		if r.frags == 1 {
			dup := false
			for _, f := range found {
				if f.Start.Offset < r.f.End.Offset && r.f.Start.Offset < f.End.Offset {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
		}
		keep = append(keep, r.f)
		if r.frags > 1 {
			splits = append(splits, SplitFinding{File: file, Line: r.f.Start.Line, Column: r.f.Start.Column, RuleID: r.f.RuleID, Stream: r.stream, Events: r.events})
		}
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Start.Offset < keep[j].Start.Offset })
	return keep, splits
}

// window is the reader under the SSE reader: it keeps the bytes from the start of
// the event being handled on, so that positions in it can be turned into lines and
// columns (counted as the scanner counts them: lines end at '\n').
type window struct {
	r    io.Reader
	buf  []byte
	dead int   // bytes at the start of buf that are no longer needed
	base int64 // file offset of buf[dead]
	line int   // line of buf[dead]
}

func (w *window) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.buf = append(w.buf, p[:n]...)
	return n, err
}

// pos returns the line and column of file offset off (at or after the window start).
func (w *window) pos(off int64) (int, int) {
	live := w.buf[w.dead:]
	i := int(off - w.base)
	if i < 0 || i > len(live) {
		return 0, 0
	}
	before := live[:i]
	line := w.line + bytes.Count(before, []byte{'\n'})
	return line, 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
}

// trim drops what lies before off, the start of the event just handled (a line
// start); bytes the SSE reader has read ahead stay. The buffer is compacted only
// when most of it is dead, so that trimming after every small event stays cheap.
func (w *window) trim(off int64) {
	i := int(off - w.base)
	live := w.buf[w.dead:]
	if i <= 0 {
		return
	}
	if i > len(live) {
		i = len(live)
	}
	w.line += bytes.Count(live[:i], []byte{'\n'})
	w.dead += i
	w.base += int64(i)
	if w.dead > 64<<10 && w.dead > len(w.buf)/2 {
		w.buf = append(w.buf[:0], w.buf[w.dead:]...)
		w.dead = 0
	}
}

// insideToken reports whether [start, end) lies in one of the string tokens.
func insideToken(tokens [][2]int64, start, end int64) bool {
	for _, t := range tokens {
		if start >= t[0] && end <= t[1] {
			return true
		}
	}
	return false
}

// ndjsonEvents reads newline-delimited JSON as events, keeping each line's offset
// in the stream so that positions can be reported.
type ndjsonEvents struct {
	br  *bufio.Reader
	off int64
	ln  int
}

func (n *ndjsonEvents) Next() (*sse.Event, error) {
	for {
		line, err := n.br.ReadBytes('\n')
		start, lineNo := n.off, n.ln+1
		n.off += int64(len(line))
		n.ln++
		if len(line) > sse.DefaultMaxEvent {
			return nil, sse.ErrTooLarge
		}
		data := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(data)) > 0 {
			ev := &sse.Event{Data: append([]byte(nil), data...), HasData: true, Offset: start, Line: lineNo,
				DataLines: []sse.Span{{Offset: start, Len: len(data), Line: lineNo}}}
			if err == io.EOF {
				return ev, sse.ErrTruncated
			}
			return ev, err
		}
		if err != nil {
			return nil, err
		}
	}
}
