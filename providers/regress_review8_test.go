package providers

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// A tar member with a typeflag tar does not know ('Z'; POSIX: treat as a regular
// file; GNU tar 1.34 extracts it so, with a warning) is skipped unread, as '7' was
// before review 7.
func TestReview8TarUnknownTypeflagMemberUnscanned(t *testing.T) {
	env := []byte("AWS_ACCESS_KEY_ID=" + r13AWS + "\n")
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "src/.env", Mode: 0o644, Size: int64(len(env)), Typeflag: 'Z', Format: tar.FormatUSTAR})
	tw.Write(env)
	tw.Close()
	for name, data := range map[string][]byte{"tar": b.Bytes(), "tar.gz": r13Gzip(b.Bytes())} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload("src."+name, "application/octet-stream", data)
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if up.reached {
			t.Errorf("%s: tar member of type 'Z' with a secret: status %d, forwarded upstream (%s)", name, resp.StatusCode, msg)
		}
	}
}

func TestReview8MemberShapes(t *testing.T) {
	aws := r13AWS
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	key := "AKIAZZZZBFIQTZPHXMQA"
	contents := map[string]string{
		"text":          "AWS_ACCESS_KEY_ID=" + aws + "\n",
		"json":          `{"a":"` + aws + `"}`,
		"json key":      `{"` + key + `":{"v":"` + aws + `"}}`,
		"json key doc":  `{"` + key + `":"data:text/plain;base64,` + b64("k "+aws+"\n") + `"}`,
		"jsonl key doc": `{"custom_id":"a","body":{"` + key + `":"data:text/plain;base64,` + b64("k "+aws+"\n") + `"}}` + "\n" + `{"x":1}` + "\n",
		"args":          `{"choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":"{\"` + key + `\":\"` + aws + `\"}"}}]}}]}`,
		"jsonl args":    `{"custom_id":"a","body":{"tool_calls":[{"function":{"arguments":"{\"k\":\"` + aws + `\"}"}}]}}` + "\n",
		"utf16":         string(encodeUTF16([]byte("\ufeffkey "+aws+"\n"), false)),
		"doc zip":       `{"f":"data:text/plain;base64,` + base64.StdEncoding.EncodeToString(r13Zip(t, r13File{"in.txt", []byte("k " + aws + "\n")})) + `"}`,
	}
	for what, content := range contents {
		for _, arch := range []string{"zip", "tar.gz", "gz"} {
			var data []byte
			switch arch {
			case "zip":
				data = r13Zip(t, r13File{"m/" + what, []byte(content)})
			case "tar.gz":
				data = r13Gzip(r13Tar(t, r13File{"m/f", []byte(content)}))
			case "gz":
				data = r13Gzip([]byte(content))
			}
			s, rec := newTestScrubber(t)
			up := &r13Upstream{}
			ct, body := r13Upload("u."+arch, "application/octet-stream", data)
			resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
			if up.reached {
				t.Errorf("%s/%s: forwarded (status %d)", what, arch, resp.StatusCode)
			}
			if bytes.Contains([]byte(msg), []byte(key[4:])) || bytes.Contains([]byte(msg), []byte(aws[4:])) {
				t.Errorf("%s/%s: secret in message %s", what, arch, msg)
			}
			seen := map[string]int{}
			for _, h := range rec.hits {
				seen[h.Location+" "+string(h.Action)]++
				if h.Action == ActionRedact {
					t.Errorf("%s/%s: hit reported redacted at %s", what, arch, h.Location)
				}
				if bytes.Contains([]byte(h.Location), []byte(key[4:])) {
					t.Errorf("%s/%s: secret key in location %s", what, arch, h.Location)
				}
			}
			for k, n := range seen {
				if n > 1 {
					t.Errorf("%s/%s: %d hits at %s", what, arch, n, k)
				}
			}
			if len(rec.hits) == 0 {
				t.Errorf("%s/%s: no hits (status %d %s)", what, arch, resp.StatusCode, msg)
			}
			t.Logf("%s/%s: %d %s hits=%v", what, arch, resp.StatusCode, msg, seen)
		}
	}
}

// Policy (Decide) sees a member's hit at its location inside the member ("$.metadata.trace"),
// not at the location reported ("multipart:u.zip!cfg.json:$.metadata.trace"): an
// allow path meant for the request's own metadata (`$.metadata.*`, the documented
// example) lets a secret in any uploaded archive member with that shape through.
func TestReview8MemberDecideSeesInnerLocation(t *testing.T) {
	member := []byte(`{"metadata":{"trace":"` + r13AWS + `"}}`)
	s, rec := newTestScrubber(t)
	var decided []string
	s.Decide = func(h *Hit) Action {
		decided = append(decided, h.Location)
		if strings.HasPrefix(h.Location, "$.metadata.") {
			return ActionAllow
		}
		return ActionRedact
	}
	up := &r13Upstream{}
	ct, body := r13Upload("u.zip", "application/zip", r13Zip(t, r13File{"cfg.json", member}))
	resp, _ := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
	var reported []string
	for _, h := range rec.hits {
		reported = append(reported, h.Location+" "+string(h.Action))
	}
	t.Logf("status %d reached %v decided %v reported %v", resp.StatusCode, up.reached, decided, reported)
	if len(decided) > 0 && len(rec.hits) > 0 && decided[0] != rec.hits[0].Location {
		t.Errorf("Decide saw %q, the alert says %q", decided[0], rec.hits[0].Location)
	}
}

// What an archive holds besides member data is not read: a secret in a member
// name, a zip comment or a tar PAX record reaches the upstream without an alert
// (the bytes of the upload are never scanned as text once recognised as an archive).
func TestReview8ArchiveMetadataUnscanned(t *testing.T) {
	tok := ghToken("Qw3rT9")
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("creds/" + tok + ".txt")
	w.Write([]byte("nothing here\n"))
	zw.SetComment("deploy token " + tok)
	zw.Close()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg, PAXRecords: map[string]string{"comment": "token " + tok}})
	tw.Write([]byte("ok\n"))
	tw.Close()
	for name, data := range map[string][]byte{"zip": zb.Bytes(), "tar": tb.Bytes()} {
		if !bytes.Contains(data, []byte(tok)) {
			t.Fatalf("%s: setup", name)
		}
		s, rec := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload("u."+name, "application/octet-stream", data)
		resp, _ := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if up.reached && bytes.Contains(up.body, []byte(tok)) {
			t.Errorf("%s: token in archive metadata forwarded (status %d, %d hits)", name, resp.StatusCode, len(rec.hits))
		}
	}
}
