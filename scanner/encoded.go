package scanner

import (
	"bytes"
	"encoding/base64"
	"math/bits"
	"unicode/utf8"
)

const (
	// minBase64Run is the shortest run tried as base64: 24 characters decode to 18
	// bytes, less than the shortest secret any rule finds together with its context.
	minBase64Run = 24
	// maxBase64Run bounds the runs that are decoded (and what streaming holds back for
	// them); longer runs are media blobs, scanned only as text.
	maxBase64Run = 64 << 10
	// maxEncodedDepth bounds base64 inside base64.
	maxEncodedDepth = 2
)

var b64Class = makeClass("AZaz09", "+/-_=")

// b64Bit is b64Class as 0/1 bytes, for building masks without branches.
var b64Bit = func() (t [256]uint8) {
	for c, in := range b64Class {
		if in {
			t[c] = 1
		}
	}
	return t
}()

// runAround measures the run of base64 characters around v[i] (which needs 8 <= i
// and i+8 < len(v)) as far as the eight bytes on each side of it go: the run starts
// at i-back and ends at i+1+fwd, where back or fwd is 8 when the run may go on. The
// masks are built without branches, which keeps the common case (a sample inside an
// ordinary word) cheap.
func runAround(v []byte, i int) (back, fwd int) {
	t := &b64Bit
	w := v[i-8 : i+9]
	bm := t[w[7]] | t[w[6]]<<1 | t[w[5]]<<2 | t[w[4]]<<3 | t[w[3]]<<4 | t[w[2]]<<5 | t[w[1]]<<6 | t[w[0]]<<7
	fm := t[w[9]] | t[w[10]]<<1 | t[w[11]]<<2 | t[w[12]]<<3 | t[w[13]]<<4 | t[w[14]]<<5 | t[w[15]]<<6 | t[w[16]]<<7
	return bits.TrailingZeros8(^bm), bits.TrailingZeros8(^fm)
}

// textLead holds the base64 characters that can start a quantum encoding text.
var textLead = makeClass("IZaf", "CD")

// scanBase64 finds maximal runs of base64 characters at least minBase64Run long and
// decodes each to look for a secret inside. Every such run contains a position that is
// a multiple of minBase64Run, so only those positions are sampled and a run is grown
// around a sample that is a base64 character: ordinary words cost a few bytes each,
// not a visit per byte. A run still open at the end of the data is left for later
// (and holds output back, via tailRunStart) unless the input has ended; a run longer
// than maxBase64Run is never decoded and is skipped without holding anything back.
func (p *pipeline) scanBase64(v []byte, vbase, vend int64, eof bool) {
	const stride = minBase64Run
	p.b64Open = -1
	if p.b64Long {
		i := p.b64Next
		for i < vend && b64Class[v[i-vbase]] {
			i++
		}
		if i == vend && !eof {
			p.b64Next = i
			return
		}
		p.b64Long = false
		p.b64Next = (i + stride - 1) / stride * stride
	}
	q := (p.b64Next + stride - 1) / stride * stride
	if q < vbase {
		q = (vbase + stride - 1) / stride * stride
	}
	// work in view-relative ints: this loop visits every sample of the input
	base, n := int(vbase), len(v)
	cls := b64Class
	for i := int(q) - base; i < n; i += stride {
		if !cls[v[i]] {
			continue
		}
		a, b := i, i+1
		if i >= 8 && i+8 < n {
			back, fwd := runAround(v, i)
			if back < 8 && fwd < 8 {
				continue // at most 15 bytes: too short
			}
			a, b = i-back, i+1+fwd
		}
		for a > 0 && cls[v[a-1]] {
			a--
		}
		for b < n && cls[v[b]] && b-a <= maxBase64Run {
			b++
		}
		if b-a > maxBase64Run {
			p.b64Long, p.b64Next = true, int64(base+b)
			if b < n || eof {
				p.scanBase64(v, vbase, vend, eof)
			}
			return
		}
		if b == n && !eof {
			p.b64Open = int64(base + a)
			q = int64(base + i)
			p.b64Next = q
			return // the run may continue
		}
		if b-a == 64 || b-a == 76 { // a full line of wrapped base64 (PEM, MIME, GNU base64)?
			end, full := wrappedBlock(v, a, b, eof)
			if end < 0 { // the block may go on past the data
				p.b64Open = int64(base + a)
				p.b64Next = int64(base + i)
				return
			}
			if end > b {
				next := p.wrappedBase64(v, base, a, b, end, full)
				i = ((base+next+stride-1)/stride*stride - stride) - base
				continue
			}
		}
		if b-a >= minBase64Run {
			p.checkBase64(v[a:b], int64(base+a))
		}
		// next sample after the run
		i = ((base+b+stride-1)/stride*stride - stride) - base
	}
	q = int64(((base + n + stride - 1) / stride) * stride)
	p.b64Next = q
}

