package providers

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scrubgate/scrubgate/scanner"
)

// Direction says which way traffic flows through the scrubber.
type Direction string

// The two directions.
const (
	Request  Direction = "request"
	Response Direction = "response"
)

// Action is what policy does with a finding.
type Action string

// The actions. Redact replaces the secret with a handle; Block refuses the whole
// request or response; AlertOnly leaves the secret in place and reports it; Allow
// leaves it in place because an allowlist says it is expected.
const (
	ActionRedact    Action = "redact"
	ActionBlock     Action = "block"
	ActionAlertOnly Action = "alert-only"
	ActionAllow     Action = "allow"
)

// ThinkingPolicy says what happens when a request sends back an Anthropic thinking
// block that holds a secret. Thinking blocks are signed by the provider: editing one
// makes the provider refuse the request, so they are never edited.
type ThinkingPolicy string

// The thinking policies: block the request (the default), or forward it unedited
// and raise an alert.
const (
	ThinkingBlock ThinkingPolicy = "block"
	ThinkingAlert ThinkingPolicy = "alert"
)

// Hit is one finding in traffic, with what was done about it. It never holds the
// secret other than inside Finding (whose every printed form hides it).
type Hit struct {
	Finding   scanner.Finding
	Direction Direction
	// Location is the JSON path of the string that held the secret
	// ($.messages[3].content), prefixed with the event type for streams.
	Location string
	Action   Action
	// Handle is the handle that replaced the secret (when redacted).
	Handle string
	// Thinking is set when the secret was inside a signed thinking block.
	Thinking bool
}

// Scrubber rewrites request and response bodies and event streams. It is cheap to
// build: make one per request with the request's tenant and policy bound in its
// functions.
type Scrubber struct {
	// Scanner finds the secrets (with the tenant's known values).
	Scanner *scanner.Scanner
	// Handle returns the text that replaces a redacted secret (a vault handle).
	Handle func(f *scanner.Finding) string
	// Decide returns the action for a hit; nil redacts everything.
	Decide func(h *Hit) Action
	// Report receives every hit once its action is settled (alerts, metrics). It
	// runs on the request path and must be quick.
	Report func(h *Hit)
	// Thinking is the policy for secrets in signed thinking blocks sent back in
	// requests (default ThinkingBlock).
	Thinking ThinkingPolicy
	// ScanEverything turns the skip-list off (signatures, encrypted reasoning, base64
	// media are scanned and edited too): for copies kept on record, where nothing
	// has to verify.
	ScanEverything bool
	// Observe, if set, is told the size of every whole body scrubbed and the time
	// it took (metrics).
	Observe func(dir Direction, size int, elapsed time.Duration)

	// limit bounds what the members of the archives in one body may expand to;
	// zero means DefaultMaxBody (Transport sets its MaxBody).
	limit int64
}

func (s *Scrubber) expandLimit() int64 {
	if s.limit > 0 {
		return s.limit
	}
	return DefaultMaxBody
}

// withLimit returns s with archive members bounded by limit.
func (s *Scrubber) withLimit(limit int64) *Scrubber {
	if s.limit == limit {
		return s
	}
	c := *s
	c.limit = limit
	return &c
}

// ErrUnscannable is returned for a body that could not be scrubbed completely; it is
// refused rather than passed on.
var ErrUnscannable = errors.New("scrubgate could not scan this body completely (too large, too deeply nested or not valid JSON where it holds tool-call arguments, log probabilities or base64 documents), so it was not passed on")

// BlockedError is returned when policy blocks a request or response. It names the
// rule and the location, never the secret.
type BlockedError struct {
	RuleID    string
	Location  string
	Direction Direction
	Thinking  bool
	// Unrewritable is set when policy would have redacted the secret, but it is
	// inside content scrubgate cannot rewrite without corrupting it (a binary
	// document, an archive member), so it blocks instead.
	Unrewritable bool
}

