package scanner

import (
	"bytes"
	"io"
	"sort"
	"unicode/utf8"
)

// pipeline is the one implementation behind Scan, Redact and the streaming Writer:
// one-shot calls feed everything and close. Each decision it makes depends only on
// bytes inside a bounded window around a keyword hit, and it decides only once the
// window has fully arrived (or the input has ended), so any chunking of the input
// gives the same findings and output as the whole.
type pipeline struct {
	s       *Scanner
	known   *knownSet
	replace func(*Finding) []byte // nil: scan only
	out     io.Writer             // nil: scan only
	collect func(Finding)

	jv      *jsonView // nil in text mode, where the view is the raw input
	raw     []byte    // raw input from rawBase on (text mode: also the view)
	rawBase int64
	rawEmit int64 // raw bytes before this were written out
	// rawBorrowed: raw is the caller's input (writeAll), never to be written to
	rawBorrowed bool
	// whole: the entire input is in memory (writeAll), so nothing is trimmed: that
	// would only copy the rest of the caller's input and count lines nobody asks for
	whole bool
	// wantNames: the caller asks for member names (ScanModeMembers), so the view
	// follows the structure as it is built, even for JSONL
	wantNames bool

	kwNext   int64 // view positions before this have been tested for keywords for good
	tailHits []tailHit
	pend     []candidate
	found    []Finding // confirmed, not yet final
	b64Next  int64
	b64Long  bool          // inside a run too long to decode
	b64Open  int64         // start of a run still open at the end of the view, -1 if none
	depth    int           // base64 nesting depth of this pipeline
	only     *compiledRule // if set, evaluate this rule only (example checks)
	stats    Stats
	seen     map[foundKey]struct{} // findings not yet final, for de-duplication
	noBase64 bool
	knownEnd int64 // view end when known values were last searched
	emitV    int64 // view position up to which everything is final
	pos      posTracker
	err      error
	done     bool
}

type tailHit struct {
	kw  int32
	pos int64
}

type candidate struct {
	rule   *compiledRule
	hs, he int64
	// wait: do not look at this candidate again before the view reaches this offset
	// (an undecided gate is retried after more data, a passed one when its window is
	// complete). Deferring a decision never changes it, it only delays output.
	wait   int64
	passed bool
}

func (s *Scanner) newPipeline(mode Mode, replace func(*Finding) []byte, out io.Writer, collect func(Finding)) *pipeline {
	p := &pipeline{s: s, known: s.known.Load(), replace: replace, out: out, collect: collect, b64Open: -1}
	switch mode {
	case ModeJSON:
		p.jv = getJSONView(false)
	case ModeJSONL:
		p.jv = getJSONView(true)
	}
	p.pos.line, p.pos.col = 1, 1
	return p
}

// view returns the scanned bytes and the absolute offset of their first byte.
func (p *pipeline) view() ([]byte, int64) {
	if p.jv != nil {
		return p.jv.view, p.jv.vbase
	}
	return p.raw, p.rawBase
}

// feedText gives text input a view of its own once an ESC byte shows up in it (the
// last added bytes of raw are new): a jsonView that reads terminal codes as spaces
// (ansi.go) and maps offsets back to raw as JSON escapes are. Before that, and in
// the usual input that has none, the view is raw itself.
func (p *pipeline) feedText(added int) {
	b := p.raw[len(p.raw)-added:]
	if p.jv == nil {
		if bytes.IndexByte(b, esc) < 0 {
			return
		}
		p.jv = getJSONView(false)
		p.jv.startText(p.raw[:len(p.raw)-added], p.rawBase, len(p.raw))
	}
	p.jv.feed(b)
}

func (p *pipeline) toRawStart(v int64) int64 {
	if p.jv != nil {
		return p.jv.toRawStart(v)
	}
	return v
}

func (p *pipeline) toRawEnd(v int64) int64 {
	if p.jv != nil {
		return p.jv.toRawEnd(v)
	}
	return v
}

func (p *pipeline) write(b []byte) error {
	if p.err != nil {
		return p.err
	}
	if p.done {
		return errWriteAfterClose
	}
	if p.rawBorrowed {
		p.raw, p.rawBorrowed = append([]byte(nil), p.raw...), false
	}
	p.raw = append(p.raw, b...)
	if p.jv != nil && !p.jv.text {
		p.jv.feed(b)
	} else {
		p.feedText(len(b))
	}
	p.process(false)
	return p.err
}

