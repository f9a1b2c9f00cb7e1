package scanner

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// jsonView turns raw JSON (or JSONL) into the "view" the rules scan: the same bytes
// except that the escapes inside strings are decoded (\n, \/, \uXXXX), so an escape can
// neither split nor hide a secret. It records where escapes were (to map view offsets
// back to raw offsets), where each string lies (to keep a finding inside its string)
// and each string's JSON path.
//
// It is lenient by design: it never rejects input. Broken JSON is tokenised as far as
// it makes sense, a raw newline ends a string, and in JSONL mode every line starts a
// fresh document. It consumes input incrementally; an escape split across chunks is
// completed when the rest arrives.
type jsonView struct {
	lines bool // JSONL: reset structure at raw newlines

	view  []byte
	vbase int64 // view offset of view[0]

	rawNext int64  // raw offset of the next byte not yet consumed into the view
	pending []byte // raw bytes of an incomplete escape at the end of the input
	// text: a view of plain text, not JSON, whose only escapes are terminal codes
	// (read as a space each; ansi.go). It has no strings, segments or paths.
	text bool

	esc  []escape  // sorted by v; esc[0] is a base mapping
	segs []segment // sorted by vs

	inStr bool
	isKey bool
	stack []frame
	deep  int // containers opened beyond maxDepth, followed by count only
	// tooDeep: the input nested beyond maxDepth somewhere; member names there were
	// not read
	tooDeep bool
	names   []string         // member names seen (interned)
	index   map[string]int32 // name -> index in names
	// nameCache maps a cheap hash of a name to its id+1 (0: empty), so the names
	// that repeat on every line of a transcript skip the map.
	nameCache [256]int32
	nodes     []pathNode // container paths as a tree; nodes[0] is the root "$"
	rendered  []string   // container paths rendered so far, by node (findings share them)
	// secretKeys are the secrets found inside member names: a path shows a name
	// that holds one as [*], however plain it looks
	secretKeys []string

	// lazy: a whole JSONL input whose structure (segments, paths, names) is not
	// followed while the view is built; a finding's line is read again for it
	// (lineSegment). raw is that input, line the view of the last line read again.
	lazy   bool
	raw    []byte
	line   lazyLine
	bounds []int64 // lazy: view start and end of each string, pairs (end -1 while open)
	bseg   segment // lazy: what segmentAt returns (bounds only: no path)

	// highlight: 1 + the view offset where the text of the last highlight opened
	// by terminal codes starts (0: none open; see addCodeRun); hlColour the
	// parameters of the colour code that opened it
	highlight int64
	hlColour  string
}

// lazyLine is a line of a lazy view read again with its structure: raw[start:end]
// of the input, whose view begins at offset v of the whole view.
type lazyLine struct {
	jv         *jsonView
	start, end int
	v          int64
}

// escape maps a decoded run view[v:v+vlen] to raw[r:r+rlen]. Between escapes, offsets
// advance one to one.
type escape struct {
	v, vlen, r, rlen int64
}

// segment is one JSON string's content (without quotes) in view offsets. Its path is
// built only when a finding needs it (or when a long string closes), from the
// container path and the string's own member name or index.
type segment struct {
	vs, ve int64 // ve == -1 while the string is open
	ctr    int32 // index into jsonView.nodes of the container's path
	member int32 // index into jsonView.names of the member name (-1: none)
	idx    int32 // array index (-1 in objects)
	isKey  bool
}

type frame struct {
	arr       bool
	expectKey bool
	idx       int32
	key       int32 // index into names of the current member name, -1 before the first
	path      int32 // index into nodes of this container's path, -1 until first use
}

func newJSONView(lines bool) *jsonView {
	j := &jsonView{index: map[string]int32{}}
	j.reset(lines)
	return j
}

// reset makes j a fresh view, keeping its buffers and index map for reuse.
func (j *jsonView) reset(lines bool) {
	*j = jsonView{
		lines: lines, view: j.view[:0], esc: append(j.esc[:0], escape{}), segs: j.segs[:0], bounds: j.bounds[:0],
		stack: j.stack[:0], names: j.names[:0], index: j.index, nodes: append(j.nodes[:0], pathNode{parent: -1, idx: -1, name: -1}),
		rendered: j.rendered[:0],
	}
}

