package scanner

import (
	"fmt"

	"github.com/scrubgate/scrubgate/rules"
)

// CheckExamples runs every rule's examples and negatives through the engine (keyword,
// gate, regex, validators, placeholder filter), each rule on its own so that overlap
// resolution with other rules cannot mask a broken rule. An example must yield a
// finding of its rule whose raw span is exactly the expected secret; a negative must
// yield none.
func (s *Scanner) CheckExamples() rules.Problems { return s.checkExamples(true) }

func (s *Scanner) checkExamples(embedded bool) rules.Problems {
	var ps rules.Problems
	for _, r := range s.rules {
		if r.Embedded && !embedded {
			continue
		}
		for i, ex := range r.Examples {
			got := s.scanRule(r, []byte(ex.Text))
			ok := false
			for _, f := range got {
				if ex.Text[f.Start.Offset:f.End.Offset] == ex.Secret {
					ok = true
				}
			}
			if !ok {
				msg := fmt.Sprintf("example %d: expected secret not found", i+1)
				if len(got) > 0 {
					f := got[0]
					msg += fmt.Sprintf(" (found bytes %d..%d instead, %d bytes)", f.Start.Offset, f.End.Offset, f.End.Offset-f.Start.Offset)
				}
				ps = append(ps, rules.Problem{RuleID: r.ID, Source: r.Source, Msg: msg})
			}
		}
		for i, neg := range r.Negatives {
			if got := s.scanRule(r, []byte(neg)); len(got) > 0 {
				ps = append(ps, rules.Problem{RuleID: r.ID, Source: r.Source,
					Msg: fmt.Sprintf("negative %d: matched (bytes %d..%d)", i+1, got[0].Start.Offset, got[0].End.Offset)})
			}
		}
	}
	return ps
}

// scanRule scans src with one rule only, without base64 decoding or known values.
func (s *Scanner) scanRule(r *compiledRule, src []byte) []Finding {
	var out []Finding
	p := s.newPipeline(DetectMode(src), nil, nil, func(f Finding) { out = append(out, f) })
	p.only = r
	p.known = nil
	p.noBase64 = true
	_ = p.write(src)
	_ = p.close()
	return out
}
