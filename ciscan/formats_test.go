package ciscan

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is one input with one planted token and where it must be reported.
type fixture struct {
	name   string // file name (the report shows it with ! and the member for zips)
	data   []byte
	file   string // expected report name
	format string // expected detected format
	// expected position of the token in the ORIGINAL bytes (inside the member or the
	// decompressed stream; for UTF-16 the line, the column in characters and the
	// byte offset in the UTF-16 bytes)
	line, col int
	off       int64
	jsonPath  string
}

func formatFixtures(t *testing.T) []fixture {
	tok := func(i int) string { return ghTok(100 + i) }
	claude := `{"type":"summary","summary":"Deploy","leafUuid":"0f8e"}` + "\n" +
		`{"parentUuid":null,"sessionId":"5b1c","uuid":"a1","type":"user","message":{"role":"user","content":"deploy it"}}` + "\n" +
		`{"sessionId":"5b1c","uuid":"a2","type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"GITHUB_TOKEN=` + tok(2) + `"}]},"toolUseResult":{"stdout":"ok"}}` + "\n"
	codex := `{"timestamp":"2025-09-01T10:00:00.000Z","type":"session_meta","payload":{"id":"0199","cwd":"/work","cli_version":"0.30.0"}}` + "\n" +
		`{"timestamp":"2025-09-01T10:00:01.000Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"env\"]}","call_id":"call_1"}}` + "\n" +
		`{"timestamp":"2025-09-01T10:00:02.000Z","type":"response_item","payload":{"type":"function_call_output","call_id":"call_1","output":"HOME=/root\nexport GITHUB_TOKEN=` + tok(3) + `\n"}}` + "\n"
	utf16Text := "PS C:\\> Get-ChildItem env:\r\né😀 GITHUB_TOKEN=" + tok(7) + "\r\n"
	nobom := "Get-Content .env\nGITHUB_TOKEN=" + tok(8) + "\n"
	return []fixture{
		{name: "notes.txt", data: []byte("first line\nsecond: é GITHUB_TOKEN=" + tok(0) + "\n"),
			format: "text", line: 2, col: 24, off: 35},
		{name: "config.json", data: []byte(`{"a": 1,` + "\n" + `  "env": {"GITHUB_TOKEN": "` + tok(1) + `"}}`),
			format: "json", line: 2, col: 28, off: 36, jsonPath: "$.env.GITHUB_TOKEN"},
		{name: "claude/session.jsonl", data: []byte(claude),
			format: "claude-code", line: 3, col: 154, off: 322, jsonPath: "$.message.content[0].content"},
		{name: "codex/rollout-2025-09-01T10-00-00-0199.jsonl", data: []byte(codex),
			format: "codex", line: 3, col: 166, off: 460, jsonPath: "$.payload.output"},
		{name: "logs/app.log.gz", data: gzipBytes(t, []byte("boot ok\ntoken: "+tok(4)+"\n")),
			format: "text (gzip)", line: 2, col: 8, off: 15},
		{name: "trace.jsonl.zst", data: zstdBytes(t, []byte(`{"n":1}`+"\n"+`{"msg":"GITHUB_TOKEN=`+tok(5)+`"}`+"\n")),
			format: "jsonl (zstd)", line: 2, col: 22, off: 29, jsonPath: "$.msg"},
		{name: "ps.log", data: utf16Bytes(utf16Text, false, true),
			format: "text (utf-16le)", line: 2, col: 17, off: 2 + 2*(28+17)},
		{name: "ps-nobom.log", data: utf16Bytes(nobom, false, false),
			format: "text (utf-16le)", line: 2, col: 14, off: 2 * (17 + 13)},
		{name: "ps-be.log", data: utf16Bytes(nobom, true, true),
			format: "text (utf-16be)", line: 2, col: 14, off: 2 + 2*(17+13)},
		{name: "ps.log.gz", data: gzipBytes(t, utf16Bytes(nobom, false, true)),
			format: "text (gzip, utf-16le)", line: 2, col: 14, off: 2 + 2*(17+13)},
		{name: "nul.jsonl", data: []byte(`{"a":"x` + "\x00" + `y"}` + "\n" + `{"b":"GITHUB_TOKEN=` + tok(9) + `"}` + "\n"),
			format: "jsonl", line: 2, col: 20, off: 31, jsonPath: "$.b"},
		{name: "bundle.zip", file: "bundle.zip!logs/run.txt", data: zipBytes(t,
			zipMember{name: "README.md", data: []byte("nothing here\n"), method: zip.Deflate},
			zipMember{name: "logs/", data: nil},
			zipMember{name: "logs/run.txt", data: []byte("step 1\nstep 2\nexport GITHUB_TOKEN=" + tok(6) + "\n"), method: zip.Deflate},
		), format: "text", line: 3, col: 21, off: 34},
		{name: "bundle2.zip", file: "bundle2.zip!inner/x.jsonl.gz", data: zipBytes(t,
			zipMember{name: "inner/x.jsonl.gz", data: gzipBytes(t, []byte(`{"k":"v"}`+"\n"+`{"t":"token `+tok(10)+`"}`+"\n")), method: zip.Store},
		), format: "jsonl (gzip)", line: 2, col: 13, off: 22, jsonPath: "$.t"},
	}
}

