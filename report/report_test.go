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
	if !strings.HasSuffix(out, "2 finding(s) in 2 file(s) scanned, 1 skipped\n") {
		t.Fatalf("summary: %q", out)
	}
}

func TestJSONReportIsVersionedAndComplete(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Schema        string `json:"schema"`
		FindingSchema string `json:"finding_schema"`
		RulePack      string `json:"rule_pack"`
		Findings      []map[string]any
		Summary       Summary
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != SchemaVersion || got.FindingSchema != scanner.SchemaVersion || got.RulePack != "default@test" ||
		len(got.Findings) != 2 || got.Findings[0]["file"] != "a.txt" || got.Findings[0]["rule_id"] != "github-pat" || got.Summary.Skipped != 1 {
		t.Fatalf("%+v", got)
	}
	b.Reset()
	Write(&b, "json", &Result{})
	if !strings.Contains(b.String(), `"findings": []`) {
		t.Fatalf("empty report must list no findings as []: %s", b.String())
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "sarif", sample()); err == nil || !strings.Contains(err.Error(), "text, json") {
		t.Fatalf("err %v", err)
	}
}