// startText makes j a text view whose first bytes are seen, at raw offset base:
// text read so far, which holds no terminal code. size is the view's expected size.
func (j *jsonView) startText(seen []byte, base int64, size int) {
	j.text = true
	j.vbase, j.rawNext = base, base+int64(len(seen))
	if cap(j.view) < size {
		j.view = make([]byte, 0, size)
	}
	j.view = append(j.view[:0], seen...)
}

// feedText reads plain text: every run of terminal codes becomes one space in the
// view, or nothing inside a token (ansi.go); a run whose end or next byte is not
// known yet waits for the next bytes, unless eof says there are none.
func (j *jsonView) feedText(b []byte, eof bool) {
	if len(j.pending) > 0 {
		b = append(j.pending, b...)
		j.pending = nil
	}
	lit := 0
	for i := 0; i < len(b); {
		k := bytes.IndexByte(b[i:], esc)
		if k < 0 {
			break
		}
		i += k
		n, complete := codeRun(b[i:], false, eof)
		if !complete {
			j.appendRun(b[lit:i])
			j.pending = append([]byte(nil), b[i:]...)
			return
		}
		if n == 0 {
			i++
			continue
		}
		j.appendRun(b[lit:i])
		j.addCodeRun(b[i:i+n], false, i+n < len(b) && glueByte(b[i+n]))
		i += n
		lit = i
	}
	j.appendRun(b[lit:])
}

// addCodeRun puts a run of terminal codes (its raw bytes) in the view: nothing
// when it glues two parts of a token, one space otherwise. It glues when the bytes
// on both sides can be part of one token (next says so of the byte after it) and
// the run has the shape of a search highlight (the rules are listed in ansi.go).
func (j *jsonView) addCodeRun(run []byte, inJSON, next bool) {
	ok, sgr, off, endsOn, colour, last := runShape(run, inJSON)
	glue := ok && next && len(j.view) > 0 && glueByte(j.view[len(j.view)-1])
	if glue {
		switch open := j.highlight != 0; {
		case open && sgr && !off && !colour:
			// an attribute (reverse, bold) nested in an open colour: diff-highlight
		case open && colour && endsOn && string(last) != j.hlColour:
			// another colour than the open one: two values side by side (git diff
			// --color-words: ESC[31mold ESC[m ESC[32mnew), however short
			glue = false
		case open:
			h := j.highlight - 1
			glue = j.end()-h < maxHighlight && h >= j.vbase && bytes.IndexByte(j.view[h-j.vbase:], '\n') < 0
		case !sgr || off && !endsOn:
			glue = false // erases alone, or the end of a highlight not open here
		}
	}
	if glue {
		j.addDecoded(nil, len(run))
	} else {
		j.addDecoded(space, len(run))
	}
	switch {
	case !ok:
		j.highlight = 0 // a cursor move or an erase: no highlight goes on across it
	case sgr && endsOn:
		j.highlight = j.end() + 1
		if colour {
			j.hlColour = string(last)
		}
	case sgr:
		j.highlight, j.hlColour = 0, ""
	}
}

var space = []byte{' '}

// setLazy makes j a lazy view of raw, the whole input (see jsonView.lazy).
func (j *jsonView) setLazy(raw []byte) {
	j.lazy, j.raw = true, raw
}

// freeViews holds the views of finished one-shot scans for reuse: a proxy scans a
// JSON body per request, and allocating (and zeroing) a view, segment and escape
// tables each time cost more than scanning a small body. A sync.Pool drops its
// contents at every other garbage collection, which a scan of a few megabytes
// triggers itself, so the views are kept in a list bounded by their total size.
var freeViews struct {
	sync.Mutex
	views []*jsonView
	bytes int
}

const (
	// maxKeptView bounds the view capacity kept for reuse.
	maxKeptView = 8 << 20
	// maxFreeViewBytes bounds the memory all kept views hold together, and
	// maxFreeViews their number.
	maxFreeViewBytes = 32 << 20
	maxFreeViews     = 64
)

// footprint is the memory a view's tables hold (the name index, bounded by
// maxIndexedNames, aside).
func (j *jsonView) footprint() int {
	return cap(j.view) + cap(j.segs)*int(unsafe.Sizeof(segment{})) + cap(j.esc)*int(unsafe.Sizeof(escape{})) + cap(j.bounds)*8 +
		cap(j.stack)*int(unsafe.Sizeof(frame{})) + cap(j.nodes)*int(unsafe.Sizeof(pathNode{})) + cap(j.names)*16
}

