package scanner

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestIndexStringStop compares the word-at-a-time and windowed search with the
// obvious loop on inputs whose stop byte is anywhere, including far past 32 bytes
// and at window edges.
func TestIndexStringStop(t *testing.T) {
	naive := func(b []byte) int {
		if i := bytes.IndexAny(b, "\"\\\n"); i >= 0 {
			return i
		}
		return len(b)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		b := make([]byte, r.IntN(700))
		full := n%2 == 0 // every byte value, else letters with planted stops
		for i := range b {
			if full {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = byte('a' + r.IntN(26))
			}
		}
		for k := r.IntN(3); k > 0 && len(b) > 0; k-- {
			b[r.IntN(len(b))] = "\"\\\n"[r.IntN(3)]
		}
		if got, want := indexStringStop(b), naive(b); got != want {
			t.Fatalf("len %d: got %d, want %d", len(b), got, want)
		}
	}
}
