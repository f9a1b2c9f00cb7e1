package providers

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/scanner"
)

// node is one JSON value of a parsed document, with its raw byte span. It is a
// read-only index over the raw bytes: rewriting splices new bytes into spans, so
// every byte that is not rewritten is kept exactly as it came.
type node struct {
	kind       byte // '{', '[', '"', '0' (number), 'l' (true/false/null)
	start, end int  // raw span [start, end); for strings it includes the quotes
	keys       []string
	members    []*node // object members (in order, parallel to keys) or array elements
	parent     *node
	name       string // member name in the parent object, or "" in an array
	index      int    // position in the parent array, or -1
}

// maxTreeDepth bounds nesting; deeper documents are not parsed (the caller falls back
// to the scanner's own lenient JSON reading, which scans every string anyway).
const maxTreeDepth = 128

var errNotJSON = errors.New("not a JSON document")

// parseTree parses a complete JSON document.
func parseTree(src []byte) (*node, error) {
	sc := treeScratchPool.Get().(*treeScratch)
	defer sc.release()
	p := treeParser{stack: sc.stack[:0], names: sc.names[:0]}
	defer func() { sc.stack, sc.names = p.stack, p.names }()
	return p.parse(src)
}

// parse parses a complete JSON document with p's buffers.
func (p *treeParser) parse(src []byte) (*node, error) {
	p.src, p.i, p.nodes, p.maxNodes = src, 0, 0, treeNodeBudget(len(src))
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		p.i = 3 // a UTF-8 byte-order mark
	}
	p.ws()
	n, err := p.value(nil, 0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(src) {
		return nil, errNotJSON
	}
	return n, nil
}

// reuse parses src into the memory of p's previous parse, for a caller that parses
// one small document after another (a stream's events) and keeps no node of one
// past the next: a node kept by mistake would read as part of the next document.
// The previous tree is cleared first, so it keeps none of its strings alive.
func (p *treeParser) reuse(src []byte) (*node, error) {
	clear(p.slab)
	clear(p.ptrSlab)
	clear(p.nameSlab)
	clear(p.stack)
	clear(p.names)
	p.slab, p.ptrSlab, p.nameSlab, p.stack, p.names = p.slab[:0], p.ptrSlab[:0], p.nameSlab[:0], p.stack[:0], p.names[:0]
	return p.parse(src)
}

// treeScratch is the reusable part of a parse: the stacks of members waiting for
// their container to end.
type treeScratch struct {
	stack []*node
	names []string
}

var treeScratchPool = sync.Pool{New: func() any { return &treeScratch{} }}

// release clears the stacks (a failed parse leaves members on them; they must not
// keep a document alive; entries past the length were cleared as containers
// ended) and returns the scratch to the pool unless it grew large.
func (sc *treeScratch) release() {
	clear(sc.stack)
	clear(sc.names)
	sc.stack, sc.names = sc.stack[:0], sc.names[:0]
	if cap(sc.stack) <= 1024 && cap(sc.names) <= 1024 {
		treeScratchPool.Put(sc)
	}
}

type treeParser struct {
	src   []byte
	i     int
	slab  []node // nodes are carved from slabs: one allocation for many nodes
	nodes int
	// maxNodes is this document's node budget (treeNodeBudget).
	maxNodes int
	// Members and names of the containers being parsed wait on stacks; a finished
	// container's lists are copied into slabs, so a document costs a few
	// allocations, not two slices per container.
	stack    []*node
	names    []string
	ptrSlab  []*node
	nameSlab []string
}

// A parse may build one node per treeBytesPerNode bytes of its document, at least
// minTreeNodes and at most maxTreeNodes. A node costs about 150 bytes (with its
// share of the member lists), so a parse tree takes at most about 40 MB or 12
// times its document, whichever is more, and never more than about 150 MB.
// Numbers and literals in arrays (embeddings, token ids, byte lists) get no node
// at all. Real documents need far fewer nodes than their bytes allow; the densest
// are log probabilities with top_logprobs=20 (about 85 nodes and 1.2 KB per
// token, 14 bytes a node), which fit up to about 12,000 tokens. A document that
// needs more nodes is not parsed: whole bodies that need their tree are refused
// (ErrUnscannable) and so are stream events (the stream ends with an error).
const (
	minTreeNodes     = 1 << 18
	maxTreeNodes     = 1 << 20
	treeBytesPerNode = 12
)

// treeNodeBudget is the number of nodes a parse of a document of n bytes may build.
func treeNodeBudget(n int) int {
	return min(maxTreeNodes, max(minTreeNodes, n/treeBytesPerNode))
}

func (p *treeParser) alloc() *node {
	p.nodes++
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]node, 0, min(max(len(p.src)/16, 16), 4096))
	}
	p.slab = p.slab[:len(p.slab)+1]
	return &p.slab[len(p.slab)-1]
}

// members moves the members a container pushed since base into a list of its own.
func (p *treeParser) members(base int) []*node {
	return popToSlab(&p.stack, &p.ptrSlab, base, min(max(len(p.src)/16, 16), 4096))
}

