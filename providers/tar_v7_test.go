package providers

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strings"
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

// sniff.UTF16 takes UTF-16 without a byte order mark only when most of it is
// ASCII. A BOM-less UTF-16 file with a key on its first line and Japanese after it
// was then read as raw bytes, where the NUL after every character hid the key:
// archive members and base64 documents of a non-text type went upstream with it
// (review 12). NUL-bearing data not taken for UTF-16 is also read without its NUL
// bytes, and a secret there blocks.
func TestUTF16WithoutBOMMostlyNonASCII(t *testing.T) {
	text := "AWS_ACCESS_KEY_ID=" + r13AWS + "\n" + strings.Repeat("本番環境の認証情報です。", 200) + "\n"
	doc := encodeUTF16([]byte(text), false) // UTF-16LE, no BOM
	if _, ok := utf16Of(doc, ""); ok {
		t.Fatal("test document is taken for UTF-16; it should not be")
	}
	for _, u := range []struct {
		file, ct string
		data     []byte
	}{
		{"notes.tar.gz", "application/gzip", r13Gzip(r13Tar(t, r13File{"notes/creds.txt", doc}))},
		{"notes.zip", "application/zip", r13Zip(t, r13File{"notes/creds.txt", doc})},
	} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload(u.file, u.ct, u.data)
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
		if up.reached {
			t.Errorf("%s: UTF-16 member holding an AWS key forwarded upstream (%d %s)", u.file, resp.StatusCode, msg)
		}
	}
	for _, mt := range []string{"application/octet-stream", "text/plain"} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/responses", "application/json", "", r13FileData(mt, doc))
		if up.reached {
			t.Errorf("file_data %s: UTF-16 document holding an AWS key forwarded upstream (%d %s)", mt, resp.StatusCode, msg)
		}
	}
}

// Review 13: the NUL-free view joined binary bytes into values, so a zipped .pyc
// (CPython 3.13's test_robotparser) was blocked as a password assignment; it is an
// ASCII view now (other bytes break lines). And UTF-16 whose text is shifted by
// one byte (an odd-length ANSI line appended between UTF-16 ones) had no such view
// because it was taken for UTF-16: every NUL-bearing input gets one.
func TestReview13NULViews(t *testing.T) {
	pyc := append([]byte("\xf3\r\r\n\x00\x00\x00\x00(\xb9\tk\x87\x00\x00\x00\xe3\x00\x00\x00\x00"),
		"\xda#PasswordProtectedSiteTestCase.setUp=\x01\x00\x00sw\x00\x00\x00\x80\x00\xe0\x08\x0c\x8f\x0f\x89\x0f\x9c\x06\x9f\x0e\x99\x0e\xd7"...)
	s, _ := newTestScrubber(t)
	up := &r13Upstream{}
	ct, body := r13Upload("src.zip", "application/zip", r13Zip(t, r13File{"tests/__pycache__/test_robotparser.cpython-313.pyc", pyc}))
	if resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body); !up.reached {
		t.Errorf("zip holding a .pyc (no secret) blocked: %d %s", resp.StatusCode, msg)
	}

	doc := append([]byte{0xFF, 0xFE}, encodeUTF16([]byte("deploy log\r\n"), false)...)
	doc = append(doc, "done.\r\n"...) // 7 bytes of ANSI: what follows is odd-aligned
	doc = append(doc, encodeUTF16([]byte("AWS_ACCESS_KEY_ID="+r13AWS+"\r\n"), false)...)
	if _, ok := utf16Of(doc, ""); !ok {
		t.Fatal("test document is not taken for UTF-16")
	}
	for _, u := range []struct {
		file, ct string
		data     []byte
	}{
		{"logs.zip", "application/zip", r13Zip(t, r13File{"logs/deploy.log", doc})},
		{"logs.tar.gz", "application/gzip", r13Gzip(r13Tar(t, r13File{"logs/deploy.log", doc}))},
	} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		ct, body := r13Upload(u.file, u.ct, u.data)
		if resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body); up.reached {
			t.Errorf("%s: member with an AWS key forwarded upstream (%d %s)", u.file, resp.StatusCode, msg)
		}
	}
	for _, mt := range []string{"application/octet-stream", "text/plain"} {
		s, _ := newTestScrubber(t)
		up := &r13Upstream{}
		resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/responses", "application/json", "", r13FileData(mt, doc))
		if up.reached && bytes.Contains(bytes.ReplaceAll(r13Doc(t, up.body), []byte{0}, nil), []byte(r13AWS)) {
			t.Errorf("file_data %s: AWS key forwarded upstream (%d %s)", mt, resp.StatusCode, msg)
		}
	}
}
