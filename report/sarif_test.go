package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

var (
	sarifOnce   sync.Once
	sarifSchema *jsonschema.Schema
	sarifErr    error
)

type offlineLoader struct{}

func (offlineLoader) Load(url string) (any, error) {
	return nil, errors.New("offline test: refusing to load " + url)
}

// officialSARIFSchema compiles report/testdata/sarif-schema-2.1.0.json (the OASIS
// schema, see testdata/SOURCES.md), registered under its own id. Nothing is fetched:
// the loader refuses every URL, and the draft-04 meta-schema is built into the library.
func officialSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sarifOnce.Do(func() {
		f, err := os.Open("testdata/sarif-schema-2.1.0.json")
		if err != nil {
			sarifErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			sarifErr = err
			return
		}
		id, _ := doc.(map[string]any)["id"].(string)
		if id != sarifSchemaURI {
			sarifErr = errors.New("schema id " + id + " is not the one the logs name: " + sarifSchemaURI)
			return
		}
		c := jsonschema.NewCompiler()
		c.UseLoader(offlineLoader{})
		c.AssertFormat()
		if sarifErr = c.AddResource(id, doc); sarifErr != nil {
			return
		}
		sarifSchema, sarifErr = c.Compile(id)
	})
	if sarifErr != nil {
		t.Fatal(sarifErr)
	}
	return sarifSchema
}

func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := officialSARIFSchema(t).Validate(doc); err != nil {
		t.Fatalf("SARIF log fails the official schema: %v\n%s", err, out)
	}
}

func TestSchemaRejectsAnInvalidLog(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},
		"results":[{"message":{"text":"m"},"level":"fatal","locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b"},"region":{"startLine":0}}}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if officialSARIFSchema(t).Validate(doc) == nil {
		t.Fatal("the schema accepts a bad level and line 0: the validator is not checking")
	}
}

func TestSARIFValidatesAgainstOfficialSchema(t *testing.T) {
	withoutRules := richResult(t)
	withoutRules.Rules, withoutRules.Root = nil, ""
	noEnd := sample()
	for name, r := range map[string]*Result{
		"empty":         {},
		"sample":        noEnd,
		"rich":          richResult(t),
		"no rules/root": withoutRules,
		"only skips":    {Skipped: []Skip{{"a", "unreadable"}}, Summary: Summary{Skipped: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, "sarif", r); err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, b.Bytes())
		})
	}
}

// sarifDoc is the part of a log the tests read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string
	Runs    []struct {
		ColumnKind         string
		OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
		Tool               struct {
			Driver struct {
				Name, InformationURI, Version string
				Rules                         []struct {
					ID, Name, HelpURI string
					ShortDescription  struct{ Text string }
					FullDescription   struct{ Text string }
					Help              struct{ Text, Markdown string }
					Properties        map[string]any
				}
			}
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level     string
				Message   struct{ Text string }
				Locations []sarifLocation
			}
		}
		Results []struct {
			RuleID              string
			RuleIndex           int
			Level               string
			Message             struct{ Text string }
			Locations           []sarifLocation
			PartialFingerprints map[string]string
		}
		Properties map[string]any
	}
}

