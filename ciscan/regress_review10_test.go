package ciscan

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// scanTar discards every zero byte after the end blocks, not whole blocks: a
// second archive whose first header has an empty name loses its alignment, is
// scanned as text, and its gzip member is never decompressed.
func TestReview10TarAfterEndEmptyName(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("GITHUB_TOKEN=" + ghTok(11) + "\n"))
	zw.Close()
	second := tarBytes("", gz.Bytes())
	write(t, "one.tar", second)
	if res := run(t, Options{Paths: []string{"one.tar"}}); len(res.Items) != 1 {
		t.Fatalf("control: %s", dumpItems(res))
	}
	write(t, "cat.tar", append(tarBytes("a.txt", []byte("hello\n")), second...))
	if res := run(t, Options{Paths: []string{"cat.tar"}}); len(res.Items) != 1 {
		t.Errorf("cat.tar: findings %s, want the token in the second archive's gzip member", dumpItems(res))
	}
}
