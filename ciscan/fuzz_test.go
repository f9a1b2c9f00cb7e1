package ciscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSSE feeds arbitrary captures to the SSE assembler: it never panics, and every
// reassembled finding lies inside the capture with sane positions.
func FuzzSSE(f *testing.F) {
	for _, c := range sseCases() {
		f.Add([]byte(c.capture))
	}
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"a\\u00e9\\ud83d\\ude00\"}}]}\r\rdata: x\n"))
	s := defaultScanner(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a := newSSEAssembler(s)
		a.run(bytes.NewReader(data))
		for _, r := range a.found {
			st, en := r.f.Start, r.f.End
			if st.Offset < 0 || en.Offset > int64(len(data)) || st.Offset > en.Offset || st.Line < 1 || st.Column < 1 || en.Line < st.Line {
				t.Fatalf("bad span %+v - %+v in %d bytes", st, en, len(data))
			}
		}
		a.merge(nil, "x")
	})
}

// FuzzJSONStringIndex: for any JSON string token the index is monotonic in k, stays
// inside the token, and the whole decoded text ends at the closing quote.
func FuzzJSONStringIndex(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\nb\u00e9\ud83d\ude00"`, `"\ud800x"`, "\"\xff\xfe\"", `"\\\""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s string
		if json.Unmarshal(raw, &s) != nil || len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
			return
		}
		prev := 1
		for k := 0; k <= len(s); k++ {
			i := jsonStringIndex(raw, k)
			if i < prev || i > len(raw)-1 {
				t.Fatalf("%q: index %d at %d after %d", raw, i, k, prev)
			}
			prev = i
		}
		if prev != len(raw)-1 {
			t.Fatalf("%q: the text ends at %d, not at the closing quote", raw, prev)
		}
	})
}

// FuzzGitignore parses arbitrary .gitignore files and matches paths against them.
func FuzzGitignore(f *testing.F) {
	f.Add([]byte("# c\n/build/\n*.log\n!keep.log\n\\#x\n\\!y\na/**/b\n{x}\n[z\ntrailing\\ \n"), "a/x/b/c.log")
	f.Fuzz(func(t *testing.T, data []byte, p string) {
		rules := parseGitignore(data)
		g := &gitignore{top: "/r", files: map[string][]ignoreRule{"/r": rules}, dirs: map[string]bool{}}
		p = strings.Trim(p, "/")
		if p == "" || strings.Contains(p, "..") || strings.Contains(p, "//") {
			return
		}
		g.match("/r/"+p, false)
		g.match("/r/"+p, true)
	})
}
