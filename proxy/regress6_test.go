package proxy

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/scanner"
)

type r5xUp struct {
	reached bool
	body    []byte
}

func (u *r5xUp) RoundTrip(r *http.Request) (*http.Response, error) {
	u.reached = true
	u.body, _ = io.ReadAll(r.Body)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
}

// Review 8 made policy see a member's whole location
// ("multipart:u.zip!cfg.json:$.metadata.trace"), so that an allow path written for
// the request's own JSON ($.metadata.*) no longer lets secrets in uploaded archive
// members through. The proxy's policy strips everything before the first ":$" of a
// location that does not start with "$" (meant for SSE event names), so it still
// matches $.metadata.trace and allows the member's secret.
func TestReview9AllowPathMatchesArchiveMember(t *testing.T) {
	const aws = "AKIAZQ7RT2MXKW3LNP4V"
	sc, err := scanner.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol := compilePolicy(Policy{Allow: Allowlist{Paths: []string{"$.metadata.*"}}}, false)
	var hits []string
	s := &providers.Scrubber{Scanner: sc, Handle: func(f *scanner.Finding) string { return "[REDACTED]" }, Decide: pol.decide,
		Report: func(h *providers.Hit) { hits = append(hits, h.Location+" "+string(h.Action)) }}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "cfg.json", Method: zip.Store})
	w.Write([]byte(`{"metadata":{"trace":"` + aws + `"}}`))
	zw.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("purpose", "assistants")
	pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="u.zip"`}, "Content-Type": {"application/zip"}})
	pw.Write(zb.Bytes())
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
		t.Errorf("allow path $.metadata.* let a secret in an uploaded zip member through: %v", hits)
	}
}
