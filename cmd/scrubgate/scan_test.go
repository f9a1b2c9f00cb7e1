package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
)

func lowConfidenceToken() string {
	// a GitHub-style token whose checksum does not match: reported at low confidence
	tok := ghToken()
	last := byte('A')
	if tok[len(tok)-1] == 'A' {
		last = 'B'
	}
	return tok[:len(tok)-1] + string(last)
}

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("clean.txt", []byte("nothing\n"), 0o644)
	os.WriteFile("low.txt", []byte("GITHUB_TOKEN="+lowConfidenceToken()+"\n"), 0o644)
	os.WriteFile("big.txt", []byte(strings.Repeat("x", 4096)), 0o644)
	high := detectors.MintPrefixedCRC32("ghp_", []byte("Hv4Tq9Lm2Xw7Rk3Zp8Nb5Jd1Gs6Fy0"))
	os.WriteFile("high.txt", []byte("GITHUB_TOKEN="+high+"\n"), 0o644)

	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"scan", "clean.txt"}, 0, "0 finding(s) in 1 file(s) scanned, 0 skipped"},
		{[]string{"scan", "low.txt"}, 1, "github-pat  [low]"},
		{[]string{"scan", "--fail-on", "medium", "low.txt"}, 0, "1 finding(s)"},
		{[]string{"scan", "--fail-on", "high", "high.txt"}, 1, "[high]"},
		{[]string{"scan", "--max-size", "1KiB", "clean.txt", "big.txt"}, 0, "  big.txt  larger than the size limit (4 KiB > 1 KiB)"},
		{[]string{"scan", "--max-size", "1KiB", "--fail-on-skip", "clean.txt", "big.txt"}, 2, "1 skipped"},
		{[]string{"scan", "missing.txt"}, 2, ""},
		{[]string{"scan", "--fail-on", "severe", "clean.txt"}, 2, ""},
		{[]string{"scan", "--max-size", "lots", "clean.txt"}, 2, ""},
		{[]string{"scan", "--input-format", "yaml", "clean.txt"}, 2, ""},
		{[]string{"scan"}, 2, ""},
		{[]string{"scan", "--redact-in-place", "-"}, 2, ""},
		{[]string{"scan", "--mode", "text", "high.txt"}, 1, "high.txt:1:14"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(out, c.out) {
			t.Errorf("%v: exit %d (want %d)\n%s%s", c.args, code, c.code, out, errs)
		}
		if strings.Contains(out+errs, high[4:]) {
			t.Fatalf("%v: secret in the output", c.args)
		}
	}
}

