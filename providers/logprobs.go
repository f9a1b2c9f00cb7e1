package providers

import (
	"bytes"
	"strings"

	"github.com/scrubgate/scrubgate/scanner"
)

// Log probabilities spell the completion out token by token (chat
// choices[].logprobs.content[].token with its UTF-8 bytes and top_logprobs
// alternatives; legacy choices[].logprobs.tokens), so a secret in the text is
// also in its tokens, cut into pieces no rule matches one by one. The tokens of a
// list are joined and scanned as one text; every token that overlaps a secret is
// replaced (the first by the handle, the others by ""), its bytes become null and
// its alternatives are dropped.

// tokenLists returns the token arrays of a document, wherever they are: arrays of
// objects with a string "token" (chat logprobs.content and .refusal, Responses
// output logprobs, transcription logprobs, in bodies and in events such as
// response.completed), and legacy logprobs.tokens string arrays.
func tokenLists(root *node) []*node {
	var out []*node
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case '[':
			if len(n.members) > 0 && (tokenObjects(n) || n.name == "tokens" && n.parent != nil && n.parent.name == "logprobs") {
				out = append(out, n)
				return
			}
			for _, m := range n.members {
				walk(m)
			}
		case '{':
			for _, m := range n.members {
				walk(m)
			}
		}
	}
	walk(root)
	return out
}

// tokenObjects reports whether an array holds token entries ({"token": "…", …}).
func tokenObjects(a *node) bool {
	for _, m := range a.members {
		if m.kind != '{' {
			return false
		}
		if t := m.get("token"); t == nil || t.kind != '"' {
			return false
		}
	}
	return true
}

// tokenText returns the string node of a token entry: the entry itself (legacy
// string arrays) or its "token" member.
func tokenText(entry *node) *node {
	if entry.kind == '"' {
		return entry
	}
	if t := entry.get("token"); t != nil && t.kind == '"' {
		return t
	}
	return nil
}

// scrubTokens scans one token list as a whole and records its edits.
func (e *editor) scrubTokens(arr *node) error {
	var joined bytes.Buffer
	type piece struct {
		entry      *node
		index      int
		start, end int // in joined
	}
	var pieces []piece
	for _, m := range arr.members {
		t := tokenText(m)
		if t == nil {
			continue
		}
		s := t.text(e.src)
		pieces = append(pieces, piece{m, m.index, joined.Len(), joined.Len() + len(s)})
		joined.WriteString(s)
	}
	fs := e.s.Scanner.ScanMode(joined.Bytes(), scanner.ModeText)
	for i := range fs {
		f := &fs[i]
		h := Hit{Finding: *f, Direction: e.dir, Location: e.location(arr)}
		h.Action = e.s.decide(&h)
		e.res.Findings++
		switch h.Action {
		case ActionRedact:
			h.Handle = e.s.Handle(&h.Finding)
			first := true
			for _, p := range pieces {
				if p.end <= int(f.Start.Offset) || p.start >= int(f.End.Offset) {
					continue
				}
				repl := []byte(`""`)
				if first {
					repl, first = encodeString(nil, h.Handle), false
				}
				t := tokenText(p.entry)
				e.edits = append(e.edits, edit{start: t.start, end: t.end, repl: repl})
				// legacy completions: top_logprobs[k] is an object keyed by the
				// alternative tokens of token k
				if p.entry.kind == '"' && arr.parent != nil {
					if tl := arr.parent.get("top_logprobs"); tl != nil && tl.kind == '[' {
						for _, alt := range tl.members {
							if alt.index == p.index && alt.kind == '{' {
								e.edits = append(e.edits, edit{start: alt.start, end: alt.end, repl: []byte("{}")})
							}
						}
					}
				}
				if b := p.entry.get("bytes"); b != nil {
					e.edits = append(e.edits, edit{start: b.start, end: b.end, repl: []byte("null")})
				}
				if tl := p.entry.get("top_logprobs"); tl != nil {
					e.edits = append(e.edits, edit{start: tl.start, end: tl.end, repl: []byte("[]")})
				}
			}
			e.res.Redactions++
		case ActionBlock:
			if e.blocked == nil {
				e.blocked = &BlockedError{RuleID: f.RuleID, Location: h.Location, Direction: e.dir}
			}
		}
		if e.s.Report != nil {
			e.s.Report(&h)
		}
		if e.blocked != nil {
			return e.blocked
		}
	}
	return nil
}

// tokenListsIn returns the token arrays of a parsed body and their spans, which the
// general scan then leaves to scrubTokens.
func (e *editor) tokenListsIn() ([]*node, []span) {
	if e.root == nil {
		return nil, nil
	}
	lists := tokenLists(e.root)
	spans := make([]span, len(lists))
	for i, a := range lists {
		spans[i] = span{a.start, a.end}
	}
	return lists, spans
}

// streamTokenEdits handles the log probabilities that come with a streamed text
// fragment (chat choices[].logprobs.content|refusal, legacy choices[].logprobs,
// Responses delta events' logprobs). The tokens spell the fragment; when its
// redactor passed it on unchanged they are safe as they are. Otherwise (text held
// back, or a secret replaced) they are dropped: a held or replaced piece must not
// escape through its tokens.
func streamTokenEdits(d *Delta, output []byte) (edit, bool) {
	if string(output) == d.Text || d.node.parent == nil {
		return edit{}, false
	}
	var target *node
	var repl string
	switch {
	case strings.HasPrefix(d.Key, "responses/") || strings.HasPrefix(d.Key, "transcript/"):
		target, repl = d.node.parent.get("logprobs"), "[]"
	case d.node.name == "text" && d.node.parent.get("logprobs") != nil: // legacy completions
		target, repl = d.node.parent.get("logprobs"), "null"
	case (d.node.name == "content" || d.node.name == "refusal") && d.node.parent.parent != nil:
		target, repl = d.node.parent.parent.get("logprobs").get(d.node.name), "[]"
	}
	if target == nil || target.kind == 'l' || (target.kind == '[' && len(target.members) == 0) {
		return edit{}, false
	}
	return edit{start: target.start, end: target.end, repl: []byte(repl)}, true
}
