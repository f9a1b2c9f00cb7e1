package scanner

import (
	"bytes"
	"strings"
	"testing"
)

// Review 6, R8: a member name that is itself a secret was printed in the JSON paths
// of the values under it (reports, logs): PathMember hid only names with three
// digits or more, and an AWS key id may have none.
func TestSecretMemberNameNotInPaths(t *testing.T) {
	s := testScanner(t)
	for _, name := range []string{"AKIAZZZZ7BFIQTZPH4MQ", "AKIAZZZZBFIQTZPHXMQA"} { // two digits; none
		doc := `{"creds":{"` + name + `":{"k":"AKIARLE67BFIQTZPH4MN"}},"after":{"x":"AKIARLE67BFIQTZPH4MX"}}`
		jsonl := doc + "\n" + doc + "\n"
		cases := map[string][]Finding{
			"json":  s.ScanMode([]byte(doc), ModeJSON),
			"jsonl": s.ScanMode([]byte(jsonl), ModeJSONL),
		}
		var streamed []Finding
		w := s.NewWriter(&bytes.Buffer{}, ModeJSONL, Mask, func(f Finding) { streamed = append(streamed, f) })
		for i := 0; i < len(jsonl); i += 7 {
			w.Write([]byte(jsonl[i:min(i+7, len(jsonl))]))
		}
		w.Close()
		cases["jsonl, streamed in 7-byte chunks"] = streamed
		for mode, fs := range cases {
			var paths []string
			for _, f := range fs {
				paths = append(paths, f.JSONPath)
				if strings.Contains(f.JSONPath, name) || strings.Contains(f.JSONPath, name[4:]) {
					t.Errorf("%s: the secret member name is in a path: %s", mode, f.JSONPath)
				}
			}
			want := 3
			if mode != "json" {
				want = 6
			}
			if len(fs) != want || !strings.Contains(strings.Join(paths, " "), "$.creds[*].k") || !strings.Contains(strings.Join(paths, " "), "$.after.x") {
				t.Errorf("%s: %d findings at %v; want %d, the key's value at $.creds[*].k and other paths as they are", mode, len(fs), paths, want)
			}
		}
	}
	for _, plain := range []string{"max_completion_tokens", "maxCompletionTokens", "sha256", "user_2024_10_01"} {
		if got := PathMember(plain); got == "[*]" {
			t.Errorf("PathMember(%q) hides a plain name", plain)
		}
	}
}

// Review 6, R9: a UTF-8 byte order mark was counted as a character, so a secret at
// the start of line 1 was reported at column 2 (a UTF-16 one is not counted).
func TestUTF8BOMIsNoColumn(t *testing.T) {
	s := testScanner(t)
	src := "\xef\xbb\xbfAKIARLE67BFIQTZPH4MN\nx AKIARLE67BFIQTZPH4MX\n"
	for _, chunk := range []int{1, 2, 4, len(src)} {
		var fs []Finding
		w := s.NewWriter(&bytes.Buffer{}, ModeText, Mask, func(f Finding) { fs = append(fs, f) })
		for i := 0; i < len(src); i += chunk {
			w.Write([]byte(src[i:min(i+chunk, len(src))]))
		}
		w.Close()
		if len(fs) != 2 || fs[0].Start.Column != 1 || fs[0].Start.Offset != 3 || fs[0].End.Column != 21 || fs[1].Start.Column != 3 {
			t.Errorf("chunks of %d: %+v", chunk, fs)
		}
	}
}
