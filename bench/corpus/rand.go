package corpus

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Stream constants keep the generators independent of each other for the same seed.
const (
	streamClean      = 0x636c65616e6d6978 // "cleanmix"
	streamDense      = 0x64656e7365736563 // "densesec"
	streamTranscript = 0x7472616e73637270 // "transcrp"
	streamPlanted    = 0x706c616e74656421 // "planted!"
)

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

const (
	digitChars  = "0123456789"
	upperChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars  = "abcdefghijklmnopqrstuvwxyz"
	letterChars = upperChars + lowerChars
	alnumChars  = upperChars + lowerChars + digitChars // base62
	urlChars    = alnumChars + "_-"                    // base64url
	awsIDChars  = upperChars + "234567"
	awsSecChars = alnumChars + "/+"
	bearerChars = alnumChars + "._~+/-"
	hexChars    = "0123456789abcdef"
)

// secretPrefixes are the prefixes of the planted kinds. Random bodies never contain
// one (so a body of one kind cannot look like another kind), and clean text never
// contains one at all.
var secretPrefixes = []string{
	"ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "npm_", "sk-proj-", "sk-ant-",
	"AKIA", "ASIA", "xoxb-", "xoxp-", "sk_live_", "rk_live_", "AIza", "glpat-", "hf_",
	"SG.", "eyJ", "-----BEGIN", "T3BlbkFJ",
}

// placeholderWords make a value look like a placeholder or a test fixture.
var placeholderWords = []string{"example", "test", "fake", "xxxx", "dummy", "sample", "placeholder", "changeme", "redacted"}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func randFrom(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// looksRandom reports whether s passes the "looks like a real random secret" bar: no
// run of 4 equal characters, no run of 4 consecutive ascending or descending
// characters (1234, abcd, dcba), no placeholder word, no planted-kind prefix.
func looksRandom(s string) bool {
	return !hasRuns(s, 4) && !containsFold(s, placeholderWords) && !containsAny(s, secretPrefixes)
}

func hasRuns(s string, n int) bool {
	same, up, down := 1, 1, 1
	for i := 1; i < len(s); i++ {
		a, b := s[i-1], s[i]
		if b == a {
			same++
		} else {
			same = 1
		}
		if isAlnum(a) && isAlnum(b) && b == a+1 {
			up++
		} else {
			up = 1
		}
		if isAlnum(a) && isAlnum(b) && b+1 == a {
			down++
		} else {
			down = 1
		}
		if same >= n || up >= n || down >= n {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func containsFold(s string, words []string) bool {
	ls := strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(ls, w) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// randTok returns n random characters of alphabet that look random.
func randTok(r *rand.Rand, alphabet string, n int) string {
	for {
		s := randFrom(r, alphabet, n)
		if looksRandom(s) {
			return s
		}
	}
}

// regen calls f until its result looks random.
func regen(f func() string) string {
	for {
		if s := f(); looksRandom(s) {
			return s
		}
	}
}

// cleanID returns a random identifier for clean text: it may look random (that is the
// point of a hard negative) but never contains a planted-kind prefix.
func cleanID(r *rand.Rand, alphabet string, n int) string {
	for {
		s := randFrom(r, alphabet, n)
		if !containsAny(s, secretPrefixes) {
			return s
		}
	}
}

func randUUID(r *rand.Rand) string {
	h := randFrom(r, hexChars, 32)
	b := []byte(h)
	b[12] = '4'
	b[16] = "89ab"[r.IntN(4)]
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}

func randSHA(r *rand.Rand) string    { return randFrom(r, hexChars, 40) }
func randSHA256(r *rand.Rand) string { return randFrom(r, hexChars, 64) }
func chatcmplID(r *rand.Rand) string { return "chatcmpl-" + cleanID(r, alnumChars, 29) }
func callID(r *rand.Rand) string     { return "call_" + cleanID(r, alnumChars, 24) }
func tooluID(r *rand.Rand) string    { return "toolu_01" + cleanID(r, alnumChars, 22) }
func msgID(r *rand.Rand) string      { return "msg_01" + cleanID(r, alnumChars, 22) }
func reqID(r *rand.Rand) string      { return "req_" + cleanID(r, alnumChars, 24) }
func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func b64(s string) string    { return base64.StdEncoding.EncodeToString([]byte(s)) }
func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func timestamp(r *rand.Rand) string {
	return fmt.Sprintf("2025-%02d-%02dT%02d:%02d:%02d.%03dZ", between(r, 1, 12), between(r, 1, 28),
		r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
}

func unixTime(r *rand.Rand) int { return 1735689600 + r.IntN(31536000) }
