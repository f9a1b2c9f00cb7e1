package providers

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/klauspost/compress/zstd"
)

// r13AWS is a fake AWS access key id the default pack catches.
const r13AWS = "AKIAZQ7RT2MXKW3LNP4V"

// r13Upstream is a Base that records the request it was sent and answers {}.
type r13Upstream struct {
	reached bool
	header  http.Header
	length  int64
	body    []byte
}

func (u *r13Upstream) RoundTrip(r *http.Request) (*http.Response, error) {
	u.reached, u.header, u.length = true, r.Header.Clone(), r.ContentLength
	u.body, _ = io.ReadAll(r.Body)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
}

func r13Send(t *testing.T, tr *Transport, path, contentType, encoding string, body []byte) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://gw"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func zstdCompress(t *testing.T, b []byte) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

// Codex CLI sends Responses requests with Content-Encoding: zstd (request
// compression, on by default for ChatGPT sign-in); they got 415 (review 1, bug 2).
// They are decoded, scanned, and forwarded as identity with their length.
func TestRegress13ZstdRequestBody(t *testing.T) {
	body := []byte(`{"model":"gpt-5-codex","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"export AWS_ACCESS_KEY_ID=` + r13AWS + `"}]}],"stream":false}`)
	s, _ := newTestScrubber(t)
	up := &r13Upstream{}
	tr := &Transport{Scrubber: s, Base: up}
	resp, out := r13Send(t, tr, "/v1/responses", "application/json", "zstd", zstdCompress(t, body))
	if resp.StatusCode != 200 || !up.reached {
		t.Fatalf("status %d, reached upstream %v: %s", resp.StatusCode, up.reached, out)
	}
	if up.header.Get("Content-Encoding") != "" || up.length != int64(len(up.body)) {
		t.Errorf("forwarded with Content-Encoding %q, length %d for %d bytes; want identity with its length", up.header.Get("Content-Encoding"), up.length, len(up.body))
	}
	if !bytes.HasPrefix(up.body, []byte(`{"model":"gpt-5-codex"`)) || strings.Contains(string(up.body), r13AWS) || !strings.Contains(string(up.body), "[[scrub:") {
		t.Errorf("forwarded body is not the scrubbed JSON: %.120q", up.body)
	}
}

// A zstd decompression bomb hits the body limit (413) and a frame that asks for
// an oversized window is refused before the window is allocated.
func TestRegress13ZstdBombs(t *testing.T) {
	s, _ := newTestScrubber(t)
	bomb := zstdCompress(t, append([]byte(`{"input":"`), bytes.Repeat([]byte{'a'}, 3<<20)...))
	// A frame header (no content size) declaring a 1 GiB window, then one raw last
	// block of one byte.
	window := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x09, 0x00, 0x00, 'x'}
	for name, c := range map[string][]byte{"bomb": bomb, "window": window} {
		up := &r13Upstream{}
		tr := &Transport{Scrubber: s, Base: up, MaxBody: 1 << 20}
		resp, out := r13Send(t, tr, "/v1/responses", "application/json", "zstd", c)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || up.reached {
			t.Errorf("%s (%d compressed bytes): status %d, reached upstream %v: %s", name, len(c), resp.StatusCode, up.reached, out)
		}
	}
	// Not zstd at all: 400, not forwarded.
	up := &r13Upstream{}
	resp, _ := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/responses", "application/json", "zstd", []byte(`{"input":"plain"}`))
	if resp.StatusCode != http.StatusBadRequest || up.reached {
		t.Errorf("invalid zstd: status %d, reached upstream %v", resp.StatusCode, up.reached)
	}
}

// r13FileData is a Responses request with a file in input_file.file_data.
func r13FileData(mediaType string, doc []byte) []byte {
	return []byte(`{"model":"gpt-4.1","input":[{"role":"user","content":[{"type":"input_file","filename":"creds.csv","file_data":"data:` +
		mediaType + `;base64,` + base64.StdEncoding.EncodeToString(doc) + `"},{"type":"input_text","text":"summarise"}]}]}`)
}

