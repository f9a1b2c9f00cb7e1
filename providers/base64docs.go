package providers

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/scanner"
)

// Documents are often sent base64-encoded: data: URLs (`file_data`, `image_url`,
// `url`) and Anthropic `source` blocks of type base64. Unless the media type is
// binary (images but SVG, audio, video, PDF), the payload is decoded; if it is UTF-8
// text it is scanned, and, if something was found, re-encoded with handles in place, so the document reaches the
// model intact but for its secrets. (The engine's own base64 detection covers runs
// up to 64 KiB and could only replace a whole run; documents are larger and must
// stay readable.)

// dataURL splits a decoded data: URL into its header (media type and parameters,
// without ";base64") and base64 payload; ok is false for anything else.
func dataURL(v string) (mt, header, payload string, ok bool) {
	rest, found := strings.CutPrefix(v, "data:")
	if !found {
		return "", "", "", false
	}
	head, payload, found := strings.Cut(rest, ",")
	if !found || len(head) > 200 {
		return "", "", "", false
	}
	params := strings.Split(head, ";")
	if strings.ToLower(strings.TrimSpace(params[len(params)-1])) != "base64" {
		return "", "", "", false
	}
	return strings.ToLower(strings.TrimSpace(params[0])), strings.Join(params[:len(params)-1], ";"), payload, true
}

// decodeBase64Text decodes a base64 payload (padded or not, wrapped in lines or
// not) that holds UTF-8 text; ok is false for binary data.
func decodeBase64Text(payload string) (text []byte, padded bool, ok bool) {
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, payload)
	padded = strings.HasSuffix(clean, "=") || len(clean)%4 == 0
	var err error
	if padded {
		text, err = base64.StdEncoding.DecodeString(clean)
	} else {
		text, err = base64.RawStdEncoding.DecodeString(clean)
	}
	if err != nil || !utf8.Valid(text) || bytes.IndexByte(text[:min(len(text), 4096)], 0) >= 0 {
		return nil, false, false
	}
	return text, padded, true
}

// base64Docs scrubs the decoded text of base64 text documents and returns the spans
// it took care of: data: URLs whose media type is text (or whose payload decodes to
// text whatever the type says: the declared type is the sender's word), and
// Anthropic source blocks of type base64 with a text media type.
func (e *editor) base64Docs() ([]span, error) {
	if e.root == nil {
		return nil, nil
	}
	type doc struct {
		n                    *node
		value, prefix, media string
		source               bool
	}
	var docs []doc
	e.root.walkStrings(func(n *node) {
		if n.end-n.start < 16 {
			return
		}
		raw := e.src[n.start:n.end]
		if bytes.HasPrefix(raw, []byte(`"data:`)) {
			v := n.text(e.src)
			if mt, header, _, ok := dataURL(v); ok && !binaryMedia(mt) {
				docs = append(docs, doc{n: n, value: v, prefix: "data:" + header + ";base64,", media: mt})
			}
			return
		}
		if n.name == "data" && n.parent != nil && n.parent.name == "source" && n.parent.str(e.src, "type") == "base64" &&
			!binaryMedia(n.parent.str(e.src, "media_type")) {
			docs = append(docs, doc{n: n, value: n.text(e.src), source: true, media: n.parent.str(e.src, "media_type")})
		}
	})
	var done []span
	for _, d := range docs {
		payload := d.value
		if !d.source {
			_, _, payload, _ = dataURL(d.value)
		}
		text, padded, ok := decodeBase64Text(payload)
		if !ok {
			continue // binary after all: the general scan reads it as it is
		}
		fs := e.s.Scanner.ScanMode(text, scanner.ModeText)
		done = append(done, span{d.n.start, d.n.end})
		if len(fs) == 0 {
			continue
		}
		sub := editor{s: e.s, dir: e.dir, src: text, loc: e.location(d.n) + "(base64)"}
		err := sub.apply(fs, nil, false)
		e.res.add(sub.res)
		if err != nil {
			return nil, err
		}
		if len(sub.edits) > 0 {
			enc := base64.StdEncoding
			if !padded {
				enc = base64.RawStdEncoding
			}
			v := d.prefix + enc.EncodeToString(sub.output())
			e.edits = append(e.edits, edit{start: d.n.start, end: d.n.end, repl: encodeString(nil, v)})
		}
	}
	return done, nil
}