// getJSONView returns a fresh view, reusing a released one when there is one.
func getJSONView(lines bool) *jsonView {
	freeViews.Lock()
	n := len(freeViews.views)
	if n == 0 {
		freeViews.Unlock()
		return newJSONView(lines)
	}
	j := freeViews.views[n-1]
	freeViews.views[n-1] = nil
	freeViews.views = freeViews.views[:n-1]
	freeViews.bytes -= j.footprint()
	freeViews.Unlock()
	j.reset(lines)
	return j
}

// release hands a view whose scan has finished back for reuse. Nothing found by the
// scan refers to its memory (findings copy what they keep). The decoded text is
// zeroed and member names are dropped, so no text of the scanned input stays in the
// free list.
func (j *jsonView) release() {
	fp := j.footprint()
	if cap(j.view) > maxKeptView || fp > maxFreeViewBytes/2 {
		return
	}
	clear(j.view) // the decoded text (secrets included) does not outlive its scan
	clear(j.names)
	clear(j.secretKeys)
	j.secretKeys = nil
	clear(j.rendered)
	if j.line.jv != nil {
		clear(j.line.jv.view[:cap(j.line.jv.view)]) // every line it held
	}
	j.raw, j.line = nil, lazyLine{} // nor the caller's input, nor a line read again
	if len(j.index) > 1024 {
		j.index = map[string]int32{}
	} else {
		clear(j.index)
	}
	freeViews.Lock()
	defer freeViews.Unlock()
	if len(freeViews.views) >= maxFreeViews || freeViews.bytes+fp > maxFreeViewBytes {
		return
	}
	freeViews.views = append(freeViews.views, j)
	freeViews.bytes += fp
}

// end returns the view offset just past the decoded data.
func (j *jsonView) end() int64 { return j.vbase + int64(len(j.view)) }

// indexStringStop returns the index of the first '"', '\\' or '\n' in b, or len(b).
// Strings are most of the bytes of real JSON. The first 32 bytes are tested eight at
// a time (the classic has-zero-byte trick; its lowest flagged byte is exact), which
// suits short strings and dense escapes; past that, windows that double in size are
// searched with bytes.IndexByte, so long text runs at memory speed while the work
// stays proportional to the distance to the stop.
func indexStringStop(b []byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for n := min(len(b), 32) &^ 7; i < n; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, bs, nl := x^(lo*'"'), x^(lo*'\\'), x^(lo*'\n')
		if m := ((q-lo)&^q | (bs-lo)&^bs | (nl-lo)&^nl) & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	if i < 32 { // fewer than 8 bytes left
		for ; i < len(b); i++ {
			if c := b[i]; c == '"' || c == '\\' || c == '\n' {
				return i
			}
		}
		return len(b)
	}
	for w := 64; i < len(b); w *= 2 {
		end := min(len(b), i+w)
		s := b[i:end]
		if k := bytes.IndexByte(s, '"'); k >= 0 {
			s = s[:k]
		}
		if k := bytes.IndexByte(s, '\\'); k >= 0 {
			s = s[:k]
		}
		if k := bytes.IndexByte(s, '\n'); k >= 0 {
			s = s[:k]
		}
		if i+len(s) < end {
			return i + len(s)
		}
		i = end
	}
	return len(b)
}

// feed consumes raw bytes, whose first byte is at raw offset j.rawNext+len(j.pending).
// Bytes that reach the view unchanged (everything but escapes) are copied in bulk:
// b[lit:i] is the literal run not yet appended, flushed before an escape, before a
// member name closes (its bytes are read from the view) and at the end.
func (j *jsonView) feed(b []byte) {
	if j.lazy {
		j.feedLazy(b)
		return
	}
	if j.text {
		j.feedText(b, false)
		return
	}
	if len(j.pending) > 0 {
		b = append(j.pending, b...)
		j.pending = nil
	}
	lit, i := 0, 0
	for i < len(b) {
		if j.inStr {
			i += indexStringStop(b[i:])
			if i == len(b) {
				break
			}
			if j.isKey && b[i] != '\\' { // a member name ends: closeString reads it from the view
				j.appendRun(b[lit:i])
				lit = i
			}
			switch b[i] {
			case '"':
				j.closeString(j.end() + int64(i-lit))
				i++
			case '\n':
				j.closeString(j.end() + int64(i-lit)) // a raw newline cannot be inside a JSON string
			case '\\':
				j.appendRun(b[lit:i])
				if i+1 < len(b) {
					if d := simpleEscape[b[i+1]]; d != 0 { // \n, \", \\ and the like, inline
						j.addDecoded([]byte{d}, 2)
						i += 2
						lit = i
						continue
					}
				}
				n := j.decodeEscape(b[i:])
				if n == 0 { // incomplete: wait for more input
					j.pending = append([]byte(nil), b[i:]...)
					return
				}
				i += n
				lit = i
			}
			continue
		}
		// Outside strings: follow the structure byte by byte.
	outside:
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				break outside
			case '{', '[':
				j.push(b[i] == '[')
			case '}', ']':
				j.pop()
			case ',':
				if n := len(j.stack); n > 0 && j.deep == 0 {
					f := &j.stack[n-1]
					if f.arr {
						f.idx++
					} else {
						f.expectKey = true
					}
				}
			case ':':
				if n := len(j.stack); n > 0 && j.deep == 0 && !j.stack[n-1].arr {
					j.stack[n-1].expectKey = false
				}
			case '\n':
				if j.lines {
					j.stack, j.deep = j.stack[:0], 0
				}
			}
		}
		if i < len(b) { // an opening quote
			i++
			j.openString(j.end() + int64(i-lit))
		}
	}
	j.appendRun(b[lit:])
}

