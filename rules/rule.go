package rules

import (
	"fmt"
	"sort"
	"strings"
)

// Confidence says how sure a detection is.
type Confidence string

// Confidence levels, from most to least certain.
const (
	High   Confidence = "high"
	Medium Confidence = "medium"
	Low    Confidence = "low"
)

// Rank orders confidence levels: high 3, medium 2, low 1, unknown 0.
func (c Confidence) Rank() int {
	switch c {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// ParseConfidence parses "high", "medium" or "low" (case-insensitive).
func ParseConfidence(s string) (Confidence, error) {
	c := Confidence(strings.ToLower(strings.TrimSpace(s)))
	if c.Rank() == 0 {
		return "", fmt.Errorf("unknown confidence %q (want high, medium or low)", s)
	}
	return c, nil
}

// Example is a text that must yield exactly Secret as a finding of its rule.
type Example struct {
	Text   string `toml:"text"`
	Secret string `toml:"secret"`
}

// Rule is one detection rule. See docs/RULES.md.
type Rule struct {
	ID          string     `toml:"id"`
	Description string     `toml:"description"`
	Kind        string     `toml:"kind"`
	Keywords    []string   `toml:"keywords"`
	Regex       string     `toml:"regex"`
	SecretGroup int        `toml:"secret_group"`
	Confidence  Confidence `toml:"confidence"`
	Validators  []string   `toml:"validators"`
	Entropy     float64    `toml:"entropy"`
	Gate        string     `toml:"gate"`
	Generic     bool       `toml:"generic"`
	MaxSpan     int        `toml:"max_span"`
	References  []string   `toml:"references"`
	Examples    []Example  `toml:"examples"`
	Negatives   []string   `toml:"negatives"`

	// Allow holds regexes; a candidate secret matching any of them is not a finding
	// (gitleaks allowlist "regexes").
	Allow []string `toml:"allow"`
	// StopWords are substrings; a candidate secret containing any is not a finding.
	StopWords []string `toml:"stopwords"`

	// Source names the file the rule came from (set by the loader).
	Source string `toml:"-"`
	// Embedded marks rules of the built-in default pack: their examples are checked by
	// the project's tests, so compiling them does not run the examples again.
	Embedded bool `toml:"-"`
	// Imported marks rules read from a gitleaks config: they carry no examples and
	// may place their keyword after the secret, so the engine widens their checks.
	Imported bool `toml:"-"`
}

// Gates a rule may name. The empty gate means "derived from the regex".
var Gates = []string{"assignment", "assignment-value", "header", "url-userinfo"}

// Problem is one thing wrong with a rule.
type Problem struct {
	RuleID string
	Source string
	Msg    string
}

func (p Problem) String() string {
	loc := p.RuleID
	if loc == "" {
		loc = "(pack)"
	}
	if p.Source != "" {
		loc = p.Source + ": " + loc
	}
	return loc + ": " + p.Msg
}

// Problems is every problem found in a pack; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d rule problem(s):\n  %s", len(ps), strings.Join(lines, "\n  "))
}

// Pack is an ordered set of rules with a version string.
type Pack struct {
	// Version identifies the pack content, e.g. "default@3f2a9c01b7de+2".
	Version string
	Rules   []Rule
	// Notes are non-fatal remarks from loading (e.g. gitleaks path-only rules skipped).
	Notes []string
}

// Clone returns a deep-enough copy that can be extended or trimmed independently.
func (p *Pack) Clone() *Pack {
	q := &Pack{Version: p.Version, Rules: append([]Rule(nil), p.Rules...), Notes: append([]string(nil), p.Notes...)}
	return q
}

// IDs returns the rule ids in pack order.
func (p *Pack) IDs() []string {
	ids := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		ids[i] = r.ID
	}
	return ids
}

// Extend adds rules to the pack. A rule whose id already exists replaces it (so a
// team can override a default rule); the version records the extension.
func (p *Pack) Extend(name string, rs []Rule) {
	idx := map[string]int{}
	for i, r := range p.Rules {
		idx[r.ID] = i
	}
	for _, r := range rs {
		if i, ok := idx[r.ID]; ok {
			p.Rules[i] = r
			continue
		}
		idx[r.ID] = len(p.Rules)
		p.Rules = append(p.Rules, r)
	}
	p.Version += "+" + name
}

// Disable removes the rules with the given ids. Unknown ids are an error, so a typo
// in a disable list does not silently leave a rule on.
func (p *Pack) Disable(ids ...string) error {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	kept := p.Rules[:0:0]
	for _, r := range p.Rules {
		if drop[r.ID] {
			delete(drop, r.ID)
			continue
		}
		kept = append(kept, r)
	}
	if len(drop) > 0 {
		unknown := make([]string, 0, len(drop))
		for id := range drop {
			unknown = append(unknown, id)
		}
		sort.Strings(unknown)
		return fmt.Errorf("cannot disable unknown rule id(s): %s (see `scrubgate rules list`)", strings.Join(unknown, ", "))
	}
	p.Rules = kept
	return nil
}