// TestFormatsExactPositions plants one token in each kind of input and checks that
// it is reported at its exact line, column and offset in the original bytes, with the
// detected format and JSON path.
func TestFormatsExactPositions(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	fx := formatFixtures(t)
	for _, f := range fx {
		write(t, f.name, f.data)
	}
	// the hand-computed positions of the plain fixtures agree with an independent count
	for _, f := range fx[:4] {
		tokStart := strings.Index(string(f.data), "ghp_")
		line, col, off := posOf(string(f.data), string(f.data[tokStart:tokStart+4]))
		if line != f.line || col != f.col || off != f.off {
			t.Fatalf("%s: fixture says %d:%d@%d, text says %d:%d@%d", f.name, f.line, f.col, f.off, line, col, off)
		}
	}
	res := run(t, Options{Paths: []string{"."}})
	formats := map[string]string{}
	for _, f := range res.Files {
		formats[f.Path] = f.Format
	}
	for _, f := range fx {
		file := f.file
		if file == "" {
			file = f.name
		}
		idx := itemsIn(res, file)
		if len(idx) != 1 {
			t.Errorf("%s: %d findings, want 1\n%s", file, len(idx), dumpItems(res))
			continue
		}
		it := res.Items[idx[0]]
		if it.RuleID != "github-pat" || it.Start.Line != f.line || it.Start.Column != f.col || it.Start.Offset != f.off || it.JSONPath != f.jsonPath {
			t.Errorf("%s: got %s %d:%d@%d %q, want github-pat %d:%d@%d %q", file, it.RuleID, it.Start.Line, it.Start.Column, it.Start.Offset, it.JSONPath, f.line, f.col, f.off, f.jsonPath)
		}
		wantEnd := f.off + 40
		if strings.Contains(f.format, "utf-16") {
			wantEnd = f.off + 80
		}
		if it.End.Offset != wantEnd || it.End.Line != f.line || it.End.Column != f.col+40 {
			t.Errorf("%s: end %d:%d@%d, want %d:%d@%d", file, it.End.Line, it.End.Column, it.End.Offset, f.line, f.col+40, wantEnd)
		}
		if formats[file] != f.format {
			t.Errorf("%s: format %q, want %q", file, formats[file], f.format)
		}
	}
	if len(res.Skipped) != 0 || len(res.Errors) != 0 {
		t.Errorf("unexpected skips or errors:\n%s", dumpItems(res))
	}
	// the clean zip member was scanned too
	if formats["bundle.zip!README.md"] != "text" {
		t.Errorf("README.md member not scanned: %v", formats)
	}
}

