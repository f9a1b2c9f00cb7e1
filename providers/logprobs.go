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

// tokenLists returns the token arrays of a completion body or chunk.
func tokenLists(root *node) []*node {
	var out []*node
	// Responses API: output[].content[].logprobs
	if output := root.get("output"); output != nil && output.kind == '[' {
		for _, item := range output.members {
			if content := item.get("content"); content != nil && content.kind == '[' {
				for _, part := range content.members {
					if a := part.get("logprobs"); a != nil && a.kind == '[' && len(a.members) > 0 {
						out = append(out, a)
					}
				}
			}
		}
	}
	choices := root.get("choices")
	if choices == nil || choices.kind != '[' {
		return out
	}
	for _, c := range choices.members {
		lp := c.get("logprobs")
		for _, name := range []string{"content", "refusal", "tokens"} {
			if a := lp.get(name); a != nil && a.kind == '[' && len(a.members) > 0 {
				out = append(out, a)
			}
		}
	}
	return out
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
		start, end int // in joined
	}
	var pieces []piece
	for _, m := range arr.members {
		t := tokenText(m)
		if t == nil {
			continue
		}
		s := t.text(e.src)
		pieces = append(pieces, piece{m, joined.Len(), joined.Len() + len(s)})
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
	case strings.HasPrefix(d.Key, "responses/"):
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
