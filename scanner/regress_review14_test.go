package scanner

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Review 14: git diff --color colours a line's + and its text separately, so a
// key starting the line came after a code run; and grep -n or JSON strings put
// other bytes before the +.
func TestReview14KeyStartingAColouredDiffLine(t *testing.T) {
	s := testScanner(t)
	secrets := func(src []byte, mode Mode) string {
		var got []string
		for _, f := range s.ScanMode(src, mode) {
			got = append(got, string(f.Secret()))
		}
		return strings.Join(got, " ")
	}
	google := "AIzaSyD3x9Kq2LmZ7pW4tR8vN6bY1cH5jF0gQ2s"
	proj := "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"
	want := google + " " + proj
	// git 2.39 `git diff --color=always`: marker and line are coloured separately
	diff := "\x1b[1mdiff --git a/.env b/.env\x1b[m\n\x1b[1m--- a/.env\x1b[m\n\x1b[1m+++ b/.env\x1b[m\n\x1b[36m@@ -1 +1,2 @@\x1b[m\n" +
		"\x1b[31m-\x1b[m\x1b[31m" + google + "\x1b[m\n\x1b[32m+\x1b[m\x1b[32m" + proj + "\x1b[m\n"
	doc, _ := json.Marshal(map[string]string{"type": "tool_result", "content": diff})
	if got := secrets([]byte(diff), ModeText); got != want {
		t.Errorf("coloured diff (text): %q, want %q", got, want)
	}
	if got := secrets(doc, ModeJSON); got != want {
		t.Errorf("coloured diff (JSON): %q, want %q", got, want)
	}
	// grep -n over a patch, and a diff whose lines are JSON strings
	if got := secrets([]byte("fix.patch:7:-"+google+"\nfix.patch:8:+"+proj+"\n"), ModeText); got != want {
		t.Errorf("grep -n of a patch: %q, want %q", got, want)
	}
	if got := secrets([]byte(`{"hunk":["@@ -1 +1 @@","-`+google+`","+`+proj+`"]}`), ModeJSON); got != want {
		t.Errorf("diff lines as JSON strings: %q, want %q", got, want)
	}
}

// Review 14: diff-highlight wraps the changed part of a line in reverse video
// inside the line's colour; that nested attribute glues.
func TestReview14DiffHighlightInsideLineColour(t *testing.T) {
	s := testScanner(t)
	oldGH, newGH := ghToken(22), ghToken(23)
	oldKey, newKey := "AKIARLE67BFIQTZPH4MN", "AKIAZQ4M7PXN2TRB6KLW"
	// `git diff --color=always | diff-highlight` (git contrib), byte for byte
	for name, c := range map[string]struct{ log, want string }{
		"github": {"\x1b[36m@@ -1 +1 @@\x1b[m\n" +
			"\x1b[31m-GITHUB_TOKEN=ghp_\x1b[7m" + oldGH[4:] + "\x1b[27m\x1b[m\n" +
			"\x1b[32m+\x1b[m\x1b[32mGITHUB_TOKEN=ghp_\x1b[7m" + newGH[4:] + "\x1b[27m\x1b[m\n", oldGH + " " + newGH},
		"aws": {"\x1b[31m-AWS_ACCESS_KEY_ID=AKIA\x1b[7m" + oldKey[4:] + "\x1b[27m\x1b[m\n" +
			"\x1b[32m+\x1b[m\x1b[32mAWS_ACCESS_KEY_ID=AKIA\x1b[7m" + newKey[4:] + "\x1b[27m\x1b[m\n", oldKey + " " + newKey},
	} {
		var got []string
		for _, f := range s.ScanMode([]byte(c.log), ModeText) {
			got = append(got, string(f.Secret()))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: findings %q, want %q", name, got, c.want)
		}
	}
}

// Review 14: a bare erase-to-the-right between two tokens is no highlight.
func TestReview14BareEraseDoesNotGlue(t *testing.T) {
	s := testScanner(t)
	for _, c := range []struct{ log, want string }{
		{"id=AKIARLE67BFIQTZPH4MN\x1b[Kx\n", "AKIARLE67BFIQTZPH4MN"},
		{"key: AKIARLE67BFIQTZPH4MN\x1b[KAKIAZQ4M7PXN2TRB6KLW\n", "AKIARLE67BFIQTZPH4MN AKIAZQ4M7PXN2TRB6KLW"},
		{"t=" + ghToken(22) + "\x1b[Kabc\n", ghToken(22)},
	} {
		var got []string
		for _, f := range s.ScanMode([]byte(c.log), ModeText) {
			got = append(got, string(f.Secret()))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q: findings %q, want %q", c.log, got, c.want)
		}
	}
}

// Regression hunt (review 15): git diff --color-words of a short placeholder
// replaced by a key (ESC[31mchangeme ESC[m ESC[32m<key>) glued the two, as the
// old value was under 16 bytes, and the key was missed. Another colour than the
// open one is a boundary however short the highlight; grep's adjacent matches
// reopen the same colour and still glue.
func TestR15ColorWordsShortOldValueGluesKey(t *testing.T) {
	s := testScanner(t)
	skProj := "sk-proj-uNaRL63xYKwzEInncIIA3ANxN9K3KSU9Mi4roNL89sM995YTBXaK7JQEVT0m"
	aiza := "AIzaSynQvWys81vp7hB1dx8PpD5KHXe3PYiGkPA"
	akia := "AKIA5WWQ5GXSC3FNVXJV"
	cases := map[string][2]string{ // log, secret
		"color-words sk-proj": {"  api_key: \x1b[31mchangeme\x1b[m\x1b[32m" + skProj + "\x1b[m\n", skProj},
		"color-words aiza":    {"  api_key: \x1b[31mTODO\x1b[m\x1b[32m" + aiza + "\x1b[m\n", aiza},
		"color-words akia":    {"  key: \x1b[31mxxx\x1b[m\x1b[32m" + akia + "\x1b[m\n", akia},
		"colour change aiza":  {"key: \x1b[31mold\x1b[32m" + aiza + "\x1b[0m\n", aiza},
		"grep adjacent":       {"k=\x1b[01;31m\x1b[KAK\x1b[m\x1b[K\x1b[01;31m\x1b[KIA\x1b[m\x1b[K" + akia[4:] + "\n", akia},
	}
	for name, c := range cases {
		log, secret := c[0], c[1]
		doc, _ := json.Marshal(map[string]string{"type": "tool_result", "content": log})
		for _, in := range []struct {
			mode Mode
			src  []byte
		}{{ModeText, []byte(log)}, {ModeJSON, doc}} {
			found := false
			for _, f := range s.ScanMode(in.src, in.mode) {
				if string(f.Secret()) == secret {
					found = true
				}
			}
			if !found {
				t.Errorf("%s (mode %v): key %.12s… not found as itself", name, in.mode, secret)
			}
			if out := s.RedactMode(in.src, in.mode, Mask); bytes.Contains(out, []byte(secret[8:])) {
				t.Errorf("%s (mode %v): key passes unredacted", name, in.mode)
			}
		}
	}
}
