package scanner

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// Random layouts of wrapped base64 (widths 64/76, LF/CRLF, indentation, short and
// long blocks, text between): streamed output equals the one-shot one.
func TestReview7WrappedChunking(t *testing.T) {
	s := testScanner(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := 0; iter < 120; iter++ {
		var b strings.Builder
		for k := 0; k < 1+rng.IntN(4); k++ {
			payload := strings.Repeat("some config text line here\n", rng.IntN(40)) + "auth: " + ghToken(byte(iter+k)) + "\n" + strings.Repeat("x", rng.IntN(200))
			w := []int{64, 76}[rng.IntN(2)]
			nl := []string{"\n", "\r\n"}[rng.IntN(2)]
			ind := []string{"", "  ", "\t"}[rng.IntN(3)]
			b.WriteString([]string{"$ base64 f\n", "key: ", "", "    "}[rng.IntN(4)])
			b.WriteString(wrap(payload, w, nl, ind))
			b.WriteString([]string{"done\n", "", "QUJD\n", " tail text\n"}[rng.IntN(4)])
		}
		src := []byte(b.String())
		modes := []Mode{ModeText}
		if iter%3 == 0 {
			src, _ = json.Marshal(map[string]string{"o": string(src)})
			modes = []Mode{ModeJSON, ModeJSONL}
		}
		for _, mode := range modes {
			want := s.RedactMode(src, mode, positionalReplace)
			if bytes.Contains(want, []byte("auth: ")) {
				t.Fatal("?")
			}
			for _, max := range []int{1, 5, 77, 500} {
				if got := streamIn(t, s, src, mode, rng, max); !bytes.Equal(got, want) {
					t.Fatalf("iter %d mode %v max %d: differs\nsrc %q\nwant %q\ngot  %q", iter, mode, max, src, want, got)
				}
			}
		}
	}
}
