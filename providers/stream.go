package providers

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"io"
	"strconv"
	"strings"

	"github.com/scrubgate/scrubgate/providers/sse"
	"github.com/scrubgate/scrubgate/scanner"
)

// AbortMask replaces text a stream held back when the stream ended abnormally
// (upstream reset, client gone, size limit): the held text could be the start of a
// secret, so it is never flushed.
const AbortMask = "[[scrub:stream-ended]]"

// Stream rewrites a provider's event stream (server-sent events) on its way to the
// client. Every text-bearing field (assistant text, reasoning, refusals, tool-call
// arguments) gets its own streaming redactor, so a secret split across any number
// of events is caught, while text that cannot be part of a secret is forwarded at
// once. Everything else in an event is scanned whole. Held text is flushed when its
// field ends; on an abnormal end it is masked.
type Stream struct {
	s      *Scrubber
	out    io.Writer
	fields map[string]*field
	order  []*field
	res    Result
	err    error
	done   bool
	buf    bytes.Buffer
	shape  streamShape
	clean  map[uint64]bool // hashes of member/value strings already scanned clean in this stream
	seed   maphash.Seed
	// terminated is set once the stream's own end marker arrived ([DONE],
	// message_stop, response.completed): an EOF before it is an abnormal end.
	terminated bool
	ndjson     bool       // newline-delimited JSON framing instead of SSE
	tree       treeParser // parses each event into the memory of the one before
	// Events with a top-level sequence_number (Responses API): seqSeen is set
	// once one was written, lastSeq is the last number written, seqShift the
	// number of synthetic events inserted so far, added to every later number.
	seqSeen  bool
	lastSeq  int64
	seqShift int64
}

// streamShape is the API a stream turned out to be, for its error events.
type streamShape int

const (
	shapeChat streamShape = iota
	shapeResponses
	shapeAnthropic
)

// field is the redactor state of one text-bearing field of the stream.
type field struct {
	key string
	w   *scanner.Writer
	out bytes.Buffer
	loc string
	// frame of a synthetic event: the last scrubbed event that carried this field
	// and the span of the field's value in it (or, for chat, chatFrame).
	frameData            []byte
	frameStart, frameEnd int
	chatFrame            func(head string) (before, after string)
	name                 string // SSE event name of the last fragment
	closed               bool
}

// NewStream returns a Stream that writes rewritten events to out. The caller
// flushes out as it sees fit (the proxy flushes after every Write).
func (s *Scrubber) NewStream(out io.Writer) *Stream {
	return &Stream{s: s, out: out, fields: map[string]*field{}, clean: map[uint64]bool{}, seed: maphash.MakeSeed()}
}

// NewLineStream is NewStream for newline-delimited JSON streams (Ollama's native
// API): each event is one JSON line, and the output is written as lines.
func (s *Scrubber) NewLineStream(out io.Writer) *Stream {
	st := s.NewStream(out)
	st.ndjson = true
	return st
}

// Terminated reports whether the stream's own end marker has arrived.
func (st *Stream) Terminated() bool { return st.terminated }

// Result reports what the stream found and replaced so far.
func (st *Stream) Result() Result { return st.res }

// Held is the number of bytes the stream's redactors hold back now.
func (st *Stream) Held() int64 {
	var n int64
	for _, f := range st.order {
		if !f.closed {
			n += f.w.Held()
		}
	}
	return n
}

// Event rewrites one event and writes the result (preceded by any synthetic events
// that flush fields it closes). A *BlockedError means policy blocked the response:
// the caller ends the stream with an error event.
func (st *Stream) Event(ev *sse.Event) error {
	if st.err != nil {
		return st.err
	}
	st.buf.Reset()
	err := st.event(ev)
	st.tree.src = nil // the event's raw bytes are not kept until the next one
	if err == nil && st.buf.Len() > 0 {
		_, err = st.out.Write(st.buf.Bytes())
	}
	if err != nil {
		st.err = err
	}
	return err
}

