package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/scrubgate/scrubgate/scanner"
)

// R1: a plain file whose name holds '!' is taken for an archive member.
func TestR1SARIFBangInPlainName(t *testing.T) {
	r := &Result{Root: ".", Items: []Item{
		{File: "notes/todo!.md", Finding: scanner.Finding{RuleID: "github-pat", Confidence: "high", Preview: "ghp_…(40)",
			Start: scanner.Position{Line: 7, Column: 12, Offset: 100}, End: scanner.Position{Line: 7, Column: 52, Offset: 140}}},
	}}
	var b bytes.Buffer
	if err := Write(&b, "sarif", r); err != nil {
		t.Fatal(err)
	}
	var log sarifDoc
	json.Unmarshal(b.Bytes(), &log)
	loc := log.Runs[0].Results[0].Locations[0].PhysicalLocation
	t.Logf("uri %q region %+v msg %q", loc.ArtifactLocation.URI, loc.Region, log.Runs[0].Results[0].Message.Text)
	if (loc.ArtifactLocation.URI != "notes/todo!.md" && loc.ArtifactLocation.URI != "notes/todo%21.md") || loc.Region == nil {
		t.Errorf("finding in notes/todo!.md reported at %q without a region", loc.ArtifactLocation.URI)
	}
}
