package detectors

import (
	"bytes"
)

// placeholderWords are substrings (ASCII case-insensitive) that mark documentation
// values and template slots rather than credentials.
var placeholderWords = [][]byte{
	[]byte("example"), []byte("your-"), []byte("your_"), []byte("yourapi"), []byte("yourtoken"),
	[]byte("yoursecret"), []byte("yourpassword"), []byte("xxxx"), []byte("placeholder"),
	[]byte("redacted"), []byte("changeme"), []byte("change_me"), []byte("insert"),
	[]byte("replace_me"), []byte("replaceme"), []byte("[[scrub:"), []byte("********"),
	[]byte("<your"), []byte("dummy"), []byte("notasecret"), []byte("not-a-secret"),
	[]byte("password"), []byte("passwd"), // a value naming what it stands for: my-Bitbucket-password
	[]byte("..."), []byte("\u2026"), // an elided example: eyJ2IjoiMSIs... or password …
}

// placeholderValues are whole values (ASCII case-insensitive) that name a secret
// instead of being one: postgres://user:password@host, token: secret.
var placeholderValues = map[string]bool{
	"password": true, "passwd": true, "pass": true, "pwd": true, "secret": true, "token": true,
	"apikey": true, "api_key": true, "api-key": true, "key": true, "value": true, "string": true,
	"null": true, "none": true, "nil": true, "true": true, "false": true, "undefined": true,
	"username": true, "user": true, "admin": false,
}

// IsPlaceholder reports whether a candidate secret is a known placeholder or documented
// example rather than a credential: AKIAIOSFODNN7EXAMPLE, sk-xxxx…, ${TOKEN},
// {{ token }}, <token>, $TOKEN, %TOKEN%, your-api-key, values made of one repeated
// character, or ones dominated by an ascending sequence (1234567890, abcdefgh).
// publicPrefix is the rule's public prefix (e.g. "sk-ant-"), excluded from the shape tests.
func IsPlaceholder(secret []byte, publicPrefixLen int) bool {
	if len(secret) == 0 {
		return true
	}
	switch secret[0] {
	case '$', '<', '{', '%':
		return true
	}
	if len(secret) <= 16 && placeholderValues[string(bytes.ToLower(secret))] {
		return true
	}
	if bytes.Contains(secret, []byte("${")) || bytes.Contains(secret, []byte("{{")) ||
		bytes.Contains(secret, []byte("}}")) {
		return true
	}
	if containsPlaceholderWord(secret) {
		return true
	}
	if publicPrefixLen > len(secret) {
		publicPrefixLen = len(secret)
	}
	body := secret[publicPrefixLen:]
	if len(body) == 0 {
		return true
	}
	return placeholderShape(body)
}

// placeholderShape reports, in one pass over the body of a value, the shapes of
// made-up values:
//   - low variety: at least 60% of it is one character (sk-xxxxxxxx…, 0000…, ***);
//   - an ascending run of eight or more bytes, each one greater than the previous by
//     one, ignoring ASCII case (abcDEFgh is one run of eight);
//   - ascending cover: at least three quarters of a body of 8+ bytes lies in ascending
//     runs of three or more (ABC12345, AB1C2defGHijk…);
//   - three or more '*'.
func placeholderShape(b []byte) bool {
	var counts [256]uint32
	var most uint32
	best, run, covered := 1, 1, 0
	var prev byte
	for i, c := range b {
		counts[c]++
		most = max(most, counts[c])
		l := lower(c)
		if i > 0 && l == prev+1 {
			run++
			best = max(best, run)
		} else {
			if run >= 3 {
				covered += run
			}
			run = 1
		}
		prev = l
	}
	if run >= 3 {
		covered += run
	}
	n := len(b)
	return n >= 3 && int(most)*10 >= n*6 || best >= 8 || n >= 8 && covered*4 >= n*3 || counts['*'] >= 3
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// containsPlaceholderWord reports whether s contains a placeholder word, ignoring
// ASCII case. Secrets can be long (a PEM key is kilobytes), so it reads s once: a
// bitset of the words' first two bytes lets almost every position go by with one
// lookup, and only a matching pair compares whole words.
//
// Short words can occur by chance: four x in a row turn up in about one random
// 1.7 KB base64 key in 600, and one 40-byte key in 30,000. So x must run at least
// eight times (sk-xxxx and the like are caught by placeholderShape: one character
// dominates), and in a long value (a PEM key, a JWT) a word shorter than six bytes
// counts only at the start of the value or after a byte that is not a letter or
// digit.
func containsPlaceholderWord(s []byte) bool {
	long := len(s) > longPlaceholderValue
	for i := 0; i+1 < len(s); i++ {
		a, b := lower(s[i]), lower(s[i+1])
		pair := uint16(a)<<8 | uint16(b)
		if placeholderPairs[pair>>6]&(1<<(pair&63)) == 0 {
			continue
		}
		for _, w := range placeholderByFirst[a] {
			if len(s)-i < len(w) || !EqualFoldASCII(s[i:i+len(w)], w) {
				continue
			}
			if w[0] == 'x' && xRun(s[i:]) < 8 {
				continue // values that are mostly x are caught by their shape
			}
			if long && len(w) < 6 && i > 0 && isAlnum(s[i-1]) {
				continue
			}
			return true
		}
	}
	return false
}

// longPlaceholderValue is the length past which short placeholder words need a
// boundary (see containsPlaceholderWord).
const longPlaceholderValue = 64

func isAlnum(c byte) bool {
	c = lower(c)
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// xRun counts the x or X at the start of s.
func xRun(s []byte) int {
	n := 0
	for n < len(s) && lower(s[n]) == 'x' {
		n++
	}
	return n
}

// placeholderByFirst groups placeholderWords by their first byte, and
// placeholderPairs is the set of their first two bytes.
var (
	placeholderByFirst [256][][]byte
	placeholderPairs   [1 << 16 / 64]uint64
)

func init() {
	for _, w := range placeholderWords {
		if len(w) < 2 {
			panic("placeholder words need two bytes")
		}
		placeholderByFirst[w[0]] = append(placeholderByFirst[w[0]], w)
		pair := uint16(w[0])<<8 | uint16(w[1])
		placeholderPairs[pair>>6] |= 1 << (pair & 63)
	}
}

// EqualFoldASCII reports whether s equals the lowercase ASCII string lower, folding
// only ASCII letters in s (no Unicode folding: K is not the Kelvin sign).
func EqualFoldASCII(s, lower []byte) bool {
	if len(s) != len(lower) {
		return false
	}
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