func (e *BlockedError) Error() string {
	if e.Unrewritable {
		return fmt.Sprintf("scrubgate blocked this %s: a secret (rule %s) at %s, inside content it cannot rewrite without corrupting it "+
			"(a binary document or an archive member); remove the secret, or send the content as UTF-8 text", e.Direction, e.RuleID, e.Location)
	}
	what := "a secret"
	if e.Thinking {
		what = "a signed thinking block that holds a secret"
	}
	return fmt.Sprintf("scrubgate blocked this %s: %s (rule %s) at %s", e.Direction, what, e.RuleID, e.Location)
}

// Result counts what a rewrite found and replaced.
type Result struct {
	Findings   int
	Redactions int
}

func (r *Result) add(o Result) {
	r.Findings += o.Findings
	r.Redactions += o.Redactions
}

// Body scrubs a whole request or response body. JSON bodies are scanned value by
// value (every string, both member values and names) and rewritten in place: every
// byte outside a replaced secret is kept. Other bodies are scanned as text. On a
// block it returns a *BlockedError and no body.
func (s *Scrubber) Body(dir Direction, body []byte) ([]byte, Result, error) {
	return s.body(dir, body, nil, "")
}

// body is Body with the archive budget of an enclosing body (multipart parts
// share their form's), or nil for a budget of its own.
// body is Body; loc, if set, is where the body lies (an archive member), written
// before every location in it, so that policy and alerts see the whole location.
func (s *Scrubber) body(dir Direction, body []byte, arch *archiveScan, loc string) ([]byte, Result, error) {
	if s.Observe != nil {
		start := time.Now()
		defer func() { s.Observe(dir, len(body), time.Since(start)) }()
	}
	if !looksJSON(body) {
		if kind := archiveKind(body); kind != "" {
			// An archive or compressed file sent or answered as it is: its members
			// are scanned (a secret blocks); it passes unchanged.
			e := editor{s: s, dir: dir, arch: arch}
			if err := e.scanArchive(body, kind, cmp.Or(loc, "$"), 1); err != nil {
				return nil, e.res, err
			}
			return body, e.res, nil
		}
		return s.text(dir, body, cmp.Or(loc, "$"))
	}
	mode := scanner.ModeJSON
	if scanner.DetectMode(body) == scanner.ModeJSONL { // JSON lines: batch input files
		mode = scanner.ModeJSONL
	}
	// The scan tells whether a tool call's arguments or log probabilities are
	// there (member names, decoded); base64 documents are looked for in the bytes.
	fs, named := s.Scanner.ScanModeMembers(body, mode, treeMembers...)
	tree := named || hasBase64Marker(body)
	var root *node
	if mode == scanner.ModeJSON && (len(fs) > 0 || tree) {
		root, _ = parseTree(body) // nil for broken JSON: the lenient scan still covers it
	}
	if root == nil && mode == scanner.ModeJSON && (named || tree && json.Valid(body)) {
		// Too large or too deep to index: its tool-call arguments could not be
		// decoded a second time, its log probabilities joined, nor its base64
		// documents decoded (they may hide a secret). Broken JSON is refused too
		// when it has arguments or log probabilities (a provider refuses it as
		// well, but only after receiving it); text that merely starts like JSON
		// (a README part mentioning a data: URL) is scanned leniently, as the
		// engine reads base64 runs itself.
		return nil, Result{}, ErrUnscannable
	}
	e := editor{s: s, dir: dir, src: body, root: root, arch: arch, loc: loc}
	e.noteSecretKeys(fs) // before any location is written
	lists, exclude := e.tokenListsIn()
	docs, err := e.base64Docs()
	if err != nil {
		return nil, e.res, err
	}
	exclude = append(exclude, docs...)
	if mode == scanner.ModeJSONL && tree {
		ex, err := e.jsonlLines(fs)
		if err != nil {
			return nil, e.res, err
		}
		exclude = append(exclude, ex...)
	}
	for _, l := range lists {
		if err := e.scrubTokens(l); err != nil {
			return nil, e.res, err
		}
	}
	if err := e.apply(fs, exclude, true); err != nil {
		return nil, e.res, err
	}
	return e.output(), e.res, nil
}

