package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

// FuzzWriters feeds arbitrary file names, JSON paths, rule ids and skip reasons to
// every writer: JUnit must stay well-formed with the right counts, GitHub output must
// hold exactly the commands it means to (no injection), SARIF and JSON must stay
// valid JSON, and text must carry no control character that input put there.
func FuzzWriters(f *testing.F) {
	f.Add("a.txt", "$.x", "github-pat", "unreadable", 3, 7)
	f.Add("a\n::error::x", "$[\"\\u0000\"]", "jwt\r", "over --max-size\n::warning::", 1, 1)
	f.Add("]]><x>&\x00\x1b[2J", "##[add-mask]", "known:a,b:c", "%0A%25", 0, 0)
	f.Add("\xff\xfe/ü.md", "", "", "", -1, 99999)
	f.Fuzz(func(t *testing.T, file, path, rule, reason string, line, col int) {
		r := &Result{Summary: Summary{Files: 2}}
		for i, c := range []rules.Confidence{rules.High, rules.Low, rules.Medium} {
			r.Items = append(r.Items, Item{File: file + strings.Repeat("/x", i), Finding: scanner.Finding{
				RuleID: rule, Description: rule + " desc", Confidence: c, Preview: "p…(9)", JSONPath: path,
				Start: pos(int64(col), line, col), End: pos(int64(col+9), line, col+9)}})
		}
		r.Skip(file, reason)
		for _, format := range Formats {
			var b bytes.Buffer
			if err := WriteOptions(&b, format, r, Options{Color: true}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := b.String()
			switch format {
			case "junit":
				s := decodeJUnit(t, b.Bytes())
				if s.Tests != 4 || s.Failures != 3 || s.Skipped != 1 {
					t.Fatalf("junit counts %d/%d/%d", s.Tests, s.Failures, s.Skipped)
				}
			case "github":
				cmds, _ := parseGitHub(t, out)
				n := map[string]int{}
				for _, c := range cmds {
					n[c.name]++
				}
				if n["error"] != 3 || n["warning"] != 1 || len(n) != 2 {
					t.Fatalf("github commands %v:\n%s", n, out)
				}
			case "sarif", "json":
				if !json.Valid(b.Bytes()) {
					t.Fatalf("%s: invalid JSON", format)
				}
			case "text":
				var plain bytes.Buffer
				if err := Write(&plain, "text", r); err != nil {
					t.Fatal(err)
				}
				if !utf8.ValidString(plain.String()) {
					t.Fatalf("text: invalid UTF-8 %q", plain.String())
				}
				for _, c := range plain.String() {
					if c < 0x20 && c != '\n' || c >= 0x7f && c < 0xa0 {
						t.Fatalf("text: control character %U in %q", c, plain.String())
					}
				}
			}
		}
	})
}
