package providers

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func TestReview11TarPartialZeros(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("AWS_ACCESS_KEY_ID=" + r13AWS + "\n"))
	zw.Close()
	text := []byte("AWS_ACCESS_KEY_ID=" + r13AWS + "\n")
	for _, k := range []int{0, 1, 100, 511, 513} {
		for name, tail := range map[string][]byte{"gzip": gz.Bytes(), "text": text} {
			data := append(r6xTar(t, "a.txt", []byte("ok\n")), bytes.Repeat([]byte{0}, k)...)
			data = append(data, tail...)
			up, rec, st := r5xSend(t, data)
			if up.reached {
				t.Errorf("k=%d %s: forwarded (status %d, %d hits)", k, name, st, len(rec.hits))
			}
		}
	}
	_ = strings.Repeat
}
