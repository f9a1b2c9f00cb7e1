package providers

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
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

type r13File struct {
	name string
	data []byte
}

func r13Zip(t *testing.T, files ...r13File) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func r13Gzip(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func r13Tar(t *testing.T, files ...r13File) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	return b.Bytes()
}

// r13Upload is a /v1/files upload of one file part.
func r13Upload(filename, contentType string, data []byte) (string, []byte) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("purpose", "assistants")
	pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="` + filename + `"`}, "Content-Type": {contentType}})
	pw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), body.Bytes()
}

// r13Forwarded returns the file part the upstream received.
func r13Forwarded(t *testing.T, up *r13Upstream) []byte {
	t.Helper()
	_, params, _ := mime.ParseMediaType(up.header.Get("Content-Type"))
	mr := multipart.NewReader(bytes.NewReader(up.body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no file part forwarded: %v", err)
		}
		if p.FormName() == "file" {
			b, _ := io.ReadAll(p)
			return b
		}
	}
}

// Archives uploaded to /v1/files (a .zip, a .docx, a .jsonl.gz…) were scanned as
// compressed bytes and forwarded with the secrets in their members (review 1,
// bug 4). Their members are read and scanned; a member cannot be rewritten, so a
// secret blocks the upload. Clean archives pass byte for byte.
func TestRegress13ArchiveUploads(t *testing.T) {
	env := []byte(strings.Repeat("# settings\n", 20) + "AWS_ACCESS_KEY_ID=" + r13AWS + "\n")
	docx := r13Zip(t, r13File{"[Content_Types].xml", []byte(`<?xml version="1.0"?><Types/>`)},
		r13File{"word/document.xml", []byte(`<w:document><w:body><w:p><w:r><w:t>aws_access_key_id = ` + r13AWS + `</w:t></w:r></w:p></w:body></w:document>`)})
	blocked := []struct {
		name, filename, contentType string
		data                        []byte
		where                       string
	}{
		{"zip", "project.zip", "application/zip", r13Zip(t, r13File{"README.md", []byte("hello")}, r13File{"config/.env", env}), "multipart:project.zip!config/.env"},
		{"docx", "report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx, "multipart:report.docx!word/document.xml"},
		{"zip declared as png", "pic.png", "image/png", r13Zip(t, r13File{"config/.env", env}), "multipart:pic.png!config/.env"},
		{"gzip", "batch.jsonl.gz", "application/gzip", r13Gzip([]byte(`{"custom_id":"1","body":{"input":"AWS_ACCESS_KEY_ID=` + r13AWS + `"}}` + "\n")), "multipart:batch.jsonl.gz(gzip):$.body.input"},
		{"zstd", "notes.txt.zst", "application/zstd", zstdCompress(t, env), "multipart:notes.txt.zst(zstd)"},
		{"tar.gz", "src.tar.gz", "application/gzip", r13Gzip(r13Tar(t, r13File{"src/main.go", []byte("package main\n")}, r13File{"src/.env", env})), "multipart:src.tar.gz(gzip)!src/.env"},
		{"zip in zip", "outer.zip", "application/zip", r13Zip(t, r13File{"inner/report.docx", docx}), "multipart:outer.zip!inner/report.docx!word/document.xml"},
		{"utf-16 member", "win.zip", "application/zip", r13Zip(t, r13File{"creds.txt", utf16Bytes("aws_access_key_id = "+r13AWS+"\r\n", false, true)}), "multipart:win.zip!creds.txt"},
	}
	for _, c := range blocked {
		s, rec := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload(c.filename, c.contentType, c.data)
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if resp.StatusCode != 400 || up.reached || !strings.Contains(msg, c.where) || !strings.Contains(msg, "cannot rewrite") {
			t.Errorf("%s: status %d, reached upstream %v: %s; want a 400 naming %s", c.name, resp.StatusCode, up.reached, msg, c.where)
		}
		if strings.Contains(msg, r13AWS) || len(rec.hits) != 1 || rec.hits[0].Action != ActionBlock {
			t.Errorf("%s: the error shows the secret, or the hit is not reported as blocked: %+v", c.name, rec.hits)
		}
		// Alert-only policy: reported, forwarded unchanged.
		s.Decide = func(*Hit) Action { return ActionAlertOnly }
		up = &r13Upstream{}
		resp, msg = r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if resp.StatusCode != 200 || !bytes.Equal(r13Forwarded(t, up), c.data) {
			t.Errorf("%s, alert-only: status %d %s, or the archive changed", c.name, resp.StatusCode, msg)
		}
	}

	// Clean archives, and real binary media, pass byte for byte.
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 64)...)
	for _, c := range []struct {
		name, contentType string
		data              []byte
	}{
		{"clean.zip", "application/zip", r13Zip(t, r13File{"a.txt", []byte("nothing here")}, r13File{"b/c.json", []byte(`{"ok":true}`)})},
		{"clean.tar.gz", "application/gzip", r13Gzip(r13Tar(t, r13File{"a.txt", []byte("nothing here")}))},
		{"image.png", "image/png", png},
		{"doc.pdf", "application/pdf", append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte{0, 0x80, 0xff}, 100)...)},
	} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload(c.name, c.contentType, c.data)
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if resp.StatusCode != 200 || !bytes.Equal(r13Forwarded(t, up), c.data) {
			t.Errorf("%s: status %d %s, or the part changed", c.name, resp.StatusCode, msg)
		}
	}
}

// Archives that cannot be read are refused (415); members that expand beyond the
// body limit get 413, however they are packed.
func TestRegress13ArchiveLimits(t *testing.T) {
	encrypted := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "secret.txt", Method: zip.Store, Flags: 1})
		w.Write([]byte("ciphertext"))
		zw.Close()
		return b.Bytes()
	}()
	lzma := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.CreateRaw(&zip.FileHeader{Name: "data.txt", Method: 14, CompressedSize64: 4, UncompressedSize64: 4})
		w.Write([]byte("abcd"))
		zw.Close()
		return b.Bytes()
	}()
	many := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for i := 0; i <= maxArchiveMembers; i++ {
			zw.CreateHeader(&zip.FileHeader{Name: "f", Method: zip.Store})
		}
		zw.Close()
		return b.Bytes()
	}()
	deep := r13Zip(t, r13File{"a.txt", []byte("x")})
	for i := 0; i < maxArchiveDepth; i++ {
		deep = r13Zip(t, r13File{"nested.zip", deep})
	}
	zeros := bytes.Repeat([]byte{0}, 3<<20)
	cases := []struct {
		name   string
		data   []byte
		status int
	}{
		{"encrypted member", encrypted, 415},
		{"unknown method", lzma, 415},
		{"damaged zip", []byte("PK\x03\x04 not really a zip archive at all"), 415},
		{"damaged gzip", []byte{0x1f, 0x8b, 0x08, 0x00, 0x01}, 415},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04 rest of a 7z archive"), 415},
		{"rar", []byte("Rar!\x1a\x07\x01\x00 rest"), 415},
		{"xz", []byte("\xfd7zXZ\x00\x00\x04 rest"), 415},
		{"too many members", many, 415},
		{"nested too deep", deep, 415},
		{"zip bomb", r13Zip(t, r13File{"zeros.bin", zeros}), 413},
		{"gzip bomb", r13Gzip(zeros), 413},
		{"zstd bomb", zstdCompress(t, zeros), 413},
		{"members add up", r13Zip(t, r13File{"a", zeros[:600<<10]}, r13File{"b", zeros[:600<<10]}), 413},
	}
	for _, c := range cases {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload("upload.bin", "application/octet-stream", c.data)
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up, MaxBody: 1 << 20}, "/v1/files", ct, "", body)
		if resp.StatusCode != c.status || up.reached || !strings.Contains(msg, "scrubgate") {
			t.Errorf("%s (%d bytes): status %d, reached upstream %v: %s; want %d", c.name, len(c.data), resp.StatusCode, up.reached, msg, c.status)
		}
	}
}

// The same archives sent as base64 documents (input_file.file_data of a .docx, an
// Anthropic base64 source block of a zip) are read the same way.
func TestRegress13ArchiveDocuments(t *testing.T) {
	docx := r13Zip(t, r13File{"word/document.xml", []byte(`<w:t>aws_access_key_id = ` + r13AWS + `</w:t>`)})
	s, _ := newTestScrubber(t)
	up := &r13Upstream{}
	tr := &Transport{Scrubber: s, Base: up}
	resp, msg := r13Send(t, tr, "/v1/responses", "application/json", "", r13FileData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx))
	if resp.StatusCode != 400 || up.reached || !strings.Contains(msg, "file_data(base64)!word/document.xml") || strings.Contains(msg, r13AWS) {
		t.Errorf("docx in file_data: %d %s", resp.StatusCode, msg)
	}
	body := []byte(`{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/zip","data":"` +
		base64.StdEncoding.EncodeToString(r13Zip(t, r13File{"x/.env", []byte("AWS_ACCESS_KEY_ID=" + r13AWS)})) + `"}}]}]}`)
	resp, msg = r13Send(t, tr, "/v1/messages", "application/json", "", body)
	if resp.StatusCode != 400 || up.reached || !strings.Contains(msg, `"type":"error"`) || !strings.Contains(msg, "x/.env") {
		t.Errorf("zip in an Anthropic source block: %d %s", resp.StatusCode, msg)
	}
	// A bomb in a document is bounded by the Transport's limit; a clean docx passes.
	resp, msg = r13Send(t, &Transport{Scrubber: s, Base: up, MaxBody: 1 << 20}, "/v1/responses", "application/json", "",
		r13FileData("application/zip", r13Zip(t, r13File{"zeros", make([]byte, 3<<20)})))
	if resp.StatusCode != 413 || up.reached {
		t.Errorf("zip bomb in file_data: %d %s", resp.StatusCode, msg)
	}
	in := r13FileData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", r13Zip(t, r13File{"word/document.xml", []byte("<w:t>hello</w:t>")}))
	resp, msg = r13Send(t, tr, "/v1/responses", "application/json", "", in)
	if resp.StatusCode != 200 || !bytes.Equal(up.body, in) {
		t.Errorf("clean docx in file_data: %d %s", resp.StatusCode, msg)
	}
}

