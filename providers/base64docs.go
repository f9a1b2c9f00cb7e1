package providers

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/internal/sniff"
	"github.com/scrubgate/scrubgate/scanner"
)

// Documents are often sent base64-encoded: data: URLs (`file_data`, `image_url`,
// `url`) and Anthropic `source` blocks of type base64. Unless the media type is
// binary (images but SVG, audio, video, PDF), the payload is decoded and scanned,
// whatever its encoding, and, if something was found, re-encoded with handles in
// place, so the document reaches the model intact but for its secrets. UTF-8 text
// is scanned as it is; UTF-16 (a byte order mark, a declared charset, or the NUL
// pattern of mostly-ASCII text) is transcoded to UTF-8 for the scan and back for
// the rewrite; other text (Latin-1, Windows-1252: an ASCII secret is still ASCII)
// is scanned and rewritten byte for byte. What is neither (a declared text type
// holding NUL bytes, such as UTF-32; a document of another type that is not
// UTF-8) is scanned too, and a secret there blocks the request: an edit could
// corrupt it. Nothing is passed on unread. (The engine's own base64 detection
// covers runs up to 64 KiB and could only replace a whole run; documents are
// larger and must stay readable.)

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

// charsetOf returns the charset parameter of a data: URL header, lower case.
func charsetOf(header string) string {
	for _, p := range strings.Split(header, ";")[1:] {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "charset") {
			return strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return ""
}

// decodeBase64 decodes a base64 payload (padded or not, wrapped in lines or not).
func decodeBase64(payload string) (data []byte, padded bool, ok bool) {
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, payload)
	padded = strings.HasSuffix(clean, "=") || len(clean)%4 == 0
	var err error
	if padded {
		data, err = base64.StdEncoding.DecodeString(clean)
	} else {
		data, err = base64.RawStdEncoding.DecodeString(clean)
	}
	if err != nil {
		return nil, false, false
	}
	return data, padded, true
}

// textMedia reports whether a media type declares text. No type at all is text
// too: a data: URL without one is text/plain (RFC 2397).
func textMedia(mt string) bool {
	switch {
	case mt == "", strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+yaml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
		"application/yaml", "application/x-yaml", "application/toml", "application/javascript", "application/x-javascript", "application/ecmascript",
		"application/x-sh", "application/x-shellscript", "application/sql", "application/x-python", "application/x-httpd-php", "application/graphql",
		"application/x-www-form-urlencoded", "application/csv", "application/rtf", "application/x-tex", "application/x-latex",
		"application/x-pem-file", "application/pgp-keys", "message/rfc822":
		return true
	}
	return false
}

// utf16Of tells whether data is UTF-16 text and its byte order: by byte order mark
// or the NUL pattern of mostly-ASCII text (sniff.UTF16, as the CI scan reads files),
// or by a declared charset when data has no byte order mark of either UTF-16 or
// UTF-32.
func utf16Of(data []byte, charset string) (bigEndian, ok bool) {
	be, bom, ok := sniff.UTF16(data)
	if bom > 0 || bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}) || bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}) {
		return be, ok
	}
	switch charset {
	case "utf-16le":
		return false, true
	case "utf-16be", "utf-16":
		return true, true
	}
	return be, ok
}

// decodeUTF16 transcodes UTF-16 to UTF-8. exact is false when re-encoding would not
// give the same bytes back (an odd length, an unpaired surrogate).
func decodeUTF16(data []byte, bigEndian bool) (text []byte, exact bool) {
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	exact = len(data)%2 == 0
	for i := 0; i < len(units) && exact; i++ {
		switch u := units[i]; {
		case u >= 0xD800 && u < 0xDC00:
			if i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] < 0xE000 {
				i++
			} else {
				exact = false
			}
		case u >= 0xDC00 && u < 0xE000:
			exact = false
		}
	}
	return []byte(string(utf16.Decode(units))), exact
}

// encodeUTF16 transcodes UTF-8 text to UTF-16 in the given byte order.
func encodeUTF16(text []byte, bigEndian bool) []byte {
	units := utf16.Encode([]rune(string(text)))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		if bigEndian {
			out[2*i], out[2*i+1] = byte(u>>8), byte(u)
		} else {
			out[2*i], out[2*i+1] = byte(u), byte(u>>8)
		}
	}
	return out
}

