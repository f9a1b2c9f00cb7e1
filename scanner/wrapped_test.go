package scanner

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// wrap writes s as base64 in lines of width characters, as PEM (64) and MIME or
// GNU base64 (76) do.
func wrap(s string, width int, nl, indent string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > width {
		b.WriteString(indent + enc[:width] + nl)
		enc = enc[width:]
	}
	b.WriteString(indent + enc + nl)
	return b.String()
}

// Review 6, R6: base64 wrapped in lines (`base64 config.json`, openssl, MIME) was
// only decoded line by line, and a secret that crosses a line break was missed.
func TestWrappedBase64(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(23)
	cfg := "{\n  \"name\": \"my-app\",\n  \"version\": \"1.0.0\",\n  \"registry\": \"https://npm.example.com\",\n  \"auth\": \"" + tok + "\"\n}\n"
	for _, c := range []struct {
		name, nl, indent string
		width            int
	}{{"GNU", "\n", "", 76}, {"PEM CRLF", "\r\n", "", 64}, {"YAML", "\n", "    ", 76}} {
		block := wrap(cfg, c.width, c.nl, c.indent)
		// the token crosses a line break in every one of these layouts
		if lines := strings.Split(block, c.nl); !strings.Contains(block, "\n") || len(lines) < 3 {
			t.Fatalf("%s: not wrapped: %q", c.name, block)
		}
		for _, mode := range []Mode{ModeText, ModeJSON} {
			src := []byte("$ base64 config.json\n" + block + "$ echo done\n")
			if mode == ModeJSON {
				src, _ = json.Marshal(map[string]string{"output": string(src)})
			}
			fs := s.ScanMode(src, mode)
			if len(fs) != 1 || fs[0].RuleID != "github-pat" || fs[0].Encoding != "base64" {
				t.Fatalf("%s %v: findings %+v", c.name, mode, fs)
			}
			// the whole block is the finding: redaction leaves no line of it
			out := s.RedactMode(src, mode, Mask)
			for _, line := range strings.Split(strings.TrimSpace(block), c.nl) {
				if bytes.Contains(out, []byte(strings.TrimSpace(line))) {
					t.Errorf("%s %v: a line of the block survived redaction: %s", c.name, mode, out)
					break
				}
			}
			if !bytes.Contains(out, []byte("$ echo done")) || !bytes.Contains(out, []byte("$ base64 config.json")) {
				t.Errorf("%s %v: redaction took more than the block: %s", c.name, mode, out)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for _, max := range []int{1, 3, 7, 50, 200} {
				if got := streamIn(t, s, src, mode, rng, max); !bytes.Equal(got, s.RedactMode(src, mode, positionalReplace)) {
					t.Errorf("%s %v: chunks of up to %d bytes give other output", c.name, mode, max)
				}
			}
		}
	}
	// lines of the width that are no block: one line, and unrelated runs
	one := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("plain words here, ", 4)))[:76]
	if fs := s.ScanMode([]byte(one+"\nok\n"), ModeText); len(fs) != 0 {
		t.Errorf("findings in a single clean line: %+v", fs)
	}
}
