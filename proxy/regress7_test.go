package proxy

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/scanner"
)

// cc20dfe says body path allowlists no longer reach into upload parts. A plain
// (non-archive) JSON file part is scanned with loc "" (transport.go:339), so its
// hits carry bare "$.metadata.trace" and "$.metadata.*" (meant for the request's
// own JSON) still lets a secret in the uploaded file through.
func TestReview10AllowPathMatchesUploadedJSONPart(t *testing.T) {
	const aws = "AKIAZQ7RT2MXKW3LNP4V"
	sc, err := scanner.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol := compilePolicy(Policy{Allow: Allowlist{Paths: []string{"$.metadata.*"}}}, false)
	var hits []string
	s := &providers.Scrubber{Scanner: sc, Handle: func(f *scanner.Finding) string { return "[REDACTED]" }, Decide: pol.decide,
		Report: func(h *providers.Hit) { hits = append(hits, h.Location+" "+string(h.Action)) }}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("purpose", "assistants")
	pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="cfg.json"`}, "Content-Type": {"application/json"}})
	pw.Write([]byte(`{"metadata":{"trace":"` + aws + `"}}`))
	mw.Close()
	up := &r5xUp{}
	req, _ := http.NewRequest("POST", "http://gw/v1/files", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := (&providers.Transport{Scrubber: s, Base: up}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	t.Logf("status %d hits %v", resp.StatusCode, hits)
	if up.reached && bytes.Contains(up.body, []byte(aws)) {
		t.Errorf("allow path $.metadata.* let a secret in an uploaded JSON file part through: %v", hits)
	}
}
