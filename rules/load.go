package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/scrubgate/scrubgate/detectors"
)

//go:embed default/*.toml
var defaultFS embed.FS

// DefaultMaxSpan caps regexes with unbounded repeats when a rule sets no max_span.
const DefaultMaxSpan = 1024

// MaxSpanLimit is the largest span any rule may have; it bounds streaming hold-back.
const MaxSpanLimit = 16384

// MinKeywordLen is the shortest keyword the engine accepts.
const MinKeywordLen = 3

// Default returns the embedded default pack. Its version is "default@" plus a digest
// of the rule files, so two builds with the same rules report the same version.
func Default() (*Pack, error) {
	names, err := fs.Glob(defaultFS, "default/*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	pack := &Pack{}
	var problems Problems
	for _, name := range names {
		data, err := defaultFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(name))
		h.Write(data)
		rs, notes, err := Parse(data, path.Base(name))
		if err != nil {
			if ps, ok := err.(Problems); ok {
				problems = append(problems, ps...)
				continue
			}
			return nil, err
		}
		for i := range rs {
			rs[i].Embedded = true
		}
		pack.Rules = append(pack.Rules, rs...)
		pack.Notes = append(pack.Notes, notes...)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	pack.Version = "default@" + hex.EncodeToString(h.Sum(nil))[:12]
	return pack, nil
}

// LoadFile reads a rule file: native scrubgate TOML ([[rule]]) or a gitleaks config
// ([[rules]]). Directories are read file by file (*.toml, sorted).
func LoadFile(p string) ([]Rule, []string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("rules: %w", err)
	}
	if st.IsDir() {
		matches, err := filepath.Glob(filepath.Join(p, "*.toml"))
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(matches)
		var all []Rule
		var notes []string
		for _, m := range matches {
			rs, ns, err := LoadFile(m)
			if err != nil {
				return nil, nil, err
			}
			all = append(all, rs...)
			notes = append(notes, ns...)
		}
		return all, notes, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, nil, fmt.Errorf("rules: %w", err)
	}
	return Parse(data, filepath.Base(p))
}

// nativeFile is the top level of a scrubgate rule file.
type nativeFile struct {
	Rule []Rule `toml:"rule"`
}

// Parse decodes one rule file. It recognises gitleaks configs by their [[rules]]
// tables. The returned notes are non-fatal remarks; the error, when it is Problems,
// lists every static problem found with its rule id.
func Parse(data []byte, source string) ([]Rule, []string, error) {
	if hasBOM(data) {
		data = data[3:]
	}
	var probe map[string]any
	if _, err := toml.Decode(string(data), &probe); err != nil {
		return nil, nil, fmt.Errorf("rules: %s: %w", source, err)
	}
	if _, ok := probe["rules"]; ok {
		rs, notes, err := parseGitleaks(data, source)
		if err != nil {
			return nil, nil, err
		}
		if ps := Validate(rs); len(ps) > 0 {
			return nil, notes, ps
		}
		return rs, notes, nil
	}
	var f nativeFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, nil, fmt.Errorf("rules: %s: %w", source, err)
	}
	var problems Problems
	for _, k := range md.Undecoded() {
		problems = append(problems, Problem{Source: source, Msg: fmt.Sprintf("unknown field %q", k.String())})
	}
	for i := range f.Rule {
		f.Rule[i].Source = source
		if f.Rule[i].Confidence == "" {
			f.Rule[i].Confidence = Medium
		}
		if f.Rule[i].Kind == "" {
			f.Rule[i].Kind = deriveKind(f.Rule[i].ID)
		}
	}
	problems = append(problems, Validate(f.Rule)...)
	if len(problems) > 0 {
		return nil, nil, problems
	}
	return f.Rule, nil, nil
}

// deriveKind makes a coarse handle kind from a rule id: the vendor word plus "secret".
func deriveKind(id string) string {
	vendor, _, _ := strings.Cut(id, "-")
	k := vendor + "-secret"
	if !validKind(k) {
		return "secret"
	}
	return k
}

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func validKind(k string) bool {
	return len(k) <= 32 && idRE.MatchString(k)
}

// Validate checks rules statically: unique ids, ASCII regexes that parse, keywords,
// secret group, confidence, validators, gate, span. It reports every problem.
func Validate(rs []Rule) Problems {
	var ps Problems
	seen := map[string]string{}
	for _, r := range rs {
		add := func(format string, args ...any) {
			ps = append(ps, Problem{RuleID: r.ID, Source: r.Source, Msg: fmt.Sprintf(format, args...)})
		}
		if !idRE.MatchString(r.ID) {
			add("id must be lowercase letters, digits and '-' (at most 64)")
		}
		if prev, dup := seen[r.ID]; dup {
			add("duplicate id (also in %s)", prev)
		}
		seen[r.ID] = r.Source
		if strings.TrimSpace(r.Description) == "" {
			add("description is empty")
		}
		if !validKind(r.Kind) {
			add("kind %q must be lowercase letters, digits and '-' (at most 32)", r.Kind)
		}
		if !isASCII(r.Regex) {
			add("regex must be ASCII")
		}
		re, err := syntax.Parse(r.Regex, syntax.Perl)
		if err != nil {
			add("regex does not parse: %v", err)
		} else {
			groups := re.MaxCap()
			if r.SecretGroup < 0 || r.SecretGroup > groups {
				add("secret_group %d out of range (regex has %d groups)", r.SecretGroup, groups)
			}
		}
		if len(r.Keywords) == 0 {
			add("no keywords: every rule needs at least one literal keyword that each match contains")
		}
		for _, k := range r.Keywords {
			switch {
			case len(k) < MinKeywordLen:
				add("keyword %q is shorter than %d bytes", k, MinKeywordLen)
			case !isASCII(k) || k != strings.ToLower(k):
				add("keyword %q must be lowercase ASCII", k)
			}
		}
		if r.Confidence.Rank() == 0 {
			add("confidence %q must be high, medium or low", r.Confidence)
		}
		for _, v := range r.Validators {
			if _, ok := detectors.Lookup(v); !ok {
				add("unknown validator %q (known: %s)", v, strings.Join(detectors.Names(), ", "))
			}
		}
		if r.Gate != "" && !contains(Gates, r.Gate) {
			add("unknown gate %q (known: %s)", r.Gate, strings.Join(Gates, ", "))
		}
		if r.MaxSpan < 0 || r.MaxSpan > MaxSpanLimit {
			add("max_span %d out of range 0..%d", r.MaxSpan, MaxSpanLimit)
		}
		if r.Entropy < 0 || r.Entropy > 8 {
			add("entropy %.2f out of range 0..8 bits per byte", r.Entropy)
		}
		for _, a := range r.Allow {
			if _, err := regexp.Compile(a); err != nil {
				add("allow regex %q does not compile: %v", a, err)
			}
		}
		for i, ex := range r.Examples {
			if ex.Secret == "" || !strings.Contains(ex.Text, ex.Secret) {
				add("example %d: secret is empty or not contained in its text", i+1)
			}
		}
	}
	return ps
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hasBOM strips a UTF-8 byte order mark that some editors add to TOML files.
func hasBOM(b []byte) bool { return bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) }
