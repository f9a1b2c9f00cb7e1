package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/scrubgate/scrubgate/detectors"
)

// GatewayKeyPrefix starts every gateway key scrubgate issues to agents. The default
// rule pack detects such keys (rule scrubgate-gateway-key), so a gateway key that
// leaks into traffic is itself scrubbed.
const GatewayKeyPrefix = "sgk_"

const gatewayBodyLen = 30

// NewGatewayKey returns a fresh random gateway key: sgk_, 30 base62 characters and a
// 6-character CRC32 checksum.
func NewGatewayKey() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var raw [gatewayBodyLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("vault: no randomness: " + err.Error())
	}
	body := make([]byte, gatewayBodyLen)
	for i, b := range raw {
		body[i] = alphabet[int(b)%len(alphabet)] // 256 % 62 bias is irrelevant at 178 bits
	}
	return detectors.MintPrefixedCRC32(GatewayKeyPrefix, body)
}

// ValidGatewayKey reports whether key has the gateway-key form and checksum.
func ValidGatewayKey(key string) bool {
	return strings.HasPrefix(key, GatewayKeyPrefix) &&
		detectors.PrefixedCRC32Valid([]byte(key), len(GatewayKeyPrefix), gatewayBodyLen)
}

// HashGatewayKey is the form in which configuration stores a gateway key:
// "sha256:" and the hex digest. Keys are random, so an unsalted hash is safe.
func HashGatewayKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// GatewayKeyMatches compares a presented key with a stored hash in constant time.
func GatewayKeyMatches(key, storedHash string) bool {
	got := HashGatewayKey(key)
	return subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(strings.TrimSpace(storedHash)))) == 1
}