func TestSARIFContent(t *testing.T) {
	r := richResult(t)
	var b bytes.Buffer
	if err := Write(&b, "sarif", r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"snippet"`) {
		t.Fatal("a SARIF region must never carry a snippet: it would be the secret")
	}
	var log sarifDoc
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema != sarifSchemaURI || len(log.Runs) != 1 {
		t.Fatalf("header %+v", log)
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if run.ColumnKind != "unicodeCodePoints" || d.Name != "scrubgate" || d.Version != "default@test+team" || d.InformationURI == "" {
		t.Fatalf("run: %+v", run)
	}
	if u := run.OriginalURIBaseIDs["%SRCROOT%"].URI; !strings.HasPrefix(u, "file:///") || !strings.HasSuffix(u, "/") {
		t.Fatalf("originalUriBaseIds %+v", run.OriginalURIBaseIDs)
	}
	if len(d.Rules) < len(r.Rules)+1 { // every pack rule, plus one built for the canary
		t.Fatalf("%d rules for %d in the pack", len(d.Rules), len(r.Rules))
	}
	ids := map[string]bool{}
	for _, rule := range d.Rules {
		if ids[rule.ID] {
			t.Fatalf("rule %s listed twice", rule.ID)
		}
		ids[rule.ID] = true
		tags, _ := rule.Properties["tags"].([]any)
		if len(tags) != 2 || tags[0] != "security" || tags[1] != "secret" || rule.Properties["precision"] == nil {
			t.Fatalf("rule %s properties %v", rule.ID, rule.Properties)
		}
		if sev, _ := rule.Properties["security-severity"].(string); sev != "9.0" && sev != "7.0" && sev != "5.0" {
			t.Fatalf("rule %s security-severity %v", rule.ID, rule.Properties["security-severity"])
		}
		if !strings.Contains(rule.Help.Text, "rotate") || !strings.Contains(rule.Help.Text, "history") || rule.Help.Markdown == "" {
			t.Fatalf("rule %s help does not say what to do: %q", rule.ID, rule.Help.Text)
		}
		if rule.Name == "" || rule.ShortDescription.Text == "" || rule.FullDescription.Text == "" {
			t.Fatalf("rule %+v", rule)
		}
	}
	for _, rule := range d.Rules {
		if rule.ID == "github-pat" && (!strings.HasPrefix(rule.HelpURI, "https://") || rule.Name != "GithubPat") {
			t.Fatalf("github-pat: helpUri %q name %q", rule.HelpURI, rule.Name)
		}
	}
	if len(run.Results) != len(r.Items) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Items))
	}
	byRule := map[string]int{}
	for i, res := range run.Results {
		it := r.Items[i]
		byRule[res.RuleID] = i
		if d.Rules[res.RuleIndex].ID != res.RuleID {
			t.Fatalf("result %d: ruleIndex %d is %s, not %s", i, res.RuleIndex, d.Rules[res.RuleIndex].ID, res.RuleID)
		}
		want := map[string]string{"high": "error", "medium": "error", "low": "warning"}[string(it.Confidence)]
		if res.Level != want {
			t.Fatalf("%s confidence %s: level %s", res.RuleID, it.Confidence, res.Level)
		}
		if res.PartialFingerprints["scrubgateFingerprint/v1"] != it.Fingerprint {
			t.Fatalf("fingerprints %v", res.PartialFingerprints)
		}
		if !strings.Contains(res.Message.Text, it.Preview) || !strings.Contains(res.Message.Text, it.Description) {
			t.Fatalf("message %q", res.Message.Text)
		}
		reg := res.Locations[0].PhysicalLocation.Region
		if reg.StartLine != it.Start.Line || reg.StartColumn != it.Start.Column || reg.EndLine != it.End.Line || reg.EndColumn != it.End.Column {
			t.Fatalf("%s region %+v for %+v-%+v", res.RuleID, reg, it.Start, it.End)
		}
	}
	loc := func(rule string) sarifPhysicalLocation {
		return run.Results[byRule[rule]].Locations[0].PhysicalLocation
	}
	for rule, want := range map[string]sarifArtifactLocation{
		"github-pat":          {URI: "logs/session%201.jsonl", URIBaseID: "%SRCROOT%"},
		"private-key":         {URI: "keys/id_rsa%23old.txt", URIBaseID: "%SRCROOT%"},
		"jwt":                 {URI: "%C3%BCn%C3%AFcode/na%C3%AFve.md", URIBaseID: "%SRCROOT%"},
		"known:deploy-canary": {URI: "-"},
	} {
		got := loc(rule).ArtifactLocation
		if got.URI != want.URI || got.URIBaseID != want.URIBaseID {
			t.Fatalf("%s: artifact %+v, want %+v", rule, got, want)
		}
	}
	if got := loc("slack-bot-token").ArtifactLocation; !strings.HasPrefix(got.URI, "file:///") || !strings.HasSuffix(got.URI, "/outside/x.env") || got.URIBaseID != "" {
		t.Fatalf("a file outside the root gets an absolute URI: %+v", got)
	}
	// charOffset only where the byte offset is provably the character offset
	if reg := loc("aws-access-key-id").Region; reg.CharOffset == nil || *reg.CharOffset != 6 || *reg.CharLength != 20 {
		t.Fatalf("first-line ASCII span: %+v", reg)
	}
	for _, rule := range []string{"jwt", "github-pat", "private-key"} {
		if reg := loc(rule).Region; reg.CharOffset != nil || reg.CharLength != nil {
			t.Fatalf("%s: charOffset where it is not sound: %+v", rule, reg)
		}
	}
	inv := run.Invocations[0]
	if !inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 2 {
		t.Fatalf("invocation %+v", inv)
	}
	n := inv.ToolExecutionNotifications[0]
	if n.Level != "warning" || !strings.Contains(n.Message.Text, "over --max-size") ||
		n.Locations[0].PhysicalLocation.ArtifactLocation.URI != "big/dump.bin" {
		t.Fatalf("notification %+v", n)
	}
	sum, _ := run.Properties["summary"].(map[string]any)
	if sum["skipped"] != 2.0 || sum["suppressed"] != 3.0 || sum["baselined"] != 2.0 || sum["files"] != 7.0 {
		t.Fatalf("run summary %v", run.Properties)
	}
}

func TestSARIFWithoutRootUsesPathsAsGiven(t *testing.T) {
	r := &Result{Items: []Item{{File: "./logs\\..\\a.txt", Finding: scanner.Finding{RuleID: "jwt", Confidence: "high",
		Start: pos(0, 1, 1), End: pos(10, 1, 11)}}}}
	if os.PathSeparator == '\\' {
		r.Items[0].File = `.\logs\..\a.txt`
	} else {
		r.Items[0].File = "./logs/../a.txt"
	}
	var b bytes.Buffer
	if err := Write(&b, "sarif", r); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b.Bytes())
	var log sarifDoc
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if got := run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation; got.URI != "a.txt" || got.URIBaseID != "%SRCROOT%" {
		t.Fatalf("artifact %+v", got)
	}
	if run.OriginalURIBaseIDs != nil {
		t.Fatalf("no root, no originalUriBaseIds: %+v", run.OriginalURIBaseIDs)
	}
	if len(run.Tool.Driver.Rules) != 1 || run.Tool.Driver.Rules[0].ID != "jwt" || run.Results[0].RuleIndex != 0 {
		t.Fatalf("rules built from findings: %+v", run.Tool.Driver.Rules)
	}
}

// Findings inside archive members and compressed files point at the file in the
// repository, without a region (which would index its compressed bytes); the
// message says where in the decoded text.
func TestSARIFArchiveMembersAndCompressedFiles(t *testing.T) {
	r := &Result{Root: ".", Items: []Item{
		{File: "logs/run.zip!session/chat.jsonl", Finding: scanner.Finding{RuleID: "github-pat", Confidence: "high", Preview: "ghp_…(40)",
			Start: scanner.Position{Line: 7, Column: 12}, End: scanner.Position{Line: 7, Column: 52}}},
		{File: "logs/cc.jsonl.gz", Finding: scanner.Finding{RuleID: "github-pat", Confidence: "high", Preview: "ghp_…(40)",
			Start: scanner.Position{Line: 3, Column: 5}, End: scanner.Position{Line: 3, Column: 45}}},
	}}
	var b bytes.Buffer
	if err := Write(&b, "sarif", r); err != nil {
		t.Fatal(err)
	}
	var log sarifDoc
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if res[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "logs/run.zip" || res[0].Locations[0].PhysicalLocation.Region != nil ||
		!strings.Contains(res[0].Message.Text, "archive member session/chat.jsonl, line 7, column 12") {
		t.Fatalf("zip member: %+v", res[0])
	}
	if res[1].Locations[0].PhysicalLocation.ArtifactLocation.URI != "logs/cc.jsonl.gz" || res[1].Locations[0].PhysicalLocation.Region != nil ||
		!strings.Contains(res[1].Message.Text, "line 3, column 5 of the decompressed text") {
		t.Fatalf("gzip: %+v", res[1])
	}
}

// Review 6, R7: GitHub code scanning rejects a whole log with more than 25,000
// results in a run. Past that the log keeps the most confident findings, in their
// order, and says how many it left out.
func TestSARIFCapsResultsAtGitHubLimit(t *testing.T) {
	r := &Result{Root: "."}
	const n = maxSARIFResults + 700
	for i := 0; i < n; i++ {
		c := rules.Low
		if i%3 == 0 {
			c = rules.High
		}
		r.Items = append(r.Items, Item{File: "a.txt", Finding: scanner.Finding{RuleID: "jwt", Confidence: c,
			Start: pos(int64(i*10), i+1, 1), End: pos(int64(i*10+5), i+1, 6)}})
	}
	var b bytes.Buffer
	if err := Write(&b, "sarif", r); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b.Bytes())
	var log sarifDoc
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != maxSARIFResults {
		t.Fatalf("%d results in the run, want %d", len(run.Results), maxSARIFResults)
	}
	high, prev := 0, 0
	for _, res := range run.Results {
		if res.Level == "error" {
			high++
		}
		line := res.Locations[0].PhysicalLocation.Region.StartLine
		if line <= prev {
			t.Fatalf("results out of order: line %d after %d", line, prev)
		}
		prev = line
	}
	if want := (n + 2) / 3; high != want {
		t.Errorf("%d high-confidence results kept, want all %d", high, want)
	}
	notes := run.Invocations[0].ToolExecutionNotifications
	if len(notes) != 1 || !strings.Contains(notes[0].Message.Text, "700 of 25700 findings are left out") {
		t.Errorf("notifications %+v", notes)
	}
}
