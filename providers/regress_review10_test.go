package providers

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"
	"time"

	"github.com/scrubgate/scrubgate/internal/sniff"
)

func r6xTar(t *testing.T, name string, data []byte) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	tw.Write(data)
	tw.Close()
	return b.Bytes()
}

// What follows a tar's end blocks is trimmed of every zero byte (archive.go:
// bytes.TrimLeft(…, "\x00")), not of whole 512-byte blocks. A second archive whose
// first header has an empty name starts with 100 zero bytes: trimmed, it is no
// longer recognised as tar and is scanned as plain text, so a gzip member inside
// it is never decompressed.
func TestReview10TarAfterEndEmptyName(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("AWS_ACCESS_KEY_ID=" + r13AWS + "\n"))
	zw.Close()
	second := r6xTar(t, "", gz.Bytes())
	// control: the second archive on its own is read and blocked
	if up, _, _ := r5xSend(t, second); up.reached {
		t.Fatal("control: gzip member of an empty-named tar entry not caught")
	}
	data := append(r6xTar(t, "a.txt", []byte("ok\n")), second...)
	up, rec, st := r5xSend(t, data)
	if up.reached {
		t.Errorf("second archive after the end blocks: gzip member not read (status %d, %d hits)", st, len(rec.hits))
	}
}

// PAX 'x' headers followed by end blocks make tar.Reader return io.EOF without a
// member: each such 1.5 KiB chunk was one more level of scanArchive recursion,
// never counted against maxArchiveMembers.
func TestReview10TarChunksRecursion(t *testing.T) {
	var chunk bytes.Buffer
	tw := tar.NewWriter(&chunk)
	tw.WriteHeader(&tar.Header{Name: "p", Typeflag: tar.TypeReg, Format: tar.FormatUSTAR})
	tw.Close()
	h := chunk.Bytes()
	h[156] = 'x'
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h[:512] {
		sum += int(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	if !sniff.TarHeader(chunk.Bytes()) {
		t.Skip("chunk not recognised")
	}
	n := 20000
	data := bytes.Repeat(chunk.Bytes(), n)
	t.Logf("chunk %d bytes, body %d bytes", chunk.Len(), len(data))
	s, _ := newTestScrubber(t)
	e := editor{s: s, dir: Request}
	start := time.Now()
	err := e.scanArchive(data, "tar", "$", 1)
	t.Logf("%d chunks: err=%v in %v, members counted %d", n, err, time.Since(start), e.archives().members)
	// each archive of the chain counts as a member: the chain is refused, not read
	// level after level
	if err == nil || e.archives().members > maxArchiveMembers+1 {
		t.Errorf("a chain of %d empty archives was read through (err %v, %d members counted)", n, err, e.archives().members)
	}
}
