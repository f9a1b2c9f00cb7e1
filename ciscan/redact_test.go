package ciscan

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubgate/scrubgate/scanner"
)

// TestRedactedCopiesRescanCleanAndStayParseable redacts every fixture format to a
// directory and in place, then checks that the copies re-scan clean, parse as what
// they were, keep their encoding, compression, other zip members and file modes.
func TestRedactedCopiesRescanCleanAndStayParseable(t *testing.T) {
	src := t.TempDir()
	chdir(t, src)
	fx := formatFixtures(t)
	for _, f := range fx {
		write(t, filepath.Join("in", f.name), f.data)
	}
	write(t, "in/clean.txt", []byte("nothing secret\n"))
	os.Chmod("in/notes.txt", 0o600)
	os.Chmod("in/clean.txt", 0o755)

	out := filepath.Join(src, "out")
	res := run(t, Options{Paths: []string{"in"}, RedactTo: out})
	if len(res.Errors) != 0 || len(res.Skipped) != 0 {
		t.Fatalf("redact-to:\n%s", dumpItems(res))
	}
	if len(res.Redacted) != len(fx)+1 {
		t.Errorf("%d files written, want %d: %v", len(res.Redacted), len(fx)+1, res.Redacted)
	}
	checkRedacted(t, filepath.Join(out, "in"), fx)
	if st, _ := os.Stat(filepath.Join(out, "in", "notes.txt")); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Join(out, "in", "clean.txt")); st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", st.Mode().Perm())
	}

	// in place: files with findings are rewritten, clean ones left alone
	res = run(t, Options{Paths: []string{"in"}, RedactInPlace: true})
	if len(res.Errors) != 0 || len(res.Redacted) != len(fx) {
		t.Fatalf("in place: %v\n%s", res.Redacted, dumpItems(res))
	}
	checkRedacted(t, "in", fx)
	if st, _ := os.Stat("in/notes.txt"); st.Mode().Perm() != 0o600 {
		t.Errorf("in place: mode %v, want 0600", st.Mode().Perm())
	}
	// no temporary files left behind
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if strings.Contains(p, ".scrubgate-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func checkRedacted(t *testing.T, dir string, fx []fixture) {
	t.Helper()
	res := run(t, Options{Paths: []string{dir}})
	if len(res.Items) != 0 || len(res.Skipped) != 0 {
		t.Fatalf("redacted copies are not clean:\n%s", dumpItems(res))
	}
	formats := map[string]string{}
	for _, f := range res.Files {
		formats[strings.TrimPrefix(f.Path, filepath.ToSlash(dir)+"/")] = f.Format
	}
	for _, f := range fx {
		name := f.name
		if f.file != "" {
			name = f.file
		}
		if formats[name] != f.format {
			t.Errorf("%s: re-read as %q, want %q", name, formats[name], f.format)
		}
		data, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(f.name, ".gz"):
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if zr.Name != "inner.log" {
				t.Errorf("%s: gzip header name %q lost", f.name, zr.Name)
			}
			if _, err := io.ReadAll(zr); err != nil {
				t.Errorf("%s: %v", f.name, err)
			}
		case strings.HasSuffix(f.name, ".zst"):
			// a decoder for DecodeAll only: one made with a stream to read starts
			// decoding it at once, and DecodeAll could wait on it for ever
			zr, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
			plain, err := zr.DecodeAll(data, nil)
			zr.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			checkJSONLines(t, f.name, plain)
		case strings.HasSuffix(f.name, ".zip"):
			checkZip(t, f.name, data, fx)
		case strings.HasSuffix(f.name, ".jsonl"):
			checkJSONLines(t, f.name, data)
		case strings.HasSuffix(f.name, ".json"):
			if !json.Valid(data) {
				t.Errorf("%s: not valid JSON", f.name)
			}
		case f.name == "ps.log":
			if !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
				t.Errorf("%s: byte order mark lost", f.name)
			}
		case f.name == "ps-be.log":
			if !bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
				t.Errorf("%s: byte order mark lost", f.name)
			}
		case f.name == "ps-nobom.log":
			if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || data[1] != 0 {
				t.Errorf("%s: not UTF-16LE without a byte order mark any more", f.name)
			}
		}
	}
}

func checkJSONLines(t *testing.T, name string, data []byte) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		if !json.Valid(bytes.ReplaceAll(sc.Bytes(), []byte{0}, []byte(" "))) {
			t.Errorf("%s: line %d is not valid JSON: %s", name, n, sc.Text())
		}
	}
	if !bytes.Contains(data, []byte("[[scrub:")) {
		t.Errorf("%s: no replacement in the copy", name)
	}
}

func checkZip(t *testing.T, name string, data []byte, fx []fixture) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if zr.Comment != "test archive" {
		t.Errorf("%s: comment lost", name)
	}
	var orig *zip.Reader
	for _, f := range fx {
		if f.name == name {
			orig, _ = zip.NewReader(bytes.NewReader(f.data), int64(len(f.data)))
		}
	}
	if len(zr.File) != len(orig.File) {
		t.Fatalf("%s: %d members, want %d", name, len(zr.File), len(orig.File))
	}
	for i, m := range zr.File {
		o := orig.File[i]
		if m.Name != o.Name || m.Method != o.Method {
			t.Errorf("%s: member %d is %s/%d, want %s/%d", name, i, m.Name, m.Method, o.Name, o.Method)
		}
		got, err := readMember(m)
		if err != nil {
			t.Fatalf("%s!%s: %v", name, m.Name, err)
		}
		want, _ := readMember(o)
		if m.Name == "README.md" && !bytes.Equal(got, want) {
			t.Errorf("%s: the clean member changed", name)
		}
	}
}

