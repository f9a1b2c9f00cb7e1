package ciscan

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// C1: the archive budget counts the member sizes in the archive; a compressed member
// is decoded again up to the size limit, so the bytes scanned are not bounded by it.
func TestC1BudgetNestedCompression(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	const lim = 1 << 20
	bomb := gzipBytes(t, bytes.Repeat([]byte("a "), lim/2))
	var members []zipMember
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for i := 0; i < 40; i++ {
		members = append(members, zipMember{name: fmt.Sprintf("m%d.log.gz", i), data: bomb})
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("m%d.log.gz", i), Mode: 0o644, Size: int64(len(bomb)), Typeflag: tar.TypeReg})
		tw.Write(bomb)
	}
	tw.Close()
	write(t, "many.zip", zipBytes(t, members...))
	write(t, "many.tar", tb.Bytes())
	for _, f := range []string{"many.zip", "many.tar"} {
		res := run(t, Options{Paths: []string{f}, MaxSize: lim})
		t.Logf("%s: %d bytes archive, %d bytes scanned (budget %d), %d skips", f, len(bomb)*40, res.Bytes, 4*lim, len(res.Skipped))
		// the budget is checked before each member, so the last one may overshoot it
		// by at most the size limit
		if res.Bytes > 5*lim || len(res.Skipped) == 0 {
			t.Errorf("%s: scanned %d MiB with a budget of %d MiB, %d skips", f, res.Bytes>>20, 4*lim>>20, len(res.Skipped))
		}
	}
	_ = strings.Repeat
}

// C2: redaction of an SSE capture goes through the gateway's Stream, whose skip-list
// leaves base64-looking values in signature shapes alone: the scan reports the
// secret, the "redacted" copy keeps it.
func TestC2SSERedactionSkipList(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(7)
	in := "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"" + tok + "\"}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	write(t, "cap.sse", []byte(in))
	res := run(t, Options{Paths: []string{"cap.sse"}, RedactInPlace: true})
	got := readFile(t, "cap.sse")
	t.Logf("items %d errs %+v redacted %v", len(res.Items), res.Errors, res.Redacted)
	if len(res.Items) > 0 && strings.Contains(got, tok) {
		t.Errorf("reported secret kept by redaction:\n%s", got)
	}
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// C3: walking a directory whose .git/config is attacker-written runs git, which runs
// core.fsmonitor: a command execution by scanning.
func TestC3GitFsmonitorRuns(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	write(t, "a.txt", []byte("hello\n"))
	write(t, ".git/HEAD", []byte("ref: refs/heads/main\n"))
	write(t, ".git/config", []byte("[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = touch "+dir+"/PWNED; echo\n"))
	os.MkdirAll(".git/objects", 0o755)
	os.MkdirAll(".git/refs", 0o755)
	run(t, Options{Paths: []string{"."}, RespectGitignore: true})
	if _, err := os.Stat(dir + "/PWNED"); err == nil {
		t.Errorf("scanning %s ran the repository's core.fsmonitor command", dir)
	}
}

// C4: a tar archive inside a zip: its members' findings are reported, but the unit's
// found count stays 0, so redaction copies the tar member (and the zip) unchanged
// without an error.
func TestC4TarInZipRedaction(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(9)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	body := []byte("export GITHUB_TOKEN=" + tok + "\n")
	tw.WriteHeader(&tar.Header{Name: "env.sh", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	tw.Close()
	write(t, "logs.zip", zipBytes(t, zipMember{name: "bundle.tar", data: tb.Bytes()}))
	for _, opts := range []Options{{Paths: []string{"logs.zip"}, RedactTo: dir + "/out"}, {Paths: []string{"logs.zip"}, RedactInPlace: true}} {
		res := run(t, opts)
		p := "logs.zip"
		if opts.RedactTo != "" {
			p = dir + "/out/logs.zip"
		}
		got, _ := os.ReadFile(p)
		t.Logf("items %d errors %+v redacted %v", len(res.Items), res.Errors, res.Redacted)
		if len(res.Items) > 0 && len(res.Errors) == 0 && bytes.Contains(got, []byte(tok)) {
			t.Errorf("redact-to=%q: reported secret kept in %s with no error", opts.RedactTo, p)
		}
	}
}

type cutReader struct {
	b    []byte
	cuts []int
	i    int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := 1
	if c.i < len(c.cuts) {
		n = c.cuts[c.i]
		c.i++
	}
	n = min(n, len(c.b), len(p))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

func trackerSpans(in []byte, cuts []int) []allowSpan {
	t := newLineTracker(&cutReader{b: in, cuts: cuts})
	io.Copy(io.Discard, struct{ io.Reader }{t})
	return t.spans
}

// C5: allow spans must not depend on how reads cut the input.
func TestC5AllowSpansChunking(t *testing.T) {
	inputs := []string{
		`{"a":"x\nscrubgate:allow tok\ny"}` + "\n",
		`{"a":"x\\nscrubgate:allow tok\\\\ny\n"}` + "\n",
		`{"a":"p\\\\\\nscrubgate:allow\\nq"}` + "\n",
		`{"a":"scrubgate:allowscrubgate:allow\\n"}`,
	}
	for _, in := range inputs {
		want := trackerSpans([]byte(in), []int{1 << 20})
		for seed := 0; seed < 2000; seed++ {
			r := rand.New(rand.NewSource(int64(seed)))
			var cuts []int
			for k := 0; k < len(in); k++ {
				cuts = append(cuts, 1+r.Intn(17))
			}
			got := trackerSpans([]byte(in), cuts)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%q cuts %v: spans %v, whole read %v", in, cuts[:8], got, want)
				break
			}
		}
	}
}

// C6: an input whose first 64 KiB read as SSE is rewritten as events: lines past the
// head that are no SSE field are dropped from the redacted file.
func TestC6SSERedactionDropsLines(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(3)
	var b strings.Builder
	for b.Len() < 70<<10 {
		b.WriteString("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello\"}}]}\n\n")
	}
	b.WriteString("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"key " + tok + "\"}}]}\n\n")
	b.WriteString("data: [DONE]\n\n")
	b.WriteString("# notes appended by the operator\nrotated on 2025-01-02, ticket OPS-1234\n")
	write(t, "cap.txt", []byte(b.String()))
	run(t, Options{Paths: []string{"cap.txt"}, RedactInPlace: true})
	got := readFile(t, "cap.txt")
	if !strings.Contains(got, "ticket OPS-1234") {
		t.Errorf("redaction dropped the lines after the stream: tail %q", got[len(got)-120:])
		os.WriteFile("/tmp/review4/c6.out", []byte(got), 0o644)
	}
}

// C7: a whole secret in the same event as the middle piece of a split one (another
// choice of the chunk) is "covered" by the split finding and dropped, and the
// assembler's own copy of it is dropped as a duplicate of the scanner's.
func TestC7SplitCoversWholeSecretInSameEvent(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	t1, t2 := ghTok(2201), ghTok(2202)
	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	cap := `data: {"id":"c1","choices":[{"index":0,"delta":{"content":` + js("token "+t1[:12]) + `}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{"content":` + js(t1[12:28]) + `}},{"index":1,"delta":{"content":` + js("other "+t2+" end") + `}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{"content":` + js(t1[28:]+" ok") + `}}]}` + "\n\n" +
		"data: [DONE]\n\n"
	write(t, "cap.sse", []byte(cap))
	res := run(t, Options{Paths: []string{"cap.sse"}})
	t.Logf("%s", dumpItems(res))
	if len(res.Items) < 2 {
		t.Errorf("two secrets, %d finding(s) reported", len(res.Items))
	}
}