// release returns the pipeline's reusable buffers after a one-shot scan; the
// pipeline must not be used again.
func (p *pipeline) release() {
	if p.jv != nil {
		p.jv.release()
		p.jv = nil
	}
}

// writeAll scans a whole input in one go: the input is used in place (the pipeline
// finishes with it before returning), not copied.
func (p *pipeline) writeAll(b []byte) error {
	if len(p.raw) == 0 && !p.done {
		p.raw, p.rawBorrowed, p.whole = b[:len(b):len(b)], true, true
		if p.jv != nil {
			// sized for the whole input: strings are rarely shorter than ~24 bytes
			// on average in real JSON (escapes grow their table as they come:
			// counting them first cost more than the growth)
			jv := p.jv
			if jv.lines && !p.wantNames {
				jv.setLazy(b) // structure only where a finding needs it
			}
			if cap(jv.view) < len(b) {
				jv.view = make([]byte, 0, len(b))
			}
			if n := len(b)/24 + 16; jv.lazy && cap(jv.bounds) < 2*n {
				jv.bounds = make([]int64, 0, 2*n)
			} else if !jv.lazy && cap(jv.segs) < n {
				jv.segs = make([]segment, 0, n)
			}
			p.jv.feed(b)
		} else {
			p.feedText(len(b))
		}
		p.process(false)
		if p.err == nil {
			p.close()
		}
		return p.err
	}
	if err := p.write(b); err != nil {
		return err
	}
	return p.close()
}

func (p *pipeline) close() error {
	if p.done {
		return p.err
	}
	if p.jv != nil {
		p.jv.flush()
	}
	p.process(true)
	p.done = true
	return p.err
}

// process advances every stage as far as the data allows.
func (p *pipeline) process(eof bool) {
	if p.err != nil {
		return
	}
	v, vbase := p.view()
	vend := vbase + int64(len(v))
	s := p.s

	// 1. keyword hits. Positions before kwNext are done; positions in the last
	// maxLen-1 bytes are tested again next time (a longer keyword may complete), so
	// hits found there are remembered to be registered once.
	from := p.kwNext
	if from < vbase {
		from = vbase
	}
	kwFinal := vend
	if !eof {
		kwFinal = vend - int64(s.kw.maxLen) + 1
	}
	prevTail := p.tailHits
	p.tailHits = nil
	s.kw.find(v, int(from-vbase), len(v), func(kw int32, start int) {
		hs := vbase + int64(start)
		for _, t := range prevTail {
			if t.kw == kw && t.pos == hs {
				if hs >= kwFinal {
					p.tailHits = append(p.tailHits, t)
				}
				return
			}
		}
		if hs >= kwFinal {
			p.tailHits = append(p.tailHits, tailHit{kw: kw, pos: hs})
		}
		he := hs + int64(len(s.kw.words[kw]))
		for _, ri := range s.kwRules[kw] {
			r := s.rules[ri]
			if p.only != nil && p.only != r {
				continue
			}
			// Most hits fail their gate at once; only the others become candidates.
			p.stats.GateChecks++
			switch r.check(v, int(hs-vbase), int(he-vbase), eof) {
			case gateFail:
			case gatePass:
				p.pend = append(p.pend, candidate{rule: r, hs: hs, he: he, passed: true})
			default:
				p.pend = append(p.pend, candidate{rule: r, hs: hs, he: he, wait: vend + 64})
			}
		}
	})
	if kwFinal > p.kwNext {
		p.kwNext = kwFinal
	}

	// 2. gates and regexes
	keep := p.pend[:0]
	for _, c := range p.pend {
		if !eof && vend < c.wait {
			keep = append(keep, c)
			continue
		}
		if p.evaluate(&c, v, vbase, vend, eof) == gateMore {
			keep = append(keep, c)
		}
	}
	p.pend = keep

	// 3. base64 runs that may decode to a secret
	if s.decodeBase64 && !p.noBase64 {
		p.scanBase64(v, vbase, vend, eof)
	}

	// 4. known values
	if p.known != nil && vend > p.knownEnd {
		p.findKnown(v, vbase, vend)
	}

	// 5. how far is final
	e := vend
	if !eof {
		if t := vbase + int64(s.kw.prefixTail(v)); t < e {
			e = t
		}
		for _, c := range p.pend {
			if c.hs < e {
				e = c.hs
			}
		}
		if s.decodeBase64 && !p.noBase64 {
			if t := p.tailRunStart(v, vbase, vend); t < e {
				e = t
			}
		}
		if p.known != nil {
			if t := vbase + int64(p.known.prefixTail(v)); t < e {
				e = t
			}
		}
		// No finding may straddle e. Lowering e for one finding can make an earlier,
		// overlapping one straddle it, so repeat until nothing moves.
		for moved := true; moved; {
			moved = false
			for _, f := range p.found {
				if f.vs < e && f.ve > e {
					e, moved = f.vs, true
				}
			}
		}
	}
	if e < p.emitV {
		e = p.emitV
	}
	p.finalize(e, v, vbase)
	p.emitV = e
	p.trim()
}

