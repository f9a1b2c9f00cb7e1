package providers

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"
)

// R8: a JSON body that does not start with '{' or '[' after ASCII whitespace (a
// UTF-8 BOM, which Python/Node JSON parsers and many servers accept) is scanned as
// TEXT: escaped secrets (PEM keys with \n, tokens written with \u escapes) pass.
func TestReviewBOMJSONScannedAsText(t *testing.T) {
	s, _ := newTestScrubber(t)
	// PHP's json_encode and others write "/" as "\/"; JSON mode decodes it, text mode does not.
	msg := []byte(`{"messages":[{"role":"user","content":"aws_secret_access_key=Zq8\/Kx2Lm9Np3Rt7Vw1Yb5Cd6Ef0Gh4Ij8Kl2Mn"}]}`)
	const probe = `Kx2Lm9Np3Rt7Vw1Yb5Cd6Ef0Gh4Ij8Kl2Mn`
	if plain, _, _ := s.Body(Request, msg); strings.Contains(string(plain), probe) {
		t.Fatal("fixture: JSON mode misses the secret")
	}
	bom := append([]byte("\xEF\xBB\xBF"), msg...)
	if out, _, _ := s.Body(Request, bom); strings.Contains(string(out), probe) {
		t.Errorf("BOM-prefixed JSON scanned as text: secret forwarded: %s", out)
	}
}

// R9: charset is ignored: a UTF-16 JSON body (accepted by Python's json.loads on
// bytes, i.e. FastAPI/Starlette upstreams such as vLLM or LiteLLM) is not decoded,
// so nothing in it is found and it is forwarded as is.
func TestReviewUTF16BodyForwardedUnscanned(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	js := `{"messages":[{"role":"user","content":"deploy with ` + tok + `"}]}`
	u := utf16.Encode([]rune(js))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		t.Fatal("a UTF-16 body reached upstream")
		return nil, nil
	})}
	for _, ct := range []string{"application/json", "application/json; charset=utf-16"} {
		req, _ := http.NewRequest("POST", "http://up/v1/chat/completions", bytes.NewReader(b))
		req.Header.Set("Content-Type", ct)
		resp, err := tr.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("%s: want 415, got %v %v", ct, resp, err)
		}
	}
}
