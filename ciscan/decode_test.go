package ciscan

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetectUTF16(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		enc  textEncoding
		bom  int
	}{
		{"LE BOM", utf16Bytes("hi", false, true), encUTF16LE, 2},
		{"BE BOM", utf16Bytes("hi", true, true), encUTF16BE, 2},
		{"LE BOM only", []byte{0xFF, 0xFE}, encUTF16LE, 2},
		{"UTF-32LE BOM", []byte{0xFF, 0xFE, 0, 0, 'a', 0, 0, 0}, encNone, 0},
		{"LE no BOM", utf16Bytes("PS C:\\> dir\r\n", false, false), encUTF16LE, 0},
		{"BE no BOM", utf16Bytes("total 12\n", true, false), encUTF16BE, 0},
		{"LE no BOM, some non-ASCII", utf16Bytes("Größe: 12 Einträge, ok\n", false, false), encUTF16LE, 0},
		{"too short", utf16Bytes("ab", false, false), encNone, 0},
		{"UTF-8", []byte("plain text\n"), encNone, 0},
		{"UTF-8 with NULs", []byte("{\"a\":\"x\x00\"}\n{\"b\":\"\x00\x00\"}\n"), encNone, 0},
		{"binary", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0}, encNone, 0},
		{"zeros", make([]byte, 64), encNone, 0},
		{"CJK in UTF-16LE", utf16Bytes("一丁丂七丄丅丆万丈三上下", false, false), encNone, 0},
	}
	for _, c := range cases {
		enc, bom := detectUTF16(c.in)
		if enc != c.enc || bom != c.bom {
			t.Errorf("%s: %v/%d, want %v/%d", c.name, enc, bom, c.enc, c.bom)
		}
	}
}

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
		enc, bom := detectUTF16(data)
		if enc == encNone {
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