// An archive sent as the whole body, or answered by the upstream (a file's
// content), is read the same way: a secret in a member blocks, a clean one passes.
func TestRegress13ArchiveBodies(t *testing.T) {
	secret := r13Zip(t, r13File{"config/.env", []byte("AWS_ACCESS_KEY_ID=" + r13AWS)})
	clean := r13Gzip(r13Tar(t, r13File{"a.txt", []byte("nothing here")}))
	s, _ := newTestScrubber(t)
	up := &r13Upstream{}
	tr := &Transport{Scrubber: s, Base: up}
	if resp, msg := r13Send(t, tr, "/v1/uploads/upload_1/parts", "application/zip", "", secret); resp.StatusCode != 400 || up.reached || !strings.Contains(msg, "$!config/.env") {
		t.Errorf("zip request body: %d %s", resp.StatusCode, msg)
	}
	if resp, msg := r13Send(t, tr, "/v1/uploads/upload_1/parts", "application/gzip", "", clean); resp.StatusCode != 200 || !bytes.Equal(up.body, clean) {
		t.Errorf("clean tar.gz request body: %d %s", resp.StatusCode, msg)
	}
	for _, c := range []struct {
		body   []byte
		status int
	}{{secret, 502}, {clean, 200}} {
		tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}},
				Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: r}, nil
		})}
		req, _ := http.NewRequest("GET", "http://gw/v1/files/file_1/content", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != c.status || c.status == 200 && !bytes.Equal(got, c.body) || bytes.Contains(got, []byte(r13AWS)) {
			t.Errorf("archive response: status %d, want %d", resp.StatusCode, c.status)
		}
	}
	// A text body that merely has "ustar" at offset 257 is text.
	text := []byte(strings.Repeat("x", 257) + "ustar and AWS_ACCESS_KEY_ID=" + r13AWS + strings.Repeat(" ", 300))
	out, res, err := s.Body(Request, text)
	if err != nil || res.Redactions != 1 || bytes.Contains(out, []byte(r13AWS)) {
		t.Errorf("text with ustar at 257: %v, %d redactions", err, res.Redactions)
	}
}
