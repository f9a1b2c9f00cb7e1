package scanner

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"

	re2 "github.com/wasilibs/go-re2"
	"github.com/wasilibs/go-re2/experimental"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/rules"
)

// Mode selects how input is read.
type Mode int

const (
	// ModeAuto picks JSON or JSONL for input that looks like it, text otherwise.
	ModeAuto Mode = iota
	// ModeText scans bytes as they are.
	ModeText
	// ModeJSON scans decoded string values of one JSON document (lenient: broken JSON
	// is still scanned) and keeps every other byte as it was.
	ModeJSON
	// ModeJSONL is ModeJSON line by line: each line is its own document.
	ModeJSONL
)

func (m Mode) String() string {
	switch m {
	case ModeText:
		return "text"
	case ModeJSON:
		return "json"
	case ModeJSONL:
		return "jsonl"
	}
	return "auto"
}

// ParseMode parses "auto", "text", "json" or "jsonl".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "auto", "":
		return ModeAuto, nil
	case "text":
		return ModeText, nil
	case "json":
		return ModeJSON, nil
	case "jsonl", "ndjson":
		return ModeJSONL, nil
	}
	return ModeAuto, fmt.Errorf("unknown mode %q (want auto, text, json or jsonl)", s)
}

// Scanner is a compiled rule pack. It is safe for concurrent use.
type Scanner struct {
	rules        []*compiledRule
	kw           *keywordSet
	kwRules      [][]int32
	maxBack      int // how far before a keyword hit any decision can look
	maxHold      int // bound on what a stream can hold back
	fpKey        []byte
	decodeBase64 bool
	version      string

	knownMu sync.Mutex
	known   atomic.Pointer[knownSet]
}

// minBack is the least context kept before a keyword hit: gates look back at the
// identifier a keyword is part of.
const minBack = 64

// Option configures New.
type Option func(*options)

type options struct {
	fpKey        []byte
	known        []KnownValue
	noBase64     bool
	skipExamples bool
}

// WithFingerprintKey sets the key of finding fingerprints (a keyed hash of the
// secret). Without it each Scanner uses a random key, so fingerprints are comparable
// only within one process.
func WithFingerprintKey(key []byte) Option {
	return func(o *options) { o.fpKey = append([]byte(nil), key...) }
}

// WithKnownValues registers literal values to find wherever they occur.
func WithKnownValues(vals ...KnownValue) Option {
	return func(o *options) { o.known = append(o.known, vals...) }
}

// WithoutBase64 turns off decoding of base64 runs.
func WithoutBase64() Option { return func(o *options) { o.noBase64 = true } }

// withoutExamples skips running the pack's examples at compile time (used by the
// tests that check examples themselves).
func withoutExamples() Option { return func(o *options) { o.skipExamples = true } }

// Default compiles the embedded default pack.
func Default(opts ...Option) (*Scanner, error) {
	pack, err := rules.Default()
	if err != nil {
		return nil, err
	}
	return New(pack, opts...)
}

