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

// Allow paths are written for the request's own JSON ($.metadata.*). Review 9:
// the proxy's policy stripped everything before the first ":$" of a location that
// does not start with "$" (meant for SSE event names), so an archive member's
// "multipart:u.zip!cfg.json:$.metadata.trace" matched and its secret was allowed
// through. Review 10: a plain JSON file part was scanned with no location at all,
// so its hits carried the bare "$.metadata.trace".
func TestAllowPathsStayOutOfUploads(t *testing.T) {
	const aws = "AKIAZQ7RT2MXKW3LNP4V"
	doc := []byte(`{"metadata":{"trace":"` + aws + `"}}`)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "cfg.json", Method: zip.Store})
	w.Write(doc)
	zw.Close()
	pol := compilePolicy(Policy{Allow: Allowlist{Paths: []string{"$.metadata.*"}}}, false)
	for _, c := range []struct {
		name, file, contentType string
		data                    []byte
	}{
		{"zip member", "u.zip", "application/zip", zb.Bytes()},
		{"JSON file part", "cfg.json", "application/json", doc},
	} {
		var hits []string
		s := &providers.Scrubber{Scanner: baseScanner(t), Handle: func(f *scanner.Finding) string { return "[REDACTED]" }, Decide: pol.decide,
			Report: func(h *providers.Hit) { hits = append(hits, h.Location+" "+string(h.Action)) }}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("purpose", "assistants")
		pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="` + c.file + `"`}, "Content-Type": {c.contentType}})
		pw.Write(c.data)
		mw.Close()
		up := &r5xUp{}
		req, _ := http.NewRequest("POST", "http://gw/v1/files", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := (&providers.Transport{Scrubber: s, Base: up}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		t.Logf("%s: status %d hits %v", c.name, resp.StatusCode, hits)
		if up.reached && bytes.Contains(up.body, []byte(aws)) {
			t.Errorf("%s: allow path $.metadata.* let a secret in an upload through: %v", c.name, hits)
		}
	}
}
