package scanner

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestReview7SecretKeyPaths(t *testing.T) {
	s := testScanner(t)
	name := "AKIAZZZZBFIQTZPHXMQA"
	esc := `AKIA\u005aZZZBFIQTZPHXMQA`
	docs := []string{
		`{"creds":{"` + name + `" : {"k":"AKIARLE67BFIQTZPH4MN"}}}`,
		`{"creds":{"` + name + "\"\r\t:" + `{"k":"AKIARLE67BFIQTZPH4MN"}}}`,
		`{"creds":{"` + esc + `":{"k":"AKIARLE67BFIQTZPH4MN"}}}`,
		`{"creds":[{"x":1},{"` + name + `":["AKIARLE67BFIQTZPH4MN"]}]}`,
		`{"pad":"` + strings.Repeat("word ", 30000) + `","creds":{"` + name + `":{"k":"AKIARLE67BFIQTZPH4MN"}}}`,
	}
	for i, d := range docs {
		for _, mode := range []Mode{ModeJSON, ModeJSONL} {
			src := d + "\n" + d + "\n"
			check := func(what string, fs []Finding) {
				for _, f := range fs {
					if strings.Contains(f.JSONPath, "ZZZ") {
						t.Errorf("doc %d %v %s: path %s", i, mode, what, f.JSONPath)
					}
				}
			}
			check("lazy", s.ScanMode([]byte(src), mode))
			eager, _ := s.ScanModeMembers([]byte(src), mode, "x")
			check("eager", eager)
			var got []Finding
			w := s.NewWriter(discard{}, mode, Mask, func(f Finding) { got = append(got, f) })
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for rest := []byte(src); len(rest) > 0; {
				n := min(1+rng.IntN(40), len(rest))
				w.Write(rest[:n])
				rest = rest[n:]
			}
			w.Close()
			check("stream", got)
		}
	}
}