// New compiles a pack. It validates every rule statically and runs the examples and
// negatives of every rule that is not part of the embedded default pack (those are
// checked by the project's tests and by CheckExamples), reporting all problems at once.
func New(pack *rules.Pack, opts ...Option) (*Scanner, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if problems := rules.Validate(pack.Rules); len(problems) > 0 {
		return nil, problems
	}
	s := &Scanner{version: pack.Version, decodeBase64: !o.noBase64, fpKey: o.fpKey}
	if s.fpKey == nil {
		s.fpKey = make([]byte, 32)
		if _, err := rand.Read(s.fpKey); err != nil {
			return nil, errors.New("scanner: no random source for the fingerprint key")
		}
	}
	var problems rules.Problems
	kwIndex := map[string]int32{}
	var words []string
	for i, r := range pack.Rules {
		cr, err := compileRule(r, i)
		if err != nil {
			problems = append(problems, rules.Problem{RuleID: r.ID, Source: r.Source, Msg: err.Error()})
			continue
		}
		s.rules = append(s.rules, cr)
		ri := int32(len(s.rules) - 1)
		for _, k := range r.Keywords {
			ki, ok := kwIndex[k]
			if !ok {
				ki = int32(len(words))
				kwIndex[k] = ki
				words = append(words, k)
				s.kwRules = append(s.kwRules, nil)
			}
			s.kwRules[ki] = append(s.kwRules[ki], ri)
		}
		back := cr.maxSpan + 2
		if cr.anchored != nil && !cr.Imported {
			back = cr.lead + 2
		}
		if back > s.maxBack {
			s.maxBack = back
		}
		if cr.maxSpan > s.maxHold {
			s.maxHold = cr.maxSpan
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if s.maxBack < minBack {
		s.maxBack = minBack
	}
	s.kw = newKeywordSet(words)
	if err := s.SetKnownValues(o.known...); err != nil {
		return nil, err
	}
	if !o.skipExamples {
		if ps := s.checkExamples(false); len(ps) > 0 {
			return nil, ps
		}
	}
	return s, nil
}

// WithFingerprintKey returns a Scanner that shares s's compiled rules and known
// values (a snapshot of them) but fingerprints findings with key. Compiling a pack
// takes most of a second; deriving a scanner per key is free.
func (s *Scanner) WithFingerprintKey(key []byte) *Scanner {
	t := &Scanner{
		rules: s.rules, kw: s.kw, kwRules: s.kwRules, maxBack: s.maxBack, maxHold: s.maxHold,
		fpKey: append([]byte(nil), key...), decodeBase64: s.decodeBase64, version: s.version,
	}
	t.known.Store(s.known.Load())
	return t
}

// Clone returns an independent Scanner that shares s's compiled rules: known values
// added to the clone do not affect s (e.g. secrets learned from one document).
func (s *Scanner) Clone() *Scanner { return s.WithFingerprintKey(s.fpKey) }

// Version is the version of the compiled pack.
func (s *Scanner) Version() string { return s.version }

// SetKnownValues replaces the set of known values. It is safe to call while other
// goroutines scan; scans already running keep the set they started with.
func (s *Scanner) SetKnownValues(vals ...KnownValue) error {
	if err := checkKnownValues(vals); err != nil {
		return err
	}
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	s.known.Store(newKnownSet(append([]KnownValue(nil), vals...)))
	return nil
}

// checkKnownValues rejects values too short to be matched safely; the error names
// the value's label, never the value.
func checkKnownValues(vals []KnownValue) error {
	for _, v := range vals {
		if len(v.Value) < MinKnownValueLen {
			return fmt.Errorf("scanner: known value %q is shorter than %d bytes", v.Label, MinKnownValueLen)
		}
	}
	return nil
}

// AddKnownValues adds values to the known set (e.g. each secret as it is first caught).
func (s *Scanner) AddKnownValues(vals ...KnownValue) error {
	if err := checkKnownValues(vals); err != nil {
		return err
	}
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	var cur []KnownValue
	if ks := s.known.Load(); ks != nil {
		cur = append(cur, ks.values...)
	}
	seen := map[string]bool{}
	for _, v := range cur {
		seen[string(v.Value)] = true
	}
	for _, v := range vals {
		if !seen[string(v.Value)] {
			seen[string(v.Value)] = true
			cur = append(cur, v)
		}
	}
	s.known.Store(newKnownSet(cur))
	return nil
}

// DetectMode guesses the mode of src: JSONL when the first line is a complete JSON
// object or array and more lines follow, or when src is a server-sent-events capture
// (data:, event:, id: lines, whose JSON payloads the lenient JSON reader decodes), JSON
// when src starts with { or [, else text.
func DetectMode(src []byte) Mode {
	t := bytes.TrimLeft(src, " \t\r\n\ufeff")
	for _, field := range []string{"data:", "event:", "id:", "retry:"} {
		if bytes.HasPrefix(t, []byte(field)) {
			return ModeJSONL
		}
	}
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return ModeText
	}
	line, rest, found := bytes.Cut(t, []byte("\n"))
	if found && len(bytes.TrimSpace(rest)) > 0 && json.Valid(bytes.TrimSpace(line)) {
		return ModeJSONL
	}
	return ModeJSON
}

func resolveMode(mode Mode, src []byte) Mode {
	if mode == ModeAuto {
		return DetectMode(src)
	}
	return mode
}

// Scan returns the findings in src, choosing the mode automatically.
func (s *Scanner) Scan(src []byte) []Finding { return s.ScanMode(src, ModeAuto) }

// ScanMode returns the findings in src read in the given mode.
func (s *Scanner) ScanMode(src []byte, mode Mode) []Finding {
	return s.scanDepth(src, resolveMode(mode, src), 0)
}

func (s *Scanner) scanDepth(src []byte, mode Mode, depth int) []Finding {
	out, _ := s.scanMembers(src, mode, depth, nil)
	return out
}

// ScanModeMembers is ScanMode that also reports whether any of names occurs as a
// member name in the JSON input, decoded (so a name spelled with escapes counts).
// For input nested deeper than the scanner follows paths (256 levels) it answers
// yes: a name could be there unseen.
// It costs nothing beyond the scan: the JSON view already reads every name. In text
// mode there are no member names.
func (s *Scanner) ScanModeMembers(src []byte, mode Mode, names ...string) ([]Finding, bool) {
	return s.scanMembers(src, resolveMode(mode, src), 0, names)
}

func (s *Scanner) scanMembers(src []byte, mode Mode, depth int, names []string) ([]Finding, bool) {
	var out []Finding
	p := s.newPipeline(mode, nil, nil, func(f Finding) { out = append(out, f) })
	p.depth, p.wantNames = depth, len(names) > 0
	_ = p.writeAll(src)
	found := len(names) > 0 && p.jv != nil && p.jv.hasName(names)
	p.release()
	return out, found
}

// Redact returns src with every finding replaced by replace(finding), choosing the
// mode automatically. In JSON modes the replacement is escaped for its string.
func (s *Scanner) Redact(src []byte, replace func(Finding) []byte) []byte {
	return s.RedactMode(src, ModeAuto, replace)
}

// RedactMode is Redact in an explicit mode.
func (s *Scanner) RedactMode(src []byte, mode Mode, replace func(Finding) []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(src))
	p := s.newPipeline(resolveMode(mode, src), func(f *Finding) []byte { return replace(*f) }, &buf, nil)
	_ = p.writeAll(src)
	p.release()
	return buf.Bytes()
}

