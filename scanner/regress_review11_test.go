package scanner

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestReview11AnsiVariants(t *testing.T) {
	s := testScanner(t)
	key := "AKIARLE67BFIQTZPH4MN"
	cases := []struct {
		name, src string
		mode      Mode
	}{
		{"json A escaped K", `{"out":"aws \u001b[A\u004bIARLE67BFIQTZPH4MN"}`, ModeJSON},
		{"json A raw", `{"out":"aws \u001b[AKIARLE67BFIQTZPH4MN"}`, ModeJSON},
		{"text eof", "aws \x1b[A", ModeText},
		{"text A end", "aws \x1b[AKIARLE67BFIQTZPH4MN", ModeText},
		{"jsonl", `{"out":"aws \u001b[AKIARLE67BFIQTZPH4MN"}` + "\n", ModeJSONL},
		{"text of json esc", `{"out":"aws \u001b[AKIARLE67BFIQTZPH4MN"}`, ModeText},
		{"json raw esc", "{\"out\":\"aws \x1b[AKIARLE67BFIQTZPH4MN\"}", ModeJSON},
	}
	for _, c := range cases {
		out := s.RedactMode([]byte(c.src), c.mode, positionalReplace)
		t.Logf("%s: %q", c.name, out)
		if strings.Contains(string(out), "IARLE67BFIQTZPH4MN") {
			t.Errorf("%s: passes: %q", c.name, out)
		}
		for seed := uint64(0); seed < 20; seed++ {
			rng := rand.New(rand.NewPCG(seed, 1))
			got := streamIn(t, s, []byte(c.src), c.mode, rng, 3)
			if !bytes.Equal(got, out) {
				t.Errorf("%s: stream %q vs %q", c.name, got, out)
				break
			}
		}
	}
	_ = key
}
