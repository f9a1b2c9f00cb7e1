package providers

import (
	"archive/tar"
	"bytes"
	"fmt"
	"testing"
)

// An old-style (V7) tar has no magic, only a name and a checksum. The gateway took
// only ustar headers for tar, so a V7 tar upload was scanned as raw bytes: a
// UTF-16 member (as PowerShell writes .env files) went upstream with its key.
// Both the gateway and the CI scan now use sniff.TarHeader.
func TestV7TarUploadMembersScanned(t *testing.T) {
	env := encodeUTF16([]byte("\ufeffAWS_ACCESS_KEY_ID="+r13AWS+"\n"), false)
	ustar := r13Tar(t, r13File{"src/.env", env})
	v7 := append([]byte(nil), ustar...)
	h := v7[:512]
	clear(h[257:512]) // no magic, version or owner names
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	if hd, err := tar.NewReader(bytes.NewReader(v7)).Next(); err != nil || hd.Name != "src/.env" || bytes.Contains(h, []byte("ustar")) {
		t.Fatalf("test tar is not a readable V7 tar: %v %v", hd, err)
	}
	for name, data := range map[string][]byte{"tar": v7, "tar.gz": r13Gzip(v7)} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload("src."+name, "application/octet-stream", data)
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if up.reached {
			t.Errorf("%s: V7 tar with a UTF-16 .env holding a key: status %d, forwarded upstream (%s)", name, resp.StatusCode, msg)
		}
	}
}
