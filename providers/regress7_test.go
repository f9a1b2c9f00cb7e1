package providers

import (
	"errors"
	"strings"
	"testing"
)

// R13: multipart parts are scanned as raw bytes; Content-Transfer-Encoding is
// neither decoded nor refused. A quoted-printable part (decoded by python-multipart,
// i.e. Starlette/FastAPI upstreams) hides a token behind a soft line break.
func TestReviewMultipartTransferEncodingForwarded(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	qp := tok[:12] + "=\r\n" + tok[12:] // soft line break: decodes to tok
	body := "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n" +
		"Content-Type: application/jsonl\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		`{"custom_id":"1","body":{"messages":[{"role":"user","content":"` + qp + `"}]}}` + "\r\n--XYZ--\r\n"
	out, _, err := scrubRequestBody(s, "multipart/form-data; boundary=XYZ", []byte(body))
	if !errors.Is(err, errUnscannablePart) || strings.Contains(string(out), qp) {
		t.Fatalf("a quoted-printable part must be refused: %v", err)
	}
}