// TestUTF16OffsetsPointAtTheToken checks the mapped UTF-16 offsets against the bytes.
func TestUTF16OffsetsPointAtTheToken(t *testing.T) {
	dir := t.TempDir()
	tok := ghTok(300)
	text := "Zeile 1 ÄÖÜ\r\n𝄞𝄞 line two\r\nthird 😀😀 GITHUB_TOKEN=" + tok + " end\r\n"
	for _, c := range []struct {
		name    string
		be, bom bool
	}{{"le-bom.txt", false, true}, {"le.txt", false, false}, {"be-bom.txt", true, true}} {
		data := utf16Bytes(text, c.be, c.bom)
		p := write(t, filepath.Join(dir, c.name), data)
		res := run(t, Options{Paths: []string{p}})
		if len(res.Items) != 1 {
			t.Fatalf("%s: %s", c.name, dumpItems(res))
		}
		it := res.Items[0]
		line, col, off := posOf(text, tok)
		want := utf16Off(text, off, c.bom)
		if it.Start.Line != line || it.Start.Column != col || it.Start.Offset != want {
			t.Errorf("%s: %d:%d@%d, want %d:%d@%d", c.name, it.Start.Line, it.Start.Column, it.Start.Offset, line, col, want)
		}
		if got := string(utf16Bytes(tok, c.be, false)); string(data[it.Start.Offset:it.End.Offset]) != got {
			t.Errorf("%s: the span does not cover the token's UTF-16 bytes", c.name)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	cases := []struct{ in, want string }{
		{"hello\nworld\n", "text"},
		{`{"a":1}`, "json"},
		{"{\"a\":1}\n{\"b\":2}\n", "jsonl"},
		{"data: {\"choices\":[]}\n\ndata: [DONE]\n", "sse"},
		{": keep-alive\n\nevent: message_start\ndata: {}\n", "sse"},
		{`{"type":"user","message":{"role":"user","content":"hi"}}` + "\n" + `{"type":"assistant","message":{"role":"assistant","content":[]}}` + "\n", "claude-code"},
		{`{"type":"summary","summary":"x","leafUuid":"1"}` + "\n{}\n", "claude-code"},
		{`{"timestamp":"t","type":"session_meta","payload":{}}` + "\n{}\n", "codex"},
		{`{"timestamp":"t","type":"other","payload":{}}` + "\n{}\n", "jsonl"},
		// a log or YAML file whose first line happens to be an SSE field name
		{"id: run-42\nstep: deploy\nexport X=1\n", "text"},
		{"data:\n  key: value\n", "text"},
		// curl -i: the response head, then the stream
		{"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: {}\r\n\r\n", "sse"},
	}
	for _, c := range cases {
		if got, _ := detectFormat([]byte(c.in), "x", "auto"); got != c.want {
			t.Errorf("%q: %s, want %s", c.in, got, c.want)
		}
	}
	if got, _ := detectFormat([]byte("{}"), "x", "sse"); got != "sse" {
		t.Errorf("forced format ignored: %s", got)
	}
	if got, _ := detectFormat([]byte(`{"a":1}`+"\n"), "a!b/s.jsonl.gz", "auto"); got != "jsonl" {
		t.Errorf("one-line .jsonl.gz: %s", got)
	}
}

func TestReadErrorsOnBrokenArchives(t *testing.T) {
	dir := t.TempDir()
	tok := ghTok(400)
	gz := gzipBytes(t, []byte("token: "+tok+"\n"+strings.Repeat("filler line\n", 20000)))
	write(t, filepath.Join(dir, "cut.log.gz"), gz[:len(gz)/2])
	write(t, filepath.Join(dir, "bad.zip"), []byte("PK\x03\x04 this is not really a zip"))
	res := run(t, Options{Paths: []string{dir}})
	if len(res.Skipped) != 2 {
		t.Fatalf("want two skips:\n%s", dumpItems(res))
	}
	for _, s := range res.Skipped {
		if strings.Contains(s.Reason, tok) {
			t.Fatal("secret in a skip reason")
		}
	}
	// what was read before the stream broke is still reported
	if len(res.Items) != 1 || !strings.HasSuffix(res.Items[0].File, "cut.log.gz") {
		t.Fatalf("finding before the cut lost:\n%s", dumpItems(res))
	}
	if !strings.Contains(res.Skipped[1].Reason, "read error after") {
		t.Errorf("reason %q", res.Skipped[1].Reason)
	}
	_ = os.Remove
}

// Tar archives (here gzip-compressed) are read member by member, so compressed and
// UTF-16 members are decoded like files.
func TestTarMembers(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	t1, t2, t3 := ghTok(601), ghTok(602), ghTok(603)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	add := func(name string, data []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.WriteHeader(&tar.Header{Name: "logs/", Mode: 0o755, Typeflag: tar.TypeDir})
	add("logs/cc.jsonl.gz", gzipBytes(t, []byte(`{"type":"user","message":{"role":"user","content":"token `+t1+`"}}`+"\n")))
	add("logs/ps.log", utf16Bytes("line one\r\nGITHUB_TOKEN="+t2+"\r\n", false, true))
	add("logs/plain.txt", []byte("x\nexport GITHUB_TOKEN="+t3+"\n"))
	tw.Close()
	write(t, "bundle.tar.gz", gzipBytes(t, tb.Bytes()))
	res := run(t, Options{Paths: []string{"bundle.tar.gz"}})
	want := map[string]int{"bundle.tar.gz!logs/cc.jsonl.gz": 1, "bundle.tar.gz!logs/ps.log": 2, "bundle.tar.gz!logs/plain.txt": 2}
	if len(res.Items) != 3 {
		t.Fatalf("findings:\n%s", dumpItems(res))
	}
	for _, it := range res.Items {
		if line, ok := want[it.File]; !ok || it.Start.Line != line {
			t.Errorf("%s at line %d", it.File, it.Start.Line)
		}
	}
}

// A UTF-8 log with UTF-16LE lines appended (PowerShell 5.1's >>): the UTF-16 part
// is decoded and scanned, and its finding points at its line.
func TestMixedUTF8AndUTF16(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(901)
	var b bytes.Buffer
	for i := 0; i < 300; i++ {
		b.WriteString("build step output line\n")
	}
	b.Write(utf16Bytes("deploy\r\nGITHUB_TOKEN="+tok+"\r\n", false, false))
	write(t, "mixed.log", b.Bytes())
	res := run(t, Options{Paths: []string{"mixed.log"}})
	if len(res.Items) != 1 || res.Items[0].Start.Line != 302 || res.Items[0].Encoding != "utf-16le" {
		t.Fatalf("findings:\n%s", dumpItems(res))
	}
	if off := res.Items[0].Start.Offset; !bytes.HasPrefix(b.Bytes()[off:], utf16Bytes(tok[:4], false, false)) {
		t.Fatalf("offset %d does not point at the token", off)
	}
	res = run(t, Options{Paths: []string{"mixed.log"}, RedactInPlace: true})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Reason, "UTF-16 parts") {
		t.Fatalf("redaction must refuse, got %+v", res.Errors)
	}
}