// evaluate runs a candidate's gate and, when it passes and its window is complete,
// the rule's regex. It returns gateMore while undecided.
func (p *pipeline) evaluate(c *candidate, v []byte, vbase, vend int64, eof bool) gateResult {
	r := c.rule
	if !c.passed {
		p.stats.GateChecks++
		g := r.check(v, int(c.hs-vbase), int(c.he-vbase), eof)
		if g == gateMore {
			c.wait = vend + 64
		}
		if g != gatePass {
			return g
		}
		c.passed = true
	}
	lo := c.hs - int64(r.lead) - 1
	if r.anchored == nil {
		lo = c.he - int64(r.maxSpan) - 1
	}
	if lo < 0 {
		lo = 0
	}
	hi := c.hs + int64(r.maxSpan) + 1
	if hi > vend {
		if !eof {
			c.wait = hi
			return gateMore
		}
		hi = vend
	}
	win := v[lo-vbase : hi-vbase]
	p.stats.RegexRuns++
	if r.atStart != nil {
		// The match can only start at the keyword. One anchored, DFA-only call
		// answers; the byte before is consumed so \b and the like see it.
		off := int(c.hs - lo)
		if off == 0 {
			if m := r.atStart.FindIndex(win); m != nil {
				p.accept(c, r, lo, 0, m[1], 0, m[1], v, vbase)
			}
		} else if m := r.afterByte.FindIndex(win[off-1:]); m != nil {
			end := off - 1 + m[1]
			p.accept(c, r, lo, off, end, off, end, v, vbase)
		}
		return gateFail
	}
	g2 := r.SecretGroup
	if r.anchored != nil {
		// RE2's DFA answers whether and where the match ends; the submatches come
		// from Go's engine on just the matched bytes when they are ASCII (fast on a
		// few dozen bytes), else from RE2.
		end := r.anchored.FindIndex(win)
		if end == nil {
			return gateFail
		}
		var m []int
		if sub := win[:end[1]]; r.anchoredGo != nil && isASCII(sub) {
			if mm := r.anchoredGo.FindSubmatchIndex(sub); mm != nil && mm[1] == end[1] {
				m = mm
			}
		}
		if m == nil {
			m = r.anchored.FindSubmatchIndex(win)
		}
		if m != nil && p.accept(c, r, lo, m[2], m[3], m[2*(g2+1)], m[2*(g2+1)+1], v, vbase) {
			return gateFail
		}
		// The leftmost match near the keyword was not this hit's (it started
		// earlier and ended before it): look at every match in the window.
	}
	for _, m := range r.re.FindAllSubmatchIndex(win, -1) {
		if p.accept(c, r, lo, m[0], m[1], m[2*g2], m[2*g2+1], v, vbase) {
			break
		}
	}
	return gateFail
}

// accept checks a regex match against the candidate (the match must contain the
// keyword hit and the secret must start at or after it), validates the secret and
// records a finding. It reports whether the match was the candidate's.
func (p *pipeline) accept(c *candidate, r *compiledRule, lo int64, ms, me, ss, se int, v []byte, vbase int64) bool {
	if ms < 0 || ss < 0 || se <= ss {
		return false
	}
	ams, ame, ass, ase := lo+int64(ms), lo+int64(me), lo+int64(ss), lo+int64(se)
	if ams > c.hs || ame < c.he || ass < c.hs {
		return false
	}
	// In JSON a secret ends with its string. Clip before the checks, so they judge
	// the bytes that will be reported. (The window is complete, so if the string's
	// closing quote lies inside the match it has been seen: this is chunking-proof.)
	if p.jv != nil {
		if seg := p.jv.segmentAt(ass); seg != nil && seg.ve >= 0 && ase > seg.ve {
			ase = seg.ve
		}
	}
	secret := v[ass-vbase : ase-vbase]
	conf, ok := r.confirm(secret)
	if !ok {
		return true
	}
	p.addFinding(Finding{
		RuleID: r.ID, Description: r.Description, Kind: r.Kind, Source: SourceRule,
		Confidence: conf, generic: r.Generic, order: r.index, vs: ass, ve: ase,
		Preview: preview(r.publicPrefix(secret), len(secret)),
	})
	return true
}