// tailRunStart is where a run of base64 characters touching the end of the view
// begins: such a run may still grow into an encoded secret, so output is held back
// from there. A trailing run of fewer than minBase64Run bytes holds no sample yet and
// is found by looking back; a longer one holds a sample, and scanBase64 recorded its
// start (none if it is too long to ever be decoded). So did it for a wrapped block
// that may go on, which holds output back from its first line.
func (p *pipeline) tailRunStart(v []byte, vbase, vend int64) int64 {
	i := vend
	for i > vbase && vend-i < minBase64Run && b64Class[v[i-1-vbase]] {
		i--
	}
	t := vend
	if vend-i < minBase64Run {
		t = i
	}
	if p.b64Open >= 0 && p.b64Open < t { // a wrapped block still open ends in a line break
		t = p.b64Open
	}
	return t
}

// wrappedBlock reads base64 wrapped in lines, as PEM (64 characters a line), MIME
// and GNU base64 (76) write it, from its first line v[a:b]: lines of that width,
// each ended by a line break (at most maxIndent spaces or tabs of indentation after
// it), and a last line no longer; a line is a whole line (a run of base64
// characters up to a line break or the end of the data), and '=' padding ends the
// block. It returns the block's end and, when the last line is shorter than the
// others, the end of the full lines before it (else -1): a next line that only
// looks like one ("done") is dropped again if the whole does not decode. end is b
// when v[a:b] does not start a block of two lines or more (the line is then an
// ordinary run), and -1 when the data ends before the block does and more may come
// (!eof); how much is read ahead is bounded by the width and maxIndent.
func wrappedBlock(v []byte, a, b int, eof bool) (end, full int) {
	w := b - a
	if bytes.IndexByte(v[a:b], '=') >= 0 {
		return b, -1 // a padded line is a last line
	}
	full = -1
	for end = b; ; {
		c := end
		if c < len(v) && v[c] == '\r' {
			c++
		}
		if c >= len(v) {
			if !eof {
				return -1, -1
			}
			break
		}
		if v[c] != '\n' {
			break
		}
		c++
		for k := 0; c < len(v) && (v[c] == ' ' || v[c] == '\t'); k++ {
			if k == maxIndent {
				return blockEnd(b, end, full)
			}
			c++
		}
		d := c
		for d < len(v) && d-c <= w && b64Class[v[d]] {
			d++
		}
		if d == len(v) && d-c <= w && !eof {
			return -1, -1
		}
		if d == c || d-c > w || d < len(v) && v[d] != '\n' && v[d] != '\r' || d-a > maxBase64Run {
			break // not a line of the block: the block ends with the line before
		}
		last := d-c < w || bytes.IndexByte(v[c:d], '=') >= 0
		if last && d-c < w {
			full = end
		}
		end = d
		if last {
			break
		}
	}
	return blockEnd(b, end, full)
}

func blockEnd(b, end, full int) (int, int) {
	if end == b {
		return b, -1
	}
	if full == b {
		full = -1 // one full line and a short one: no shorter block to try
	}
	return end, full
}

// maxIndent bounds the indentation of a wrapped block's lines.
const maxIndent = 16

// joinLines returns the base64 characters of v[a:end], line breaks and indentation
// left out.
func joinLines(v []byte, a, end int) []byte {
	out := make([]byte, 0, end-a)
	for _, c := range v[a:end] {
		if b64Class[c] {
			out = append(out, c)
		}
	}
	return out
}

// wrappedBase64 reads the wrapped block v[a:end] whose first line is v[a:b] (full:
// where its full lines end, if its last line is shorter, or -1) and returns where
// reading goes on. A secret found in the whole block, or in it without a last line
// that may not belong to it (that line is then read on its own), is one finding
// for the block. A block that decodes to text without a secret is a document: only
// a short one (two unrelated values of that width on adjacent lines, say) is read
// line by line as well. One that does not decode may have started a line early (an
// unrelated value of the same width, a hex digest, before a block): if its first
// line does not decode alone, it is tried once more from its second line; failing
// that, its lines are read one by one, as runs of their own. No block is decoded
// more than five times over.
func (p *pipeline) wrappedBase64(v []byte, base, a, b, end, full int) int {
	try := func(a, end int) (text, found bool) {
		return p.checkBase64Span(joinLines(v, a, end), int64(base+a), int64(base+end))
	}
	text, found := try(a, end)
	if found {
		return end
	}
	if !text && full > b {
		// without its last line, which is then read on its own, as a run
		t, f := try(a, full)
		if f {
			return full
		}
		if t {
			if lines := blockLines(v, a, full); len(lines) <= maxRecheckLines {
				p.checkLines(v, base, lines)
			}
			return full
		}
	}
	lines := blockLines(v, a, end)
	if !text && len(lines) > 2 {
		if _, ok := decodeBase64Text(v[a:b]); !ok {
			a2 := lines[1][0]
			t2, f2 := try(a2, end)
			next := end
			if !f2 && !t2 && full > lines[1][1] {
				_, f2 = try(a2, full)
				next = full
			}
			if f2 {
				p.checkBase64(v[a:b], int64(base+a))
				return next
			}
		}
	}
	if !text || len(lines) <= maxRecheckLines {
		p.checkLines(v, base, lines)
	}
	return end
}

