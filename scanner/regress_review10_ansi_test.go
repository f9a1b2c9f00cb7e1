package scanner

import (
	"strings"
	"testing"
)

// A stray "ESC [" (a cut-off or mangled code) directly before a secret: the bytes
// sent upstream still hold the whole token, and the scan without any terminal
// code finds it, but the ANSI view now eats the token's first letter as a final byte.
func TestReview10StrayCSIEatsSecret(t *testing.T) {
	s := testScanner(t)
	gh := ghToken(80)
	for _, c := range []struct {
		name, src, sec string
		mode           Mode
	}{
		{"text ghp", "token: \x1b[" + gh + "\n", gh, ModeText},
		{"text AKIA", "aws \x1b[AKIARLE67BFIQTZPH4MN\n", "AKIARLE67BFIQTZPH4MN", ModeText},
		{"json ghp", `{"out":"token: \u001b[` + gh + `"}`, gh, ModeJSON},
	} {
		// control: the same bytes with ESC replaced by a space are found
		ctl := strings.Replace(strings.Replace(c.src, "\x1b", " ", 1), `\u001b`, " ", 1)
		if len(s.ScanMode([]byte(ctl), c.mode)) == 0 {
			t.Fatalf("%s: control not found", c.name)
		}
		out := s.RedactMode([]byte(c.src), c.mode, positionalReplace)
		if strings.Contains(string(out), c.sec) {
			t.Errorf("%s: secret passes through unredacted: %q", c.name, out)
		}
	}
}