func (st *Stream) event(ev *sse.Event) error {
	out := *ev
	for i, c := range ev.Comments {
		if i == 0 {
			out.Comments = nil
		}
		red, err := st.scrubText(c, "sse-comment")
		if err != nil {
			return err
		}
		out.Comments = append(out.Comments, red)
	}
	// The event name and id are upstream text like any other: scanned (they are
	// short, and seen clean once per stream).
	for _, f := range []*string{&out.Name, &out.ID} {
		if *f != "" {
			red, err := st.scrubText([]byte(*f), "sse-field")
			if err != nil {
				return err
			}
			*f = string(red)
		}
	}
	if !ev.HasData {
		st.emit(&out)
		return nil
	}
	loc := safeName(out.Name)
	root, perr := st.tree.reuse(ev.Data) // no node outlives this call
	if perr != nil {
		if string(bytes.TrimSpace(ev.Data)) == "[DONE]" {
			st.terminated = true
			if err := st.closeFields(Ends{All: true}, nil); err != nil {
				return err
			}
			st.emit(&out)
			return nil
		}
		if !looksJSON(ev.Data) {
			red, err := st.scrubText(ev.Data, eventLoc(loc, "$"))
			if err != nil {
				return err
			}
			out.Data = red
			st.emit(&out)
			return nil
		}
		// JSON that could not be indexed. Valid JSON (too deep or too many
		// values for a tree), or any that holds tool-call arguments or log
		// probabilities, cannot be scrubbed as a stream needs: its fragments
		// would not reach their fields' redactors, its token lists would not be
		// joined (a secret spelled across tokens passes), its arguments not
		// decoded. It fails closed, as a whole body does: the caller ends the
		// stream with an error event after masking what is held. Broken JSON is
		// scanned leniently (every string, decoded) and passed on.
		fs, named := st.s.Scanner.ScanModeMembers(ev.Data, scanner.ModeJSON, treeMembers...)
		if named || json.Valid(ev.Data) {
			return ErrUnscannable
		}
		e := editor{s: st.s, dir: Response, src: ev.Data, loc: loc}
		err := e.apply(fs, nil, false)
		st.res.add(e.res)
		if err != nil {
			return err
		}
		out.Data = e.output()
		st.emit(&out)
		return nil
	}
	deltas, ends := classify(ev.Name, root, ev.Data, false)
	typ := root.str(ev.Data, "type")
	if loc == "" {
		loc = safeName(typ)
	}
	switch {
	case strings.HasPrefix(typ, "response."):
		st.shape = shapeResponses
	case strings.HasPrefix(typ, "message_") || strings.HasPrefix(typ, "content_block_"):
		st.shape = shapeAnthropic
	}
	if ends.All && !ends.Abnormal {
		st.terminated = true
	}
	e := editor{s: st.s, dir: Response, src: ev.Data, root: root, loc: loc}
	var exclude []span
	outputs := make([][]byte, len(deltas))
	fields := make([]*field, len(deltas))
	for i, d := range deltas {
		f := st.field(d, loc)
		fields[i] = f
		f.name = out.Name
		if _, err := f.w.Write([]byte(d.Text)); err != nil {
			return err
		}
		if err := st.err; err != nil {
			return err
		}
		exclude = append(exclude, span{d.Start, d.End})
		outputs[i] = st.take(f)
	}
	// Fields this event closes: a fragment in this very event takes the rest of its
	// field; other fields get a synthetic event before this one.
	if ends.All || len(ends.Prefixes) > 0 {
		inEvent := map[string]int{}
		for i, d := range deltas {
			inEvent[d.Key] = i
		}
		if err := st.closeFields(ends, func(f *field, rest []byte) bool {
			if i, ok := inEvent[f.key]; ok {
				outputs[i] = append(outputs[i], rest...)
				return true
			}
			return false
		}); err != nil {
			return err
		}
	}
	for i, d := range deltas {
		e.edits = append(e.edits, edit{start: d.Start, end: d.End, repl: encodeString(nil, string(outputs[i])), tag: i + 1})
	}
	for _, ed := range streamTokenEdits(deltas, outputs) {
		e.edits = append(e.edits, ed)
		exclude = append(exclude, span{ed.start, ed.end})
	}
	// The rest of the event is scanned whole, unless every string in it (outside
	// the deltas) was already seen clean in this stream: ids, object and model
	// names, roles repeat in every chunk, and scanning them again is most of the
	// cost of an event.
	// Token lists in the event (response.completed, *.done) are joined and scanned.
	lists, listSpans := e.tokenListsIn()
	for _, l := range lists {
		if excluded(exclude, l.start, l.end) {
			continue
		}
		if err := e.scrubTokens(l); err != nil {
			st.res.add(e.res)
			return err
		}
	}
	exclude = append(exclude, listSpans...)
	key := st.restKey(root, ev.Data, exclude)
	var fs []scanner.Finding
	if !st.clean[key] {
		fs = st.s.Scanner.ScanMode(ev.Data, scanner.ModeJSON)
		if len(fs) == 0 && len(st.clean) < maxClean {
			st.clean[key] = true
		}
	}
	err := e.apply(fs, exclude, true)
	st.res.add(e.res)
	if err != nil {
		return err
	}
	st.renumber(&e)
	out.Data = e.output()
	// Each field remembers this scrubbed event as the frame of a synthetic event
	// that may later carry its held text.
	for i, d := range deltas {
		sp := e.spans[i+1]
		fields[i].frameData, fields[i].frameStart, fields[i].frameEnd, fields[i].chatFrame = out.Data, sp[0], sp[1], d.chatFrame
	}
	st.emit(&out)
	return nil
}