// checkLines reads each line of a block as a run of its own.
func (p *pipeline) checkLines(v []byte, base int, lines [][2]int) {
	for _, l := range lines {
		if l[1]-l[0] >= minBase64Run {
			p.checkBase64(v[l[0]:l[1]], int64(base+l[0]))
		}
	}
}

// maxRecheckLines: a block that decodes to text is read line by line as well only
// up to this many lines.
const maxRecheckLines = 4

// blockLines returns the start and end of each line's run in the block v[a:end].
func blockLines(v []byte, a, end int) [][2]int {
	var out [][2]int
	for i := a; i < end; {
		for i < end && !b64Class[v[i]] {
			i++
		}
		j := i
		for j < end && b64Class[v[j]] {
			j++
		}
		if j > i {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

// checkBase64 decodes run (view offset at) and records a finding for it if the
// decoded text contains a secret.
func (p *pipeline) checkBase64(run []byte, at int64) {
	p.checkBase64Span(run, at, at+int64(len(run)))
}

// checkBase64Span decodes run, the base64 characters of view[vs:ve] (line breaks
// left out for a wrapped block), and records a finding for the span if the decoded
// text contains a secret.
// It reports whether run decoded to text, and whether it recorded a finding.
func (p *pipeline) checkBase64Span(run []byte, vs, ve int64) (text, found bool) {
	if len(run) < minBase64Run || len(run) > maxBase64Run || p.depth >= maxEncodedDepth {
		return false, false
	}
	dec, ok := decodeBase64Text(run)
	if !ok {
		return false, false
	}
	var best *Finding
	inner := p.s.scanDepth(dec, DetectMode(dec), p.depth+1)
	for i := range inner {
		if best == nil || better(&inner[i], best) {
			best = &inner[i]
		}
	}
	if best == nil {
		return true, false
	}
	p.addFinding(Finding{
		RuleID: best.RuleID, Description: best.Description, Kind: best.Kind, Source: best.Source,
		Confidence: best.Confidence, generic: best.generic, order: best.order,
		vs: vs, ve: ve, Encoding: "base64",
		Preview: preview("", int(ve-vs)), Canary: best.Canary,
	})
	return true, true
}

// decodeBase64Text decodes run as standard or URL-safe base64 (padded or not) and
// returns the result only if it is text: valid UTF-8 with few control characters.
func decodeBase64Text(run []byte) ([]byte, bool) {
	// '=' only as trailing padding
	n := len(run)
	for n > 0 && run[n-1] == '=' {
		n--
	}
	if len(run)-n > 2 {
		return nil, false
	}
	body := run[:n]
	// Each 4-character quantum starts with the top six bits of a byte; for text
	// (ASCII, tab, newline, carriage return) that is one of C, D, I-Z, a-f. Checking
	// the first three quanta drops most identifiers and paths before anything else.
	for q := 0; q < 12 && q < len(body); q += 4 {
		if !textLead[body[q]] {
			return nil, false
		}
	}
	std, url := false, false
	for _, c := range body {
		switch c {
		case '=':
			return nil, false
		case '+', '/':
			std = true
		case '-', '_':
			url = true
		}
	}
	if std && url {
		return nil, false
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	// cheap rejection: the first 8 characters decode to 6 bytes of text
	if len(body) >= 8 {
		var head [6]byte
		if _, err := enc.Decode(head[:], body[:8]); err != nil || !textish(head[:]) ||
			!utf8.Valid(head[:len(head)-incompleteTail(head[:])]) {
			return nil, false
		}
	}
	out := make([]byte, enc.DecodedLen(len(body)))
	m, err := enc.Decode(out, body)
	if err != nil {
		return nil, false
	}
	out = out[:m]
	if !utf8.Valid(out) || !textish(out) {
		return nil, false
	}
	return out, true
}

// textish reports whether b looks like text: printable ASCII, whitespace or UTF-8
// multi-byte sequences, with at most 2% control bytes.
func textish(b []byte) bool {
	bad := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			bad++
		}
	}
	return bad*50 <= len(b)
}