// addFinding records a confirmed finding unless the same rule already found that span.
func (p *pipeline) addFinding(f Finding) {
	k := foundKey{f.vs, f.ve, f.RuleID}
	if _, dup := p.seen[k]; dup {
		return
	}
	if p.seen == nil {
		p.seen = map[foundKey]struct{}{}
	}
	p.seen[k] = struct{}{}
	p.found = append(p.found, f)
}

// foundKey identifies a finding for de-duplication: several keyword hits of one
// rule can lead to the same match.
type foundKey struct {
	vs, ve int64
	rule   string
}

// finalize resolves overlaps among the findings that end at or before e, fills their
// positions, and writes the output up to e.
func (p *pipeline) finalize(e int64, v []byte, vbase int64) {
	n := 0
	for i := range p.found {
		if p.found[i].ve <= e {
			n++
		}
	}
	if n == 0 {
		if e > p.emitV {
			p.emitRaw(p.toRawEnd(e))
		}
		return
	}
	final := make([]Finding, 0, n)
	rest := p.found[:0]
	for _, f := range p.found {
		if f.ve <= e {
			final = append(final, f)
		} else {
			rest = append(rest, f)
		}
	}
	p.found = rest
	for _, f := range final {
		delete(p.seen, foundKey{f.vs, f.ve, f.RuleID})
	}
	if p.jv != nil {
		// a secret in a member name must not show in the paths of the values under it
		for i := range final {
			f := &final[i]
			if seg := p.jv.keySegmentAt(f.vs); seg != nil {
				ve := f.ve
				if seg.ve >= 0 && ve > seg.ve {
					ve = seg.ve
				}
				p.jv.markSecretKey(string(v[f.vs-vbase : ve-vbase]))
			}
		}
		for i := range final {
			f := &final[i]
			if seg := p.jv.segmentAt(f.vs); seg != nil {
				if seg.ve >= 0 && f.ve > seg.ve {
					f.ve = seg.ve
				}
				f.JSONPath = p.jv.pathOf(seg)
			}
		}
	}
	final = resolveOverlaps(final)
	rawE := p.toRawEnd(e)
	for i := range final {
		f := &final[i]
		f.secret = append([]byte(nil), v[f.vs-vbase:f.ve-vbase]...)
		f.Length = len(f.secret)
		f.Fingerprint = fingerprint(p.s.fpKey, f.secret)
		rs, re := p.toRawStart(f.vs), p.toRawEnd(f.ve)
		p.emitRaw(rs)
		p.countTo(rs)
		f.Start = p.pos.at(rs)
		p.countTo(re)
		f.End = p.pos.at(re)
		if p.replace != nil {
			rep := p.replace(f)
			if p.jv != nil && p.jv.segmentAt(f.vs) != nil {
				rep = appendJSONEscaped(nil, rep)
			}
			p.put(rep)
		}
		p.rawEmit = re
		if p.collect != nil {
			p.collect(*f)
		}
	}
	p.emitRaw(rawE)
}

// emitRaw writes raw input from rawEmit up to r unchanged.
func (p *pipeline) emitRaw(r int64) {
	if r <= p.rawEmit {
		return
	}
	p.put(p.raw[p.rawEmit-p.rawBase : r-p.rawBase])
	p.rawEmit = r
}

// countTo advances the line and column count to raw offset r. Counting is lazy:
// only findings need positions, so input is counted when a finding is placed or
// when it is about to be dropped, never when a scan finds nothing.
func (p *pipeline) countTo(r int64) {
	if r > p.pos.off {
		p.pos.advance(p.raw[p.pos.off-p.rawBase : r-p.rawBase])
	}
}

func (p *pipeline) put(b []byte) {
	if p.out == nil || p.err != nil || len(b) == 0 {
		return
	}
	if _, err := p.out.Write(b); err != nil {
		p.err = err
	}
}

