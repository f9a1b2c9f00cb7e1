package scanner

import (
	"encoding/json"
	"strings"
	"testing"
)

// Review 13: rules that want no base64 character before a key ((?:^|[^A-Za-z0-9_\-+/]),
// so that a key-shaped run inside a blob is not taken) missed a key that starts a
// line of a unified diff, after its + or -. A + or - after a byte that is no base64
// character (or at the start) may now come before the key; after a base64
// character it still may not.
func TestReview13KeyStartingADiffLine(t *testing.T) {
	s := testScanner(t)
	proj := "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"
	proj2 := "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"
	google := "AIzaSyD3x9Kq2LmZ7pW4tR8vN6bY1cH5jF0gQ2s"
	diff := "diff --git a/.secrets b/.secrets\n--- a/.secrets\n+++ b/.secrets\n@@ -1,2 +1,2 @@\n-" + proj + "\n+" + proj2 + "\n+" + google + "\n"
	want := []string{proj, proj2, google}
	doc, _ := json.Marshal(map[string]string{"type": "tool_result", "content": diff})
	for _, in := range []struct {
		mode Mode
		src  []byte
	}{{ModeText, []byte(diff)}, {ModeJSON, doc}, {ModeText, []byte("+" + proj2 + "\n")}} {
		var got []string
		for _, f := range s.ScanMode(in.src, in.mode) {
			got = append(got, string(f.Secret()))
		}
		exp := want
		if len(in.src) < 200 {
			exp = []string{proj2}
		}
		if strings.Join(got, " ") != strings.Join(exp, " ") {
			t.Errorf("mode %v: findings %q, want %q", in.mode, got, exp)
		}
	}
	// inside a line, a + before the key is still a base64 character
	blob := "x: QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+" + proj2 + "\n"
	for _, f := range s.ScanMode([]byte(blob), ModeText) {
		if f.RuleID == "openai-project-key" {
			t.Errorf("key-shaped run inside a base64 blob taken for a key: %+v", f)
		}
	}
}