// RedactString is Redact for strings.
func (s *Scanner) RedactString(src string, replace func(Finding) string) string {
	return string(s.Redact([]byte(src), func(f Finding) []byte { return []byte(replace(f)) }))
}

// Mask is a replacement function that writes "[REDACTED:<rule id>]".
func Mask(f Finding) []byte { return []byte("[REDACTED:" + f.RuleID + "]") }

var errWriteAfterClose = errors.New("scanner: write after close")

// Writer is the streaming redactor: an io.WriteCloser in front of dst. It writes
// through everything that can no longer become part of a secret and holds back only a
// tail that still could (a run of token characters, an open keyword window, an open
// -----BEGIN block), bounded by the longest rule span. Close flushes the rest; for
// any chunking, the bytes written to dst equal RedactMode of the whole input.
type Writer struct {
	p *pipeline
}

// NewWriter returns a streaming redactor in an explicit mode (ModeAuto is treated as
// ModeText: a stream cannot be sniffed before it has been seen). onFinding, if not
// nil, is called with each finding after its replacement was written.
func (s *Scanner) NewWriter(dst io.Writer, mode Mode, replace func(Finding) []byte, onFinding func(Finding)) *Writer {
	if mode == ModeAuto {
		mode = ModeText
	}
	return &Writer{p: s.newPipeline(mode, func(f *Finding) []byte { return replace(*f) }, dst, onFinding)}
}

