package detectors

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"unicode/utf8"
)

// Verdict is what a validator concludes about a candidate secret.
type Verdict int

const (
	// Confirmed means the structure or checksum was verified: the finding is high confidence.
	Confirmed Verdict = iota
	// Unverified means the check failed but the candidate keeps its distinctive shape:
	// it is still redacted, at low confidence (a truncated or altered token must not leak).
	Unverified
	// Rejected means the candidate is not a secret of this kind and is dropped.
	Rejected
)

// Validator checks one candidate secret. It must not retain or log the bytes.
type Validator func(secret []byte) Verdict

var validators = map[string]Validator{
	"github-crc32":    prefixedCRC32, // ghp_, gho_, ghu_, ghs_, ghr_
	"npm-crc32":       prefixedCRC32, // npm_
	"scrubgate-crc32": prefixedCRC32, // sgk_ gateway keys
	"generic-value":   GenericValue,
	"jwt":             JWT,
	"basic-auth":      BasicAuth,
	"pem-private-key": PEMPrivateKey,
}

// IsChecksum reports whether the validator registered under name verifies a
// checksum: a candidate it confirms is a real token's shape, whatever words it holds.
func IsChecksum(name string) bool {
	switch name {
	case "github-crc32", "npm-crc32", "scrubgate-crc32":
		return true
	}
	return false
}

// Lookup returns the validator registered under name.
func Lookup(name string) (Validator, bool) {
	v, ok := validators[name]
	return v, ok
}

// Names lists the registered validator names, sorted.
func Names() []string {
	out := make([]string, 0, len(validators))
	for n := range validators {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// prefixedCRC32 checks the format GitHub's classic tokens, npm tokens and scrubgate
// gateway keys share: a 4-byte prefix, 30 base62 characters, 6 of CRC32 checksum.
func prefixedCRC32(secret []byte) Verdict {
	if PrefixedCRC32Valid(secret, 4, 30) {
		return Confirmed
	}
	return Unverified
}

// JWT confirms a compact JWS/JWT (also DPoP proofs): the first segment must decode
// (base64url) to a JSON object with a string "alg" member, and the second must decode.
func JWT(secret []byte) Verdict {
	parts := bytes.Split(secret, []byte("."))
	if len(parts) < 2 {
		return Rejected
	}
	hdr, err := decodeB64URL(parts[0])
	if err != nil {
		return Rejected
	}
	var h map[string]any
	if json.Unmarshal(hdr, &h) != nil {
		return Rejected
	}
	if _, ok := h["alg"].(string); !ok {
		return Rejected
	}
	if _, err := decodeB64URL(parts[1]); err != nil {
		return Rejected
	}
	return Confirmed
}

func decodeB64URL(seg []byte) ([]byte, error) {
	seg = bytes.TrimRight(seg, "=")
	return base64.RawURLEncoding.DecodeString(string(seg))
}

// BasicAuth confirms an HTTP Basic credential: base64 that decodes to printable UTF-8
// "user:password" with a non-empty password.
func BasicAuth(secret []byte) Verdict {
	dec, err := base64.StdEncoding.DecodeString(string(secret))
	if err != nil {
		dec, err = base64.RawStdEncoding.DecodeString(string(bytes.TrimRight(secret, "=")))
		if err != nil {
			return Rejected
		}
	}
	i := bytes.IndexByte(dec, ':')
	if i < 0 || i == len(dec)-1 || !utf8.Valid(dec) {
		return Rejected
	}
	for _, c := range dec {
		if c < 0x20 || c == 0x7f {
			return Rejected
		}
	}
	return Confirmed
}

// PEMPrivateKey confirms a private-key block: the BEGIN and END labels match and the
// body consists of base64 (or OpenSSH/PuTTY armour) lines and headers only.
func PEMPrivateKey(secret []byte) Verdict {
	const begin, end = "-----BEGIN ", "-----END "
	if !bytes.HasPrefix(secret, []byte(begin)) {
		return Rejected
	}
	rest := secret[len(begin):]
	i := bytes.Index(rest, []byte("-----"))
	if i < 0 {
		return Rejected
	}
	label := rest[:i]
	body := rest[i+5:]
	j := bytes.LastIndex(body, []byte(end))
	if j < 0 || !bytes.HasPrefix(body[j+len(end):], label) {
		return Unverified
	}
	body = body[:j]
	b64 := 0
	for _, c := range body {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			b64++
		case c == '\n', c == '\r', c == ' ', c == '\t', c == ':', c == ',', c == '-', c == '\\':
		default:
			return Unverified
		}
	}
	if b64 < 40 {
		return Unverified
	}
	return Confirmed
}
