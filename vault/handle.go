package vault

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// IDLen is the fixed length of a handle id.
const IDLen = 10

// idAlphabet is Crockford's base32 alphabet: no I, L, O or U, so ids read unambiguously.
const idAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// MaxKindLen bounds the kind part of a handle.
const MaxKindLen = 32

// Handle is a parsed capability handle.
type Handle struct {
	Kind string // coarse kind such as "github-token"; [a-z0-9-], 1..32 chars
	ID   string // IDLen characters of idAlphabet
}

// String formats the handle in its one grammar: [[scrub:KIND:ID]].
func (h Handle) String() string { return "[[scrub:" + h.Kind + ":" + h.ID + "]]" }

var handleRE = regexp.MustCompile(`^\[\[scrub:([a-z0-9][a-z0-9-]{0,31}):([0-9A-HJKMNP-TV-Z]{10})\]\]$`)

// ErrNotHandle is returned by Parse for text that is not exactly one handle.
var ErrNotHandle = errors.New("vault: not a scrubgate handle")

// Parse parses exactly one handle.
func Parse(s string) (Handle, error) {
	m := handleRE.FindStringSubmatch(s)
	if m == nil {
		return Handle{}, ErrNotHandle
	}
	return Handle{Kind: m[1], ID: m[2]}, nil
}

// ValidKind reports whether kind can appear in a handle.
func ValidKind(kind string) bool {
	if len(kind) == 0 || len(kind) > MaxKindLen {
		return false
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// Keys holds the per-purpose keys derived from one master secret.
type Keys struct {
	handle      []byte
	fingerprint []byte
}

// MinMasterKeyLen is the minimum length of a configured master key.
const MinMasterKeyLen = 16

// DeriveKeys derives the handle and fingerprint keys from a master secret with domain
// separation, so that neither key can be computed from the other.
func DeriveKeys(master []byte) (Keys, error) {
	if len(master) < MinMasterKeyLen {
		return Keys{}, fmt.Errorf("vault: master key is %d bytes; at least %d are required (set SCRUBGATE_KEY to a long random value)", len(master), MinMasterKeyLen)
	}
	return Keys{
		handle:      derive(master, "scrubgate/v1/handle"),
		fingerprint: derive(master, "scrubgate/v1/fingerprint"),
	}, nil
}

// RandomKeys returns keys derived from a fresh random master secret (for one-off runs).
func RandomKeys() Keys {
	var m [32]byte
	if _, err := io.ReadFull(rand.Reader, m[:]); err != nil {
		panic("vault: system random source failed") // no secret in this message
	}
	k, _ := DeriveKeys(m[:])
	return k
}

func derive(master []byte, label string) []byte {
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte(label))
	return mac.Sum(nil)
}

// FingerprintKey returns the key for finding fingerprints.
func (k Keys) FingerprintKey() []byte { return k.fingerprint }

// Mint returns the handle for secret within tenant. The id depends only on (tenant,
// secret): not on the rule, position or time.
func (k Keys) Mint(tenant string, kind string, secret []byte) Handle {
	if !ValidKind(kind) {
		kind = "secret"
	}
	mac := hmac.New(sha256.New, k.handle)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(tenant)))
	mac.Write(n[:])
	mac.Write([]byte(tenant))
	mac.Write(secret)
	sum := mac.Sum(nil)
	v := binary.BigEndian.Uint64(sum[:8])
	var id [IDLen]byte
	for i := range id {
		id[i] = idAlphabet[v>>59]
		v <<= 5
	}
	return Handle{Kind: kind, ID: string(id[:])}
}
