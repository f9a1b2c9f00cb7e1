package providers

import (
	"bytes"
	"slices"

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

// streamTokenEdits handles the log probabilities that come with streamed text
// fragments. The tokens of a chunk spell whatever text the chunk carries, in any
// of its fields: vLLM and others attach them to reasoning and tool-call chunks
// too, under logprobs.content. So they belong to the unit that holds them (a chat
// or legacy completion choice, a Responses or transcription event, an Ollama
// chunk: every object from the fragment up that has a "logprobs" member), not to
// one field. When every fragment of the unit was passed on unchanged, the tokens
// spell only text the client gets anyway and stay as they are. Otherwise (text
// held back, or a secret replaced, in any field of the unit) every token list of
// the unit is dropped: a held or replaced piece must not escape through its
// tokens. It returns the edits, whose spans the caller leaves to them.
func streamTokenEdits(deltas []Delta, outputs [][]byte) []edit {
	var owners []*node
	for i := range deltas {
		d := &deltas[i]
		if string(outputs[i]) == d.Text {
			continue
		}
		for p := d.node.parent; p != nil; p = p.parent {
			if lp := p.get("logprobs"); lp != nil && !slices.Contains(owners, lp) {
				owners = append(owners, lp)
			}
			// vLLM's return_token_ids: the choice's generated token ids spell its
			// text too, for anyone with the model's public tokenizer
			if ids := p.get("token_ids"); ids != nil && ids.kind == '[' && !slices.Contains(owners, ids) {
				owners = append(owners, ids)
			}
		}
	}
	var eds []edit
	drop := func(n *node, repl string) {
		// [] or null: nothing to drop (an array of numbers has no member nodes: its
		// bytes tell whether it is empty)
		if n.kind == '[' && len(n.members) == 0 && n.end-n.start <= 2 || n.kind == 'l' {
			return
		}
		eds = append(eds, edit{start: n.start, end: n.end, repl: []byte(repl)})
	}
	for _, lp := range owners {
		switch {
		case lp.kind == '[': // Responses, transcription, Ollama, vLLM token ids: the list itself
			drop(lp, "[]")
		case lp.kind == '{' && lp.get("tokens") != nil: // legacy completions
			drop(lp, "null")
		case lp.kind == '{': // chat: content, refusal (and any other list)
			for _, m := range lp.members {
				if m.kind == '[' {
					drop(m, "[]")
				}
			}
		}
	}
	return eds
}