// scrubText scrubs a piece of an event that is not JSON (a comment, a name, an
// id, a non-JSON payload), skipping strings already seen clean in this stream.
func (st *Stream) scrubText(b []byte, loc string) ([]byte, error) {
	key := st.hash('t', loc, b)
	if st.clean[key] {
		return b, nil
	}
	red, res, err := st.s.text(Response, b, loc)
	st.res.add(res)
	if err == nil && res.Findings == 0 && len(st.clean) < maxClean {
		st.clean[key] = true
	}
	return red, err
}

// safeName renders an upstream-chosen event name for a location: plain names as
// they are, anything else as [*], so a location never carries upstream text that
// could be a secret into a log line.
func safeName(name string) string {
	if name == "" {
		return ""
	}
	if len(name) > 64 {
		return "[*]"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "[*]"
		}
	}
	if m := scanner.PathMember(name); m == "[*]" {
		return "[*]"
	}
	return name
}

// emit writes an event in the stream's framing.
func (st *Stream) emit(ev *sse.Event) {
	if st.ndjson {
		if ev.HasData {
			st.buf.Write(ev.Data)
			st.buf.WriteByte('\n')
		}
		return
	}
	sse.Append(&st.buf, ev)
}

func eventLoc(name, path string) string {
	if name == "" {
		return path
	}
	return name + ":" + path
}

// field returns the redactor of a delta's field, creating it on first use.
func (st *Stream) field(d Delta, loc string) *field {
	if f, ok := st.fields[d.Key]; ok && !f.closed {
		return f
	}
	f := &field{key: d.Key, loc: eventLoc(loc, d.node.path())}
	mode := scanner.ModeText
	if d.JSONSource {
		mode = scanner.ModeJSON
	}
	f.w = st.s.Scanner.NewWriter(&f.out, mode, func(fd scanner.Finding) []byte {
		return st.replace(f, fd)
	}, nil)
	st.fields[d.Key] = f
	st.order = append(st.order, f)
	return f
}

// replace settles one finding of a field's redactor.
func (st *Stream) replace(f *field, fd scanner.Finding) []byte {
	e := editor{s: st.s, dir: Response}
	h := Hit{Finding: fd, Direction: Response, Location: f.loc}
	if fd.JSONPath != "" && fd.JSONPath != "$" {
		h.Location = f.loc + ":" + fd.JSONPath
	}
	_ = e.hit(&h, 0, 0)
	st.res.add(e.res)
	if e.blocked != nil && st.err == nil {
		st.err = e.blocked
	}
	if h.Action == ActionRedact {
		return []byte(h.Handle)
	}
	if h.Action == ActionBlock {
		return []byte(AbortMask)
	}
	return fd.Secret()
}

// take returns what a field's redactor has written since the last take.
func (st *Stream) take(f *field) []byte {
	b := append([]byte(nil), f.out.Bytes()...)
	f.out.Reset()
	return b
}