// Query scrubs a raw URL query string: each parameter is scanned as "name=value"
// (the name is the context that makes api_key=… a secret), and a query with a secret
// in a value is re-encoded with handles in place; a secret in a name is blocked.
func (s *Scrubber) Query(raw string) (string, Result, error) {
	var total Result
	vals, err := url.ParseQuery(raw)
	if err != nil {
		// A query that does not parse cannot be scanned as the upstream will read
		// it (percent-encoding): refused.
		return "", total, ErrUnscannable
	}
	changed := false
	for name, vs := range vals {
		for i, v := range vs {
			text := name + "=" + v
			fs := s.Scanner.ScanMode([]byte(text), scanner.ModeText)
			if len(fs) == 0 {
				continue
			}
			for _, f := range fs {
				if int(f.Start.Offset) <= len(name) {
					total.Findings++
					h := Hit{Finding: f, Direction: Request, Location: "query", Action: ActionBlock}
					if s.Report != nil {
						s.Report(&h)
					}
					return "", total, &BlockedError{RuleID: f.RuleID, Location: "query", Direction: Request}
				}
			}
			e := editor{s: s, dir: Request, src: []byte(text), loc: "query:" + safeName(name)}
			err := e.apply(fs, nil, false)
			total.add(e.res)
			if err != nil {
				return "", total, err
			}
			if len(e.edits) > 0 {
				vs[i], changed = string(e.output()[len(name)+1:]), true
			}
		}
	}
	if !changed {
		return raw, total, nil
	}
	return vals.Encode(), total, nil
}

// Headers scrubs response header values in place (an upstream, or a proxy in
// front of it, may echo a credential in a header). All values are scanned as one
// text, a "Name: value" line each, so the cost is one scan per response.
func (s *Scrubber) Headers(h http.Header) (Result, error) {
	type at struct {
		name       string
		i          int
		start, end int // of the value in the text
	}
	var buf bytes.Buffer
	var where []at
	for name, vs := range h {
		for i, v := range vs {
			buf.WriteString(name)
			buf.WriteString(": ")
			where = append(where, at{name, i, buf.Len(), buf.Len() + len(v)})
			buf.WriteString(v)
			buf.WriteByte('\n')
		}
	}
	if buf.Len() == 0 {
		return Result{}, nil
	}
	text := buf.Bytes()
	fs := s.Scanner.ScanMode(text, scanner.ModeText)
	if len(fs) == 0 {
		return Result{}, nil
	}
	var total Result
	for _, w := range where {
		var mine []scanner.Finding
		for _, f := range fs {
			if int(f.Start.Offset) >= w.start && int(f.End.Offset) <= w.end {
				f.Start.Offset -= int64(w.start)
				f.End.Offset -= int64(w.start)
				mine = append(mine, f)
			}
		}
		if len(mine) == 0 {
			continue
		}
		e := editor{s: s, dir: Response, src: text[w.start:w.end], loc: "header:" + safeName(w.name)}
		err := e.apply(mine, nil, false)
		total.add(e.res)
		if err != nil {
			return total, err
		}
		h[w.name][w.i] = string(e.output())
	}
	return total, nil
}

// text scrubs a body or payload that is not JSON.
func (s *Scrubber) text(dir Direction, src []byte, loc string) ([]byte, Result, error) {
	fs := s.Scanner.ScanMode(src, scanner.ModeText)
	e := editor{s: s, dir: dir, src: src, loc: loc}
	if err := e.apply(fs, nil, false); err != nil {
		return nil, e.res, err
	}
	return e.output(), e.res, nil
}

