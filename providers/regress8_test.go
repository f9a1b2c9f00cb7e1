package providers

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/scanner"
)

// Probe: does the text redactor ever emit a partial UTF-8 sequence (each piece is
// then encoded separately, turning one rune into two U+FFFD)?
func TestReviewRunesSurviveHoldBack(t *testing.T) {
	texts := []string{
		"password: ééééééééé and token=ünïcødé€€€ ghp_ab✓✓✓",
		"Authorization: Bearer 日本語のテキスト and more",
		"api_key = \"ÄÖÜäöüß€\" secret: 😀😀😀😀 AKIA😀",
		"-----BEGIN RSA PRIVATE KEY-----\nééé\n-----END RSA PRIVATE KEY----- ✓",
		"https://user:pässwörd@example.com/ ✓",
	}
	s, _ := newTestScrubber(t)
	for _, text := range texts {
		want := wantRedacted(t, text, scanner.ModeText)
		for cut := 1; cut < len(text); cut++ {
			if !utf8.RuneStart(text[cut]) {
				continue
			}
			out := runStream(t, s, chatStream(splitAt(text, cut), nil))
			got := strings.Join(evContents(t, out), "")
			if got != want {
				t.Fatalf("%q cut %d:\n got %q\nwant %q", text, cut, got, want)
			}
		}
	}
	fmt.Println("ok")
}

func TestReviewRunesRandomPieces(t *testing.T) {
	text := "password: ééééééééé and token=ünïcødé€€€ ghp_ab✓✓✓ Authorization: Bearer 日本語のテキスト api_key = \"ÄÖÜäöüß€\" secret: 😀😀😀😀 AKIA😀 https://user:pässwörd@example.com/ ✓ sk-ant-api03-éé"
	s, _ := newTestScrubber(t)
	want := wantRedacted(t, text, scanner.ModeText)
	r := newRand(3)
	for i := 0; i < 300; i++ {
		out := runStream(t, s, chatStream(randomPieces(r, text, 4), nil))
		if got := strings.Join(evContents(t, out), ""); got != want {
			t.Fatalf("round %d:\n got %q\nwant %q", i, got, want)
		}
	}
}
func newRand(s int64) *rand.Rand { return rand.New(rand.NewSource(s)) }
