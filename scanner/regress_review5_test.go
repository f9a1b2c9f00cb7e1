package scanner

import (
	"strings"
	"testing"
)

// R5-1: a secret whose entropy is exactly a rule's floor (8 symbols, equally often:
// 3.0 bits) was dropped when Entropy came out an ulp below it.
func TestEntropyFloorSecretFound(t *testing.T) {
	s := testScanner(t)
	for _, k := range []int{5, 6, 7, 8} {
		src := "vonage_api_secret = " + strings.Repeat("q7Zk2Xm9", k) + "\n"
		if fs := s.ScanMode([]byte(src), ModeText); len(fs) == 0 {
			t.Errorf("k=%d: no finding for a %d-byte secret at the entropy floor", k, 8*k)
		}
	}
}