func looksJSON(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// edit replaces src[start:end] with repl.
type edit struct {
	start, end int
	repl       []byte
	tag        int // non-zero: output() records where the replacement landed
}

// editor applies findings to one document.
type editor struct {
	s       *Scrubber
	dir     Direction
	src     []byte
	root    *node   // parse tree, or nil (text, or JSON the strict parser refused)
	loc     string  // location of the document itself: "$" or an enclosing path
	strs    []*node // string nodes in document order, built on first use
	edits   []edit
	res     Result
	blocked *BlockedError
	spans   map[int][2]int // by edit tag: where the replacement is in the output
	// inTool is set for documents a model wrote (tool-call arguments): the
	// skip-list's shapes mean nothing there.
	inTool bool
	// secretKeys are the secrets found in member names so far: paths hide them
	secretKeys []string
	// frozen is set for content that cannot be edited (binary documents, archive
	// members): a finding that policy would redact blocks instead.
	frozen bool
	// arch is the budget of the body's archives, shared with its JSON lines.
	arch *archiveScan
}

// span is a half-open byte range.
type span struct{ start, end int }

// apply handles findings: skip-list, nested tool-call arguments, policy, edits.
// Findings inside an excluded span are ignored (the caller rewrites those values).
func (e *editor) apply(fs []scanner.Finding, exclude []span, nested bool) error {
	e.noteSecretKeys(fs)
	var inner []*node
	if nested && e.root != nil {
		e.root.walkStrings(func(n *node) {
			if n.name == "arguments" && isJSONSource(e.src[n.start:n.end]) && !excluded(exclude, n.start, n.end) {
				inner = append(inner, n)
			}
		})
	}
	for _, n := range inner {
		if err := e.nestedArguments(n); err != nil {
			return err
		}
		exclude = append(exclude, span{n.start, n.end})
	}
	for i := range fs {
		f := &fs[i]
		start, end := int(f.Start.Offset), int(f.End.Offset)
		if excluded(exclude, start, end) {
			continue
		}
		h := Hit{Finding: *f, Direction: e.dir, Location: f.JSONPath}
		if n := e.stringAt(start, end); n != nil {
			if !e.s.ScanEverything && !e.inTool && !inToolInput(n, e.src) && skipValue(n, e.src) {
				continue
			}
			h.Location = n.pathHiding(e.secretKeys)
			h.Thinking = e.dir == Request && isThinking(n, e.src)
		}
		if h.Location == "" {
			h.Location = "$"
		}
		if e.loc != "" && e.loc != "$" {
			h.Location = e.loc + ":" + h.Location
		}
		if err := e.hit(&h, start, end); err != nil {
			return err
		}
	}
	return nil
}

// findingsIn returns the findings of fs within src[from:to], with offsets
// relative to from.
func findingsIn(fs []scanner.Finding, from, to int) []scanner.Finding {
	var out []scanner.Finding
	for _, f := range fs {
		if int(f.Start.Offset) >= from && int(f.End.Offset) <= to {
			f.Start.Offset -= int64(from)
			f.End.Offset -= int64(from)
			out = append(out, f)
		}
	}
	return out
}

// noteSecretKeys records the secrets of fs that lie in member names (outside every
// string value): no path may show such a name (the values under it are reported
// with their paths). Without a tree there is nothing to tell them by, and paths
// come from the scanner, which hides them itself.
func (e *editor) noteSecretKeys(fs []scanner.Finding) {
	if e.root == nil {
		return
	}
	for i := range fs {
		if e.stringAt(int(fs[i].Start.Offset), int(fs[i].End.Offset)) == nil {
			if k := string(fs[i].Secret()); !slices.Contains(e.secretKeys, k) {
				e.secretKeys = append(e.secretKeys, k)
			}
		}
	}
}

// hit settles the action for one hit and records the edit.
func (e *editor) hit(h *Hit, start, end int) error {
	h.Action = e.s.decide(h)
	unrewritable := e.frozen && h.Action == ActionRedact
	if unrewritable {
		h.Action = ActionBlock
	}
	e.res.Findings++
	switch h.Action {
	case ActionRedact:
		h.Handle = e.s.Handle(&h.Finding)
		e.edits = append(e.edits, edit{start: start, end: end, repl: []byte(h.Handle)})
		e.res.Redactions++
	case ActionBlock:
		if e.blocked == nil {
			e.blocked = &BlockedError{RuleID: h.Finding.RuleID, Location: h.Location, Direction: e.dir, Thinking: h.Thinking, Unrewritable: unrewritable}
		}
	}
	if e.s.Report != nil {
		e.s.Report(h)
	}
	if e.blocked != nil {
		return e.blocked
	}
	return nil
}

// decide applies the caller's policy, then the thinking policy: an allowlisted or
// alert-only finding stays so, but a signed thinking block is never edited, so a
// finding there that policy would redact or block follows the thinking policy.
func (s *Scrubber) decide(h *Hit) Action {
	a := ActionRedact
	if s.Decide != nil {
		switch d := s.Decide(h); d {
		case ActionBlock, ActionAlertOnly, ActionAllow:
			a = d
		}
	}
	if h.Thinking && (a == ActionRedact || a == ActionBlock) {
		if s.Thinking == ThinkingAlert {
			return ActionAlertOnly
		}
		return ActionBlock
	}
	return a
}

// needsTree reports whether a document's bytes hold a marker of something only a
// parse tree can place: tool-call arguments, log probabilities, base64 documents.
// It sees names as written; Body learns the decoded names from its scan.
func needsTree(b []byte) bool {
	return containsAround(b, 'g', 3, `"arguments"`, `"logprobs"`) || hasBase64Marker(b)
}

// hasTreeMembers reports whether a JSON document has one of treeMembers, decoded.
func (e *editor) hasTreeMembers(doc []byte) bool {
	_, ok := e.s.Scanner.ScanModeMembers(doc, scanner.ModeJSON, treeMembers...)
	return ok
}

// treeMembers are the member names that make a document need its parse tree.
var treeMembers = []string{"arguments", "logprobs"}

// hasBase64Marker reports whether a document may hold a base64 document: a data:
// URL or a source block of type base64.
func hasBase64Marker(b []byte) bool {
	return containsAround(b, '6', 5, `;base64,`, `"base64"`)
}

// containsAround reports whether b contains one of needles, each of which has the
// byte c at index at. It visits the occurrences of c, a byte rarer in JSON text than
// the quote the needles start with: a plain substring search stops at every quote
// of a document (it was a tenth of the gateway's time on 128 KB bodies).
func containsAround(b []byte, c byte, at int, needles ...string) bool {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], c)
		if i < 0 {
			return false
		}
		i += off
		if i >= at {
			for _, n := range needles {
				if i-at+len(n) <= len(b) && string(b[i-at:i-at+len(n)]) == n {
					return true
				}
			}
		}
		off = i + 1
	}
}

