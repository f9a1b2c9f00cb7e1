package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultPackLoads(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) < 150 {
		t.Fatalf("default pack has %d rules; the bar is well over 150", len(p.Rules))
	}
	if !strings.HasPrefix(p.Version, "default@") {
		t.Fatalf("version %q", p.Version)
	}
	p2, _ := Default()
	if p2.Version != p.Version {
		t.Fatal("version is not deterministic")
	}
	for _, r := range p.Rules {
		if len(r.References) == 0 || len(r.Examples) == 0 {
			t.Errorf("%s: every default rule needs references and examples", r.ID)
		}
	}
}

// The default pack must cover the credentials issue #2 lists: one rule id prefix each.
func TestDefaultPackCoverage(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range p.Rules {
		have[r.ID] = true
	}
	vendors := []string{"openai", "anthropic", "google", "azure", "mistral", "cohere", "groq", "together", "fireworks",
		"replicate", "huggingface", "perplexity", "xai", "deepseek", "openrouter", "aws", "gcp", "github", "gitlab",
		"bitbucket", "slack", "discord", "telegram", "twilio", "sendgrid", "mailgun", "stripe", "square", "paypal", "npm",
		"pypi", "rubygems", "docker", "terraform", "vault", "digitalocean", "heroku", "vercel", "netlify", "cloudflare",
		"databricks", "snowflake", "datadog", "newrelic", "sentry", "pagerduty", "shopify", "atlassian", "linear",
		"notion", "okta", "jwt", "authorization-header", "private-key", "url-password", "generic-password", "generic-secret"}
	for _, v := range vendors {
		found := false
		for id := range have {
			if strings.HasPrefix(id, v) || strings.Contains(id, "-"+v) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no rule for %s", v)
		}
	}
}

func TestValidateReportsEveryProblemWithRuleID(t *testing.T) {
	src := `
[[rule]]
id = "Bad Id"
description = ""
kind = "x"
keywords = ["ab", "UPPER"]
regex = '''(unclosed'''
confidence = "sure"
validators = ["nope"]
gate = "magic"
max_span = 99999

[[rule]]
id = "dup"
description = "d"
kind = "k"
keywords = ["abc"]
regex = '''abc(\d+)'''
secret_group = 2
examples = [{ text = "zzz", secret = "abc1" }]

[[rule]]
id = "dup"
description = "d"
kind = "k"
keywords = ["abc"]
regex = 'abcé'
`
	_, _, err := Parse([]byte(src), "bad.toml")
	ps, ok := err.(Problems)
	if !ok {
		t.Fatalf("want Problems, got %v", err)
	}
	msg := ps.Error()
	for _, want := range []string{"bad.toml: Bad Id: id must be", "description is empty", `keyword "ab" is shorter`,
		`keyword "UPPER" must be lowercase`, "regex does not parse", `confidence "sure"`, `unknown validator "nope"`,
		`unknown gate "magic"`, "max_span 99999", "dup: secret_group 2 out of range", "dup: example 1: secret is empty or not contained",
		"dup: duplicate id", "regex must be ASCII"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func TestUnknownFieldsAreReported(t *testing.T) {
	_, _, err := Parse([]byte("[[rule]]\nid=\"a\"\nregx='x'\n"), "typo.toml")
	if err == nil || !strings.Contains(err.Error(), `unknown field "rule.regx"`) {
		t.Fatalf("got %v", err)
	}
}

func TestGitleaksConfigImport(t *testing.T) {
	src := `
title = "team rules"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "Acme-Token"
description = "Acme internal token"
regex = '''acme_([a-z0-9]{32})'''
secretGroup = 1
entropy = 3.2
keywords = ["acme_"]
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''acme_0{32}''']
stopwords = ["sample"]

[[rules]]
id = "legacy-allow"
regex = '''LEGACY-[A-Z0-9]{20}'''
[rules.allowlist]
regexes = ['''LEGACY-TEST.*''']
paths = ['''vendor/''']

[[rules]]
id = "path-only"
path = '''\.pem$'''

[allowlist]
stopwords = ["dummy"]
`
	rs, notes, err := Parse([]byte(src), "gitleaks.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("want 2 rules, got %d", len(rs))
	}
	a := rs[0]
	if a.ID != "acme-token" || a.SecretGroup != 1 || a.Entropy != 3.2 || !a.Imported || a.Keywords[0] != "acme_" {
		t.Fatalf("rule %+v", a)
	}
	if len(a.Allow) != 1 || len(a.StopWords) != 2 {
		t.Fatalf("allowlists not merged: %v %v", a.Allow, a.StopWords)
	}
	if rs[1].Keywords[0] != "legacy-" {
		t.Fatalf("keyword not derived from regex: %v", rs[1].Keywords)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"path-only skipped", "paths/commits ignored", `regexTarget "match"`, "disabledRules", "using \"legacy-\""} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

func TestExtendAndDisable(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	n := len(p.Rules)
	q := p.Clone()
	if err := q.Disable("jwt", "private-key"); err != nil {
		t.Fatal(err)
	}
	if len(q.Rules) != n-2 || len(p.Rules) != n {
		t.Fatal("disable must not touch the original")
	}
	if err := q.Disable("no-such-rule"); err == nil || !strings.Contains(err.Error(), "no-such-rule") {
		t.Fatalf("unknown id: %v", err)
	}
	override := p.Rules[0]
	override.Description = "overridden"
	q.Extend("team.toml", []Rule{override, {ID: "new-rule"}})
	if q.Rules[0].Description != "overridden" || q.Rules[len(q.Rules)-1].ID != "new-rule" || !strings.HasSuffix(q.Version, "+team.toml") {
		t.Fatalf("extend: %v", q.Version)
	}
}

func TestLoadFileAndDirectory(t *testing.T) {
	dir := t.TempDir()
	rule := "[[rule]]\nid = \"%s\"\ndescription = \"d\"\nkind = \"k\"\nkeywords = [\"abc\"]\nregex = '''abc\\d{4}'''\n"
	os.WriteFile(filepath.Join(dir, "a.toml"), []byte(strings.Replace(rule, "%s", "r-a", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "b.toml"), []byte("\xEF\xBB\xBF"+strings.Replace(rule, "%s", "r-b", 1)), 0o644)
	rs, _, err := LoadFile(dir)
	if err != nil || len(rs) != 2 || rs[0].ID != "r-a" || rs[1].Source != "b.toml" || rs[0].Confidence != Medium {
		t.Fatalf("%v %v", rs, err)
	}
	if _, _, err := LoadFile(filepath.Join(dir, "missing.toml")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func FuzzParse(f *testing.F) {
	def, _ := defaultFS.ReadFile("default/generic.toml")
	f.Add(def[:2000])
	f.Add([]byte("[[rules]]\nid='x'\nregex='''a(b'''\n"))
	f.Add([]byte("[[rule]]\nid='x'\nkeywords=['abc']\nregex='abc'\ndescription='d'\nkind='k'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, _, err := Parse(data, "fuzz.toml")
		if err != nil {
			if rs != nil {
				t.Fatal("rules returned with an error")
			}
			return
		}
		// whatever parses must validate cleanly
		if ps := Validate(rs); len(ps) > 0 {
			t.Fatalf("Parse accepted rules that Validate rejects: %v", ps)
		}
	})
}
