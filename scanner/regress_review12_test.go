package scanner

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// Review 12: reading every run of codes between token bytes as nothing glued a
// secret to its neighbour where the codes mark a boundary: git diff
// --color-words (ESC[m ESC[32m between the old and the new value), lines redrawn
// in place (ESC[1G ESC[2K, ESC[1A ESC[2K), and a value highlighted whole right
// before a letter. Only runs in the shape of a search highlight glue now.
func TestReview12CodeRunsThatMarkBoundaries(t *testing.T) {
	s := testScanner(t)
	oldKey, newKey := "AKIARLE67BFIQTZPH4MN", "AKIAZQ4M7PXN2TRB6KLW"
	oldGH, newGH := ghToken(22), ghToken(23)
	cases := map[string]struct {
		log     string
		secrets []string
	}{
		"color-words aws": {"deploy:\x1b[m\n  key: \x1b[31m" + oldKey + "\x1b[m\x1b[32m" + newKey + "\x1b[m\n", []string{oldKey, newKey}},
		"color-words gh":  {"  - \x1b[31m" + oldGH + "\x1b[m\x1b[32m" + newGH + "\x1b[m\n", []string{oldGH, newGH}},
		"redraw CHA":      {"resolving 3/4\x1b[1G\x1b[2K" + newKey + " ok\n", []string{newKey}},
		"redraw CUU":      {"#5 DONE 0.1s\x1b[1A\x1b[2K" + newGH + " ok\n", []string{newGH}},
		"bold then word":  {"id=\x1b[1m" + newKey + "\x1b[0mx\n", []string{newKey}},
		"grep whole key":  {"a.env:1:K=\x1b[01;31m\x1b[K" + newGH + "\x1b[m\x1b[Kz\n", []string{newGH}},
		// review 13: colours switched off other than by a reset (chalk, pygments),
		// shell colour idioms, a change of colour with no reset between values
		"chalk bold then word":     {"id=\x1b[1m" + newKey + "\x1b[22mx\n", []string{newKey}},
		"chalk colour then word":   {"id=\x1b[32m" + newKey + "\x1b[39mx\n", []string{newKey}},
		"pygments reset then word": {"id=\x1b[33m" + newKey + "\x1b[39;49;00mx\n", []string{newKey}},
		"00 reset then word":       {"id=\x1b[01;32m" + newKey + "\x1b[00mx\n", []string{newKey}},
		"chalk old then new":       {"key: \x1b[31m" + oldKey + "\x1b[39m\x1b[32m" + newKey + "\x1b[39m\n", []string{oldKey, newKey}},
		"chalk old then new gh":    {"  - \x1b[31m" + oldGH + "\x1b[39m\x1b[32m" + newGH + "\x1b[39m\n", []string{oldGH, newGH}},
		"colour change":            {"key: \x1b[31m" + oldKey + "\x1b[32m" + newKey + "\x1b[0m\n", []string{oldKey, newKey}},
		"0;3x shell colours":       {"key: \x1b[0;31m" + oldKey + "\x1b[0;32m" + newKey + "\x1b[0m\n", []string{oldKey, newKey}},
		"256-colour black":         {"key: \x1b[38;5;0m" + oldKey + "\x1b[38;2;0;0;0m" + newKey + "\x1b[0m\n", []string{oldKey, newKey}},
		// ripgrep opens a match with a reset first and closes it with a reset
		"rg highlight gh":  {"\x1b[0m\x1b[35m.env\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:GITHUB_TOKEN=\x1b[0m\x1b[1m\x1b[31mghp_\x1b[0m" + newGH[4:] + "\n", []string{newGH}},
		"rg highlight aws": {"\x1b[0m\x1b[35m.env\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:AWS_ACCESS_KEY_ID=\x1b[0m\x1b[1m\x1b[31mAKIA\x1b[0m" + newKey[4:] + "\n", []string{newKey}},
		"diff-highlight":   {"-token: " + oldGH[:20] + "\x1b[7mAB\x1b[27m" + oldGH[22:] + "\n", []string{oldGH[:20] + "AB" + oldGH[22:]}},
	}
	for name, c := range cases {
		doc, _ := json.Marshal(map[string]string{"type": "tool_result", "content": c.log})
		for _, in := range []struct {
			mode Mode
			src  []byte
		}{{ModeText, []byte(c.log)}, {ModeJSON, doc}, {ModeJSONL, append(doc, '\n')}} {
			var got []string
			for _, f := range s.ScanMode(in.src, in.mode) {
				got = append(got, string(f.Secret()))
			}
			if strings.Join(got, " ") != strings.Join(c.secrets, " ") {
				t.Errorf("%s (mode %v): findings %q, want %q", name, in.mode, got, c.secrets)
			}
			out := s.RedactMode(in.src, in.mode, Mask)
			for _, sec := range c.secrets {
				if bytes.Contains(out, []byte(sec)) {
					t.Errorf("%s (mode %v): %.8s… passes unredacted", name, in.mode, sec)
				}
			}
			rng := rand.New(rand.NewPCG(7, 8))
			for _, max := range []int{1, 2, 5, 64} {
				if got := streamIn(t, s, in.src, in.mode, rng, max); !bytes.Equal(got, s.RedactMode(in.src, in.mode, positionalReplace)) {
					t.Errorf("%s (mode %v): chunks of up to %d bytes give other output", name, in.mode, max)
				}
			}
		}
	}
}

// \U001b is no JSON escape: it is text, alone or after a real \u001b code.
func TestReview12UpperUIsNoEscape(t *testing.T) {
	s := testScanner(t)
	gh := ghToken(22)
	alone := `{"o":"T=` + gh[:8] + `\U001b[1m` + gh[8:] + `"}`
	after := `{"o":"T=` + gh[:8] + `\u001b[1m\U001b[1m` + gh[8:] + `"}`
	if a, b := len(s.ScanMode([]byte(alone), ModeJSON)), len(s.ScanMode([]byte(after), ModeJSON)); a != b {
		t.Errorf("\\U001b[1m read as text alone (%d findings) but as a code after \\u001b[1m (%d findings)", a, b)
	}
}

// A run of codes that ends a JSON input (a string cut short) is read as a run,
// as in text, not left raw in the view.
func TestReview12CodeRunAtEndOfJSONInput(t *testing.T) {
	s := testScanner(t)
	p := s.newPipeline(ModeJSON, nil, nil, nil)
	p.writeAll([]byte(`{"o":"ab\u001b[1m`))
	if strings.Contains(string(p.jv.view), `\u001b`) {
		t.Errorf("complete code at the end of JSON input left raw in the view: %q", p.jv.view)
	}
}
