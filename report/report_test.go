package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/scanner"
)

func sample() *Result {
	r := &Result{RulePack: "default@test", Summary: Summary{Files: 2, Findings: 2, Skipped: 1}}
	r.Items = []Item{
		{File: "b.jsonl", Finding: scanner.Finding{RuleID: "jwt", Confidence: "high", Preview: "…(120)", JSONPath: "$.content",
			Start: scanner.Position{Offset: 10, Line: 2, Column: 5}}},
		{File: "a.txt", Finding: scanner.Finding{RuleID: "github-pat", Confidence: "low", Preview: "ghp_…(40)", Encoding: "base64",
			Start: scanner.Position{Offset: 3, Line: 1, Column: 4}}},
	}
	r.Sort()
	return r
}

func TestTextReportGroupsByFileWithSummary(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "text", sample()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	ia, ib := strings.Index(out, "a.txt:1:4  github-pat  [low]  ghp_…(40) (base64-encoded)"), strings.Index(out, "b.jsonl:2:5  jwt  [high]  …(120) at $.content")
	if ia < 0 || ib < 0 || ia > ib {
		t.Fatalf("report:\n%s", out)
	}
	if !strings.HasSuffix(out, "2 finding(s) in 2 file(s) scanned, 1 skipped; 2 file(s) with findings\n") {
		t.Fatalf("summary: %q", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatalf("Write must not colour: %q", out)
	}
}

func TestTextReportListsSkipsAndSuppressed(t *testing.T) {
	r := sample()
	r.Summary = Summary{Files: 2, Findings: 2, Suppressed: 5, Baselined: 3}
	r.Skip("big.bin", "over --max-size")
	r.Skip("locked.txt", "unreadable")
	var b bytes.Buffer
	if err := Write(&b, "text", r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"skipped (not scanned):\n  big.bin  over --max-size\n  locked.txt  unreadable\n",
		"2 finding(s) in 2 file(s) scanned, 2 skipped, 5 suppressed (3 by baseline, 2 inline); 2 file(s) with findings\n",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("missing %q in:\n%s", want, out)
		}
	}
}

func TestTextColourOnlyWhenAskedAndInputCannotDriveTheTerminal(t *testing.T) {
	r := sample()
	r.Items[0].File = "evil\x1b[2J\r.txt"
	r.Skip("bad\nname", "unreadable\x07")
	var plain, col bytes.Buffer
	if err := Write(&plain, "text", r); err != nil {
		t.Fatal(err)
	}
	if err := WriteOptions(&col, "text", r, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b") || !strings.Contains(plain.String(), `evil\u001b[2J\u000d.txt`) {
		t.Fatalf("plain: %q", plain.String())
	}
	c := col.String()
	if !strings.Contains(c, ansiRed+"[high]"+ansiReset) || !strings.Contains(c, ansiBold) {
		t.Fatalf("colour: %q", c)
	}
	// the only escapes are ours: every ESC starts one of the styles this file uses
	for i := strings.IndexByte(c, 0x1b); i >= 0; i = strings.IndexByte(c, 0x1b) {
		ok := false
		for _, st := range []string{ansiReset, ansiBold, ansiDim, ansiRed, ansiGreen, ansiYellow, ansiCyan} {
			if strings.HasPrefix(c[i:], st) {
				ok = true
				c = c[i+len(st):]
				break
			}
		}
		if !ok {
			t.Fatalf("foreign escape at %q", c[i:])
		}
	}
	if strings.ContainsAny(col.String(), "\r\a") || strings.Contains(col.String(), "bad\nname") {
		t.Fatalf("control characters leaked: %q", col.String())
	}
}

func TestJSONReportIsVersionedAndComplete(t *testing.T) {
	var b bytes.Buffer
	r := sample()
	r.Summary.Skipped = 0
	r.Summary.Suppressed, r.Summary.Baselined = 4, 1
	r.Skip("big.bin", "over --max-size")
	if err := Write(&b, "json", r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Schema        string `json:"schema"`
		FindingSchema string `json:"finding_schema"`
		RulePack      string `json:"rule_pack"`
		Findings      []map[string]any
		Skipped       []Skip
		Summary       Summary
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != SchemaVersion || got.FindingSchema != scanner.SchemaVersion || got.RulePack != "default@test" ||
		len(got.Findings) != 2 || got.Findings[0]["file"] != "a.txt" || got.Findings[0]["rule_id"] != "github-pat" {
		t.Fatalf("%+v", got)
	}
	if len(got.Skipped) != 1 || got.Skipped[0] != (Skip{"big.bin", "over --max-size"}) ||
		got.Summary != (Summary{Files: 2, Findings: 2, Skipped: 1, Suppressed: 4, Baselined: 1}) {
		t.Fatalf("skips and counts: %+v", got)
	}
	b.Reset()
	if err := Write(&b, "json", &Result{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"findings": []`) || !strings.Contains(b.String(), `"skipped": []`) {
		t.Fatalf("empty report must list no findings and no skips as []: %s", b.String())
	}
}

// The v1 report only grows: every key a v1 consumer reads is still there, spelled the same.
func TestJSONReportKeepsV1Keys(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "finding_schema", "rule_pack", "findings", "summary"} {
		if _, ok := top[k]; !ok {
			t.Fatalf("key %q gone: %s", k, b.String())
		}
	}
	var sum map[string]int
	if err := json.Unmarshal(top["summary"], &sum); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"files", "findings", "skipped"} {
		if _, ok := sum[k]; !ok {
			t.Fatalf("summary key %q gone: %s", k, top["summary"])
		}
	}
}

func TestCountsFollowLists(t *testing.T) {
	r := &Result{Items: sample().Items}
	r.Skipped = []Skip{{"x", "unreadable"}} // listed, never counted
	var b bytes.Buffer
	if err := Write(&b, "json", r); err != nil {
		t.Fatal(err)
	}
	var got struct{ Summary Summary }
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Summary.Findings != 2 || got.Summary.Skipped != 1 {
		t.Fatalf("counts must cover the lists: %+v", got.Summary)
	}
	if r.Summary.Findings != 0 || r.Summary.Skipped != 0 {
		t.Fatal("Write must not modify the result")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", sample()); err == nil || !strings.Contains(err.Error(), "text, json, sarif, junit, github") {
		t.Fatalf("err %v", err)
	}
	for _, f := range Formats {
		if err := Write(&bytes.Buffer{}, f, sample()); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}
