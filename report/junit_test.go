package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/scanner"
)

// decoded JUnit, read back with encoding/xml.
type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []jSuite `xml:"testsuite"`
}

type jSuite struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Props    []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []struct {
		Name      string `xml:"name,attr"`
		ClassName string `xml:"classname,attr"`
		Failure   *struct {
			Message string `xml:"message,attr"`
			Type    string `xml:"type,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	} `xml:"testcase"`
}

func decodeJUnit(t *testing.T, out []byte) jSuites {
	t.Helper()
	var s jSuites
	if err := xml.Unmarshal(out, &s); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, out)
	}
	return s
}

func TestJUnitIsWellFormedAndCountsAdd(t *testing.T) {
	hostile := &Result{Summary: Summary{Files: 3}}
	for _, f := range []string{`a<b>&"c'.txt`, "ctl\x01\x1b\x7f.txt", "]]>cdata.txt", "bad\xffutf8.txt"} {
		hostile.Items = append(hostile.Items, Item{File: f, Finding: scanner.Finding{RuleID: "jwt", Confidence: "high",
			Preview: "eyJ…(99)", JSONPath: `$["<x>&\n"]`, Start: pos(1, 1, 2), End: pos(5, 1, 6)}})
	}
	hostile.Skip("<skip>&", "unreadable: <permission denied> & \"more\"")
	cases := []struct {
		name                             string
		r                                *Result
		tests, failures, skipped, suites int
	}{
		{"empty", &Result{Summary: Summary{Files: 4}}, 1, 0, 0, 1},
		{"sample", sample(), 2, 2, 0, 3},
		{"rich", richResult(t), 9, 7, 2, 9},
		{"hostile names", hostile, 5, 4, 1, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, "junit", c.r); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(b.String(), xml.Header) {
				t.Fatalf("no XML declaration: %q", b.String()[:40])
			}
			s := decodeJUnit(t, b.Bytes())
			if s.Tests != c.tests || s.Failures != c.failures || s.Skipped != c.skipped || s.Errors != 0 || len(s.Suites) != c.suites {
				t.Fatalf("totals tests=%d failures=%d skipped=%d errors=%d suites=%d, want %d %d %d 0 %d\n%s",
					s.Tests, s.Failures, s.Skipped, s.Errors, len(s.Suites), c.tests, c.failures, c.skipped, c.suites, b.String())
			}
			tests, failures, skipped := 0, 0, 0
			for _, su := range s.Suites {
				nf, ns := 0, 0
				for _, tc := range su.Cases {
					if tc.Failure != nil {
						nf++
						if tc.Failure.Message == "" || tc.Failure.Type == "" || !strings.Contains(tc.Failure.Text, "rotate") {
							t.Fatalf("failure %+v", tc.Failure)
						}
					}
					if tc.Skipped != nil {
						ns++
					}
				}
				if su.Tests != len(su.Cases) || su.Failures != nf || su.Skipped != ns {
					t.Fatalf("suite %q says tests=%d failures=%d skipped=%d, holds %d cases, %d failures, %d skips",
						su.Name, su.Tests, su.Failures, su.Skipped, len(su.Cases), nf, ns)
				}
				tests, failures, skipped = tests+su.Tests, failures+nf, skipped+ns
			}
			if tests != s.Tests || failures != s.Failures || skipped != s.Skipped {
				t.Fatalf("suites add up to %d/%d/%d, root says %d/%d/%d", tests, failures, skipped, s.Tests, s.Failures, s.Skipped)
			}
			if s.Suites[0].Name != "scrubgate" || len(s.Suites[0].Props) == 0 {
				t.Fatalf("first suite carries the scan's counts: %+v", s.Suites[0])
			}
		})
	}
}

func TestJUnitKeepsNamesAndMessages(t *testing.T) {
	r := &Result{Summary: Summary{Files: 1, Suppressed: 2}}
	r.Items = []Item{{File: `dir/a<b>&"c".txt`, Finding: scanner.Finding{RuleID: "github-pat", Confidence: "high",
		Preview: "ghp_…(40)", Start: pos(10, 3, 7), End: pos(50, 3, 47)}}}
	r.Skip("big & old.bin", "over --max-size")
	var b bytes.Buffer
	if err := Write(&b, "junit", r); err != nil {
		t.Fatal(err)
	}
	s := decodeJUnit(t, b.Bytes())
	var found, skip bool
	for _, su := range s.Suites {
		for _, tc := range su.Cases {
			if tc.Failure != nil {
				found = su.Name == `dir/a<b>&"c".txt` && tc.ClassName == su.Name && tc.Name == "github-pat at 3:7" &&
					tc.Failure.Message == `github-pat at dir/a<b>&"c".txt:3:7: ghp_…(40)` && tc.Failure.Type == "github-pat"
			}
			if tc.Skipped != nil {
				skip = su.Name == "big & old.bin" && tc.Skipped.Message == "over --max-size"
			}
		}
	}
	props := map[string]string{}
	for _, p := range s.Suites[0].Props {
		props[p.Name] = p.Value
	}
	if !found || !skip || props["suppressed"] != "2" || props["files_scanned"] != "1" {
		t.Fatalf("round trip lost something (found=%v skip=%v props=%v):\n%s", found, skip, props, b.String())
	}
}