// feedLazy is feed for a lazy view, called once with the whole input (an escape
// cut by its end is left pending for flush). It decodes the strings and records
// the escapes, giving the same view and escape table as feed, and the bounds of
// each string; the structure is left for lineSegment to work out where a finding
// needs it. A JSONL transcript is mostly short strings, and following the
// structure of each cost about a fifth of a scan.
func (j *jsonView) feedLazy(b []byte) {
	lit, i := 0, 0
	for i < len(b) {
		if !j.inStr {
			for i < len(b) && b[i] != '"' {
				i++
			}
			if i == len(b) {
				break
			}
			i++
			j.inStr = true
			j.bounds = append(j.bounds, j.end()+int64(i-lit), -1)
			continue
		}
		i += indexStringStop(b[i:])
		if i == len(b) {
			break
		}
		switch b[i] {
		case '"':
			j.inStr = false
			j.bounds[len(j.bounds)-1] = j.end() + int64(i-lit)
			i++
		case '\n':
			j.inStr = false // a raw newline cannot be inside a JSON string
			j.bounds[len(j.bounds)-1] = j.end() + int64(i-lit)
		case '\\':
			j.appendRun(b[lit:i])
			n := j.decodeEscape(b[i:])
			if n == 0 { // cut by the end of the input
				j.pending = append([]byte(nil), b[i:]...)
				return
			}
			i += n
			lit = i
		}
	}
	j.appendRun(b[lit:])
}

// lazySegment is segmentAt for a lazy view: the bounds of the string at view
// offset v, without a path (pathOf works it out).
func (j *jsonView) lazySegment(v int64) *segment {
	n := len(j.bounds) / 2
	i := sort.Search(n, func(i int) bool { return j.bounds[2*i] > v }) - 1
	if i < 0 {
		return nil
	}
	vs, ve := j.bounds[2*i], j.bounds[2*i+1]
	if ve >= 0 && v >= ve {
		return nil
	}
	j.bseg = segment{vs: vs, ve: ve, ctr: -1}
	return &j.bseg
}

// lineSegment reads the raw line that holds view offset v again into a view of its
// own, with its structure, and returns the segment there in this view's offsets.
// Its path indices belong to that line's view. The last line read is kept:
// findings come in order within each pass (rules, base64, known values), often
// several to a line.
func (j *jsonView) lineSegment(v int64) *segment {
	r := int(j.toRawStart(v))
	if r >= len(j.raw) {
		r = len(j.raw) - 1
	}
	if r < 0 {
		return nil
	}
	if l := &j.line; l.jv == nil || r < l.start || r >= l.end {
		start := bytes.LastIndexByte(j.raw[:r], '\n') + 1
		end := len(j.raw)
		if k := bytes.IndexByte(j.raw[r:], '\n'); k >= 0 {
			end = r + k + 1
		}
		if l.jv == nil {
			l.jv = newJSONView(true)
		} else {
			clear(l.jv.index)
			l.jv.reset(true)
		}
		l.jv.feed(j.raw[start:end])
		l.jv.flush()
		l.start, l.end, l.v = start, end, j.toView(int64(start))
	}
	seg := j.line.jv.segmentAt(v - j.line.v)
	if seg == nil {
		return nil
	}
	out := *seg
	out.vs += j.line.v
	if out.ve >= 0 {
		out.ve += j.line.v
	}
	return &out
}

