package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties *junitPropSet   `xml:"properties,omitempty"`
	Cases      []junitTestCase `xml:"testcase"`
}

type junitPropSet struct {
	Props []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit writes JUnit XML: one testsuite per file, one failing testcase per
// finding and one skipped testcase per file that was not scanned. Clean files get no
// testcase; a report with no finding and no skip gets one passing testcase, because
// some CI systems fail a build whose report holds no tests. encoding/xml does all escaping
// (characters XML cannot carry become U+FFFD).
func writeJUnit(w io.Writer, r *Result) error {
	byFile := map[string]*junitSuite{}
	suite := func(file string) *junitSuite {
		s := byFile[file]
		if s == nil {
			s = &junitSuite{Name: file}
			byFile[file] = s
		}
		return s
	}
	for i := range r.Items {
		it := &r.Items[i]
		s := suite(it.File)
		s.Tests++
		s.Failures++
		s.Cases = append(s.Cases, junitTestCase{
			Name:      fmt.Sprintf("%s at %d:%d", it.RuleID, it.Start.Line, it.Start.Column),
			ClassName: it.File,
			File:      it.File,
			Line:      it.Start.Line,
			Failure: &junitFailure{
				Message: fmt.Sprintf("%s at %s: %s", it.RuleID, location(it), it.Preview),
				Type:    it.RuleID,
				Text:    junitDetail(it),
			},
		})
	}
	for _, sk := range r.Skipped {
		s := suite(sk.File)
		s.Tests++
		s.Skipped++
		s.Cases = append(s.Cases, junitTestCase{
			Name: "not scanned: " + sk.Reason, ClassName: sk.File, File: sk.File,
			Skipped: &junitSkipped{Message: sk.Reason},
		})
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	// The first suite, named after the tool, carries the scan's counts as properties
	// (files scanned, suppressed: what failures and skips cannot say).
	head := junitSuite{Name: toolName, Properties: &junitPropSet{Props: []junitProperty{
		{"rule_pack", r.RulePack},
		{"files_scanned", fmt.Sprint(r.Summary.Files)},
		{"findings", fmt.Sprint(r.Summary.Findings)},
		{"skipped", fmt.Sprint(r.Summary.Skipped)},
		{"suppressed", fmt.Sprint(r.Summary.Suppressed)},
		{"baselined", fmt.Sprint(r.Summary.Baselined)},
	}}}
	if len(files) == 0 {
		head.Tests = 1
		head.Cases = []junitTestCase{{Name: fmt.Sprintf("no secrets in %d file(s) scanned", r.Summary.Files), ClassName: toolName}}
	}
	out := junitSuites{Name: toolName, Tests: head.Tests, Suites: []junitSuite{head}}
	for _, f := range files {
		s := byFile[f]
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitDetail is the failure body: where the secret is and what to do, never the secret.
func junitDetail(it *Item) string {
	var b strings.Builder
	desc := it.Description
	if desc == "" {
		desc = it.RuleID
	}
	fmt.Fprintf(&b, "%s\nrule: %s\nconfidence: %s\nlocation: %s\npreview: %s\n", desc, it.RuleID, orUnknown(string(it.Confidence)), location(it), it.Preview)
	if it.JSONPath != "" {
		fmt.Fprintf(&b, "json path: %s\n", it.JSONPath)
	}
	if it.Encoding != "" {
		fmt.Fprintf(&b, "encoding: %s\n", it.Encoding)
	}
	if it.Canary {
		b.WriteString("canary: a decoy value appeared: this is a leak\n")
	}
	if it.Fingerprint != "" {
		fmt.Fprintf(&b, "fingerprint: %s\n", it.Fingerprint)
	}
	b.WriteString(remedy)
	return b.String()
}
