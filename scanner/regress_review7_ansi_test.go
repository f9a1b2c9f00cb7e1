package scanner

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// Review 7 found a key after a stray "ESC [" losing its first letter (read as the
// code's final byte). A terminal reads it so too; what real output holds is a
// complete code, parameters or not, then the key: that must be found.
func TestReview7KeyAfterCompleteCode(t *testing.T) {
	s := testScanner(t)
	gh := ghToken(50)
	for _, c := range []struct {
		name string
		src  string
		mode Mode
		sec  string
	}{
		{"text ghp after erase", "token: \x1b[K" + gh + "\n", ModeText, gh},
		{"text AKIA after erase", "aws \x1b[2K\x1b[KAKIARLE67BFIQTZPH4MN\n", ModeText, "AKIARLE67BFIQTZPH4MN"},
		{"text AKIA after cursor up", "aws \x1b[1AAKIARLE67BFIQTZPH4MN\n", ModeText, "AKIARLE67BFIQTZPH4MN"},
		{"json ghp after reset", `{"out":"token: \u001b[m` + gh + `"}`, ModeJSON, gh},
	} {
		fs := s.ScanMode([]byte(c.src), c.mode)
		ok := false
		for _, f := range fs {
			if string(f.Secret()) == c.sec {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: secret not found: %+v", c.name, fs)
		}
	}
}

// Long text without ESC (more than 64 KiB, so the Writer has trimmed its input)
// and then coloured output with secrets: streamed output and positions must equal
// the one-shot ones.
func TestReview7TextSwitchesToViewAfterTrim(t *testing.T) {
	s := testScanner(t)
	var b strings.Builder
	for b.Len() < 150<<10 {
		b.WriteString("plain log line with nothing secret in it, number 12345 and some words\n")
	}
	b.WriteString("AKIARLE67BFIQTZPH4MN early\n")
	for i := 0; i < 200; i++ {
		b.WriteString("\x1b[32mok\x1b[0m line GITHUB_TOKEN=\x1b[1m" + ghToken(byte(i)) + "\x1b[0m tail \x1b[38;5;1")
		b.WriteString("96mred\x1b[m AWS=\x1b[31mAKIARLE67BFIQTZPH4MN\x1b[0m\n")
		if i%50 == 0 {
			b.WriteString(strings.Repeat("filler text without codes ", 3000) + "\n")
		}
	}
	src := []byte(b.String())
	want := s.RedactMode(src, ModeText, positionalReplace)
	wantF := s.ScanMode(src, ModeText)
	for i, f := range wantF {
		if got := string(src[f.Start.Offset:f.End.Offset]); got != string(f.Secret()) {
			t.Fatalf("finding %d spans %q, secret %q", i, got, f.Secret())
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, max := range []int{1, 7, 100, 5000, 70000} {
		var out bytes.Buffer
		var got []Finding
		w := s.NewWriter(&out, ModeText, positionalReplace, func(f Finding) { got = append(got, f) })
		for rest := src; len(rest) > 0; {
			n := min(1+rng.IntN(max), len(rest))
			w.Write(rest[:n])
			rest = rest[n:]
		}
		w.Close()
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("max %d: streamed output differs", max)
		}
		if !sameFindings(got, wantF) {
			t.Errorf("max %d: streamed findings differ (%d vs %d)", max, len(got), len(wantF))
		}
	}
}

// Abort in text mode after the switch to a view: no secret prefix held may leak.
func TestReview7AbortAfterSwitch(t *testing.T) {
	s := testScanner(t)
	var out bytes.Buffer
	w := s.NewWriter(&out, ModeText, Mask, nil)
	tok := ghToken(60)
	w.Write([]byte("\x1b[1mhello\x1b[0m token: \x1b[1m" + tok[:30]))
	if err := w.Abort([]byte("[TRUNCATED]")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), tok[:10]) {
		t.Fatalf("abort output %q", out.String())
	}
}

// BOM: streamed one byte at a time, positions equal the one-shot ones.
func TestReview7BOMChunked(t *testing.T) {
	s := testScanner(t)
	for _, src := range []string{
		"\xef\xbb\xbfAKIARLE67BFIQTZPH4MN\nx AKIARLE67BFIQTZPH4MX\n",
		"\xef\xbb\xbf\x1b[1mAKIARLE67BFIQTZPH4MN\x1b[0m\n",
		"\xef\xbb\xbf{\"a\":\"AKIARLE67BFIQTZPH4MN\"}",
	} {
		for _, mode := range []Mode{ModeText, ModeJSON} {
			want := s.ScanMode([]byte(src), mode)
			var got []Finding
			w := s.NewWriter(discard{}, mode, Mask, func(f Finding) { got = append(got, f) })
			for i := 0; i < len(src); i++ {
				w.Write([]byte{src[i]})
			}
			w.Close()
			if !sameFindings(got, want) {
				t.Errorf("%q %v: chunked %+v vs %+v", src, mode, got, want)
			}
		}
	}
}