// closeFields ends the fields that ends names. For each, claim (if not nil) may take
// the rest into a fragment of the current event; otherwise a synthetic event
// carries it.
func (st *Stream) closeFields(ends Ends, claim func(f *field, rest []byte) bool) error {
	// An error the stream already had (an event that failed) does not stop an
	// abort from masking the fields; one that closing raises does.
	failed := st.err
	for _, f := range st.order {
		if f.closed || !ends.closes(f.key) {
			continue
		}
		f.closed = true
		var err error
		if ends.Abnormal {
			err = f.w.Abort([]byte(AbortMask))
		} else {
			err = f.w.Close()
		}
		if err != nil {
			return err
		}
		if err := st.err; err != nil && err != failed {
			return err
		}
		rest := st.take(f)
		if len(rest) == 0 || (claim != nil && claim(f, rest)) {
			continue
		}
		st.synthesize(f, rest)
	}
	return nil
}

// synthesize writes an event that carries more text of a field, framed like the
// last (scrubbed) event that carried the field. A frame taken from an event is
// that event with the field's value replaced and two members changed: its
// sequence_number becomes the next number (see renumber), and its obfuscation
// (random padding sized for the other event's delta; absent whenever a client
// asks for include_obfuscation=false) is left out rather than repeated.
func (st *Stream) synthesize(f *field, text []byte) {
	var data []byte
	switch {
	case f.chatFrame != nil:
		head := "{"
		if root, err := parseTree(f.frameData); err == nil {
			head = chatHead(root, f.frameData)
		}
		before, after := f.chatFrame(head)
		data = append([]byte(before), encodeString(nil, string(text))...)
		data = append(data, after...)
	case f.frameData != nil:
		e := editor{src: f.frameData}
		e.edits = append(e.edits, edit{start: f.frameStart, end: f.frameEnd, repl: encodeString(nil, string(text))})
		if root, err := parseTree(f.frameData); err == nil && root.kind == '{' {
			for i, m := range root.members {
				switch root.keys[i] {
				case "sequence_number":
					if _, ok := seqNumber(m, f.frameData); ok && st.seqSeen {
						st.lastSeq++
						st.seqShift++
						e.edits = append(e.edits, edit{start: m.start, end: m.end, repl: strconv.AppendInt(nil, st.lastSeq, 10)})
					}
				case "obfuscation":
					start, end := memberSpan(root, i, f.frameData)
					e.edits = append(e.edits, edit{start: start, end: end})
				}
			}
		}
		data = e.output()
	default:
		return // unreachable: a field exists only once an event carried it
	}
	st.emit(&sse.Event{Name: f.name, Data: data, HasData: true})
}

// renumber gives an event with a top-level sequence_number (Responses API) its
// number in the rewritten stream. Every synthetic event takes the number after
// the event written before it, and every later event's number grows by one per
// synthetic event before it: numbers stay unique and increasing with no gaps, as
// clients that order or deduplicate events by them expect (a synthetic event
// that repeated its frame's number would be dropped as a duplicate, and its text
// with it). A stream that needs no synthetic event keeps its numbers, byte for
// byte.
func (st *Stream) renumber(e *editor) {
	m := e.root.get("sequence_number")
	n, ok := seqNumber(m, e.src)
	if !ok {
		return
	}
	st.seqSeen, st.lastSeq = true, n+st.seqShift
	if st.seqShift != 0 {
		e.edits = append(e.edits, edit{start: m.start, end: m.end, repl: strconv.AppendInt(nil, st.lastSeq, 10)})
	}
}

// seqNumber reads a sequence_number node: a non-negative integer.
func seqNumber(m *node, src []byte) (int64, bool) {
	if m == nil || m.kind != '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(src[m.start:m.end]), 10, 64)
	return n, err == nil && n >= 0 && n < 1<<62
}

