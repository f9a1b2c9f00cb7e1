package scanner

import (
	"encoding/base64"
	"strings"
	"testing"
)

// A two-line wrapped block (std alphabet) followed by a shorter base64 line in the
// URL-safe alphabet: the whole block fails (mixed alphabets), the block without its
// last line succeeds, and the last line is then never read although it is a run of
// its own that line-by-line reading decodes to a secret.
func TestReview9LastLineDroppedAfterFullTry(t *testing.T) {
	s := testScanner(t)
	var a string
	for k := 0; ; k++ {
		txt := strings.Repeat("?", k%7) + "cfg: token " + ghToken(60) + " ok?>?" + strings.Repeat("~", 96)
		txt = txt[:96]
		a = base64.StdEncoding.EncodeToString([]byte(txt))
		if len(a) == 128 && strings.ContainsAny(a, "+/") {
			break
		}
	}
	var b string
	for k := 0; ; k++ {
		txt := ghToken(61) + "\n" + strings.Repeat("?>~", k)[:k]
		b = base64.RawURLEncoding.EncodeToString([]byte(txt))
		if len(b) >= 64 {
			t.Fatal("no url-safe line found")
		}
		if strings.ContainsAny(b, "-_") {
			break
		}
	}
	// control: the url-safe line alone is found
	if len(s.ScanMode([]byte("x\n"+b+"\n"), ModeText)) == 0 {
		t.Fatal("control: last line alone not found")
	}
	src := []byte("x\n" + a[:64] + "\n" + a[64:] + "\n" + b + "\nend\n")
	fs := s.ScanMode(src, ModeText)
	bStart := strings.Index(string(src), b)
	covered := false
	for _, f := range fs {
		t.Logf("finding %s %d..%d", f.RuleID, f.Start.Offset, f.End.Offset)
		if f.Start.Offset <= int64(bStart) && f.End.Offset >= int64(bStart+len(b)) {
			covered = true
		}
	}
	if !covered {
		t.Errorf("base64 line %q after a wrapped block is not redacted; output:\n%s", b, s.RedactMode(src, ModeText, positionalReplace))
	}
}