// trim drops input that no pending decision can look at any more.
func (p *pipeline) trim() {
	if p.whole {
		return
	}
	keepV := p.emitV - int64(p.s.maxBack)
	if b := p.b64Next - minBase64Run; b < keepV && !p.b64Long {
		keepV = b // a run around the next sample may start this far back
	}
	if t := p.emitV - maxBase64Run; t > keepV {
		keepV = t
	}
	if keepV <= 0 {
		return
	}
	if p.jv != nil {
		if n := keepV - p.jv.vbase; n > 1<<16 || n > int64(len(p.jv.view))/2 {
			p.jv.trim(keepV)
		}
		if n := p.rawEmit - p.rawBase; n > 1<<16 || n > int64(len(p.raw))/2 {
			p.countTo(p.rawEmit)
			p.raw = p.dropRaw(int(n))
			p.rawBase = p.rawEmit
		}
		return
	}
	if keepV > p.rawEmit {
		keepV = p.rawEmit
	}
	n := keepV - p.rawBase
	if n > 1<<16 || n > int64(len(p.raw))/2 {
		p.countTo(keepV)
		p.raw = p.dropRaw(int(n))
		p.rawBase = keepV
	}
}

// Stats counts the work a scan did, for tuning and metrics.
type Stats struct {
	GateChecks int // cheap checks made at keyword hits
	RegexRuns  int // regex evaluations that followed a passed gate
}

// dropRaw forgets the first n raw bytes. The buffer is reused in place unless it is
// the caller's own input (one-shot scans read it without copying).
func (p *pipeline) dropRaw(n int) []byte {
	if p.rawBorrowed {
		p.rawBorrowed = false
		return append([]byte(nil), p.raw[n:]...)
	}
	return dropFront(p.raw, n)
}

// resolveOverlaps keeps one finding per cluster of overlapping spans: the most
// specific one, stretched to the union of the cluster so no fragment is left.
func resolveOverlaps(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	// A total order, so the result does not depend on the order findings arrived in.
	sort.Slice(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.vs != b.vs {
			return a.vs < b.vs
		}
		if a.ve != b.ve {
			return a.ve > b.ve
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.RuleID < b.RuleID
	})
	out := fs[:0]
	best := fs[0]              // the winner so far, with its own span
	lo, hi := best.vs, best.ve // the cluster's union
	flush := func() {
		w := best
		if w.vs != lo || w.ve != hi {
			w.vs, w.ve = lo, hi
			w.Preview = "…(" + itoa(int(hi-lo)) + ")"
		}
		out = append(out, w)
	}
	for i := 1; i < len(fs); i++ {
		f := fs[i]
		if f.vs < hi {
			if f.ve > hi {
				hi = f.ve
			}
			if better(&f, &best) {
				best = f
			}
			continue
		}
		flush()
		best, lo, hi = f, f.vs, f.ve
	}
	flush()
	return out
}

// posTracker turns raw offsets into 1-based line and column (in runes) as the raw
// input streams past. A UTF-8 sequence cut by a chunk boundary is carried over.
type posTracker struct {
	off   int64
	line  int
	col   int
	carry []byte
	begun bool // the input's first character has been counted
}

var utf8BOM = []byte("\xef\xbb\xbf")

func (t *posTracker) advance(b []byte) {
	if len(b) == 0 {
		return
	}
	t.off += int64(len(b))
	if len(t.carry) > 0 {
		b = append(t.carry, b...)
		t.carry = nil
	}
	// keep an incomplete trailing sequence for the next call
	if k := incompleteTail(b); k > 0 {
		t.carry = append([]byte(nil), b[len(b)-k:]...)
		b = b[:len(b)-k]
	}
	if !t.begun && len(b) > 0 {
		// a UTF-8 byte order mark starting the input is no character of line 1
		t.begun = true
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	if n := bytes.Count(b, []byte{'\n'}); n > 0 {
		t.line += n
		last := bytes.LastIndexByte(b, '\n')
		t.col = 1 + utf8.RuneCount(b[last+1:])
		return
	}
	t.col += utf8.RuneCount(b)
}

// at reports the position of raw offset off (which must be t.off) .
func (t *posTracker) at(off int64) Position {
	return Position{Offset: off, Line: t.line, Column: t.col + len(t.carry)}
}

// incompleteTail returns the length of a UTF-8 sequence at the end of b that has begun
// but not finished (0 if none).
func incompleteTail(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return 0
		}
		if c >= 0xC0 { // a leading byte
			if !utf8.FullRune(b[len(b)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// appendJSONEscaped appends b escaped for the inside of a JSON string.
func appendJSONEscaped(dst, b []byte) []byte {
	const hexdig = "0123456789abcdef"
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '\\', 'u', '0', '0', hexdig[c>>4], hexdig[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// isASCII reports whether b has no byte above 0x7f.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