// base64Docs scrubs base64 documents and returns the spans it took care of: data:
// URLs whose media type is not binary (whatever their payload: the declared type
// is the sender's word), and Anthropic source blocks of type base64 with such a
// media type.
func (e *editor) base64Docs() ([]span, error) {
	if e.root == nil {
		return nil, nil
	}
	type doc struct {
		n                             *node
		value, prefix, media, charset string
		source                        bool
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
				docs = append(docs, doc{n: n, value: v, prefix: "data:" + header + ";base64,", media: mt, charset: charsetOf(header)})
			}
			return
		}
		if n.name == "data" && n.parent != nil && n.parent.name == "source" && n.parent.str(e.src, "type") == "base64" &&
			!binaryMedia(n.parent.str(e.src, "media_type")) {
			mt, _, _ := strings.Cut(n.parent.str(e.src, "media_type"), ";")
			docs = append(docs, doc{n: n, value: n.text(e.src), source: true, media: strings.ToLower(strings.TrimSpace(mt))})
		}
	})
	var done []span
	for _, d := range docs {
		payload := d.value
		if !d.source {
			_, _, payload, _ = dataURL(d.value)
		}
		data, padded, ok := decodeBase64(payload)
		if !ok {
			continue // not base64 after all: the general scan reads it as it is
		}
		done = append(done, span{d.n.start, d.n.end})
		out, err := e.scrubDoc(data, d.media, d.charset, e.location(d.n)+"(base64)")
		if err != nil {
			return nil, err
		}
		if out != nil {
			enc := base64.StdEncoding
			if !padded {
				enc = base64.RawStdEncoding
			}
			v := d.prefix + enc.EncodeToString(out)
			e.edits = append(e.edits, edit{start: d.n.start, end: d.n.end, repl: encodeString(nil, v)})
		}
	}
	return done, nil
}

// scrubDoc scans a decoded document as its encoding reads and returns it
// rewritten with handles in place, or nil if nothing was replaced.
func (e *editor) scrubDoc(data []byte, mt, charset, loc string) ([]byte, error) {
	if kind := archiveKind(data); kind != "" {
		return nil, e.scanArchive(data, kind, loc, 1) // members are scanned, never rewritten
	}
	text := textMedia(mt)
	nul := bytes.IndexByte(data, 0) >= 0
	if !nul && utf8.Valid(data) {
		return e.scrubText(data, loc, false)
	}
	var out []byte
	var err error
	if be, ok := utf16Of(data, charset); ok {
		decoded, exact := decodeUTF16(data, be)
		if out, err = e.scrubText(decoded, loc, !exact || !text); out != nil {
			out = encodeUTF16(out, be)
		}
	} else {
		// Text in a single-byte encoding (Latin-1, Windows-1252: an ASCII secret is
		// still ASCII) is rewritten byte for byte; a document that is not declared
		// text is only scanned.
		out, err = e.scrubText(data, loc, !text)
	}
	if err != nil || !nul {
		return out, err
	}
	// A document with NUL bytes (UTF-16 of any alignment or language, UTF-32,
	// text with NUL characters, binary) is also read for the ASCII characters it
	// may spell (asciiViews), where it was not rewritten already. It cannot be
	// edited there: a secret blocks.
	rest := data
	if out != nil {
		rest = out
	}
	for _, v := range asciiViews(rest) {
		if _, err := e.scrubText(v, loc, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scrubText scans a document's text and returns it with handles in place, or nil
// if nothing was replaced. frozen text cannot be edited: a secret blocks.
func (e *editor) scrubText(src []byte, loc string, frozen bool) ([]byte, error) {
	fs := e.s.Scanner.ScanMode(src, scanner.ModeText)
	if len(fs) == 0 {
		return nil, nil
	}
	sub := editor{s: e.s, dir: e.dir, src: src, loc: loc, frozen: frozen}
	err := sub.apply(fs, nil, false)
	e.res.add(sub.res)
	if err != nil || len(sub.edits) == 0 {
		return nil, err
	}
	return sub.output(), nil
}
