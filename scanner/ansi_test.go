package scanner

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// Terminal codes glued to a secret (grep --color, coloured CI logs, `script`
// typescripts) hid it: the m that ends a code stood where a rule wants a word
// boundary, and a value ran on into the code after it (review 6, R1).
func TestTerminalCodesDoNotHideSecrets(t *testing.T) {
	s := testScanner(t)
	gh, aws, pw := ghToken(21), "AKIARLE67BFIQTZPH4MN", "Xk9pL2vQ7wRt5zYq"
	log := "GITHUB_TOKEN=\x1b[1m" + gh + "\x1b[0m\n" +
		"AWS=\x1b[31m" + aws + "\x1b[0m\n" +
		"\x1b[33mDB_PASSWORD=" + pw + "\x1b[0m\n" +
		".env:3:\x1b[01;31m\x1b[KDB_PASSWORD\x1b[m\x1b[K=" + pw + "\n"
	secrets := []string{gh, aws, pw, pw}
	check := func(what string, src []byte, mode Mode) {
		t.Helper()
		fs := s.ScanMode(src, mode)
		if len(fs) != len(secrets) {
			t.Fatalf("%s: %d findings, want %d: %+v", what, len(fs), len(secrets), fs)
		}
		for i, f := range fs {
			if string(f.Secret()) != secrets[i] {
				t.Errorf("%s: finding %d is %q, want %q", what, i, f.Secret(), secrets[i])
			}
			if mode == ModeText && string(src[f.Start.Offset:f.End.Offset]) != secrets[i] {
				t.Errorf("%s: finding %d spans %q in the input", what, i, src[f.Start.Offset:f.End.Offset])
			}
		}
		// the output keeps every code; only the secrets change
		out := s.RedactMode(src, mode, Mask)
		want := string(src)
		for _, sec := range secrets[:3] {
			want = strings.ReplaceAll(want, sec, "")
		}
		got := string(out)
		for _, f := range fs {
			got = strings.Replace(got, string(Mask(f)), "", 1)
		}
		if got != want {
			t.Errorf("%s: redaction changed more than the secrets:\n got %q\nwant %q", what, got, want)
		}
		// any chunking gives the same output
		rng := rand.New(rand.NewPCG(1, 2))
		for _, max := range []int{1, 2, 3, 5, 8, 64} {
			if got := streamIn(t, s, src, mode, rng, max); !bytes.Equal(got, s.RedactMode(src, mode, positionalReplace)) {
				t.Errorf("%s: chunks of up to %d bytes give other output", what, max)
			}
		}
	}
	check("text", []byte(log), ModeText)
	doc, _ := json.Marshal(map[string]any{"type": "tool_result", "content": log})
	if !bytes.Contains(doc, []byte(`\u001b[1m`)) {
		t.Fatalf("the JSON encoding changed: %s", doc)
	}
	check("JSON", doc, ModeJSON)
	check("JSONL", append(append(doc, '\n'), []byte("{}\n")...), ModeJSONL)
}

// What only looks like a terminal code is read as it is: an ESC without '[', a
// code longer than maxCSI, an unfinished one at the end, an ESC in a JSON escape
// followed by a quote.
func TestTerminalCodeEdges(t *testing.T) {
	for _, c := range []struct {
		in       string
		n        int
		complete bool
	}{
		{"[0m", 3, true}, {"[38;5;196m", 10, true}, {"[K", 2, true}, {"[m", 2, true}, {"(B", 0, true},
		{"[1A", 3, true}, {"[A", 0, false}, {"[A\n", 2, true}, {"[AKIA", 0, true}, {"[G", 2, true}, {"[Gx", 2, true},
		{"[" + strings.Repeat("1", maxCSI) + "m", 0, true}, {"[38;5", 0, false}, {"", 0, false},
	} {
		if n, complete := csiAfter([]byte(c.in), false); n != c.n || complete != c.complete {
			t.Errorf("csiAfter(%q) = %d, %v; want %d, %v", c.in, n, complete, c.n, c.complete)
		}
	}
	if n, complete := csiAfter([]byte(`[1"m`), true); n != 0 || !complete {
		t.Errorf("a quote in JSON ends the string, not a code: %d %v", n, complete)
	}
	s := testScanner(t)
	// an unfinished code at the very end is scanned as the bytes it is
	src := "token: " + ghToken(22) + "\x1b[3"
	if fs := s.ScanMode([]byte(src), ModeText); len(fs) != 1 {
		t.Errorf("findings %+v", fs)
	}
}

// grep --color marks the part of a line that matched: "grep -r ghp_" prints the
// prefix between codes and the rest of the token after them. The codes split the
// token in two (each read as a space), so neither half was a finding. A run of
// codes with token bytes on both sides is now read as nothing.
func TestTerminalCodesInsideToken(t *testing.T) {
	s := testScanner(t)
	gh, aws := ghToken(22), "AKIARLE67BFIQTZPH4MN"
	hl := func(m string) string { return "\x1b[01;31m\x1b[K" + m + "\x1b[m\x1b[K" }
	log := "src/.env:2:GITHUB_TOKEN=" + hl("ghp_") + gh[4:] + "\n" +
		"deploy.sh:7:export AWS_ACCESS_KEY_ID=" + hl("AKIA") + aws[4:] + "\n" +
		"notes.md:1:token " + gh[:10] + hl(gh[10:14]) + gh[14:] + " here\n" +
		"plain: " + hl("ghp_") + " and " + hl("AKIA") + " alone\n"
	secrets := []string{gh, aws, gh}
	check := func(what string, src []byte, mode Mode) {
		t.Helper()
		fs := s.ScanMode(src, mode)
		var got []string
		for _, f := range fs {
			got = append(got, string(f.Secret()))
		}
		if strings.Join(got, " ") != strings.Join(secrets, " ") {
			t.Fatalf("%s: findings %q, want %q", what, got, secrets)
		}
		out := s.RedactMode(src, mode, Mask)
		for _, part := range []string{gh[4:], aws[4:], gh[14:]} {
			if bytes.Contains(out, []byte(part)) {
				t.Errorf("%s: redacted output still holds %q", what, part)
			}
		}
		if !bytes.Contains(out, []byte("alone")) || !bytes.Contains(out, []byte("GITHUB_TOKEN=")) {
			t.Errorf("%s: redaction took more than the tokens: %q", what, out)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for _, max := range []int{1, 2, 3, 7, 64} {
			if got := streamIn(t, s, src, mode, rng, max); !bytes.Equal(got, s.RedactMode(src, mode, positionalReplace)) {
				t.Errorf("%s: chunks of up to %d bytes give other output", what, max)
			}
		}
	}
	check("text", []byte(log), ModeText)
	doc, _ := json.Marshal(map[string]any{"type": "tool_result", "content": log})
	check("JSON", doc, ModeJSON)
	check("JSONL", append(doc, '\n'), ModeJSONL)
}
