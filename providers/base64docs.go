package providers

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/scanner"
)

// Documents are often sent base64-encoded: data: URLs (`file_data`, `image_url`,
// `url`) and Anthropic `source` blocks of type base64. When the media type is text
// (text/*, JSON, XML, YAML, CSV…) the payload is decoded, scanned as text, and, if
// something was found, re-encoded with handles in place, so the document reaches the
// model intact but for its secrets. (The engine's own base64 detection covers runs
// up to 64 KiB and could only replace a whole run; documents are larger and must
// stay readable.)

// textMedia reports whether a media type is text the scanner can read.
func textMedia(mt string) bool {
	mt = strings.ToLower(strings.TrimSpace(mt))
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	switch mt {
	case "application/json", "application/x-ndjson", "application/jsonl", "application/xml", "application/yaml",
		"application/x-yaml", "application/javascript", "application/x-sh", "application/toml", "application/csv":
		return true
	}
	return false
}

// base64Doc locates the base64 payload of a string node that holds a text
// document: the raw payload span and the media type, or ok=false.
func base64Doc(n *node, src []byte) (start, end int, ok bool) {
	raw := src[n.start+1 : n.end-1]
	if rest, isURL := bytes.CutPrefix(raw, []byte("data:")); isURL {
		mt, _, found := bytes.Cut(rest, []byte(";base64,"))
		if !found || len(mt) > 100 || !textMedia(string(mt)) {
			return 0, 0, false
		}
		start = n.start + 1 + len("data:") + len(mt) + len(";base64,")
		return start, n.end - 1, true
	}
	if n.name == "data" && n.parent != nil && n.parent.name == "source" && n.parent.str(src, "type") == "base64" &&
		textMedia(n.parent.str(src, "media_type")) {
		return n.start + 1, n.end - 1, true
	}
	return 0, 0, false
}

// base64Docs scrubs the decoded text of base64 text documents and returns the spans
// it took care of.
func (e *editor) base64Docs() ([]span, error) {
	if e.root == nil {
		return nil, nil
	}
	var docs []*node
	e.root.walkStrings(func(n *node) {
		if n.end-n.start > 16 {
			if _, _, ok := base64Doc(n, e.src); ok {
				docs = append(docs, n)
			}
		}
	})
	var done []span
	for _, n := range docs {
		ps, pe, _ := base64Doc(n, e.src)
		payload := bytes.ReplaceAll(e.src[ps:pe], []byte(`\/`), []byte("/"))
		text, err := base64.StdEncoding.DecodeString(string(payload))
		if err != nil || !utf8.Valid(text) {
			continue // not what it says: the general scan reads it as it is
		}
		fs := e.s.Scanner.ScanMode(text, scanner.ModeText)
		done = append(done, span{n.start, n.end})
		if len(fs) == 0 {
			continue
		}
		sub := editor{s: e.s, dir: e.dir, src: text, loc: e.location(n) + "(base64)"}
		err = sub.apply(fs, nil, false)
		e.res.add(sub.res)
		if err != nil {
			return nil, err
		}
		if len(sub.edits) > 0 {
			e.edits = append(e.edits, edit{start: ps, end: pe, repl: []byte(base64.StdEncoding.EncodeToString(sub.output()))})
		}
	}
	return done, nil
}
