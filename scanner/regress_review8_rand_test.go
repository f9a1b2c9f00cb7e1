package scanner

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestReview8RandomWrappedChunking(t *testing.T) {
	s := testScanner(t)
	rng := rand.New(rand.NewPCG(77, 78))
	pieces := func() string {
		var b strings.Builder
		for k := 0; k < 2+rng.IntN(6); k++ {
			w := []int{64, 76}[rng.IntN(2)]
			nl := []string{"\n", "\r\n", "\r"}[rng.IntN(3)]
			ind := strings.Repeat([]string{" ", "\t"}[rng.IntN(2)], []int{0, 0, 2, 15, 16, 17}[rng.IntN(6)])
			payload := strings.Repeat("#", rng.IntN(120)) + []string{" token ", "\n", "auth: ", "x"}[rng.IntN(4)] + ghToken(byte(rng.IntN(200))) + []string{"", "\n", "abc"}[rng.IntN(3)]
			enc := base64.StdEncoding.EncodeToString([]byte(payload))
			if rng.IntN(3) == 0 {
				enc = strings.TrimRight(enc, "=")
			}
			for len(enc) > 0 {
				n := min(w, len(enc))
				b.WriteString(ind + enc[:n] + nl)
				enc = enc[n:]
			}
			b.WriteString([]string{"", "OK\n", "done\n", strings.Repeat("A", w) + "\n", strings.Repeat("QUJD", w/4-1) + "=\n", "\x1b[0m", "\x1b[G", "x\n", strings.Repeat(" ", rng.IntN(300))}[rng.IntN(9)])
		}
		return b.String()
	}
	for iter := 0; iter < 150; iter++ { // FuzzWriterChunking explores further
		var b strings.Builder
		if rng.IntN(3) == 0 {
			b.WriteString(strings.Repeat("plain filler text line\n", 3000+rng.IntN(3000)))
		}
		b.WriteString(pieces())
		src := []byte(b.String())
		modes := []Mode{ModeText}
		switch rng.IntN(3) {
		case 1:
			src, _ = json.Marshal(map[string]string{"o": string(src)})
			modes = []Mode{ModeJSON, ModeJSONL}
		case 2:
			var jb bytes.Buffer
			for _, l := range strings.SplitAfter(string(src), "\n\n") {
				x, _ := json.Marshal(map[string]string{"o": l})
				jb.Write(x)
				jb.WriteByte('\n')
			}
			src = jb.Bytes()
			modes = []Mode{ModeJSONL}
		}
		for _, mode := range modes {
			want := s.RedactMode(src, mode, positionalReplace)
			for _, mx := range []int{1, 5, 77, 500, 5000} {
				if mx == 1 && len(src) > 20000 {
					continue
				}
				if got := streamIn(t, s, src, mode, rng, mx); !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					lo := max(0, i-300)
					t.Fatalf("iter %d mode %v max %d: differs at %d\nsrc  %q\nwant %q\ngot  %q", iter, mode, mx, i, src[lo:min(len(src), i+300)], want[lo:min(len(want), i+300)], got[lo:min(len(got), i+300)])
				}
			}
		}
	}
}
