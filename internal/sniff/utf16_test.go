package sniff

import (
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	var out []byte
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestUTF16(t *testing.T) {
	cases := []struct {
		name   string
		in     []byte
		ok, be bool
		bom    int
	}{
		{"LE BOM", utf16Bytes("hi", false, true), true, false, 2},
		{"BE BOM", utf16Bytes("hi", true, true), true, true, 2},
		{"LE BOM only", []byte{0xFF, 0xFE}, true, false, 2},
		{"UTF-32LE BOM", []byte{0xFF, 0xFE, 0, 0, 'a', 0, 0, 0}, false, false, 0},
		{"UTF-32BE BOM", []byte{0, 0, 0xFE, 0xFF, 0, 0, 0, 'a', 0, 0, 0, 'b', 0, 0, 0, 'c'}, false, false, 0},
		{"LE no BOM", utf16Bytes("PS C:\\> dir\r\n", false, false), true, false, 0},
		{"BE no BOM", utf16Bytes("total 12\n", true, false), true, true, 0},
		{"LE no BOM, some non-ASCII", utf16Bytes("Größe: 12 Einträge, ok\n", false, false), true, false, 0},
		{"too short", utf16Bytes("ab", false, false), false, false, 0},
		{"UTF-8", []byte("plain text\n"), false, false, 0},
		{"UTF-8 with NULs", []byte("{\"a\":\"x\x00\"}\n{\"b\":\"\x00\x00\"}\n"), false, false, 0},
		{"binary", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0}, false, false, 0},
		{"zeros", make([]byte, 64), false, false, 0},
		{"CJK in UTF-16LE", utf16Bytes("一丁丂七丄丅丆万丈三上下", false, false), false, false, 0},
		{"CJK starting with an ASCII letter", utf16Bytes("a一丁丂七丄丅丆万丈三上下", false, false), false, false, 0},
	}
	for _, c := range cases {
		be, bom, ok := UTF16(c.in)
		if ok != c.ok || ok && (be != c.be || bom != c.bom) {
			t.Errorf("%s: ok %v be %v bom %d, want ok %v be %v bom %d", c.name, ok, be, bom, c.ok, c.be, c.bom)
		}
	}
}

// FuzzUTF16 checks the detector's invariants on any input: a byte order mark is
// reported only where one is, and the answer depends on the first UTF16Sniff bytes
// only.
func FuzzUTF16(f *testing.F) {
	f.Add(utf16Bytes("PS> echo hi\r\n", false, true))
	f.Add(utf16Bytes("line\n", true, false))
	f.Add([]byte{0xFF, 0xFE, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		be, bom, ok := UTF16(data)
		if bom != 0 && (!ok || bom != 2 || be && (data[0] != 0xFE || data[1] != 0xFF) || !be && (data[0] != 0xFF || data[1] != 0xFE)) {
			t.Fatalf("bom %d (be %v ok %v) for % x", bom, be, ok, data[:min(4, len(data))])
		}
		if len(data) > UTF16Sniff {
			be2, bom2, ok2 := UTF16(data[:UTF16Sniff])
			if be2 != be || bom2 != bom || ok2 != ok {
				t.Fatal("the answer depends on bytes past UTF16Sniff")
			}
		}
	})
}
