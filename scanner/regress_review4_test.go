package scanner

import (
	"bytes"
	"testing"
)

func chunked(t *testing.T, s *Scanner, src []byte, mode Mode, cut int) []byte {
	var out bytes.Buffer
	w := s.NewWriter(&out, mode, positionalReplace, nil)
	w.Write(src[:cut])
	w.Write(src[cut:])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// S1: header gate: a token of 12-19 identifier bytes followed by a space and a short
// word is taken for a scheme; the whole input fails the gate, a prefix passes it.
func TestS1HeaderGateChunking(t *testing.T) {
	s := testScanner(t)
	for _, src := range []string{
		"Authorization: q8Zr2LmX9vTn4KpW7s ok\n",
		"Authorization: q8Zr2LmX9vTn4KpW7s ok",
	} {
		whole := s.RedactMode([]byte(src), ModeText, positionalReplace)
		t.Logf("whole: %q", whole)
		for cut := 1; cut < len(src); cut++ {
			got := chunked(t, s, []byte(src), ModeText, cut)
			if !bytes.Equal(got, whole) {
				t.Errorf("cut at %d: %q, whole input: %q", cut, got, whole)
				break
			}
		}
	}
}

// S2: the same gate misreads the secret as a scheme in the whole input: missed.
func TestS2HeaderGateMissesWhole(t *testing.T) {
	s := testScanner(t)
	for _, src := range []string{
		"Authorization: q8Zr2LmX9vTn4KpW7s ok\n",
		"Authorization: q8Zr2LmX9vTn4KpW7s\n",
		"use Bearer q8Zr2LmX9vTn4KpW7s to log in\n",
		"use Bearer q8Zr2LmX9vTn4KpW7sYd3GhJ to log in\n",
	} {
		fs := s.ScanMode([]byte(src), ModeText)
		t.Logf("%q: %d findings", src, len(fs))
		if len(fs) == 0 {
			t.Errorf("%q: no finding", src)
		}
	}
}