// r13Doc returns the decoded document of the first data: URL or base64 source
// block in a scrubbed body.
func r13Doc(t *testing.T, body []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("scrubbed body is not JSON: %v", err)
	}
	var found string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if src, ok := x["source"].(map[string]any); ok && src["type"] == "base64" && found == "" {
				found = src["data"].(string)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		case string:
			if _, p, ok := strings.Cut(x, ";base64,"); ok && strings.HasPrefix(x, "data:") && found == "" {
				found = p
			}
		}
	}
	walk(v)
	doc, err := base64.StdEncoding.DecodeString(found)
	if err != nil {
		t.Fatalf("forwarded document is not base64: %v", err)
	}
	return doc
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var out []byte
	if bom {
		s = "\ufeff" + s
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// Base64 text documents that are not UTF-8 were forwarded unscanned (review 1,
// bug 3): a Latin-1 CSV with one é, a UTF-16 text file. They are scanned in their
// own encoding and rewritten in it: every other byte is kept.
func TestRegress13Base64DocumentsNotUTF8(t *testing.T) {
	handle := handleFor(&testScanner(t).Scan([]byte("aws_access_key_id = " + r13AWS))[0])
	latin1 := "name;value\nMot de passe pour l'\xe9quipe;x\naws_access_key_id;" + r13AWS + "\n"
	cp1252 := "\x93quoted\x94 price \x80 5\nAWS_ACCESS_KEY_ID=" + r13AWS + "\n"
	text := "Schlüssel für das Team 鍵\r\naws_access_key_id = " + r13AWS + "\r\n"
	cases := []struct {
		name, mediaType string
		doc, want       []byte
	}{
		{"latin1 csv", "text/csv", []byte(latin1), []byte(strings.Replace(latin1, r13AWS, handle, 1))},
		{"latin1 csv 100 KiB", "text/csv", []byte(latin1 + strings.Repeat("\xe9t\xe9,row,1,2,3\n", 8000)), []byte(strings.Replace(latin1, r13AWS, handle, 1) + strings.Repeat("\xe9t\xe9,row,1,2,3\n", 8000))},
		{"windows-1252", "text/plain;charset=windows-1252", []byte(cp1252), []byte(strings.Replace(cp1252, r13AWS, handle, 1))},
		{"no media type", "", []byte(latin1), []byte(strings.Replace(latin1, r13AWS, handle, 1))},
		{"utf-16le bom", "text/plain", utf16Bytes(text, false, true), utf16Bytes(strings.Replace(text, r13AWS, handle, 1), false, true)},
		{"utf-16be bom", "text/csv", utf16Bytes(text, true, true), utf16Bytes(strings.Replace(text, r13AWS, handle, 1), true, true)},
		{"utf-16le no bom", "text/plain", utf16Bytes(text, false, false), utf16Bytes(strings.Replace(text, r13AWS, handle, 1), false, false)},
		{"utf-16le declared", "text/plain;charset=utf-16le", utf16Bytes("鍵鍵"+text, false, false), utf16Bytes("鍵鍵"+strings.Replace(text, r13AWS, handle, 1), false, false)},
	}
	for _, c := range cases {
		s, _ := newTestScrubber(t)
		out, res, err := s.Body(Request, r13FileData(c.mediaType, c.doc))
		if err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
			continue
		}
		if got := r13Doc(t, out); res.Redactions != 1 || !bytes.Equal(got, c.want) {
			t.Errorf("%s: %d redactions; forwarded document %.80q, want %.80q", c.name, res.Redactions, got, c.want)
		}
	}

	// The same in an Anthropic document block.
	s, _ := newTestScrubber(t)
	body := []byte(`{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"text/plain","data":"` +
		base64.StdEncoding.EncodeToString(utf16Bytes(text, false, true)) + `"}},{"type":"text","text":"summarise"}]}]}`)
	out, res, err := s.Body(Request, body)
	if err != nil || res.Redactions != 1 || !bytes.Equal(r13Doc(t, out), utf16Bytes(strings.Replace(text, r13AWS, handle, 1), false, true)) {
		t.Errorf("anthropic utf-16 document: %v, %d redactions", err, res.Redactions)
	}

	// Clean documents pass byte for byte.
	for _, doc := range [][]byte{[]byte("caf\xe9;1\n"), utf16Bytes("clean text, nothing to see\r\n", false, true)} {
		in := r13FileData("text/csv", doc)
		out, _, err := s.Body(Request, in)
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("clean document %.20q changed (err %v)", doc, err)
		}
	}
}