// toView maps a raw offset outside any escape to its view offset.
func (j *jsonView) toView(r int64) int64 {
	i := sort.Search(len(j.esc), func(i int) bool { return j.esc[i].r > r }) - 1
	if i < 0 {
		i = 0
	}
	e := j.esc[i]
	return e.v + e.vlen + (r - e.r - e.rlen)
}

// flush is called at the end of input: an incomplete escape is kept as raw text.
func (j *jsonView) flush() {
	if j.text && len(j.pending) > 0 {
		j.feedText(nil, true)
	}
	if !j.text && len(j.pending) > 0 {
		// a run of codes that ends the input (in a string cut short) is read as a
		// run, as it is anywhere else
		if n, ok := codeRun(j.pending, true, true); ok && n > 0 {
			p := j.pending
			j.pending = nil
			j.addCodeRun(p[:n], true, false)
			j.appendRun(p[n:])
		}
	}
	if len(j.pending) > 0 {
		p := j.pending
		j.pending = nil
		j.appendRun(p)
	}
}

func (j *jsonView) appendRun(b []byte) {
	j.view = append(j.view, b...)
	j.rawNext += int64(len(b))
}

// simpleEscape maps the byte after a backslash to what a two-byte escape decodes to
// (0: not a two-byte escape).
var simpleEscape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// decodeEscape decodes the escape at the start of b (b[0] == '\\') into the view and
// returns how many raw bytes it consumed, or 0 if b ends before the escape does.
func (j *jsonView) decodeEscape(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	if d := simpleEscape[b[1]]; d != 0 {
		j.addDecoded([]byte{d}, 2)
		return 2
	}
	var dec [8]byte
	var d []byte
	n := 2
	switch b[1] {
	case 'u':
		if len(b) < 6 {
			return 0
		}
		r1, ok := hex4(b[2:6])
		if !ok {
			j.appendRun(b[:2]) // invalid escape: keep the raw text
			return 2
		}
		n = 6
		r := rune(r1)
		if r == esc { // a run of terminal codes, \u001b[1m: one space or nothing (ansi.go)
			k, complete := codeRun(b, true, false)
			if !complete {
				return 0
			}
			if k > 0 {
				j.addCodeRun(b[:k], true, k < len(b) && glueByte(b[k]))
				return k
			}
		}
		if utf16.IsSurrogate(r) {
			if r1 < 0xDC00 { // high surrogate: a low one may follow
				if len(b) < 12 && (len(b) < 7 || b[6] == '\\') && (len(b) < 8 || b[7] == 'u') {
					return 0
				}
				if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
					if r2, ok := hex4(b[8:12]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						r = utf16.DecodeRune(r, rune(r2))
						n = 12
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			} else {
				r = utf8.RuneError
			}
		}
		d = utf8.AppendRune(dec[:0], r)
	case '\n':
		j.appendRun(b[:1]) // a backslash at the end of a line: the raw newline ends the string
		return 1
	default:
		j.appendRun(b[:2]) // invalid escape: keep the raw text
		return 2
	}
	j.addDecoded(d, n)
	return n
}

// addDecoded appends the decoding d of an escape of rawLen raw bytes to the view and
// records the escape for mapping offsets back.
func (j *jsonView) addDecoded(d []byte, rawLen int) {
	j.esc = append(j.esc, escape{v: j.end(), vlen: int64(len(d)), r: j.rawNext, rlen: int64(rawLen)})
	j.view = append(j.view, d...)
	j.rawNext += int64(rawLen)
}

func hex4(b []byte) (uint16, bool) {
	var v uint16
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	return v, true
}

// openString starts a string whose content begins at view offset v.
func (j *jsonView) openString(v int64) {
	j.inStr = true
	seg := segment{vs: v, ve: -1, idx: -1, member: -1}
	if n := len(j.stack); n > 0 {
		f := &j.stack[n-1]
		if seg.ctr = f.path; seg.ctr < 0 { // the container's path node, made once
			seg.ctr = j.containerPath(n - 1)
		}
		if f.arr {
			seg.idx = f.idx
		} else if seg.isKey = f.expectKey && j.deep == 0; !seg.isKey {
			seg.member = f.key
		}
	}
	j.isKey = seg.isKey
	j.segs = append(j.segs, seg)
}

// closeString ends the open string at view offset v. A member name must be in the
// view already: it is interned, through a small cache in front of the index.
func (j *jsonView) closeString(v int64) {
	j.inStr = false
	seg := &j.segs[len(j.segs)-1]
	seg.ve = v
	if j.isKey {
		var key []byte
		if seg.vs >= j.vbase {
			key = j.view[seg.vs-j.vbase : seg.ve-j.vbase]
		} else {
			key = elidedKey // so long that its start was already dropped
		}
		j.stack[len(j.stack)-1].key = j.intern(key)
		j.isKey = false
	}
}

// maxIndexedNames bounds the index of member names (a document of endless
// distinct names must not grow it without bound).
const maxIndexedNames = 4096

// intern returns the id of a member name, adding it to names when new.
func (j *jsonView) intern(key []byte) int32 {
	h := 0
	if len(key) > 0 {
		h = (len(key)*31 + int(key[0])*7 + int(key[len(key)-1])*131 + int(key[len(key)/2])) & (len(j.nameCache) - 1)
	}
	if c := j.nameCache[h]; c > 0 && j.names[c-1] == string(key) {
		return c - 1
	}
	id, ok := j.index[string(key)]
	if !ok {
		id = int32(len(j.names))
		j.names = append(j.names, string(key))
		if len(j.index) < maxIndexedNames {
			j.index[string(key)] = id
		}
	}
	j.nameCache[h] = id + 1
	return id
}

// hasName reports whether one of names was seen as a member name. Every name is
// in the index until it is full; after that, new names are only listed. Names
// nested beyond maxDepth are not read, so an input that deep may hold any name:
// the answer is then yes.
func (j *jsonView) hasName(names []string) bool {
	if j.tooDeep {
		return true
	}
	if j.lazy { // no names were followed: read the input again with its structure
		e := newJSONView(j.lines)
		e.feed(j.raw)
		e.flush()
		return e.hasName(names)
	}
	for _, n := range names {
		if _, ok := j.index[n]; ok {
			return true
		}
	}
	if len(j.index) >= maxIndexedNames {
		for _, have := range j.names {
			if slices.Contains(names, have) {
				return true
			}
		}
	}
	return false
}

// pathNode is one step of a container path: the parent container and, in it, an
// array index or a member name. Paths are only rendered as strings for findings.
type pathNode struct {
	parent int32
	idx    int32 // array index, or -1
	name   int32 // member name (index into names), or -1
}

// containerPath returns the node of stack[i]'s path, creating it (and its
// ancestors') once.
func (j *jsonView) containerPath(i int) int32 {
	f := &j.stack[i]
	if f.path >= 0 {
		return f.path
	}
	if i == 0 { // the top-level value is "$" itself
		f.path = 0
		return 0
	}
	n := pathNode{parent: j.containerPath(i - 1), idx: -1, name: -1}
	if p := &j.stack[i-1]; p.arr {
		n.idx = p.idx
	} else {
		n.name = p.key
		if n.name < 0 {
			n.name = j.emptyName()
		}
	}
	j.nodes = append(j.nodes, n)
	f.path = int32(len(j.nodes) - 1)
	return f.path
}

// emptyName is the id of the member name "" (a member seen before its key closed).
func (j *jsonView) emptyName() int32 {
	if id, ok := j.index[""]; ok {
		return id
	}
	j.names = append(j.names, "")
	j.index[""] = int32(len(j.names) - 1)
	return int32(len(j.names) - 1)
}

// render builds the path string of a node.
func (j *jsonView) render(id int32) string {
	if id <= 0 {
		return "$"
	}
	if int(id) < len(j.rendered) && j.rendered[id] != "" {
		return j.rendered[id]
	}
	// Built in one pass from the root: a path 255 containers deep is long, and
	// building it by concatenation, level by level, for every finding in that
	// container cost seconds for a few thousand findings.
	var chain []int32
	for n := id; n > 0; n = j.nodes[n].parent {
		chain = append(chain, n)
	}
	var b strings.Builder
	b.WriteByte('$')
	for i := len(chain) - 1; i >= 0; i-- {
		if n := j.nodes[chain[i]]; n.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(int(n.idx)))
			b.WriteByte(']')
		} else {
			b.WriteString(j.memberPath(n.name))
		}
	}
	if len(j.rendered) < len(j.nodes) {
		j.rendered = append(j.rendered, make([]string, len(j.nodes)-len(j.rendered))...)
	}
	j.rendered[id] = b.String()
	return j.rendered[id]
}