// jsonlLines gives every JSON line (batch input and output files) what a single
// document gets from its parse tree: tool-call arguments decoded a second time,
// token lists joined, base64 text documents decoded. It returns the spans it took
// care of, for the general scan to leave alone. A line that needs a tree and has
// none is refused (ErrUnscannable).
func (e *editor) jsonlLines(fs []scanner.Finding) ([]span, error) {
	var exclude []span
	at := 0
	for at < len(e.src) {
		end := bytes.IndexByte(e.src[at:], '\n')
		if end < 0 {
			end = len(e.src)
		} else {
			end += at
		}
		line := e.src[at:end]
		// A member name spelled with \u escapes is no plain substring: such lines
		// get their tree too. One whose tree cannot be built (too deep) is refused
		// only if it needs one.
		marked := needsTree(line)
		if marked || bytes.Contains(line, []byte(`\u`)) {
			trimmed := bytes.TrimRight(line, "\r")
			root, err := parseTree(trimmed)
			if err != nil {
				if e.hasTreeMembers(trimmed) || marked && json.Valid(trimmed) { // too deep, or broken with tree members
					return nil, ErrUnscannable
				}
			} else {
				lineLoc := "$[line " + strconv.Itoa(bytes.Count(e.src[:at], []byte("\n"))+1) + "]"
				if e.loc != "" && e.loc != "$" { // a JSONL archive member
					lineLoc = e.loc + ":" + lineLoc
				}
				sub := editor{s: e.s, dir: e.dir, src: line, root: root, arch: e.archives(), loc: lineLoc}
				sub.noteSecretKeys(findingsIn(fs, at, end))
				var ex []span
				lists, spans := sub.tokenListsIn()
				for _, l := range lists {
					if err := sub.scrubTokens(l); err != nil {
						e.res.add(sub.res)
						return nil, err
					}
				}
				ex = append(ex, spans...)
				docs, err := sub.base64Docs()
				if err != nil {
					e.res.add(sub.res)
					return nil, err
				}
				ex = append(ex, docs...)
				var args []*node
				root.walkStrings(func(n *node) {
					if n.name == "arguments" && isJSONSource(line[n.start:n.end]) && !excluded(ex, n.start, n.end) {
						args = append(args, n)
					}
				})
				for _, n := range args {
					if err := sub.nestedArguments(n); err != nil {
						e.res.add(sub.res)
						return nil, err
					}
					ex = append(ex, span{n.start, n.end})
				}
				e.res.add(sub.res)
				for _, ed := range sub.edits {
					ed.start += at
					ed.end += at
					e.edits = append(e.edits, ed)
				}
				for _, x := range ex {
					exclude = append(exclude, span{x.start + at, x.end + at})
				}
			}
		}
		at = end + 1
	}
	return exclude, nil
}

