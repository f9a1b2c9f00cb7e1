package providers

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
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
		if got, want := treeTokens(root, src), decoderTokens(t, body); got != want {
			t.Fatalf("tree %s\nencoding/json %s", got, want)
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

// treeTokens renders a parse tree as a token list: containers, member names,
// strings and scalars (numbers and literals in arrays get no node, so none here).
func treeTokens(n *node, src []byte) string {
	var b bytes.Buffer
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case '{':
			b.WriteString("{ ")
			for i, m := range n.members {
				if m.parent != n || m.name != n.keys[i] || m.index != -1 {
					b.WriteString("<bad link> ")
				}
				b.WriteString("k:" + n.keys[i] + " ")
				walk(m)
			}
			b.WriteString("} ")
		case '[':
			b.WriteString("[ ")
			for _, m := range n.members {
				if m.parent != n || m.index < 0 {
					b.WriteString("<bad link> ")
				}
				walk(m)
			}
			b.WriteString("] ")
		case '"':
			b.WriteString("s:" + n.text(src) + " ")
		default:
			b.WriteString("v:" + string(src[n.start:n.end]) + " ")
		}
	}
	walk(n)
	return b.String()
}

// decoderTokens renders what encoding/json reads from a document in treeTokens' form.
func decoderTokens(t *testing.T, doc []byte) string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var b bytes.Buffer
	type frame struct{ object, wantKey bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return b.String()
		}
		inArray := len(stack) > 0 && !stack[len(stack)-1].object
		if len(stack) > 0 && stack[len(stack)-1].object {
			top := &stack[len(stack)-1]
			if top.wantKey {
				if k, ok := tok.(string); ok {
					b.WriteString("k:" + k + " ")
					top.wantKey = false
					continue
				}
			} else {
				top.wantKey = true
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				b.WriteString(string(v) + " ")
				stack = append(stack, frame{object: v == '{', wantKey: true})
			default:
				b.WriteString(string(v) + " ")
				stack = stack[:len(stack)-1]
			}
		case string:
			b.WriteString("s:" + v + " ")
		case json.Number:
			if !inArray {
				b.WriteString("v:" + string(v) + " ")
			}
		default:
			if !inArray {
				s, _ := json.Marshal(v)
				b.WriteString("v:" + string(s) + " ")
			}
		}
	}
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

// decodeCommon returns the interned string only for an exact match; anything else
// (a string that shares its slot, an escaped spelling) decodes as usual.
func TestDecodeCommon(t *testing.T) {
	interned := 0
	for _, c := range commonStrings {
		if c == "" {
			continue
		}
		interned++
		for _, raw := range []string{`"` + c + `"`, `"` + c[:len(c)-1] + "X" + `"`, `"\u00` + strconv.FormatInt(int64(c[0]), 16) + c[1:] + `"`} {
			got, ok := decodeCommon([]byte(raw))
			want, wok := decodeString([]byte(raw))
			if got != want || ok != wok {
				t.Fatalf("%s: %q, %v; want %q", raw, got, ok, want)
			}
		}
	}
	if interned < 90 {
		t.Fatalf("only %d common strings have a slot of their own", interned)
	}
}
