package scanner

import "testing"

// log-update / ansi-escapes (ink, listr, ora) redraw a line with
// ESC[2K ESC[1A ... ESC[G and then the text: "cursorLeft" is ESC [ G with no
// parameter. When csiAfter read ESC [ + letter as a code only for m/K/J/H, the
// G stayed in the view and glued to the token: "Gghp_…" has no \b. Every final
// byte ends a code, as in a terminal (but ESC [ A glued to a word stays text).
func TestReview8CursorLeftGluedToSecret(t *testing.T) {
	s := testScanner(t)
	gh, aws := ghToken(54), "AKIARLE67BFIQTZPH4MN"
	for _, c := range []struct {
		name, src, sec string
		mode           Mode
	}{
		{"text G ghp", "\x1b[2K\x1b[1A\x1b[2K\x1b[G" + gh + "\n", gh, ModeText},
		{"text G aws", "\x1b[2K\x1b[G" + aws + "\n", aws, ModeText},
		{"text 1A ghp", "\x1b[1A" + gh + "\n", gh, ModeText},
		{"text 1A then AKIA", "aws \x1b[1A" + aws + "\n", aws, ModeText},
		{"json G ghp", `{"out":"\u001b[2K\u001b[G` + gh + `"}`, gh, ModeJSON},
	} {
		ok := false
		for _, f := range s.ScanMode([]byte(c.src), c.mode) {
			if string(f.Secret()) == c.sec {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: secret after a parameterless cursor code not found", c.name)
		}
	}
}
