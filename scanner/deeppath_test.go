package scanner

import (
	"strings"
	"testing"
)

// deepDoc nests a list of GitHub tokens depth objects deep, under 40-byte member
// names, and returns it with the path each token must report.
func deepDoc(depth, tokens int) ([]byte, string) {
	name := strings.Repeat("n", 40)
	var toks []string
	for i := range tokens {
		toks = append(toks, `"`+ghToken(byte(i))+`"`)
	}
	src := strings.Repeat(`{"`+name+`":`, depth) + "[" + strings.Join(toks, ",") + "]" + strings.Repeat("}", depth)
	return []byte(src), "$" + strings.Repeat("."+name, depth)
}

// Paths of findings deep in a document are rendered in one pass and shared by the
// findings of one container (they were concatenated level by level, per finding:
// a few thousand findings 255 levels deep took seconds, see BenchmarkDeepPaths).
func TestDeepPaths(t *testing.T) {
	s := testScanner(t)
	src, want := deepDoc(255, 20)
	for _, mode := range []Mode{ModeJSON, ModeJSONL} {
		fs := s.ScanMode(src, mode)
		if len(fs) != 20 {
			t.Fatalf("mode %v: %d findings", mode, len(fs))
		}
		for i, f := range fs {
			if w := want + "[" + itoa(i) + "]"; f.JSONPath != w {
				t.Fatalf("mode %v: finding %d at %.60q…, want %.60q…", mode, i, f.JSONPath, w)
			}
		}
	}
}

func BenchmarkDeepPaths(b *testing.B) {
	s := testScanner(b)
	src, _ := deepDoc(255, 3000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if fs := s.ScanMode(src, ModeJSON); len(fs) != 3000 {
			b.Fatalf("%d findings", len(fs))
		}
	}
}
