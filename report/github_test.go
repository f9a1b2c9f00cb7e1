package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

func TestGitHubEscaping(t *testing.T) {
	cases := []struct{ in, data, property string }{
		{"plain", "plain", "plain"},
		{"", "", ""},
		{"100%", "100%25", "100%25"},
		{"%0A", "%250A", "%250A"},
		{"a\nb", "a%0Ab", "a%0Ab"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
		{"%:,\r\n", "%25:,%0D%0A", "%25%3A%2C%0D%0A"},
		{"naïve…", "naïve…", "naïve…"},
	}
	for _, c := range cases {
		if got := EscapeData(c.in); got != c.data {
			t.Errorf("EscapeData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := EscapeProperty(c.in); got != c.property {
			t.Errorf("EscapeProperty(%q) = %q, want %q", c.in, got, c.property)
		}
	}
}

// ghCommand is one workflow command as the Actions runner reads it.
type ghCommand struct {
	name  string
	props map[string]string
	data  string
}

var unescapeData = strings.NewReplacer("%25", "%", "%0D", "\r", "%0A", "\n")
var unescapeProp = strings.NewReplacer("%25", "%", "%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",")

// parseGitHub reads output line by line as the runner does (leading space trimmed; in
// a line that is not a "::" command, "##[" anywhere would start a legacy command),
// honouring ::stop-commands::. It fails the test on a legacy command or a malformed
// command outside a stopped block.
func parseGitHub(t *testing.T, out string) (cmds []ghCommand, plain []string) {
	t.Helper()
	stop := ""
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if stop != "" {
			if line == "::"+stop+"::" {
				stop = ""
			} else {
				plain = append(plain, line)
			}
			continue
		}
		l := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(l, "::") {
			if strings.Contains(line, "##[") { // the runner tries the legacy syntax only on non-commands
				t.Fatalf("legacy command marker outside a stopped block: %q", line)
			}
			plain = append(plain, line)
			continue
		}
		end := strings.Index(l[2:], "::")
		if end < 0 {
			t.Fatalf("unterminated command %q", line)
		}
		head, data := l[2:2+end], l[2+end+2:]
		c := ghCommand{props: map[string]string{}, data: unescapeData.Replace(data)}
		name, props, _ := strings.Cut(head, " ")
		c.name = name
		if props != "" {
			for _, kv := range strings.Split(props, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("bad property %q in %q", kv, line)
				}
				c.props[k] = unescapeProp.Replace(v)
			}
		}
		if c.name == "stop-commands" {
			stop = c.data
			continue
		}
		cmds = append(cmds, c)
	}
	if stop != "" {
		t.Fatalf("commands never resumed:\n%s", out)
	}
	return cmds, plain
}

func finding(file, rule string, c rules.Confidence, line int) Item {
	return Item{File: file, Finding: scanner.Finding{RuleID: rule, Description: "desc of " + rule, Confidence: c,
		Preview: "pre…(9)", Start: pos(int64(line*10), line, 3), End: pos(int64(line*10+9), line, 12)}}
}

func TestGitHubRanksAndCapsAnnotations(t *testing.T) {
	r := &Result{Summary: Summary{Files: 9}}
	// 6 low, 5 medium, 7 high, spread over files and lines, in an order that is not the ranking
	for i := 0; i < 6; i++ {
		r.Items = append(r.Items, finding(fmt.Sprintf("f%d.txt", i%3), "generic-password", rules.Low, i+1))
	}
	for i := 0; i < 5; i++ {
		r.Items = append(r.Items, finding(fmt.Sprintf("f%d.txt", 5-i), "aws-access-key-id", rules.Medium, 10-i))
	}
	for i := 0; i < 7; i++ {
		r.Items = append(r.Items, finding(fmt.Sprintf("g%d.txt", i%2), "github-pat", rules.High, 20-i))
	}
	for i := 0; i < 12; i++ {
		r.Skip(fmt.Sprintf("big%02d.bin", i), "over --max-size")
	}
	var b bytes.Buffer
	if err := Write(&b, "github", r); err != nil {
		t.Fatal(err)
	}
	cmds, plain := parseGitHub(t, b.String())
	var errs, warns, notices []ghCommand
	for _, c := range cmds {
		switch c.name {
		case "error":
			errs = append(errs, c)
		case "warning":
			warns = append(warns, c)
		case "notice":
			notices = append(notices, c)
		default:
			t.Fatalf("unexpected command %q", c.name)
		}
	}
	if len(errs) != MaxAnnotations || len(warns) != MaxAnnotations || len(notices) != 1 {
		t.Fatalf("%d errors, %d warnings, %d notices:\n%s", len(errs), len(warns), len(notices), b.String())
	}
	// the 7 high first (g0 before g1, by line), then the first 3 medium by file
	want := []string{"g0.txt:14", "g0.txt:16", "g0.txt:18", "g0.txt:20", "g1.txt:15", "g1.txt:17", "g1.txt:19",
		"f1.txt:6", "f2.txt:7", "f3.txt:8"}
	for i, e := range errs {
		if got := e.props["file"] + ":" + e.props["line"]; got != want[i] {
			t.Fatalf("annotation %d is %s, want %s", i, got, want[i])
		}
		if e.props["col"] != "3" || e.props["endColumn"] != "12" || e.props["endLine"] != e.props["line"] ||
			!strings.HasPrefix(e.props["title"], "scrubgate: desc of ") || !strings.Contains(e.data, "pre…(9)") {
			t.Fatalf("annotation %+v", e)
		}
	}
	n := notices[0]
	if !strings.HasPrefix(n.data, "8 more finding(s)") || !strings.Contains(n.data, "generic-password: 6 in 3 file(s), aws-access-key-id: 2 in 2 file(s)") {
		t.Fatalf("notice %q", n.data)
	}
	for i, w := range warns[:MaxAnnotations-1] {
		if w.props["file"] != fmt.Sprintf("big%02d.bin", i) || !strings.Contains(w.data, "over --max-size") {
			t.Fatalf("warning %d %+v", i, w)
		}
	}
	if !strings.HasPrefix(warns[MaxAnnotations-1].data, "3 more file(s) were not scanned") {
		t.Fatalf("last warning %+v", warns[MaxAnnotations-1])
	}
	log := strings.Join(plain, "\n")
	for _, want := range []string{"f0.txt:1:3  generic-password  [low]", "f4.txt:9:3  aws-access-key-id  [medium]",
		"big11.bin: over --max-size", "scrubgate: 18 finding(s) in 9 file(s) scanned, 12 skipped"} {
		if !strings.Contains(log, want) {
			t.Fatalf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestGitHubUnderTheCapAnnotatesEverything(t *testing.T) {
	r := sample()
	var b bytes.Buffer
	if err := Write(&b, "github", r); err != nil {
		t.Fatal(err)
	}
	cmds, plain := parseGitHub(t, b.String())
	if len(cmds) != 2 || cmds[0].name != "error" || cmds[0].props["file"] != "b.jsonl" || cmds[1].props["file"] != "a.txt" {
		t.Fatalf("high first, then low: %+v", cmds)
	}
	if _, ok := cmds[1].props["endLine"]; ok {
		t.Fatalf("no end position, no endLine: %+v", cmds[1])
	}
	if len(plain) != 1 || !strings.HasPrefix(plain[0], "scrubgate: 2 finding(s)") {
		t.Fatalf("plain %q", plain)
	}
}

func TestGitHubInputCannotInjectCommands(t *testing.T) {
	evil := []string{
		"a\n::error file=x::injected.txt",
		"b\r::add-mask::x.txt",
		"c ##[add-mask]x.txt",
		"d, title=x: y.txt",
		"e%0A::warning::x.txt",
	}
	r := &Result{}
	for i, f := range evil { // low confidence: ranked past the cap, into the log
		r.Items = append(r.Items, finding(f, "jwt", rules.Low, i+1))
		r.Items[i].JSONPath = `$["::error::j"]` // JSON paths are input too
	}
	r.Items = append(r.Items, finding(evil[0], "github-pat", rules.High, 1)) // annotated
	for i := 0; i < MaxAnnotations-1; i++ {
		r.Items = append(r.Items, finding("z.txt", "github-pat", rules.High, 100+i))
	}
	for i := 0; i < MaxAnnotations; i++ {
		r.Skip(evil[i%len(evil)], "unreadable\n::error::x")
	}
	r.Skip("last\n::error::", "x")
	var b bytes.Buffer
	if err := Write(&b, "github", r); err != nil {
		t.Fatal(err)
	}
	cmds, plain := parseGitHub(t, b.String())
	errs := 0
	for _, c := range cmds {
		switch c.name {
		case "error":
			errs++
			if f := c.props["file"]; f != "z.txt" && f != evil[0] {
				t.Fatalf("error annotation for %q", f)
			}
		case "warning", "notice":
		default:
			t.Fatalf("injected command %+v", c)
		}
	}
	if errs != MaxAnnotations {
		t.Fatalf("%d error annotations:\n%s", errs, b.String())
	}
	log := strings.Join(plain, "\n")
	if !strings.Contains(log, `a\u000a::error file=x::injected.txt:1:3  jwt  [low]`) || !strings.Contains(log, `last\u000a::error::: x`) {
		t.Fatalf("the log must list the rest, escaped, one line each:\n%s", log)
	}
	// the file names survive the round trip through the property escaping exactly
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c.props["file"]] = true
	}
	for _, f := range evil {
		if !seen[f] {
			t.Fatalf("annotation for %q lost or mangled: %v", f, seen)
		}
	}
}
