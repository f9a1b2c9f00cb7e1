package providers

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

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
