package vault

import (
	"strings"
	"testing"
)

func TestMintStableAndKeyed(t *testing.T) {
	k1, err := DeriveKeys([]byte("0123456789abcdef-master"))
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := DeriveKeys([]byte("another-master-key-value"))
	secret := []byte("ghp_notarealtokenbutlongenough000000")
	a := k1.Mint("t1", "github-token", secret)
	b := k1.Mint("t1", "github-token", secret)
	if a != b {
		t.Fatalf("same secret gave %v and %v", a, b)
	}
	if c := k1.Mint("t1", "generic-secret", secret); c.ID != a.ID {
		t.Fatalf("id must not depend on kind: %v vs %v", a, c)
	}
	if c := k1.Mint("t2", "github-token", secret); c.ID == a.ID {
		t.Fatalf("tenants must not share ids")
	}
	if c := k2.Mint("t1", "github-token", secret); c.ID == a.ID {
		t.Fatalf("different keys must give different ids")
	}
	if strings.Contains(a.String(), string(secret)) {
		t.Fatal("handle contains the secret")
	}
}

func TestParseRoundTrip(t *testing.T) {
	k := RandomKeys()
	for _, kind := range []string{"github-token", "jwt", "a", strings.Repeat("k", 32)} {
		h := k.Mint("", kind, []byte("s3cr3t-value"))
		got, err := Parse(h.String())
		if err != nil || got != h {
			t.Fatalf("round trip %q: %v %v", h, got, err)
		}
	}
	for _, bad := range []string{"", "[[scrub:x:0123456789]", "[[scrub:X:0123456789]]", "[[scrub:x:012345678I]]",
		"[[scrub:-x:0123456789]]", "[[scrub:x:0123456789]] ", "[[scrub:" + strings.Repeat("k", 33) + ":0123456789]]"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if got := k.Mint("", "Bad Kind!", []byte("x")); got.Kind != "secret" {
		t.Fatalf("invalid kind not replaced: %q", got.Kind)
	}
}

func TestDeriveKeysRejectsShortMaster(t *testing.T) {
	if _, err := DeriveKeys([]byte("short")); err == nil {
		t.Fatal("short master key accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("[[scrub:github-token:7QK2M4XH9P]]")
	f.Add("[[scrub::]]")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			return
		}
		if h.String() != s {
			t.Fatalf("Parse(%q) = %v, formats back as %q", s, h, h.String())
		}
		if !ValidKind(h.Kind) || len(h.ID) != IDLen {
			t.Fatalf("parsed invalid handle %#v", h)
		}
	})
}
