package scanner

import (
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
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

// R5-2: a checksummed token in which four x occur by chance was dropped as a
// placeholder; a valid checksum now outweighs placeholder words.
func TestChecksummedTokenWithXRunFound(t *testing.T) {
	s := testScanner(t)
	for _, body := range []string{"Kq7xxxxZr2LmX9vTn4KpW7sYd3GhJa", "Kq7dummyZr2LmX9vTn4KpW7sYd3GhJ"} {
		tok := detectors.MintPrefixedCRC32("ghp_", []byte(body))
		if fs := s.ScanMode([]byte("token "+tok+"\n"), ModeText); len(fs) == 0 {
			t.Errorf("a checksummed GitHub token holding a placeholder word was not found (%.10s…)", body)
		}
	}
	// a documentation value with a run of x and no valid checksum stays a placeholder
	if fs := s.ScanMode([]byte("token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"), ModeText); len(fs) != 0 {
		t.Fatalf("placeholder reported: %+v", fs[0].RuleID)
	}
}

// R5-3: a backslash at the end of a JSONL line swallowed the raw newline as an
// invalid escape, so the string stayed open into the next line and that line's
// findings got the wrong JSON path.
func TestBackslashBeforeRawNewline(t *testing.T) {
	s := testScanner(t)
	tok := detectors.MintPrefixedCRC32("ghp_", []byte("Zq8Lm2Wz9Rt4Xn7Kp3Yb6Gh1Jd5Fs0"))
	src := "{\"a\":\"x\\\n{\"api\":\"" + tok + "\"}\n"
	fs := s.ScanMode([]byte(src), ModeJSONL)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1", len(fs))
	}
	if fs[0].JSONPath != "$.api" || fs[0].Start.Line != 2 {
		t.Fatalf("finding at line %d path %q, want line 2 path $.api", fs[0].Start.Line, fs[0].JSONPath)
	}
}
