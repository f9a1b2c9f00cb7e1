package detectors

import (
	"bytes"
	"encoding/base64"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPrefixedCRC32(t *testing.T) {
	body := []byte("Zq8Lm2Wz9Rt4Xn7Kp3Yb6Gh1Jd5Fs0")
	tok := MintPrefixedCRC32("ghp_", body)
	if len(tok) != 40 || !PrefixedCRC32Valid([]byte(tok), 4, 30) {
		t.Fatalf("minted %q does not validate", tok)
	}
	v, _ := Lookup("github-crc32")
	if v([]byte(tok)) != Confirmed {
		t.Fatal("valid token not confirmed")
	}
	bad := []byte(tok)
	bad[10] ^= 1
	if v(bad) != Unverified {
		t.Fatal("altered token must stay a finding at lower confidence")
	}
	if v([]byte(tok[:39])) != Unverified {
		t.Fatal("truncated token must stay a finding at lower confidence")
	}
	// the checksum is base62 of CRC32(body), left-padded to six characters
	if c := Base62CRC32(nil); len(c) != 6 || c != "000000" {
		t.Fatalf("crc of empty = %q", c)
	}
}

func TestJWT(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	ok := enc(`{"alg":"ES256","typ":"dpop+jwt"}`) + "." + enc(`{"htm":"POST"}`) + ".c2ln"
	cases := map[string]Verdict{
		ok: Confirmed,
		enc(`{"typ":"JWT"}`) + "." + enc("{}") + ".x": Rejected, // no alg
		enc(`not json`) + "." + enc("{}") + ".x":      Rejected,
		"eyJhbGciOiJub25lIn0":                         Rejected, // one segment
		enc(`{"alg":"none"}`) + ".%%%.":               Rejected,
	}
	for in, want := range cases {
		if got := JWT([]byte(in)); got != want {
			t.Errorf("JWT(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestBasicAuth(t *testing.T) {
	b := func(s string) []byte { return []byte(base64.StdEncoding.EncodeToString([]byte(s))) }
	if BasicAuth(b("alice:s3cr3t-pass")) != Confirmed {
		t.Fatal("user:pass not confirmed")
	}
	for _, s := range []string{"nocolon", "user:", "bin\x01ary:x"} {
		if BasicAuth(b(s)) != Rejected {
			t.Errorf("%q accepted", s)
		}
	}
	if BasicAuth([]byte("understanding")) != Rejected {
		t.Fatal("plain word accepted")
	}
}

func TestPEMPrivateKey(t *testing.T) {
	good := "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oBKhOqBPE5OYoAoGCCqGSM49\n-----END EC PRIVATE KEY-----"
	if PEMPrivateKey([]byte(good)) != Confirmed {
		t.Fatal("good key not confirmed")
	}
	mismatch := "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oBKhOqBPE5OYoAoGCCqGSM49\n-----END RSA PRIVATE KEY-----"
	if PEMPrivateKey([]byte(mismatch)) != Unverified {
		t.Fatal("label mismatch should lower confidence, not drop")
	}
}

func TestPlaceholders(t *testing.T) {
	yes := []string{"AKIAIOSFODNN7EXAMPLE", "sk-xxxxxxxxxxxxxxxxxxxx", "${TOKEN}", "{{ token }}", "<token>", "$TOKEN",
		"your-api-key", "changeme", "1234567890abcdef", "abcdefghijklmnop", "password", "********", "%API_KEY%", "***",
		"ABC12345", "AB1C2defGHijkLMNo3PqQRstUvwxyz", "my-Bitbucket-password", "*all*authentication*tokens*",
		"…)", "eyJhbGciOi…"} // … (U+2026) elides a value, as ... does
	for _, s := range yes {
		if !IsPlaceholder([]byte(s), 0) {
			t.Errorf("%q not recognised as a placeholder", s)
		}
	}
	no := []string{"ghp_Zq8Lm2Wz9Rt4Xn7Kp3Yb6Gh1Jd5Fs0", "hunter2x9", "Zq8#mL2!pV", "sk_live_51HqL2m9"}
	for _, s := range no {
		if IsPlaceholder([]byte(s), 0) {
			t.Errorf("%q wrongly treated as a placeholder", s)
		}
	}
	// the public prefix does not count towards "one repeated character"
	if !IsPlaceholder([]byte("sk-ant-aaaaaaaaaaaaaaaa"), len("sk-ant-")) {
		t.Fatal("prefix + repeated body should be a placeholder")
	}
}

func TestGenericValue(t *testing.T) {
	reject := []string{"123456", "3.14", "required", "my_secret_name", "process.env.GITHUB_TOKEN", "/run/secrets/x",
		"./key.pem", "https://vault.example.com/v1", "projects/app/secrets/db-password", "tokenArrayValue", "OPENAI_API_KEY",
		"arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-a1b2c3", "eks-local.cluster.x-k8s.io/*", "3d104ea0be48564b"}
	for _, s := range reject {
		if GenericValue([]byte(s)) != Rejected {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"hunter2x9", "Zq8#mL2!pV", "Rk82mWq9ZtL4xVp7", "4fG8kL2mP9qR7sT3vW6y", "ya29.a0AfB_byC8kLm2Qx9Zp4Wr7Vt3Nb6"} {
		if GenericValue([]byte(s)) != Confirmed {
			t.Errorf("%q rejected", s)
		}
	}
}

func TestEntropy(t *testing.T) {
	if Entropy([]byte("aaaa")) != 0 || Entropy(nil) != 0 {
		t.Fatal("entropy of constant input must be 0")
	}
	if e := Entropy([]byte("abcd")); e != 2 {
		t.Fatalf("entropy(abcd) = %v", e)
	}
}

// TestLongSecretsAreNotPlaceholdersByChance: four x in a row, or a short word, inside
// the random body of a long key must not make it a placeholder; in short values and
// at word boundaries they still do.
func TestLongSecretsAreNotPlaceholdersByChance(t *testing.T) {
	body := strings.Repeat("q7Zk2Xm9Lp4Rt8Vn3Kb6Gh1Jd5Fs0aW", 6) // 192 bytes
	for _, s := range []string{
		body[:90] + "xXxx" + body[90:],
		body[:90] + "dummy" + body[90:],
		"-----BEGIN RSA PRIVATE KEY-----\n" + body[:100] + "XXXX" + body[100:] + "\n-----END RSA PRIVATE KEY-----",
	} {
		if IsPlaceholder([]byte(s), 0) {
			t.Errorf("a long random value is taken for a placeholder: %.60q…", s)
		}
	}
	for _, c := range []struct {
		s      string
		prefix int
		want   bool
	}{
		{"sk-xxxx-" + body[:70], 0, false},                   // four x are not enough
		{"ghp_xxxxxxxxxxxx" + body[:60], 0, true},            // a run of 12 x
		{"AKIAxxxx", 4, true},                                // the body is all x: its shape
		{"Kq7xxxxZr2LmX9vTn4KpW7sYd3GhJa", 0, false},         // four x by chance in a short value
		{"dummy-" + body[:70], 0, true},                      // a short word at the start
		{body[:70] + "/your-key-here/" + body[:10], 0, true}, // after a non-alphanumeric byte
	} {
		if got := IsPlaceholder([]byte(c.s), c.prefix); got != c.want {
			t.Errorf("IsPlaceholder(%.40q…) = %v, want %v", c.s, got, c.want)
		}
	}
}

// TestEntropyExactFloors checks that values whose entropy is exactly a round number
// reach it: rules compare against floors such as 3.0, and an ulp below drops a secret.
func TestEntropyExactFloors(t *testing.T) {
	for _, k := range []int{1, 2, 5, 6, 7, 9, 14, 31} {
		s := bytes.Repeat([]byte("q7Zk2Xm9"), k)
		if e := Entropy(s); e != 3 {
			t.Errorf("8 symbols x %d: entropy %v, want exactly 3", k, e)
		}
		s = bytes.Repeat([]byte("abcd"), k)
		if e := Entropy(s); e != 2 {
			t.Errorf("4 symbols x %d: entropy %v, want exactly 2", k, e)
		}
	}
}

// TestEntropyAgreesWithDefinition checks the table-driven short path against the
// textbook sum on random inputs of every length up to and past 255 bytes.
func TestEntropyAgreesWithDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 1; n < 400; n++ {
		s := make([]byte, n)
		alpha := 1 + r.IntN(80)
		for i := range s {
			s[i] = byte(33 + r.IntN(alpha))
		}
		if got, want := Entropy(s), entropyLong(s); math.Abs(got-want) > 1e-9 {
			t.Fatalf("len %d: Entropy %v, definition %v", n, got, want)
		}
	}
}

// TestPlaceholderWordSearch checks the one-pass search against a plain lowercase
// substring test, on random values with planted words in mixed case at any offset
// and lengths up to PEM size.
func TestPlaceholderWordSearch(t *testing.T) {
	naive := func(s []byte) bool {
		low := bytes.ToLower(s)
		for _, w := range placeholderWords {
			for off := 0; ; {
				i := bytes.Index(low[off:], w)
				if i < 0 {
					break
				}
				i += off
				off = i + 1
				if w[0] == 'x' && len(low[i:])-len(bytes.TrimLeft(low[i:], "x")) < 8 {
					continue
				}
				if len(s) > longPlaceholderValue && len(w) < 6 && i > 0 &&
					bytes.IndexByte([]byte("abcdefghijklmnopqrstuvwxyz0123456789"), low[i-1]) >= 0 {
					continue
				}
				return true
			}
		}
		return false
	}
	r := rand.New(rand.NewPCG(7, 8))
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=*.[<_-:"
	for n := 0; n < 20000; n++ {
		s := make([]byte, r.IntN(2000))
		for i := range s {
			s[i] = alpha[r.IntN(len(alpha))]
		}
		if len(s) > 0 && r.IntN(2) == 0 {
			w := []byte(string(placeholderWords[r.IntN(len(placeholderWords))]))
			for i := range w {
				if r.IntN(2) == 0 {
					w[i] = bytes.ToUpper(w[i : i+1])[0]
				}
			}
			at := r.IntN(len(s))
			s = append(s[:at], append(w, s[at:]...)...)
		}
		if got, want := containsPlaceholderWord(s), naive(s); got != want {
			t.Fatalf("containsPlaceholderWord(%q) = %v, want %v", s, got, want)
		}
	}
}
