package providers

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
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

// TestNeedsTreeAgreesWithContains checks the skip search against plain substring
// tests on documents that hold the markers whole, cut, or only in part.
func TestNeedsTreeAgreesWithContains(t *testing.T) {
	plain := func(b []byte) bool {
		return bytes.Contains(b, []byte(`"arguments"`)) || bytes.Contains(b, []byte(`"logprobs"`)) ||
			bytes.Contains(b, []byte(";base64,")) || bytes.Contains(b, []byte(`"base64"`))
	}
	parts := []string{`"arguments"`, `arguments"`, `"argu`, `ments"`, `"logprobs"`, `gprobs"`, `"lo`, `;base64,`, `"base64"`, `base64`, `x`, `"`, `{`, ` `}
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 5000; n++ {
		var b []byte
		for k := r.IntN(8); k > 0; k-- {
			b = append(b, parts[r.IntN(len(parts))]...)
		}
		if got, want := needsTree(b), plain(b); got != want {
			t.Fatalf("needsTree(%q) = %v, want %v", b, got, want)
		}
	}
}
