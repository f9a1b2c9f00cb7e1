package ciscan

import (
	"archive/tar"
	"bytes"
	"fmt"
	"testing"
)

// A member with an unknown typeflag ('Z') is extracted by GNU tar as a regular
// file (POSIX says to), but scanTar skips it.
func TestReview8UnknownTypeflagTarMember(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	data := "GITHUB_TOKEN=" + ghTok(7) + "\n"
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "env.txt", Mode: 0o644, Size: int64(len(data)), Typeflag: 'Z', Format: tar.FormatUSTAR})
	tw.Write([]byte(data))
	tw.Close()
	write(t, "z.tar", tb.Bytes())
	if res := run(t, Options{Paths: []string{"z.tar"}}); len(res.Items) != 1 {
		t.Fatalf("findings %s, want the token in the member of type 'Z'", dumpItems(res))
	}
}

// A pre-POSIX (V7) tar header has no "ustar" magic; GNU tar and Go's reader read
// it, but Decode lets it through to `redact`, which rewrites it as text.
func TestReview8DecodeV7Tar(t *testing.T) {
	data := "GITHUB_TOKEN=" + ghTok(8) + "\n"
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "env.txt", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR})
	tw.Write([]byte(data))
	tw.Close()
	b := tb.Bytes()
	for i := 257; i < 265; i++ { // magic and version: V7 has neither
		b[i] = 0
	}
	for i := 265; i < 500; i++ { // uname, gname, devs, prefix
		b[i] = 0
	}
	sum := 0
	for i, c := range b[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int(c)
	}
	copy(b[148:156], []byte(fmt.Sprintf("%06o\x00 ", sum)))
	h, err := tar.NewReader(bytes.NewReader(b)).Next()
	if err != nil || h.Name != "env.txt" {
		t.Fatalf("setup: %v %+v", err, h)
	}
	if _, err := Decode(bytes.NewReader(b), 0); err == nil {
		t.Errorf("V7 tar: Decode accepted it (redact would rewrite the archive as text)")
	}
}

// Review 9: what follows a tar's end blocks (a second archive, as cat a.tar b.tar
// makes; or plain text) was not read.
func TestReview9TarAfterEnd(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	a := tarBytes("a.txt", []byte("hello\n"))
	b := tarBytes(".env", []byte("GITHUB_TOKEN="+ghTok(9)+"\n"))
	for name, data := range map[string][]byte{
		"cat.tar":  append(append([]byte(nil), a...), b...),
		"tail.tar": append(append([]byte(nil), a...), []byte("GITHUB_TOKEN="+ghTok(10)+"\n")...),
	} {
		write(t, name, data)
		if res := run(t, Options{Paths: []string{name}}); len(res.Items) != 1 {
			t.Errorf("%s: findings %s, want the token after the first archive's end", name, dumpItems(res))
		}
	}
}