// memberSpan returns the raw span of member i of an object, with the comma that
// separates it from a neighbour, so that removing it leaves valid JSON.
func memberSpan(obj *node, i int, src []byte) (start, end int) {
	if i > 0 { // from the end of the member before: `,"name":value`
		return obj.members[i-1].end, obj.members[i].end
	}
	if len(obj.members) == 1 { // the only member: everything between the braces
		return obj.start + 1, obj.end - 1
	}
	// the first of several: from after the brace to the next member's name
	end = obj.members[0].end
	for end < len(src) && src[end] != ',' {
		end++
	}
	end++
	for end < len(src) && (src[end] == ' ' || src[end] == '\t' || src[end] == '\n' || src[end] == '\r') {
		end++
	}
	return obj.start + 1, end
}

// Close ends the stream normally (upstream finished): every field still open is
// flushed in synthetic events.
func (st *Stream) Close() error {
	if st.done {
		return st.err
	}
	st.done = true
	if st.err != nil {
		return st.err
	}
	st.buf.Reset()
	if err := st.closeFields(Ends{All: true}, nil); err != nil {
		st.err = err
		return err
	}
	if st.buf.Len() > 0 {
		if _, err := st.out.Write(st.buf.Bytes()); err != nil {
			st.err = err
		}
	}
	return st.err
}

// Abort ends the stream abnormally: held text is masked, never flushed, and the
// masks are written (if the client is still there to read them).
func (st *Stream) Abort() error {
	if st.done {
		return nil
	}
	st.done = true
	st.buf.Reset()
	if err := st.closeFields(Ends{All: true, Abnormal: true}, nil); err != nil {
		return err
	}
	if st.buf.Len() > 0 {
		_, err := st.out.Write(st.buf.Bytes())
		return err
	}
	return nil
}

// Fail ends the stream abnormally and tells the client why, in the API's own error
// event shape: held text is masked (as in Abort), then an error event follows.
// msg must not hold a secret (callers pass fixed texts and rule ids).
func (st *Stream) Fail(code, msg string) error {
	err := st.Abort()
	var data []byte
	ev := sse.Event{HasData: true}
	if st.ndjson {
		var b bytes.Buffer
		b.WriteString(`{"error":`)
		b.Write(encodeString(nil, msg))
		b.WriteString("}\n")
		if _, werr := st.out.Write(b.Bytes()); err == nil {
			err = werr
		}
		return err
	}
	switch st.shape {
	case shapeAnthropic:
		ev.Name = "error"
		data = ErrorBody(FlavorAnthropic, 500, code, msg)
	case shapeResponses:
		ev.Name = "error"
		data = []byte(`{"type":"error","code":` + string(encodeString(nil, code)) + `,"message":` + string(encodeString(nil, msg)) + `,"param":null}`)
	default:
		data = ErrorBody(FlavorOpenAI, 500, code, msg)
	}
	ev.Data = data
	var b bytes.Buffer
	sse.Append(&b, &ev)
	if _, werr := st.out.Write(b.Bytes()); err == nil {
		err = werr
	}
	return err
}

// maxClean bounds the per-stream set of string combinations known to be clean.
const maxClean = 1024

// restKey hashes, in order, the member names and string values of an event that
// are not inside excluded spans (each with the member name that holds it). The
// clean cache remembers whole combinations: context across strings (a name in one
// member, a value in the next) counts, so single strings are not enough.
func (st *Stream) restKey(root *node, data []byte, exclude []span) uint64 {
	var h maphash.Hash
	h.SetSeed(st.seed)
	head := func(tag byte, n int) { // a tag and a length frame each piece
		var b [9]byte
		b[0] = tag
		binary.LittleEndian.PutUint64(b[1:], uint64(n))
		h.Write(b[:])
	}
	put := func(tag byte, s string) { head(tag, len(s)); h.WriteString(s) }
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case '"':
			if !excluded(exclude, n.start, n.end) {
				put('n', n.name)
				head('v', n.end-n.start)
				h.Write(data[n.start:n.end])
			}
		case '{':
			for i, m := range n.members {
				put('k', n.keys[i])
				walk(m)
			}
		case '[':
			for _, m := range n.members {
				walk(m)
			}
		}
	}
	walk(root)
	return h.Sum64()
}

// hash keys the clean cache: a tag, a context string and the bytes.
func (st *Stream) hash(tag byte, ctx string, b []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(st.seed)
	h.WriteByte(tag)
	h.WriteString(ctx)
	h.WriteByte(0)
	h.Write(b)
	return h.Sum64()
}
