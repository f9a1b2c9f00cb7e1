package scanner

import (
	"encoding/base64"
	"strings"
	"testing"
)

// A MIME-wrapped block (4 full lines of 76, std alphabet, decoding to harmless
// text) followed directly by a shorter line that is URL-safe base64 of a token.
// The whole block fails (mixed alphabets), the block without its last line decodes
// to text without a secret, so text=true and len(lines)=5 > maxRecheckLines: the
// last line is never read on its own. Before cc20dfe it was (line-by-line fallback).
func TestReview10LastLineLostInLongTextBlock(t *testing.T) {
	s := testScanner(t)
	var a string
	for k := 0; ; k++ {
		txt := strings.Repeat("Lorem ipsum dolor sit amet? <consectetur> ~ ", 10)[k%5:]
		txt = txt[:228]
		a = base64.StdEncoding.EncodeToString([]byte(txt))
		if len(a) == 304 && strings.ContainsAny(a, "+/") {
			break
		}
	}
	var b string
	for k := 0; ; k++ {
		txt := "t=" + ghToken(71) + "\n" + strings.Repeat("?>~", k)[:k]
		b = base64.RawURLEncoding.EncodeToString([]byte(txt))
		if len(b) >= 76 {
			t.Fatal("no url-safe line found")
		}
		if strings.ContainsAny(b, "-_") {
			break
		}
	}
	if len(s.ScanMode([]byte("x\n"+b+"\n"), ModeText)) == 0 {
		t.Fatal("control: last line alone not found")
	}
	block := a[:76] + "\n" + a[76:152] + "\n" + a[152:228] + "\n" + a[228:] + "\n"
	// control: 3 full lines + the last line (4 lines, line-by-line recheck) is found
	short := []byte("x\n" + a[:76] + "\n" + a[76:152] + "\n" + a[152:228] + "\n" + b + "\nend\n")
	t.Logf("3 full lines + b: %d findings", len(s.ScanMode(short, ModeText)))
	src := []byte("x\n" + block + b + "\nend\n")
	bStart := strings.Index(string(src), b)
	covered := false
	for _, f := range s.ScanMode(src, ModeText) {
		t.Logf("finding %s %d..%d", f.RuleID, f.Start.Offset, f.End.Offset)
		if f.Start.Offset <= int64(bStart) && f.End.Offset >= int64(bStart+len(b)) {
			covered = true
		}
	}
	if !covered {
		t.Errorf("URL-safe base64 token line after a 4-line wrapped text block is not found")
	}
}