// memberNames is members for an object's member names.
func (p *treeParser) memberNames(base int) []string {
	return popToSlab(&p.names, &p.nameSlab, base, min(max(len(p.src)/32, 16), 4096))
}

// popToSlab moves (*stack)[base:] to the end of *slab (a new slab of at least
// minCap when the current one is full) and returns them there, capped so that an
// append to the list cannot write into the slab. The stack entries are cleared.
func popToSlab[T any](stack, slab *[]T, base, minCap int) []T {
	k := len(*stack) - base
	if k == 0 {
		return nil
	}
	if cap(*slab)-len(*slab) < k {
		*slab = make([]T, 0, max(k, minCap))
	}
	at := len(*slab)
	*slab = append(*slab, (*stack)[base:]...)
	clear((*stack)[base:])
	*stack = (*stack)[:base]
	return (*slab)[at:len(*slab):len(*slab)]
}

func (p *treeParser) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *treeParser) value(parent *node, depth int) (*node, error) {
	if depth > maxTreeDepth || p.i >= len(p.src) || p.nodes >= p.maxNodes {
		return nil, errNotJSON
	}
	if parent != nil && parent.kind == '[' {
		if c := p.src[p.i]; c != '{' && c != '[' && c != '"' {
			return nil, p.scalar() // no node for a number or literal in an array
		}
	}
	n := p.alloc()
	n.start, n.parent, n.index = p.i, parent, -1
	switch c := p.src[p.i]; {
	case c == '{':
		n.kind = '{'
		p.i++
		p.ws()
		if p.i < len(p.src) && p.src[p.i] == '}' {
			p.i++
			n.end = p.i
			return n, nil
		}
		base, nameBase := len(p.stack), len(p.names)
		for {
			p.ws()
			if p.i >= len(p.src) || p.src[p.i] != '"' {
				return nil, errNotJSON
			}
			ks := p.i
			if err := p.str(); err != nil {
				return nil, err
			}
			key, ok := decodeCommon(p.src[ks:p.i])
			if !ok {
				return nil, errNotJSON
			}
			p.ws()
			if p.i >= len(p.src) || p.src[p.i] != ':' {
				return nil, errNotJSON
			}
			p.i++
			p.ws()
			v, err := p.value(n, depth+1)
			if err != nil {
				return nil, err
			}
			v.name = key
			p.stack = append(p.stack, v)
			p.names = append(p.names, key)
			p.ws()
			if p.i >= len(p.src) {
				return nil, errNotJSON
			}
			if p.src[p.i] == ',' {
				p.i++
				continue
			}
			if p.src[p.i] == '}' {
				p.i++
				n.end = p.i
				n.members, n.keys = p.members(base), p.memberNames(nameBase)
				return n, nil
			}
			return nil, errNotJSON
		}
	case c == '[':
		n.kind = '['
		p.i++
		p.ws()
		if p.i < len(p.src) && p.src[p.i] == ']' {
			p.i++
			n.end = p.i
			return n, nil
		}
		base := len(p.stack)
		for pos := 0; ; pos++ {
			p.ws()
			v, err := p.value(n, depth+1)
			if err != nil {
				return nil, err
			}
			if v != nil {
				v.index = pos
				p.stack = append(p.stack, v)
			}
			p.ws()
			if p.i >= len(p.src) {
				return nil, errNotJSON
			}
			if p.src[p.i] == ',' {
				p.i++
				continue
			}
			if p.src[p.i] == ']' {
				p.i++
				n.end = p.i
				n.members = p.members(base)
				return n, nil
			}
			return nil, errNotJSON
		}
	case c == '"':
		n.kind = '"'
		if err := p.str(); err != nil {
			return nil, err
		}
	default:
		n.kind = 'l'
		if c == '-' || c >= '0' && c <= '9' {
			n.kind = '0'
		}
		if err := p.scalar(); err != nil {
			return nil, err
		}
	}
	n.end = p.i
	return n, nil
}

// scalar advances over a number or literal without building a node.
func (p *treeParser) scalar() error {
	start := p.i
	c := p.src[p.i]
	if c == '-' || c >= '0' && c <= '9' {
		for p.i < len(p.src) {
			c := p.src[p.i]
			if c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= '0' && c <= '9' {
				p.i++
				continue
			}
			break
		}
		if !validNumber(p.src[start:p.i]) {
			return errNotJSON
		}
		return nil
	}
	for _, lit := range []string{"true", "false", "null"} {
		if len(p.src)-p.i >= len(lit) && string(p.src[p.i:p.i+len(lit)]) == lit {
			p.i += len(lit)
			return nil
		}
	}
	return errNotJSON
}

