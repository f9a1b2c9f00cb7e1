package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/scrubgate/scrubgate/scanner"
)

// SchemaVersion names the JSON report format.
const SchemaVersion = "scrubgate.report/v1"

// Item is one finding and the file it was found in ("-" for standard input).
type Item struct {
	File string `json:"file"`
	scanner.Finding
}

// Summary counts what a scan covered.
type Summary struct {
	Files    int `json:"files"`
	Findings int `json:"findings"`
	Skipped  int `json:"skipped"`
}

// Result is everything a scan produced.
type Result struct {
	Items   []Item
	Summary Summary
	// RulePack is the version of the rule pack used.
	RulePack string
}

// Sort orders items by file, then offset, so reports are stable.
func (r *Result) Sort() {
	sort.SliceStable(r.Items, func(i, j int) bool {
		if r.Items[i].File != r.Items[j].File {
			return r.Items[i].File < r.Items[j].File
		}
		return r.Items[i].Start.Offset < r.Items[j].Start.Offset
	})
}

// Formats lists the supported output formats.
var Formats = []string{"text", "json"}

// Write renders r in the named format.
func Write(w io.Writer, format string, r *Result) error {
	switch format {
	case "text":
		return writeText(w, r)
	case "json":
		return writeJSON(w, r)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func writeText(w io.Writer, r *Result) error {
	file := ""
	for _, it := range r.Items {
		if it.File != file {
			if file != "" {
				fmt.Fprintln(w)
			}
			file = it.File
			fmt.Fprintln(w, file)
		}
		loc := fmt.Sprintf("%s:%d:%d", it.File, it.Start.Line, it.Start.Column)
		extra := ""
		if it.JSONPath != "" {
			extra += " at " + it.JSONPath
		}
		if it.Encoding != "" {
			extra += " (" + it.Encoding + "-encoded)"
		}
		fmt.Fprintf(w, "  %s  %s  [%s]  %s%s\n", loc, it.RuleID, it.Confidence, it.Preview, extra)
	}
	if len(r.Items) > 0 {
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintf(w, "%d finding(s) in %d file(s) scanned, %d skipped\n", r.Summary.Findings, r.Summary.Files, r.Summary.Skipped)
	return err
}

type jsonReport struct {
	Schema        string  `json:"schema"`
	FindingSchema string  `json:"finding_schema"`
	RulePack      string  `json:"rule_pack"`
	Findings      []Item  `json:"findings"`
	Summary       Summary `json:"summary"`
}

func writeJSON(w io.Writer, r *Result) error {
	items := r.Items
	if items == nil {
		items = []Item{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Schema: SchemaVersion, FindingSchema: scanner.SchemaVersion, RulePack: r.RulePack, Findings: items, Summary: r.Summary})
}