// Write implements io.Writer. Errors from dst are returned, and stick.
func (w *Writer) Write(b []byte) (int, error) {
	if err := w.p.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Close flushes everything held back and returns the first error.
func (w *Writer) Close() error { return w.p.close() }

// Stats reports the work done so far (keyword hits checked, regexes run), for
// metrics and tuning.
func (w *Writer) Stats() Stats { return w.p.stats }

// Held is the number of input bytes received but not yet written out.
func (w *Writer) Held() int64 {
	return w.p.rawBase + int64(len(w.p.raw)) - w.p.rawEmit
}

// Abort ends the stream abnormally: whatever is final is written, and a held tail
// that could be part of a secret is replaced by mask instead of being flushed. In the
// JSON modes the output then ends mid-document, as the broken input did.
func (w *Writer) Abort(mask []byte) error {
	p := w.p
	if p.done {
		return p.err
	}
	p.done = true
	if p.rawBase+int64(len(p.raw)) > p.rawEmit {
		p.put(mask)
	}
	return p.err
}

// confirm applies the placeholder filter, allowlists, entropy floor and validators
// to a candidate secret, returning its confidence or false to drop it.
func (r *compiledRule) confirm(secret []byte) (rules.Confidence, bool) {
	if detectors.IsPlaceholder(secret, len(r.publicPrefix(secret))) && !r.checksumValid(secret) {
		return "", false // a placeholder, unless its checksum says it is a real token
	}
	for _, w := range r.stopWords {
		if bytes.Contains(bytes.ToLower(secret), bytes.ToLower(w)) {
			return "", false
		}
	}
	for _, a := range r.allow {
		if a.Match(secret) {
			return "", false
		}
	}
	if r.Entropy > 0 && detectors.Entropy(secret) < r.Entropy {
		return "", false
	}
	conf := r.Confidence
	for _, v := range r.validators {
		switch v(secret) {
		case detectors.Rejected:
			return "", false
		case detectors.Unverified:
			conf = rules.Low
		case detectors.Confirmed:
			if conf != rules.Low {
				conf = rules.High
			}
		}
	}
	return conf, true
}

// checksumValid reports whether one of the rule's checksum validators confirms
// secret: such a token is real even if a placeholder word occurs in it by chance.
func (r *compiledRule) checksumValid(secret []byte) bool {
	for _, v := range r.checksums {
		if v(secret) == detectors.Confirmed {
			return true
		}
	}
	return false
}

// anchoredRegex compiles `\A(?s:.){0,L}?(regex)`: it finds the leftmost match starting
// within L bytes of the window start, and stops looking after that, which keeps
// confirmation cheap however large the window is.
func anchoredRegex(expr string, lead int) (*re2.Regexp, error) {
	return experimental.CompileLatin1(anchoredPattern(expr, lead))
}

func anchoredPattern(expr string, lead int) string {
	return fmt.Sprintf(`\A(?s:.){0,%d}?(%s)`, lead+1, expr)
}

// keywordLead bounds how many bytes a match can have before the first keyword it
// contains: the regex's leading elements up to the literal where a keyword starts.
func keywordLead(re *syntax.Regexp, keywords []string) (int, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := strings.ToLower(string(re.Rune))
		best := -1
		for i := 0; i < len(s) && best < 0; i++ {
			for _, k := range keywords {
				if strings.HasPrefix(s[i:], k) || strings.HasPrefix(k, s[i:]) {
					best = i
					break
				}
			}
		}
		return best, best >= 0
	case syntax.OpCapture:
		return keywordLead(re.Sub[0], keywords)
	case syntax.OpConcat:
		acc := 0
		for _, sub := range re.Sub {
			if n, ok := keywordLead(sub, keywords); ok {
				return acc + n, true
			}
			n, bounded := maxLen(sub)
			if !bounded {
				return 0, false
			}
			acc += n
		}
		return 0, false
	case syntax.OpAlternate:
		best := 0
		for _, sub := range re.Sub {
			n, ok := keywordLead(sub, keywords)
			if !ok {
				return 0, false
			}
			if n > best {
				best = n
			}
		}
		return best, true
	case syntax.OpRepeat, syntax.OpPlus:
		if re.Op == syntax.OpRepeat && re.Min < 1 {
			return 0, false
		}
		return keywordLead(re.Sub[0], keywords)
	}
	return 0, false
}

// ScanReader scans r as a stream (memory stays bounded however long it is) and calls
// fn for each finding in order. It returns the first read error.
func (s *Scanner) ScanReader(r io.Reader, mode Mode, fn func(Finding)) error {
	if mode == ModeAuto {
		mode = ModeText
	}
	p := s.newPipeline(mode, nil, nil, fn)
	buf := make([]byte, 256<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			_ = p.write(buf[:n])
		}
		if err == io.EOF {
			return p.close()
		}
		if err != nil {
			return err
		}
	}
}