func readMember(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestInlineAllow(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	a, b, c := ghTok(600), ghTok(601), ghTok(602)
	write(t, "fixture.txt", []byte("TOKEN="+a+"  # scrubgate:allow test fixture\nTOKEN="+b+"\n"))
	write(t, "t.jsonl", []byte(`{"m":"token `+c+`","note":"scrubgate:allow"}`+"\n"))
	res := run(t, Options{Paths: []string{"."}})
	if res.Suppressed != 2 || len(res.Items) != 1 || res.Items[0].Start.Line != 2 {
		t.Fatalf("suppressed %d:\n%s", res.Suppressed, dumpItems(res))
	}
	// redaction is fail-closed: suppressed findings are replaced too
	res = run(t, Options{Paths: []string{"."}, RedactInPlace: true})
	if len(res.Errors) != 0 {
		t.Fatal(dumpItems(res))
	}
	for _, name := range []string{"fixture.txt", "t.jsonl"} {
		data, _ := os.ReadFile(name)
		for _, tok := range []string{a, b, c} {
			if bytes.Contains(data, []byte(tok)) {
				t.Errorf("%s: an allowed secret was not redacted", name)
			}
		}
	}
}

func TestLineTrackerFindsMarkersAcrossReads(t *testing.T) {
	text := "one\ntwo scrubgate:allow\nthree\n\nfive scrubgate:allow scrubgate:allow\nscrubgate:allo\nw\n"
	for _, chunk := range []int{1, 2, 3, 7, 15, 16, 17, 1000} {
		tr := newLineTracker(&chunkReader{data: []byte(text), n: chunk})
		io.Copy(io.Discard, tr)
		if len(tr.allow) != 2 || !tr.allow[2] || !tr.allow[5] || tr.n != int64(len(text)) || tr.line != 8 {
			t.Errorf("chunk %d: %v, n %d, line %d", chunk, tr.allow, tr.n, tr.line)
		}
		if !tr.allowed(1, 2) || tr.allowed(3, 4) || !tr.allowed(4, 100) {
			t.Errorf("chunk %d: allowed() wrong", chunk)
		}
	}
}

type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// Redaction must never drop lines: a log that starts like an SSE field is text,
// and an SSE capture's HTTP response head is kept (redacted) ahead of its events.
func TestRedactKeepsLookalikesAndCaptureHeads(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(77)
	log := "id: run-42\nstep: deploy\nexport GITHUB_TOKEN=" + tok + "\nstep: done\n"
	write(t, "run.log", []byte(log))
	capture := "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nauthorization: Bearer " + tok + "\r\n\r\n" +
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\r\n\r\ndata: [DONE]\r\n\r\n"
	write(t, "cap.sse", []byte(capture))
	res := run(t, Options{Paths: []string{"run.log", "cap.sse"}, RedactInPlace: true})
	if len(res.Errors) != 0 || len(res.Redacted) != 2 {
		t.Fatalf("redacted %v\n%s", res.Redacted, dumpItems(res))
	}
	got, _ := os.ReadFile("run.log")
	if want := strings.Replace(log, tok, string(testMask(scanner.Finding{Kind: "github-token"})), 1); string(got) != want {
		t.Fatalf("run.log changed beyond the secret:\n%q\nwant\n%q", got, want)
	}
	got, _ = os.ReadFile("cap.sse")
	if strings.Contains(string(got), tok) || !strings.HasPrefix(string(got), "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nauthorization: Bearer [[scrub:") ||
		!strings.Contains(string(got), `"content":"hi"`) {
		t.Fatalf("capture head lost or not redacted:\n%s", got)
	}
}

// In-place redaction of a symbolic link named on the command line rewrites the
// file it points to and keeps the link.
func TestRedactInPlaceFollowsANamedLink(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(88)
	write(t, "real/session.txt", []byte("GITHUB_TOKEN="+tok+"\n"))
	if err := os.Symlink("real/session.txt", "link.txt"); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Paths: []string{"link.txt"}, RedactInPlace: true})
	if len(res.Errors) != 0 || len(res.Redacted) != 1 {
		t.Fatalf("redacted %v\n%s", res.Redacted, dumpItems(res))
	}
	if st, err := os.Lstat("link.txt"); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a file")
	}
	if b, _ := os.ReadFile("real/session.txt"); strings.Contains(string(b), tok) {
		t.Fatal("the link's target still holds the secret")
	}
}

// In a JSON record an allow marker covers its own line of text only: one allowed
// fixture in a captured `cat .env` must not hide the production key below it.
func TestInlineAllowInJSONCoversItsTextLine(t *testing.T) {
	fixture, prod := ghTok(610), ghTok(611)
	rec := `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"FIXTURE_TOKEN=` + fixture +
		` # scrubgate:allow\nPROD_TOKEN=` + prod + `\n"}]}}` + "\n"
	for _, chunk := range []int{1, 5, 17, 4096} {
		tr := newLineTracker(&chunkReader{data: []byte(rec), n: chunk})
		io.Copy(io.Discard, tr)
		fi, pi := int64(strings.Index(rec, fixture)), int64(strings.Index(rec, prod))
		if !tr.allowedSpan(fi, fi+int64(len(fixture))) || tr.allowedSpan(pi, pi+int64(len(prod))) {
			t.Fatalf("chunk %d: spans %+v", chunk, tr.spans)
		}
	}
	dir := t.TempDir()
	chdir(t, dir)
	write(t, "session.jsonl", []byte(rec))
	res := run(t, Options{Paths: []string{"."}})
	if res.Suppressed != 1 || len(res.Items) != 1 || res.Items[0].Start.Offset != int64(strings.Index(rec, prod)) {
		t.Fatalf("suppressed %d:\n%s", res.Suppressed, dumpItems(res))
	}
}
