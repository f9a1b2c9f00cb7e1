package providers

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"testing"
)

func r5xSend(t *testing.T, data []byte) (*r13Upstream, *recorder, int) {
	s, rec := newTestScrubber(t)
	up := &r13Upstream{}
	ct, body := r13Upload("u.bin", "application/octet-stream", data)
	resp, _ := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
	return up, rec, resp.StatusCode
}

// gzip name/comment are scanned, but only the first member's header: a
// multi-member gzip (cat a.gz b.gz) carries its second header unscanned.
func TestReview9GzipSecondMemberHeader(t *testing.T) {
	tok := ghToken("Gz5mPx")
	var b bytes.Buffer
	for i, name := range []string{"a.txt", "token " + tok} {
		zw := gzip.NewWriter(&b)
		zw.Name = name
		if i == 1 {
			zw.Comment = "deploy " + tok
		}
		zw.Write([]byte("nothing here\n"))
		zw.Close()
	}
	// control: the same header as the first member is caught
	var c bytes.Buffer
	zw := gzip.NewWriter(&c)
	zw.Name = "token " + tok
	zw.Write([]byte("x\n"))
	zw.Close()
	if up, _, _ := r5xSend(t, c.Bytes()); up.reached {
		t.Fatal("control: first-member name not caught")
	}
	up, rec, st := r5xSend(t, b.Bytes())
	if up.reached && bytes.Contains(up.body, []byte(tok)) {
		t.Errorf("token in the header of the second gzip member forwarded (status %d, %d hits)", st, len(rec.hits))
	}
}

// Bytes after the tar end-of-archive blocks (cat a.tar b.tar) are never read.
func TestReview9TarAfterEOF(t *testing.T) {
	env := []byte("AWS_ACCESS_KEY_ID=" + r13AWS + "\n")
	data := append(r13Tar(t, r13File{"a.txt", []byte("ok\n")}), r13Tar(t, r13File{".env", env})...)
	up, rec, st := r5xSend(t, data)
	if up.reached && bytes.Contains(up.body, []byte(r13AWS)) {
		t.Errorf("second tar of a concatenation forwarded with its secret (status %d, %d hits)", st, len(rec.hits))
	}
}

// Mutated archives (zip, tar with PAX, gzip with name/comment/extra) never panic.
func TestReview9MutatedArchivesRefusedOrUnchanged(t *testing.T) {
	tok := ghToken("Mu7aTe")
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "a/b.txt", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg, PAXRecords: map[string]string{"comment": "x"}})
	tw.Write([]byte("ok\n"))
	tw.WriteHeader(&tar.Header{Name: "l", Linkname: "a/b.txt", Typeflag: tar.TypeSymlink})
	tw.Close()
	var gb bytes.Buffer
	zw := gzip.NewWriter(&gb)
	zw.Name, zw.Comment, zw.Extra = "n", "c", []byte("AB\x02\x00xy")
	zw.Write(tb.Bytes())
	zw.Close()
	seeds := [][]byte{tb.Bytes(), gb.Bytes(), r13Zip(t, r13File{"x/" + tok, []byte("hi")}, r13File{"y.json", []byte(`{"a":1}`)})}
	s, _ := newTestScrubber(t)
	rng := uint64(1)
	next := func() uint64 { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng }
	for iter := 0; iter < 6000; iter++ {
		src := append([]byte(nil), seeds[iter%len(seeds)]...)
		for k := 0; k < 1+int(next()%4); k++ {
			src[next()%uint64(len(src))] = byte(next())
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic %v on %q", r, src)
				}
			}()
			// an archive is refused or forwarded exactly as it came: its members
			// cannot be edited
			out, _, err := s.Body(Request, src)
			if err == nil && archiveKind(src) != "" && !bytes.Equal(out, src) {
				t.Fatalf("an archive was forwarded edited: %q", src)
			}
		}()
	}
}