// nestedArguments scrubs a tool-call arguments string, whose text is JSON source, in
// JSON mode so that escapes inside it cannot split or hide a secret; the string is
// re-encoded only when something in it was replaced.
func (e *editor) nestedArguments(n *node) error {
	inner := []byte(n.text(e.src))
	fs := e.s.Scanner.ScanMode(inner, scanner.ModeJSON)
	if len(fs) == 0 {
		return nil
	}
	root, _ := parseTree(inner)
	sub := editor{s: e.s, dir: e.dir, src: inner, root: root, loc: e.location(n), inTool: true}
	err := sub.apply(fs, nil, false)
	e.res.add(sub.res)
	if err != nil {
		return err
	}
	if len(sub.edits) > 0 {
		e.edits = append(e.edits, edit{start: n.start, end: n.end, repl: encodeString(nil, string(sub.output()))})
	}
	return nil
}

func (e *editor) location(n *node) string {
	if e.loc != "" && e.loc != "$" {
		return e.loc + ":" + n.pathHiding(e.secretKeys)
	}
	return n.pathHiding(e.secretKeys)
}

// stringAt returns the string node whose raw span contains [start, end), or nil.
func (e *editor) stringAt(start, end int) *node {
	if e.root == nil {
		return nil
	}
	if e.strs == nil {
		e.root.walkStrings(func(n *node) { e.strs = append(e.strs, n) })
	}
	i := sort.Search(len(e.strs), func(i int) bool { return e.strs[i].start > start }) - 1
	if i >= 0 && e.strs[i].end >= end {
		return e.strs[i]
	}
	return nil
}

// output returns the document with all edits applied.
func (e *editor) output() []byte {
	if len(e.edits) == 0 {
		return e.src
	}
	slices.SortStableFunc(e.edits, func(a, b edit) int { return cmp.Compare(a.start, b.start) })
	out := make([]byte, 0, len(e.src)+32*len(e.edits))
	at := 0
	for _, ed := range e.edits {
		if ed.start < at { // overlapping edit: the earlier one already covers it
			continue
		}
		out = append(out, e.src[at:ed.start]...)
		if ed.tag != 0 {
			if e.spans == nil {
				e.spans = map[int][2]int{}
			}
			e.spans[ed.tag] = [2]int{len(out), len(out) + len(ed.repl)}
		}
		out = append(out, ed.repl...)
		at = ed.end
	}
	return append(out, e.src[at:]...)
}

