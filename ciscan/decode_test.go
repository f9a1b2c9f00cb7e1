package ciscan

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/internal/sniff"
)

// FuzzUTF16 feeds arbitrary bytes through detection, decoding and the offset mapping:
// nothing panics, the decoded text is UTF-8, and every mapped offset lies within the
// input and grows with the decoded offset.
func FuzzUTF16(f *testing.F) {
	f.Add(utf16Bytes("PS> echo hi\r\n😀 token\r\n", false, true))
	f.Add(utf16Bytes("line\n", true, false))
	f.Add([]byte{0xFF, 0xFE, 0x00, 0xD8, 'a', 0})  // lone high surrogate
	f.Add([]byte{0xFF, 0xFE, 'a', 0, 'b'})         // odd length
	f.Add([]byte("a\x00b\x00c\x00d\x00e\x00\x00")) // no BOM, odd
	f.Fuzz(func(t *testing.T, data []byte) {
		_, bom, ok := sniff.UTF16(data)
		if !ok {
			return
		}
		d, err := decode(bytes.NewReader(data), 0)
		if err != nil {
			return
		}
		text, err := io.ReadAll(d.r)
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(text) {
			t.Fatal("decoded text is not UTF-8")
		}
		var offs []int64
		for i := 0; i <= len(text); i++ {
			if i == len(text) || utf8.RuneStart(text[i]) {
				offs = append(offs, int64(i))
			}
		}
		mapped, err := mapUTF16Offsets(bytes.NewReader(text), bom, offs)
		if err != nil {
			t.Fatal(err)
		}
		prev := int64(-1)
		for _, m := range mapped {
			// an odd trailing byte decodes to U+FFFD, one unit past the input
			if m < prev || m > int64(len(data))+1 || m%2 != 0 {
				t.Fatalf("offset %d after %d (input %d bytes)", m, prev, len(data))
			}
			prev = m
		}
	})
}

func TestLimitReader(t *testing.T) {
	lr := &limitReader{r: strings.NewReader("12345"), left: 5, limit: 5}
	if b, err := io.ReadAll(lr); err != nil || string(b) != "12345" {
		t.Errorf("exactly the limit: %q %v", b, err)
	}
	lr = &limitReader{r: strings.NewReader("123456"), left: 5, limit: 5}
	if _, err := io.ReadAll(lr); err == nil || !strings.Contains(err.Error(), "size limit of 5 bytes") {
		t.Errorf("over the limit: %v", err)
	}
}