func TestScanBaselineAndRedactFlags(t *testing.T) {
	t.Setenv("SCRUBGATE_KEY", "a-long-test-master-key-0123456789")
	dir := t.TempDir()
	t.Chdir(dir)
	tok := ghToken()
	os.MkdirAll("logs", 0o755)
	os.WriteFile("logs/s.jsonl", []byte(`{"m":"GITHUB_TOKEN=`+tok+`"}`+"\n"), 0o644)

	code, out, errs := runCLI(t, "", "scan", "--write-baseline", "baseline.json", "logs")
	if code != 0 || !strings.Contains(out, "baseline baseline.json written: 1 entry") {
		t.Fatalf("write-baseline: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, "", "scan", "--baseline", "baseline.json", "logs"); code != 0 || !strings.Contains(out, "1 suppressed (1 by baseline, 0 inline)") {
		t.Fatalf("baseline: %d %s", code, out)
	}
	// another key: the baseline cannot be used, and says so
	t.Setenv("SCRUBGATE_KEY", "another-long-test-master-key-012345")
	if code, _, errs := runCLI(t, "", "scan", "--baseline", "baseline.json", "logs"); code != 2 || !strings.Contains(errs, "different SCRUBGATE_KEY") {
		t.Fatalf("other key: %d %s", code, errs)
	}

	code, out, errs = runCLI(t, "", "scan", "--redact-to", "clean", "logs")
	if code != 1 || !strings.Contains(out, "redacted 1 file(s) to clean") || !strings.Contains(out, "Rotate the credentials") {
		t.Fatalf("redact-to: %d %s %s", code, out, errs)
	}
	data, err := os.ReadFile(filepath.Join("clean", "logs", "s.jsonl"))
	if err != nil || strings.Contains(string(data), tok) || !strings.Contains(string(data), "[[scrub:github-token:") {
		t.Fatalf("copy %q %v", data, err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("copy is not JSON: %v", err)
	}
	if code, _, _ := runCLI(t, "", "scan", "clean"); code != 0 {
		t.Fatal("the redacted copy is not clean")
	}
	// JSON output stays machine-readable: notes go to stderr
	code, out, errs = runCLI(t, "", "scan", "--format", "json", "--max-size", "10", "logs")
	var rep struct {
		Summary struct{ Skipped int }
		Skipped []struct{ File, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Summary.Skipped != 1 || len(rep.Skipped) != 1 || rep.Skipped[0].File != "logs/s.jsonl" || code != 0 {
		t.Fatalf("json: %d %v %s %s", code, err, out, errs)
	}
	// -v lists the detected formats
	if _, _, errs := runCLI(t, "", "scan", "-v", "logs"); !strings.Contains(errs, "scanned logs/s.jsonl as jsonl") {
		t.Fatalf("verbose: %s", errs)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "100": 100, "1KiB": 1024, "2MB": 2e6, "256MiB": 256 << 20, "1G": 1 << 30, "3 gb": 3e9} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "1.5MB", "12XB", "99999999999999TB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestScanCIFormats(t *testing.T) {
	t.Setenv("SCRUBGATE_KEY", "a-long-test-master-key-0123456789")
	dir := t.TempDir()
	t.Chdir(dir)
	tok := ghToken()
	os.MkdirAll("logs", 0o755)
	os.WriteFile("logs/s.jsonl", []byte(`{"m":"GITHUB_TOKEN=`+tok+`"}`+"\n"), 0o644)
	os.WriteFile("big.txt", []byte(strings.Repeat("x", 1000)), 0o644)

	code, out, errs := runCLI(t, "", "scan", "--format", "sarif", "--max-size", "500", ".")
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
			Invocations []struct {
				ToolExecutionNotifications []struct{ Message struct{ Text string } }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || code != 1 {
		t.Fatalf("sarif: %d %v %s", code, err, errs)
	}
	r := sarif.Runs[0]
	loc := r.Results[0].Locations[0].PhysicalLocation
	if len(r.Results) != 1 || loc.ArtifactLocation.URI != "logs/s.jsonl" || loc.Region.StartLine != 1 || loc.Region.StartColumn != 20 {
		t.Fatalf("sarif result %+v", r.Results)
	}
	if len(r.Invocations) != 1 || len(r.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Fatalf("the skipped file is not in the SARIF log: %+v", r.Invocations)
	}
	code, out, _ = runCLI(t, "", "scan", "--format", "github", "logs")
	if code != 1 || !strings.Contains(out, "::error file=logs/s.jsonl,line=1") {
		t.Fatalf("github: %d %s", code, out)
	}
	if strings.Contains(out, tok[4:]) {
		t.Fatal("secret in the annotations")
	}
}

func TestScanSSESplitToken(t *testing.T) {
	tok := ghToken()
	chunk := func(s string) string {
		return `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"` + s + `"}}]}` + "\n\n"
	}
	capture := chunk("token ") + chunk(tok[:12]) + chunk(tok[12:]) + "data: [DONE]\n\n"
	code, out, errs := runCLI(t, capture, "scan", "-v", "-")
	if code != 1 || !strings.Contains(out, "-:3:") || !strings.Contains(out, "split across SSE events: -:3:") ||
		!strings.Contains(out, "pieces on lines 3, 5\n") || !strings.Contains(errs, "scanned - as sse") {
		t.Fatalf("%d\n%s%s", code, out, errs)
	}
}
