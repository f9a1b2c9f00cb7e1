package providers

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// A tar member of type '7' (contiguous file; GNU tar and bsdtar extract it as a
// regular file) is skipped unread: h.Typeflag != tar.TypeReg.
func TestReview7TarContiguousMemberUnscanned(t *testing.T) {
	env := []byte("AWS_ACCESS_KEY_ID=" + r13AWS + "\n")
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "src/.env", Mode: 0o644, Size: int64(len(env)), Typeflag: tar.TypeCont, Format: tar.FormatUSTAR})
	tw.Write(env)
	tw.Close()
	// Go's reader hands the member's bytes out
	tr := tar.NewReader(bytes.NewReader(b.Bytes()))
	h, _ := tr.Next()
	var got bytes.Buffer
	got.ReadFrom(tr)
	if !bytes.Contains(got.Bytes(), []byte(r13AWS)) || h.Typeflag != tar.TypeCont {
		t.Fatalf("setup: %q %c", got.Bytes(), h.Typeflag)
	}
	s, _ := newTestScrubber(t)
	up := &r13Upstream{}
	ct, body := r13Upload("src.tar.gz", "application/gzip", r13Gzip(b.Bytes()))
	resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
	if resp.StatusCode != 400 || up.reached {
		t.Errorf("tar member of type '7' with a secret: status %d, reached upstream %v (%s)", resp.StatusCode, up.reached, msg)
	}
}

// A gzip'd JSONL batch file whose line holds a text document as a data: URL of
// more than 64 KiB: uploaded plain, base64Docs decodes it; inside the gzip member
// only Scanner.Scan runs, whose base64 detection stops at 64 KiB runs.
func TestReview7ArchiveMemberBase64DocUnscanned(t *testing.T) {
	doc := strings.Repeat("some notes in a text file\n", 4000) + "AWS_ACCESS_KEY_ID=" + r13AWS + "\n"
	line := `{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/plain;base64,` +
		base64.StdEncoding.EncodeToString([]byte(doc)) + `"}}]}]}}` + "\n"
	for _, c := range []struct {
		name string
		data []byte
	}{{"plain jsonl", []byte(line)}, {"jsonl.gz", r13Gzip([]byte(line))}} {
		s, rec := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload("batch."+c.name, "application/octet-stream", c.data)
		resp, _ := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		t.Logf("%s: status %d, hits %d, reached %v", c.name, resp.StatusCode, len(rec.hits), up.reached)
		if len(rec.hits) == 0 {
			t.Errorf("%s: the secret in the base64 document was not found", c.name)
		}
	}
}
