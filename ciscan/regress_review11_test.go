package ciscan

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"
)

func TestReview11TarPartialZeros(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("GITHUB_TOKEN=" + ghTok(11) + "\n"))
	zw.Close()
	text := []byte("GITHUB_TOKEN=" + ghTok(11) + "\n")
	for _, k := range []int{0, 1, 100, 511, 513} {
		for name, tail := range map[string][]byte{"gzip": gz.Bytes(), "text": text} {
			data := append(tarBytes("a.txt", []byte("ok\n")), bytes.Repeat([]byte{0}, k)...)
			data = append(data, tail...)
			f := fmt.Sprintf("x%d%s.tar", k, name)
			write(t, f, data)
			if res := run(t, Options{Paths: []string{f}}); len(res.Items) != 1 {
				t.Errorf("k=%d %s: %s", k, name, dumpItems(res))
			}
		}
	}
}
