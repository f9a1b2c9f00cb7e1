package scanner

import (
	"bytes"
	"sort"

	"github.com/cloudflare/ahocorasick"
)

// KnownValue is a literal secret to find wherever it occurs: a registered credential,
// a canary token, or a secret already caught elsewhere (so it is caught again when it
// reappears bare, out of the context that first revealed it).
type KnownValue struct {
	Value []byte
	// Kind is the handle kind (e.g. "github-token"); "secret" if empty.
	Kind string
	// Label names the value in findings (rule id "known:<label>"); never the value.
	Label string
	// Canary marks decoy values whose every appearance is a leak.
	Canary bool
}

// MinKnownValueLen is the shortest literal accepted as a known value; shorter ones
// would match ordinary text.
const MinKnownValueLen = 8

// knownSet is an immutable compiled set of known values.
type knownSet struct {
	values []KnownValue
	m      *ahocorasick.Matcher
	maxLen int
	sorted [][]byte // values sorted, for the streaming prefix check
}

func newKnownSet(vals []KnownValue) *knownSet {
	if len(vals) == 0 {
		return nil
	}
	ks := &knownSet{values: vals}
	dict := make([][]byte, len(vals))
	for i, v := range vals {
		dict[i] = v.Value
		if len(v.Value) > ks.maxLen {
			ks.maxLen = len(v.Value)
		}
		ks.sorted = append(ks.sorted, v.Value)
	}
	ks.m = ahocorasick.NewMatcher(dict)
	sort.Slice(ks.sorted, func(i, j int) bool { return bytes.Compare(ks.sorted[i], ks.sorted[j]) < 0 })
	return ks
}

// prefixTail returns the smallest index p in the last maxLen-1 bytes of buf such that
// buf[p:] is a proper prefix of a known value, or len(buf).
func (ks *knownSet) prefixTail(buf []byte) int {
	start := len(buf) - ks.maxLen + 1
	if start < 0 {
		start = 0
	}
	for p := start; p < len(buf); p++ {
		t := buf[p:]
		k := sort.Search(len(ks.sorted), func(i int) bool { return bytes.Compare(ks.sorted[i], t) >= 0 })
		if k < len(ks.sorted) && len(ks.sorted[k]) > len(t) && bytes.HasPrefix(ks.sorted[k], t) {
			return p
		}
	}
	return len(buf)
}

// findKnown records every occurrence of a known value that ends after the previous
// search's end, so each occurrence is found exactly once however the input arrives.
func (p *pipeline) findKnown(v []byte, vbase, vend int64) {
	ks := p.known
	from := p.knownEnd - int64(ks.maxLen) + 1
	if from < vbase {
		from = vbase
	}
	region := v[from-vbase:]
	for _, idx := range ks.m.Match(region) {
		kv := ks.values[idx]
		for off := 0; ; {
			i := bytes.Index(region[off:], kv.Value)
			if i < 0 {
				break
			}
			s := from + int64(off+i)
			e := s + int64(len(kv.Value))
			if e > p.knownEnd {
				kind := kv.Kind
				if kind == "" {
					kind = "secret"
				}
				label := kv.Label
				if label == "" {
					label = "value"
				}
				p.addFinding(Finding{
					RuleID: "known:" + label, Description: "known secret value", Kind: kind,
					Source: SourceKnown, Confidence: "high", order: -1, vs: s, ve: e,
					Preview: preview("", len(kv.Value)), Canary: kv.Canary,
				})
			}
			off += i + 1
		}
	}
	p.knownEnd = vend
}