// What cannot be rewritten exactly is scanned all the same, and a secret in it
// blocks: UTF-32 text, UTF-16 with an unpaired surrogate, a document of a
// non-text type that is not UTF-8. Alert-only and allowed findings still pass.
func TestRegress13Base64DocumentsUnrewritable(t *testing.T) {
	utf32 := []byte{0xFF, 0xFE, 0, 0}
	for _, r := range "aws_access_key_id = " + r13AWS + "\n" {
		utf32 = append(utf32, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	broken := append(utf16Bytes("aws_access_key_id = "+r13AWS+"\n", false, true), 0x00, 0xD8) // a lone high surrogate
	binary := append([]byte{0x00, 0x01, 0x02, 0xFF, 0xFE, 0x80}, "\x00\x00aws_access_key_id="+r13AWS+"\x00\x00\x9c"...)
	cases := []struct {
		name, mediaType string
		doc             []byte
	}{
		{"utf-32le bom", "text/plain", utf32},
		{"utf-16 lone surrogate", "text/plain", broken},
		{"octet-stream", "application/octet-stream", binary},
		{"ms-excel", "application/vnd.ms-excel", binary},
	}
	for _, c := range cases {
		s, rec := newTestScrubber(t)
		_, _, err := s.Body(Request, r13FileData(c.mediaType, c.doc))
		var be *BlockedError
		if !errors.As(err, &be) || !be.Unrewritable || !strings.Contains(be.Location, "file_data(base64)") {
			t.Errorf("%s: %v; want a block naming the document", c.name, err)
			continue
		}
		if strings.Contains(err.Error(), r13AWS) || len(rec.hits) != 1 || rec.hits[0].Action != ActionBlock {
			t.Errorf("%s: the error shows the secret, or the hit is not reported as blocked: %+v", c.name, rec.hits)
		}
		// Alert-only: the document passes unedited, the finding reported.
		s.Decide = func(*Hit) Action { return ActionAlertOnly }
		in := r13FileData(c.mediaType, c.doc)
		if out, res, err := s.Body(Request, in); err != nil || !bytes.Equal(out, in) || res.Findings == 0 {
			t.Errorf("%s, alert-only: %v, %d findings", c.name, err, res.Findings)
		}
	}
	// A binary document with no secret passes unchanged.
	s, _ := newTestScrubber(t)
	in := r13FileData("application/octet-stream", []byte{0, 1, 2, 3, 0xFF, 0xFE, 0xFD, 'a', 'b', 0, 0, 0x80, 0x81, 'c', 'd', 'e', 'f'})
	if out, _, err := s.Body(Request, in); err != nil || !bytes.Equal(out, in) {
		t.Errorf("clean binary document: %v", err)
	}
	// Through the Transport a block is a 400 in the API's shape.
	up := &r13Upstream{}
	resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/responses", "application/json", "", r13FileData("text/plain", utf32))
	if resp.StatusCode != 400 || up.reached || !strings.Contains(msg, "cannot rewrite") || strings.Contains(msg, r13AWS) {
		t.Errorf("transport: %d %s", resp.StatusCode, msg)
	}
}