func excluded(ex []span, start, end int) bool {
	for _, x := range ex {
		if start < x.end && end > x.start {
			return true
		}
	}
	return false
}

// isJSONSource reports whether a raw string token holds a JSON object or array.
func isJSONSource(raw []byte) bool {
	if len(raw) < 4 {
		return false
	}
	for _, c := range raw[1:] {
		switch c {
		case ' ', '\t':
			continue
		case '{', '[':
			return true
		case '\\': // an escaped newline before the value, or \" opening a string literal
			continue
		case '"':
			return true
		case 'n', 'r', 't':
			continue
		}
		return false
	}
	return false
}

// skipValue is the reviewed skip-list of "scan every string": values that are
// opaque by construction and must not be edited, recognised by their shape (the
// object that holds them) and their content (base64 only), never by a member name
// alone, since the model chooses member names in tool inputs. Signatures and
// encrypted reasoning are verified by the provider; base64 media (images, PDFs,
// audio) decode to binary, and a chance match inside one would corrupt it.
func skipValue(n *node, src []byte) bool {
	p := n.parent
	if p == nil || p.kind != '{' || n.end-n.start < 3 {
		return false
	}
	raw := src[n.start+1 : n.end-1]
	switch n.name {
	case "signature": // {"type":"thinking",…,"signature"} and signature_delta
		t := p.str(src, "type")
		return (t == "thinking" || t == "signature_delta") && isBase64Raw(raw, true)
	case "encrypted_content": // Responses reasoning items
		return p.str(src, "type") == "reasoning" && isBase64Raw(raw, true)
	case "data":
		switch {
		case p.str(src, "type") == "redacted_thinking":
			return isBase64Raw(raw, true)
		case p.name == "input_audio":
			return isBase64Raw(raw, false)
		case p.name == "source" && p.str(src, "type") == "base64":
			return binaryMedia(p.str(src, "media_type")) && isBase64Raw(raw, false)
		}
	case "url", "image_url", "file_data":
		return isBinaryDataURL(raw)
	}
	return false
}

// isBase64Raw reports whether the raw bytes of a JSON string are base64 (std, or
// also URL-safe when urlOK), allowing the \/ escape and = padding.
func isBase64Raw(raw []byte, urlOK bool) bool {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
		case urlOK && (c == '-' || c == '_'):
		case c == '\\' && i+1 < len(raw) && raw[i+1] == '/':
			i++
		default:
			return false
		}
	}
	return len(raw) > 0
}

// isBinaryDataURL reports whether the raw bytes of a JSON string are a data: URL
// of binary media whose payload is base64 and nothing else.
func isBinaryDataURL(raw []byte) bool {
	rest, ok := bytes.CutPrefix(raw, []byte("data:"))
	if !ok {
		return false
	}
	mt, payload, ok := bytes.Cut(rest, []byte(";base64,"))
	return ok && len(mt) < 100 && binaryMedia(string(mt)) && isBase64Raw(payload, false)
}

// inToolInput reports whether n sits inside a tool call's input that the model
// wrote (Anthropic tool_use / server_tool_use input).
func inToolInput(n *node, src []byte) bool {
	for p := n.parent; p != nil; p = p.parent {
		if p.name == "input" && p.parent != nil {
			switch p.parent.str(src, "type") {
			case "tool_use", "server_tool_use", "mcp_tool_use":
				return true
			}
		}
	}
	return false
}

func binaryMedia(mediaType string) bool {
	mt := strings.ToLower(strings.TrimSpace(mediaType))
	if strings.HasPrefix(mt, "image/svg") { // SVG is XML text
		return false
	}
	return strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "audio/") || strings.HasPrefix(mt, "video/") || mt == "application/pdf"
}

// isThinking reports whether a string is the text of a signed Anthropic thinking
// block ({"type":"thinking","thinking":"…","signature":"…"}).
func isThinking(n *node, src []byte) bool {
	return n.name == "thinking" && n.parent != nil && n.parent.str(src, "type") == "thinking"
}
