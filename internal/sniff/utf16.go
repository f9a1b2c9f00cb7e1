package sniff

// UTF16Sniff is how many leading bytes UTF16 looks at.
const UTF16Sniff = 4096

// UTF16 recognises UTF-16 text from its first bytes (it reads at most UTF16Sniff of
// head): by a byte order mark (FF FE or FE FF; FF FE 00 00 is UTF-32 and not taken),
// or, without one, by the NUL pattern of mostly-ASCII text as PowerShell and other
// Windows tools write it: in at least 70% of the 2-byte units one byte is NUL and the
// other a printable ASCII character or whitespace, always on the same side, and the
// opposite pattern is (nearly) absent. A few NULs in UTF-8 text, binary data, and
// text of mostly non-ASCII characters without a byte order mark are not taken. It
// returns the byte order and the length of the byte order mark.
func UTF16(head []byte) (bigEndian bool, bom int, ok bool) {
	if len(head) >= 2 {
		switch {
		case head[0] == 0xFF && head[1] == 0xFE:
			if len(head) >= 4 && head[2] == 0 && head[3] == 0 {
				return false, 0, false
			}
			return false, 2, true
		case head[0] == 0xFE && head[1] == 0xFF:
			return true, 2, true
		}
	}
	n := min(len(head), UTF16Sniff) &^ 1
	units := n / 2
	if units < 4 {
		return false, 0, false
	}
	var le, be int
	for i := 0; i < n; i += 2 {
		a, b := head[i], head[i+1]
		switch {
		case b == 0 && textByte(a):
			le++
		case a == 0 && textByte(b):
			be++
		}
	}
	// ASCII text in UTF-16 has the pattern in every unit; the slack (30%) is for
	// other characters.
	switch {
	case le*10 >= units*7 && be*20 <= units:
		return false, 0, true
	case be*10 >= units*7 && le*20 <= units:
		return true, 0, true
	}
	return false, 0, false
}

// textByte: printable ASCII or the usual whitespace.
func textByte(c byte) bool {
	return c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
