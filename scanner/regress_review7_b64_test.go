package scanner

import (
	"strings"
	"testing"
	"time"
)

// A base64 value of exactly 64 characters (with '=' padding) followed by another
// line that starts with base64 characters: the joined "block" fails to decode, and
// the line that held the secret alone is no longer checked.
func TestReview7WrappedBlockLosesSingleLineSecret(t *testing.T) {
	s := testScanner(t)
	val := base64Std("token=" + ghToken(40)) // 46 bytes -> 64 chars ending "=="
	if len(val) != 64 {
		t.Fatalf("len %d", len(val))
	}
	// a Kubernetes Secret manifest
	src := "apiVersion: v1\nkind: Secret\ndata:\n  gh: " + val + "\n  user-name: YWRtaW4=\n"
	if fs := s.ScanMode([]byte(src), ModeText); len(fs) == 0 {
		t.Errorf("k8s secret: base64 secret of 64 chars not found (next line joined)")
	}
	// the same value alone is found
	if fs := s.ScanMode([]byte("  gh: "+val+"\n"), ModeText); len(fs) == 0 {
		t.Fatalf("control: not found alone")
	}
	// a sha256 hex digest (64 chars) on the line before a base64-encoded secret
	val2 := base64Std("GITHUB_TOKEN=" + ghToken(41))
	src2 := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" + val2 + "\n"
	if fs := s.ScanMode([]byte(src2), ModeText); len(fs) == 0 {
		t.Errorf("digest line + base64 secret line: not found (len %d)", len(val2))
	}
}

// A 64-character line followed by a line break and then an endless run (of
// spaces or of base64 characters without a line break) keeps the block "open":
// the Writer holds everything back, and rescans it on every Write.
func TestReview7WrappedBlockHoldsUnboundedly(t *testing.T) {
	s := testScanner(t)
	for _, fill := range []string{" ", "QUJD"} {
		w := s.NewWriter(discard{}, ModeText, Mask, nil)
		w.Write([]byte("cert:\n" + strings.Repeat("QUJD", 16) + "\n"))
		chunk := []byte(strings.Repeat(fill, 4096/len(fill)))
		start := time.Now()
		for i := 0; i < 512; i++ { // 2 MiB
			w.Write(chunk)
		}
		el := time.Since(start)
		if held := w.Held(); held > int64(maxBase64Run+s.maxHold+4096) {
			t.Errorf("fill %q: held %d bytes after 2 MiB (bound ~%d), %v", fill, held, maxBase64Run+s.maxHold+4096, el)
		}
		w.Close()
	}
}

func TestReview7DigestThenSecret(t *testing.T) {
	s := testScanner(t)
	val := base64Std("token=" + ghToken(42))
	src := "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" + val + "\n"
	if fs := s.ScanMode([]byte(src), ModeText); len(fs) == 0 {
		t.Errorf("digest line + base64 secret line (64 chars): not found")
	}
}

// `base64 config.json` whose output fills its last line (the file is a multiple of
// 57 bytes long) followed by any line that starts with a word: the word is joined
// to the block, the block no longer decodes, and the secret is lost.
func TestReview7WrappedBlockSwallowsNextWord(t *testing.T) {
	s := testScanner(t)
	cfg := "{\n  \"registry\": \"https://npm.example.com\",\n  \"auth\": \"" + ghToken(43) + "\"\n}\n"
	for len(cfg)%57 != 0 {
		cfg = " " + cfg
	}
	blk := wrap(cfg, 76, "\n", "")
	for _, next := range []string{"$ echo ok\n", "done\n", "user@host:~$ ls\n"} {
		src := "$ base64 config.json\n" + blk + next
		if fs := s.ScanMode([]byte(src), ModeText); len(fs) == 0 {
			t.Errorf("next line %q: base64 secret not found", next)
		}
	}
}
