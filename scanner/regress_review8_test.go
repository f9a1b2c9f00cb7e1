package scanner

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// A 64-char line, then a line indented by more than maxBack bytes that starts a
// two-line block holding a secret across its break: once the Writer has trimmed
// the first line away, lineBefore no longer sees it and the second line starts a
// block of its own; one-shot treats it as "a later line" and reads it alone.
func TestReview8LineBeforeAfterTrim(t *testing.T) {
	s := testScanner(t)
	enc := base64.StdEncoding.EncodeToString([]byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxx token=" + ghToken(50) + "\n"))
	if len(enc) <= 64 {
		t.Fatal(len(enc))
	}
	l1 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("hello world, ", 4)[:48]))
	src := []byte(strings.Repeat("some ordinary prose. ", 60) + "\n" + l1 + "\n" + strings.Repeat(" ", 300) + enc[:64] + "\n" + enc[64:] + "\nend\n")
	want := s.RedactMode(src, ModeText, positionalReplace)
	for _, max := range []int{1, 7, 50} {
		got := streamIn(t, s, src, ModeText, rand.New(rand.NewPCG(1, 2)), max)
		if !bytes.Equal(got, want) {
			t.Errorf("chunks<=%d: streamed output differs from one-shot\nwant %q\ngot  %q", max, want[len(want)-200:], got[len(got)-200:])
		}
	}
}

// Two blocks back to back (`openssl base64 -in a; openssl base64 -in b`) where the
// first ends with a full-width line holding '=' padding: the second block's first
// line has a line of width w before it and is taken for a later line of a block
// that has ended, so the second block is only read line by line.
func TestReview8BlockAfterPaddedFullLine(t *testing.T) {
	s := testScanner(t)
	a := strings.Repeat("a", 47) // 47 bytes -> 64 chars ending "="
	cfg := strings.Repeat("#", 30) + " token " + ghToken(51) + "\n"
	blkA, blkB := wrap(a, 64, "\n", ""), wrap(cfg, 64, "\n", "")
	if !strings.HasSuffix(blkA, "=\n") || strings.Count(blkA, "\n") != 1 {
		t.Fatalf("%q", blkA)
	}
	if fs := s.ScanMode([]byte("$ x\n"+blkB), ModeText); len(fs) == 0 {
		t.Fatal("control: block B alone not found")
	}
	if fs := s.ScanMode([]byte("$ x\n"+blkA+blkB), ModeText); len(fs) == 0 {
		t.Errorf("block B after a padded full-width line: secret not found")
	}
}

// Two independent base64 values on consecutive lines, each exactly 64 chars (48
// bytes, no padding): the new code decodes them as one block, the decoded text of
// the first runs into the token of the second ("…xghp_…" has no \b), and the
// token that a line-by-line reading (b7ebe16) found is lost.
func TestReview8JoinedIndependentLines(t *testing.T) {
	s := testScanner(t)
	l1 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("v", 48)))
	l2 := base64.StdEncoding.EncodeToString([]byte(ghToken(53) + "\n1234567"))
	if len(l1) != 64 || len(l2) != 64 {
		t.Fatal(len(l1), len(l2))
	}
	if fs := s.ScanMode([]byte("x\n"+l2+"\n"), ModeText); len(fs) == 0 {
		t.Fatal("control: line alone not found")
	}
	if fs := s.ScanMode([]byte("x\n"+l1+"\n"+l2+"\n"), ModeText); len(fs) == 0 {
		t.Errorf("second of two 64-char values: secret not found")
	}
}