// memberPath renders member name id for a path (PathMember), as [*] if a secret was
// found in it.
func (j *jsonView) memberPath(id int32) string {
	name := j.name(id)
	for _, k := range j.secretKeys {
		if strings.Contains(name, k) {
			return "[*]"
		}
	}
	return PathMember(name)
}

// keySegmentAt returns the segment at view offset v if it is a member name. A lazy
// view tells by what follows the string's closing quote: a colon.
func (j *jsonView) keySegmentAt(v int64) *segment {
	seg := j.segmentAt(v)
	if seg == nil {
		return nil
	}
	if j.lazy {
		if seg.ve < 0 {
			return nil
		}
		r := j.toRawEnd(seg.ve) + 1 // past the closing quote
		for r < int64(len(j.raw)) && (j.raw[r] == ' ' || j.raw[r] == '\t' || j.raw[r] == '\r') {
			r++
		}
		if r >= int64(len(j.raw)) || j.raw[r] != ':' {
			return nil
		}
		return seg
	}
	if !seg.isKey {
		return nil
	}
	return seg
}

// markSecretKey records a secret found in a member name. Paths rendered before
// are dropped: they are rendered again with the name hidden.
func (j *jsonView) markSecretKey(secret string) {
	if secret == "" || slices.Contains(j.secretKeys, secret) {
		return
	}
	j.secretKeys = append(j.secretKeys, secret)
	clear(j.rendered)
	if j.line.jv != nil {
		clear(j.line.jv.rendered)
	}
}

