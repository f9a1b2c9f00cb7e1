package rules

import (
	"fmt"
	"regexp/syntax"
	"strings"

	"github.com/BurntSushi/toml"
)

// gitleaksAllowlist is one gitleaks allowlist table (old [rules.allowlist] or new
// [[rules.allowlists]] form, and the global [allowlist] / [[allowlists]]).
type gitleaksAllowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
}

type gitleaksRule struct {
	ID          string              `toml:"id"`
	Description string              `toml:"description"`
	Regex       string              `toml:"regex"`
	SecretGroup int                 `toml:"secretGroup"`
	Entropy     float64             `toml:"entropy"`
	Keywords    []string            `toml:"keywords"`
	Path        string              `toml:"path"`
	Tags        []string            `toml:"tags"`
	Allowlist   *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists  []gitleaksAllowlist `toml:"allowlists"`
}

type gitleaksConfig struct {
	Title  string `toml:"title"`
	Extend struct {
		UseDefault    bool     `toml:"useDefault"`
		Path          string   `toml:"path"`
		DisabledRules []string `toml:"disabledRules"`
	} `toml:"extend"`
	Rules      []gitleaksRule      `toml:"rules"`
	Allowlist  *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists []gitleaksAllowlist `toml:"allowlists"`
}

// parseGitleaks converts a gitleaks config into scrubgate rules. What scrubgate
// cannot honour is said in the notes, never dropped silently: path-only rules are
// skipped, allowlists on paths or commits do not apply to streamed traffic, and
// allowlist regexes are matched against the secret whatever their regexTarget.
func parseGitleaks(data []byte, source string) ([]Rule, []string, error) {
	var cfg gitleaksConfig
	if _, err := toml.Decode(string(data), &cfg); err != nil {
		return nil, nil, fmt.Errorf("rules: %s: gitleaks config: %w", source, err)
	}
	var notes []string
	note := func(format string, args ...any) {
		notes = append(notes, source+": "+fmt.Sprintf(format, args...))
	}
	global := append([]gitleaksAllowlist(nil), cfg.Allowlists...)
	if cfg.Allowlist != nil {
		global = append(global, *cfg.Allowlist)
	}
	var out []Rule
	for _, gr := range cfg.Rules {
		if strings.TrimSpace(gr.Regex) == "" {
			note("rule %s skipped: path-only rules have no meaning for streamed text", gr.ID)
			continue
		}
		r := Rule{
			ID:          strings.ToLower(gr.ID),
			Description: gr.Description,
			Regex:       gr.Regex,
			SecretGroup: gr.SecretGroup,
			Entropy:     gr.Entropy,
			Confidence:  Medium,
			Source:      source,
			Imported:    true,
		}
		if r.Description == "" {
			r.Description = "imported gitleaks rule " + gr.ID
		}
		r.Kind = deriveKind(r.ID)
		for _, k := range gr.Keywords {
			k = strings.ToLower(k)
			if len(k) >= MinKeywordLen {
				r.Keywords = append(r.Keywords, k)
			}
		}
		if len(r.Keywords) == 0 {
			if k := requiredLiteral(gr.Regex); len(k) >= MinKeywordLen {
				r.Keywords = []string{k}
				note("rule %s: no usable keyword (3+ chars); using %q taken from its regex", gr.ID, k)
			}
		}
		lists := append([]gitleaksAllowlist(nil), gr.Allowlists...)
		if gr.Allowlist != nil {
			lists = append(lists, *gr.Allowlist)
		}
		lists = append(lists, global...)
		for _, al := range lists {
			if len(al.Paths) > 0 || len(al.Commits) > 0 {
				note("rule %s: allowlist paths/commits ignored (they do not apply to streamed traffic)", gr.ID)
			}
			if al.RegexTarget != "" && al.RegexTarget != "secret" && len(al.Regexes) > 0 {
				note("rule %s: allowlist regexTarget %q applied to the secret", gr.ID, al.RegexTarget)
			}
			r.Allow = append(r.Allow, al.Regexes...)
			r.StopWords = append(r.StopWords, al.StopWords...)
		}
		out = append(out, r)
	}
	if len(cfg.Extend.DisabledRules) > 0 {
		note("extend.disabledRules %v: pass them to --disable to turn off default rules", cfg.Extend.DisabledRules)
	}
	return out, notes, nil
}

// requiredLiteral returns the longest literal (lowercased) that every match of expr
// must contain, looking at the top-level concatenation; "" if there is none.
func requiredLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	best := ""
	var walk func(n *syntax.Regexp)
	walk = func(n *syntax.Regexp) {
		switch n.Op {
		case syntax.OpLiteral:
			if s := strings.ToLower(string(n.Rune)); len(s) > len(best) && isASCII(s) {
				best = s
			}
		case syntax.OpCapture:
			walk(n.Sub[0])
		case syntax.OpConcat:
			for _, s := range n.Sub {
				walk(s)
			}
		case syntax.OpRepeat:
			if n.Min >= 1 {
				walk(n.Sub[0])
			}
		case syntax.OpPlus:
			walk(n.Sub[0])
		}
	}
	walk(re)
	return best
}
