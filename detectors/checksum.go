package detectors

import (
	"hash/crc32"
)

// base62Alphabet is the digit order GitHub and npm use for their token checksums.
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// checksumLen is the number of base62 characters that carry the CRC32 checksum.
const checksumLen = 6

// Base62CRC32 returns the six-character base62 encoding of the CRC32 (IEEE) of data,
// left-padded with '0': the checksum that GitHub and npm append to their tokens.
func Base62CRC32(data []byte) string {
	v := crc32.ChecksumIEEE(data)
	var out [checksumLen]byte
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = base62Alphabet[v%62]
		v /= 62
	}
	return string(out[:])
}

// PrefixedCRC32Valid reports whether token = prefix + body + checksum, where the
// checksum is Base62CRC32(body) and body has bodyLen characters. It is the scheme of
// GitHub's classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and npm's npm_ tokens.
func PrefixedCRC32Valid(token []byte, prefixLen, bodyLen int) bool {
	if len(token) != prefixLen+bodyLen+checksumLen {
		return false
	}
	body := token[prefixLen : prefixLen+bodyLen]
	want := Base62CRC32(body)
	return string(token[prefixLen+bodyLen:]) == want
}

// MintPrefixedCRC32 builds a syntactically valid checksummed token from a prefix and a
// random body. Tests and the benchmark corpus use it to plant live-looking tokens that
// are generated at run time instead of being committed.
func MintPrefixedCRC32(prefix string, body []byte) string {
	return prefix + string(body) + Base62CRC32(body)
}
