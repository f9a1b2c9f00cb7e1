package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

// SchemaVersion names the JSON report format. Later versions add fields; they never
// rename or remove one.
const SchemaVersion = "scrubgate.report/v1"

// Item is one finding and the file it was found in ("-" for standard input).
type Item struct {
	File string `json:"file"`
	scanner.Finding
	// Events, for a secret reassembled from the deltas of a streamed (SSE)
	// capture, are the lines of the data: events that carried its pieces.
	Events []int `json:"events,omitempty"`
}

// Skip is a file that was not scanned, and why ("unreadable", "over --max-size", …).
// Skips are reported by every format: a file that was not read is not a clean file.
type Skip struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// Summary counts what a scan covered.
type Summary struct {
	// Files is the number of files scanned.
	Files int `json:"files"`
	// Findings is the number of findings reported (after suppression).
	Findings int `json:"findings"`
	// Skipped is the number of files not scanned. Writers report at least
	// len(Result.Skipped); use Result.Skip to keep the two in step.
	Skipped int `json:"skipped"`
	// Suppressed counts findings that were not reported because a baseline entry or
	// an inline allow comment covers them.
	Suppressed int `json:"suppressed"`
	// Baselined is how many of the Suppressed findings the baseline covered (the
	// rest were allowed inline).
	Baselined int `json:"baselined"`
}

// RuleInfo describes a rule for formats that carry rule metadata (SARIF).
type RuleInfo struct {
	ID          string           `json:"id"`
	Description string           `json:"description"`
	Kind        string           `json:"kind"`
	Confidence  rules.Confidence `json:"confidence"`
	// References are documentation URLs; the first one is the rule's help link.
	References []string `json:"references,omitempty"`
}

// Result is everything a scan produced.
type Result struct {
	Items   []Item
	Summary Summary
	// RulePack is the version of the rule pack used.
	RulePack string
	// Skipped lists the files that were not scanned.
	Skipped []Skip
	// Root is the repository root. SARIF makes artifact URIs relative to it (and
	// records it as %SRCROOT%); GitHub annotations use the same relative paths. Empty
	// means file names are used as given.
	Root string
	// Rules describes the rules in use. SARIF lists them all; a finding whose rule is
	// not listed gets a rule entry built from the finding itself.
	Rules []RuleInfo
}

// Skip records a file that was not scanned and counts it in the summary.
func (r *Result) Skip(file, reason string) {
	r.Skipped = append(r.Skipped, Skip{File: file, Reason: reason})
	r.Summary.Skipped++
}

// Sort orders items by file, then offset, and skips by file, so reports are stable.
func (r *Result) Sort() {
	sort.SliceStable(r.Items, func(i, j int) bool {
		if r.Items[i].File != r.Items[j].File {
			return r.Items[i].File < r.Items[j].File
		}
		return r.Items[i].Start.Offset < r.Items[j].Start.Offset
	})
	sort.SliceStable(r.Skipped, func(i, j int) bool { return r.Skipped[i].File < r.Skipped[j].File })
}

// RulesFromPack describes every rule of a pack, in pack order, for Result.Rules.
func RulesFromPack(p *rules.Pack) []RuleInfo {
	out := make([]RuleInfo, len(p.Rules))
	for i, r := range p.Rules {
		out[i] = RuleInfo{ID: r.ID, Description: r.Description, Kind: r.Kind, Confidence: r.Confidence,
			References: append([]string(nil), r.References...)}
	}
	return out
}

// Formats lists the supported output formats.
var Formats = []string{"text", "json", "sarif", "junit", "github"}

// Options change how a report is rendered.
type Options struct {
	// Color adds ANSI colours to the text format (for a terminal). Other formats
	// ignore it.
	Color bool
}

// Write renders r in the named format with default options (no colour).
func Write(w io.Writer, format string, r *Result) error {
	return WriteOptions(w, format, r, Options{})
}

// WriteOptions renders r in the named format: text (for people), json (the versioned
// report), sarif (SARIF 2.1.0 for code scanning), junit (JUnit XML for CI test
// reports) or github (GitHub Actions workflow commands). r is not modified.
func WriteOptions(w io.Writer, format string, r *Result, opts Options) error {
	n := r.normalized()
	switch format {
	case "text":
		return writeText(w, n, opts)
	case "json":
		return writeJSON(w, n)
	case "sarif":
		return writeSARIF(w, n)
	case "junit":
		return writeJUnit(w, n)
	case "github":
		return writeGitHub(w, n)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// normalized returns a shallow copy whose counts agree with its lists: a writer never
// reports fewer findings or skips than it lists.
func (r *Result) normalized() *Result {
	n := *r
	n.Summary.Findings = max(n.Summary.Findings, len(n.Items))
	n.Summary.Skipped = max(n.Summary.Skipped, len(n.Skipped))
	return &n
}

type jsonReport struct {
	Schema        string  `json:"schema"`
	FindingSchema string  `json:"finding_schema"`
	RulePack      string  `json:"rule_pack"`
	Findings      []Item  `json:"findings"`
	Skipped       []Skip  `json:"skipped"`
	Summary       Summary `json:"summary"`
}

func writeJSON(w io.Writer, r *Result) error {
	items, skipped := r.Items, r.Skipped
	if items == nil {
		items = []Item{}
	}
	if skipped == nil {
		skipped = []Skip{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Schema: SchemaVersion, FindingSchema: scanner.SchemaVersion, RulePack: r.RulePack,
		Findings: items, Skipped: skipped, Summary: r.Summary})
}

// filesWithFindings counts the distinct files that have at least one finding.
func filesWithFindings(items []Item) int {
	seen := map[string]bool{}
	for _, it := range items {
		seen[it.File] = true
	}
	return len(seen)
}

// location is file:line:column of a finding's start.
func location(it *Item) string {
	return fmt.Sprintf("%s:%d:%d", it.File, it.Start.Line, it.Start.Column)
}

// detail is the finding's preview plus where in the file's structure it sits; it never
// contains the secret (the preview shows at most the public prefix and the length).
func detail(it *Item) string {
	s := it.Preview
	if it.JSONPath != "" {
		s += " at " + it.JSONPath
	}
	if it.Encoding != "" {
		s += " (" + it.Encoding + "-encoded)"
	}
	if it.Canary {
		s += " (canary)"
	}
	if len(it.Events) > 1 {
		lines := make([]string, len(it.Events))
		for i, l := range it.Events {
			lines[i] = strconv.Itoa(l)
		}
		s += " (split across the events on lines " + strings.Join(lines, ", ") + ")"
	}
	return s
}

// remedy is what to do about any finding, in one sentence.
const remedy = "Treat the credential as compromised: revoke or rotate it, then remove it from the file; " +
	"git history, CI logs and copies keep the old value, so deleting it is not enough."