// str advances over a string token, checking escapes and control characters.
func (p *treeParser) str() error {
	p.i++ // opening quote
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return nil
		case c == '\\':
			if p.i+1 >= len(p.src) {
				return errNotJSON
			}
			switch p.src[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.src) || !isHex4(p.src[p.i+2:p.i+6]) {
					return errNotJSON
				}
				p.i += 6
			default:
				return errNotJSON
			}
		case c < 0x20:
			return errNotJSON
		default:
			p.i++
		}
	}
	return errNotJSON
}

// validNumber reports whether b is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// decodeString decodes a raw JSON string token (with quotes). Invalid UTF-8 and lone
// surrogates become U+FFFD, as encoding/json does.
func decodeString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c < 0x20 || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// commonStrings are member names and values that recur in every provider event:
// decoding them returns these strings instead of allocating copies. They sit in a
// table by a cheap hash of length and end bytes (a string whose slot is taken is
// simply not interned), which costs less than a map lookup per name.
var commonStrings = func() (t [512]string) {
	for _, s := range []string{
		"id", "object", "created", "model", "choices", "index", "delta", "content", "role", "finish_reason",
		"logprobs", "usage", "system_fingerprint", "service_tier", "message", "text", "type", "tool_calls",
		"function", "name", "arguments", "refusal", "reasoning", "reasoning_content", "annotations",
		"obfuscation", "item_id", "output_index", "content_index", "summary_index", "sequence_number",
		"response", "item", "part", "output", "status", "input", "thinking", "signature", "stop_reason",
		"stop_sequence", "input_tokens", "output_tokens", "prompt_tokens", "completion_tokens", "total_tokens",
		"value", "done", "error", "code", "param", "metadata", "instructions", "tools", "messages",
		"assistant", "user", "system", "tool", "chat.completion.chunk", "chat.completion", "stop", "length",
		"content_block_delta", "content_block_start", "content_block_stop", "message_start", "message_delta",
		"message_stop", "ping", "text_delta", "input_json_delta", "thinking_delta", "signature_delta",
		"tool_use", "tool_result", "end_turn", "max_tokens", "partial_json",
		"response.output_text.delta", "response.output_text.done", "response.created", "response.in_progress",
		"response.completed", "response.output_item.added", "response.output_item.done",
		"response.content_part.added", "response.content_part.done", "response.function_call_arguments.delta",
		"response.function_call_arguments.done", "output_text", "in_progress", "completed", "function_call",
	} {
		if i := commonSlot(s); t[i] == "" {
			t[i] = s
		}
	}
	return t
}()

func commonSlot[T string | []byte](s T) int {
	return (len(s)*11 + int(s[0])*18 + int(s[len(s)-1])*15 + int(s[len(s)/2])*7) & 511
}

// decodeCommon decodes a string token (a member name or a value) like
// decodeString, without allocating for the common ones.
func decodeCommon(raw []byte) (string, bool) {
	if len(raw) > 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		inner := raw[1 : len(raw)-1]
		if c := commonStrings[commonSlot(inner)]; c == string(inner) {
			return c, true
		}
	}
	return decodeString(raw)
}

// text returns the decoded value of a string node.
func (n *node) text(src []byte) string {
	s, _ := decodeCommon(src[n.start:n.end])
	return s
}

// get returns the member named key of an object node, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.members[i]
		}
	}
	return nil
}

// str returns the decoded string member key, or "".
func (n *node) str(src []byte, key string) string {
	if m := n.get(key); m != nil && m.kind == '"' {
		return m.text(src)
	}
	return ""
}

// num returns the raw text of a number member (or of a string member), or "".
func (n *node) num(src []byte, key string) string {
	if m := n.get(key); m != nil && (m.kind == '0' || m.kind == '"') {
		if m.kind == '"' {
			return m.text(src)
		}
		return string(src[m.start:m.end])
	}
	return ""
}

// path renders the node's JSON path in the finding schema's form ($.a[0].b).
// It is built in one pass from the root (concatenating level by level cost a
// deep document's findings time quadratic in the depth).
func (n *node) path() string { return n.pathHiding(nil) }

// pathHiding is path with every member name that contains one of secrets shown
// as [*] (a secret found in a member name must not appear in the paths of the
// values under it).
func (n *node) pathHiding(secrets []string) string {
	var chain []*node
	for m := n; m.parent != nil; m = m.parent {
		chain = append(chain, m)
	}
	var b strings.Builder
	b.WriteByte('$')
	for i := len(chain) - 1; i >= 0; i-- {
		if m := chain[i]; m.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(m.index))
			b.WriteByte(']')
		} else if containsAny(m.name, secrets) {
			b.WriteString("[*]")
		} else {
			b.WriteString(scanner.PathMember(m.name))
		}
	}
	return b.String()
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// walkStrings calls fn for every string value (not member names) in document order.
func (n *node) walkStrings(fn func(*node)) {
	switch n.kind {
	case '"':
		fn(n)
	case '{', '[':
		for _, m := range n.members {
			m.walkStrings(fn)
		}
	}
}

// encodeString appends s as a JSON string token. Unlike encoding/json it does not
// escape <, > and &, so text that was not escaped stays as the provider sent it.
func encodeString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
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
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&15])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
