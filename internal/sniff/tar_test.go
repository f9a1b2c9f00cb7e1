package sniff

import (
	"archive/tar"
	"bytes"
	"fmt"
	"testing"
)

func tarOf(t testing.TB, format tar.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := []byte("TOKEN=abc\n")
	if err := tw.WriteHeader(&tar.Header{Name: "a.env", Mode: 0o644, Size: int64(len(body)), Format: format, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write(body)
	tw.Close()
	return buf.Bytes()
}

// v7 rewrites a ustar header as an old V7 one: no magic, version, owner names, and
// the checksum recomputed.
func v7(b []byte) []byte {
	h := append([]byte(nil), b[:512]...)
	clear(h[257:512])
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return h
}

func TestTarHeader(t *testing.T) {
	ustar := tarOf(t, tar.FormatUSTAR)
	gnu := tarOf(t, tar.FormatGNU)
	badSum := append([]byte(nil), ustar...)
	badSum[0] ^= 1
	for _, c := range []struct {
		name string
		data []byte
		want bool
	}{
		{"ustar", ustar, true},
		{"gnu", gnu, true},
		{"pax", tarOf(t, tar.FormatPAX), true},
		{"v7", v7(ustar), true},
		{"checksum off by a byte", badSum, false},
		{"zeros", make([]byte, 1024), false},
		{"short", ustar[:511], false},
		{"text", bytes.Repeat([]byte("plain text, not an archive. "), 40), false},
	} {
		if got := TarHeader(c.data); got != c.want {
			t.Errorf("%s: TarHeader = %v, want %v", c.name, got, c.want)
		}
	}
	// archive/tar reads what TarHeader accepts as V7
	r := tar.NewReader(bytes.NewReader(append(v7(ustar), ustar[512:]...)))
	if h, err := r.Next(); err != nil || h.Name != "a.env" {
		t.Fatalf("archive/tar on the V7 header: %v %v", h, err)
	}
}

func FuzzTarHeader(f *testing.F) {
	f.Add(tarOf(f, tar.FormatUSTAR))
	f.Add(make([]byte, 512))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !TarHeader(b) {
			return
		}
		// whatever TarHeader accepts, archive/tar must take as a header (or fail on
		// a field it checks later, never on the checksum)
		_, err := tar.NewReader(bytes.NewReader(b)).Next()
		if err == tar.ErrHeader && len(b) >= 512 {
			t.Fatalf("TarHeader accepted a block archive/tar rejects: %v", err)
		}
	})
}
