package providers

import (
	"encoding/json"
	"testing"
)

// FuzzParseTree: the parse tree accepts exactly the valid JSON documents (within
// its depth bound) and every string node decodes as encoding/json decodes it.
func FuzzParseTree(f *testing.F) {
	for _, s := range []string{`{"a":[1,"b",{"c":null}],"d":"\u00e9\n"}`, `[1,2,3]`, `"x"`, `{"a":}`, "\xef\xbb\xbf{}", `[[[[]]]]`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		root, err := parseTree(src)
		body := src
		if len(body) >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF {
			body = body[3:]
		}
		valid := json.Valid(body)
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", src)
		}
		if err != nil {
			return // invalid, or deeper than the bound
		}
		root.walkStrings(func(n *node) {
			var want string
			if e := json.Unmarshal(src[n.start:n.end], &want); e != nil {
				t.Fatalf("string node %q does not decode: %v", src[n.start:n.end], e)
			}
			if got := n.text(src); got != want {
				t.Fatalf("decoded %q, encoding/json %q", got, want)
			}
		})
	})
}