func (j *jsonView) name(id int32) string {
	if id < 0 {
		return ""
	}
	return j.names[id]
}

// elidedKey stands for a member name too long to keep; it renders as [*].
var elidedKey = []byte("[*] member name too long to keep in a path (over 40 bytes)")

// pathOf renders a segment's JSON path. A member name's own path is its object's.
func (j *jsonView) pathOf(s *segment) string {
	if j.lazy { // the path is worked out from the string's line, read again
		if ls := j.lineSegment(s.vs); ls != nil {
			j.line.jv.secretKeys = j.secretKeys
			return j.line.jv.pathOf(ls)
		}
		return "$"
	}
	ctr := j.render(s.ctr)
	switch {
	case s.isKey:
		return ctr
	case s.idx >= 0:
		return ctr + "[" + strconv.Itoa(int(s.idx)) + "]"
	case s.member >= 0:
		return ctr + j.memberPath(s.member)
	case s.ctr != 0:
		return ctr + PathMember("")
	}
	return ctr
}

// maxDepth bounds the container stack: deeper nesting is only counted, and strings
// in it get the path of the deepest tracked container. Memory and recursion stay
// bounded however deep hostile input nests.
const maxDepth = 256

func (j *jsonView) push(arr bool) {
	if len(j.stack) >= maxDepth {
		j.deep++
		j.tooDeep = true
		return
	}
	j.stack = append(j.stack, frame{arr: arr, expectKey: !arr, key: -1, path: -1})
}

func (j *jsonView) pop() {
	if j.deep > 0 {
		j.deep--
		return
	}
	if n := len(j.stack); n > 0 {
		j.stack = j.stack[:n-1]
	}
}

// PathMember renders an object member for a JSON path (".name" or [*]). Paths end up in logs and
// reports, and a member name can itself be a secret (or hold one: "password=…"), so
// only plain names are copied: letters, digits, '_', '-', '.', at most 40 bytes, and
// not token-like: 16+ bytes mixing 3+ letters and 3+ digits, or a run of 16+ letters
// and digits with a digit in it (an AWS key id has as few as none or two). Anything
// else is [*]. A scan also renders as [*] every member name it found a secret in.
func PathMember(key string) string {
	if key == "" {
		return "[\"\"]"
	}
	digits, letters := 0, 0
	run, runDigit := 0, false
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			run++
			runDigit = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
			run++
		case c == '_' || c == '-' || c == '.':
			run, runDigit = 0, false
		default:
			return "[*]"
		}
		if run >= 16 && runDigit {
			return "[*]"
		}
	}
	if len(key) > 40 || (len(key) >= 16 && digits >= 3 && letters >= 3) {
		return "[*]"
	}
	if key[0] != '-' && !(key[0] >= '0' && key[0] <= '9') && !containsByte(key, '.') && !containsByte(key, '-') {
		return "." + key
	}
	return "[" + strconv.Quote(key) + "]"
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// toRawStart maps a view offset that starts a span to the raw offset; a view offset
// inside a decoded escape maps to the escape's start.
func (j *jsonView) toRawStart(v int64) int64 {
	i := sort.Search(len(j.esc), func(i int) bool { return j.esc[i].v > v }) - 1
	if i < 0 {
		i = 0
	}
	e := j.esc[i]
	if v < e.v+e.vlen {
		return e.r
	}
	return e.r + e.rlen + (v - e.v - e.vlen)
}

