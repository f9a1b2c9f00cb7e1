package scanner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/rules"
)

// SchemaVersion names the JSON schema of findings. Later versions add fields; they
// never rename or remove one.
const SchemaVersion = "scrubgate.finding/v1"

// Position is a place in the input: a byte offset and a 1-based line and column, the
// column counted in characters (UTF-8 runes; an invalid byte counts as one).
type Position struct {
	Offset int64 `json:"offset"`
	Line   int   `json:"line"`
	Column int   `json:"column"`
}

// Source values of a Finding.
const (
	SourceRule  = "rule"        // a rule of the pack matched
	SourceKnown = "known-value" // a registered literal value occurred
)

// Finding is one detected secret. Start and End delimit the secret itself (End is
// exclusive) in the raw input. The secret bytes are reachable only through Secret();
// String, GoString, LogValue and JSON encoding never include them.
type Finding struct {
	RuleID      string           `json:"rule_id"`
	Description string           `json:"description"`
	Kind        string           `json:"kind"`
	Source      string           `json:"source"`
	Start       Position         `json:"start"`
	End         Position         `json:"end"`
	Confidence  rules.Confidence `json:"confidence"`
	Fingerprint string           `json:"fingerprint"`
	Preview     string           `json:"preview"`
	// Length is the secret's length in bytes (decoded, for JSON strings).
	Length int `json:"length"`
	// JSONPath locates the string holding the secret when the input is JSON or JSONL,
	// e.g. $.messages[3].content or $[12].message.content[0].text.
	JSONPath string `json:"json_path,omitempty"`
	// Encoding is "base64" when the secret was found inside decoded base64 text; the
	// span then covers the whole encoded run.
	Encoding string `json:"encoding,omitempty"`
	// Canary is set for known values registered as canaries.
	Canary bool `json:"canary,omitempty"`

	secret  []byte // decoded secret bytes: never printed
	generic bool
	order   int // rule order, for deterministic overlap resolution
	// view coordinates (decoded text) of the secret; raw coordinates are Start/End
	vs, ve int64
}

// Secret returns the secret bytes (decoded from JSON escapes where applicable). It is
// meant for replacement functions, e.g. to mint a handle; never log it.
func (f *Finding) Secret() []byte { return f.secret }

// String describes the finding without the secret.
func (f Finding) String() string {
	return fmt.Sprintf("%s at %d:%d (%s, %s, fp %s)", f.RuleID, f.Start.Line, f.Start.Column, f.Preview, f.Confidence, f.Fingerprint)
}

// GoString is used by %#v; it too leaves the secret out.
func (f Finding) GoString() string { return "scanner.Finding{" + f.String() + "}" }

// Format prints the finding without the secret whatever the verb (%d, %x and the
// like would otherwise walk the struct and print the secret's bytes).
func (f Finding) Format(st fmt.State, verb rune) {
	if verb == 'v' && st.Flag('#') {
		fmt.Fprint(st, f.GoString())
		return
	}
	fmt.Fprint(st, f.String())
}

// LogValue makes slog print the finding's public fields only.
func (f Finding) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("rule", f.RuleID),
		slog.String("kind", f.Kind),
		slog.String("confidence", string(f.Confidence)),
		slog.String("fingerprint", f.Fingerprint),
		slog.Int("line", f.Start.Line),
		slog.Int("column", f.Start.Column),
	}
	if f.JSONPath != "" {
		attrs = append(attrs, slog.String("json_path", f.JSONPath))
	}
	return slog.GroupValue(attrs...)
}

// fingerprint is a keyed hash of the secret: stable for one key, useless without it.
func fingerprint(key, secret []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(secret)
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// preview shows at most a public prefix and the length: "ghp_…(40)".
func preview(prefix string, length int) string {
	return prefix + "…(" + strconv.Itoa(length) + ")"
}

// publicPrefix is the longest keyword of the rule that the secret starts with, as it
// appears in the secret (vendor prefixes such as ghp_ or sk-ant- are public).
func (r *compiledRule) publicPrefix(secret []byte) string {
	best := ""
	for _, k := range r.keywords {
		if len(k) <= len(secret) && len(k) > len(best) && len(k) <= 16 && detectors.EqualFoldASCII(secret[:len(k)], k) {
			best = string(secret[:len(k)])
		}
	}
	return best
}

// better reports whether a should win an overlap against b: specific rules before
// generic ones, then higher confidence, then the longer secret, then rule order.
func better(a, b *Finding) bool {
	if a.generic != b.generic {
		return !a.generic
	}
	// A rule and a known value on the same span: the rule names it better (and
	// policies are written per rule), unless the known value is a canary.
	if a.vs == b.vs && a.ve == b.ve && a.Source != b.Source && a.Canary == b.Canary {
		return a.Source == SourceRule
	}
	if ra, rb := a.Confidence.Rank(), b.Confidence.Rank(); ra != rb {
		return ra > rb
	}
	if la, lb := a.ve-a.vs, b.ve-b.vs; la != lb {
		return la > lb
	}
	if a.order != b.order {
		return a.order < b.order
	}
	return a.RuleID < b.RuleID
}
