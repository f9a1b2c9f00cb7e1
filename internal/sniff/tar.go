package sniff

import (
	"bytes"
	"strconv"
)

// TarHeader reports whether block starts with a tar header: POSIX ustar, GNU or old
// V7 (which has no magic, only a name), in each case with a checksum field that
// matches the header's bytes, as archive/tar requires. Both the unsigned sum and the
// signed one some old tars wrote are accepted.
func TarHeader(block []byte) bool {
	if len(block) < 512 {
		return false
	}
	h := block[:512]
	if h[0] == 0 && !bytes.HasPrefix(h[257:], []byte("ustar")) {
		return false // a V7 header has a name; this is zeros or not a tar
	}
	field := bytes.TrimRight(bytes.TrimLeft(h[148:156], " \x00"), " \x00")
	if len(field) == 0 {
		return false
	}
	want, err := strconv.ParseInt(string(field), 8, 64)
	if err != nil {
		return false
	}
	var unsigned, signed int64
	for i, c := range h {
		if i >= 148 && i < 156 {
			c = ' ' // the checksum field counts as spaces
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return want == unsigned || want == signed
}