// toRawEnd maps a view offset that ends a span; inside an escape it rounds up.
func (j *jsonView) toRawEnd(v int64) int64 {
	i := sort.Search(len(j.esc), func(i int) bool { return j.esc[i].v >= v }) - 1
	if i < 0 {
		i = 0
	}
	e := j.esc[i]
	if v < e.v+e.vlen {
		return e.r + e.rlen
	}
	return e.r + e.rlen + (v - e.v - e.vlen)
}

// segmentAt returns the string segment containing view offset v, if any.
func (j *jsonView) segmentAt(v int64) *segment {
	if j.lazy {
		return j.lazySegment(v)
	}
	i := sort.Search(len(j.segs), func(i int) bool { return j.segs[i].vs > v }) - 1
	if i < 0 {
		return nil
	}
	s := &j.segs[i]
	if s.ve >= 0 && v >= s.ve {
		return nil
	}
	return s
}

// trim forgets view bytes before view offset v (and the escapes and segments that end
// before it), keeping one escape as the mapping base.
func (j *jsonView) trim(v int64) {
	if v <= j.vbase {
		return
	}
	if v > j.end() {
		v = j.end()
	}
	// never cut inside a decoded escape: keep the whole escape
	if i := sort.Search(len(j.esc), func(i int) bool { return j.esc[i].v > v }) - 1; i >= 0 {
		if e := j.esc[i]; v > e.v && v < e.v+e.vlen {
			v = e.v
		}
	}
	if v <= j.vbase {
		return
	}
	// mapping base: the raw offset of v
	r := j.toRawStart(v)
	k := sort.Search(len(j.esc), func(i int) bool { return j.esc[i].v+j.esc[i].vlen > v })
	rest := j.esc[k:]
	if k > 0 { // reuse the backing array: streams trim often
		j.esc[k-1] = escape{v: v, r: r}
		j.esc = dropFront(j.esc, k-1)
	} else {
		j.esc = append([]escape{{v: v, r: r}}, rest...)
	}
	s := sort.Search(len(j.segs), func(i int) bool { return j.segs[i].ve < 0 || j.segs[i].ve > v })
	j.segs = dropFront(j.segs, s)
	j.view = dropFront(j.view, int(v-j.vbase))
	j.vbase = v
	if len(j.nodes) > 4096 || len(j.names) > 4096 {
		j.compact()
	}
}

// compact drops the path nodes and member names that no remaining segment and no
// open container refers to, so an endless stream keeps bounded tables.
func (j *jsonView) compact() {
	nodeMap := map[int32]int32{0: 0}
	nodes := []pathNode{j.nodes[0]}
	nameMap := map[int32]int32{-1: -1}
	var names []string
	remapName := func(i int32) int32 {
		if k, ok := nameMap[i]; ok {
			return k
		}
		names = append(names, j.names[i])
		nameMap[i] = int32(len(names) - 1)
		return nameMap[i]
	}
	var remapNode func(i int32) int32
	remapNode = func(i int32) int32 {
		if i < 0 {
			return i
		}
		if k, ok := nodeMap[i]; ok {
			return k
		}
		n := j.nodes[i]
		n.parent = remapNode(n.parent)
		if n.name >= 0 {
			n.name = remapName(n.name)
		}
		nodes = append(nodes, n)
		nodeMap[i] = int32(len(nodes) - 1)
		return nodeMap[i]
	}
	for i := range j.segs {
		j.segs[i].ctr = remapNode(j.segs[i].ctr)
		j.segs[i].member = remapName(j.segs[i].member)
	}
	for i := range j.stack {
		j.stack[i].path = remapNode(j.stack[i].path)
		j.stack[i].key = remapName(j.stack[i].key)
	}
	j.nodes, j.names = nodes, names
	clear(j.rendered) // node ids changed
	j.rendered = j.rendered[:0]
	j.nameCache = [256]int32{}
	j.index = make(map[string]int32, len(names))
	for i, n := range names {
		j.index[n] = int32(i)
	}
}

// dropFront removes the first n elements of s, moving the rest down in place so the
// backing array (and its capacity) is reused.
func dropFront[T any](s []T, n int) []T {
	m := copy(s, s[n:])
	return s[:m]
}
