package scanner

import (
	"fmt"
	"regexp"
	"regexp/syntax"

	re2 "github.com/wasilibs/go-re2"
	"github.com/wasilibs/go-re2/experimental"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/rules"
)

// byteClass is a set of bytes.
type byteClass [256]bool

// compiledRule is a rule ready to run.
type compiledRule struct {
	rules.Rule
	index      int
	re         *re2.Regexp
	anchored   *re2.Regexp    // \A(?s:.){0,lead+1}?(regex), nil if the lead is unknown
	anchoredGo *regexp.Regexp // the same pattern in Go's engine, for submatches of ASCII matches
	atStart    *re2.Regexp    // \A(?:regex), for rules whose secret is the whole match
	afterByte  *re2.Regexp    // \A[\x00-\xff](?:regex): the same, seeing the byte before (for \b)
	lead       int            // max bytes of a match before its keyword
	maxSpan    int            // bytes; every match is at most this long
	gate       gateKind
	runClass   *byteClass // for gateRun: the class of the longest guaranteed run
	runLen     int        // its length
	runWithin  int        // the run starts at most this far after the keyword start (-1: anywhere in the window)
	validators []detectors.Validator
	checksums  []detectors.Validator // the validators that verify a checksum
	allow      []*regexp.Regexp
	stopWords  [][]byte
	keywords   [][]byte
}

// compileRule compiles one statically valid rule.
func compileRule(r rules.Rule, index int) (*compiledRule, error) {
	parsed, err := syntax.Parse(r.Regex, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("regex does not parse: %v", err)
	}
	printed := latin1Regex(parsed)
	re, err := experimental.CompileLatin1(printed)
	if err != nil {
		return nil, fmt.Errorf("regex does not compile in RE2 Latin-1 mode: %v", err)
	}

	capSpan := r.MaxSpan
	if capSpan == 0 {
		capSpan = rules.DefaultMaxSpan
	}
	span, bounded := maxLen(parsed)
	if !bounded || span > capSpan {
		span = capSpan
	}
	if span > rules.MaxSpanLimit {
		span = rules.MaxSpanLimit
	}
	cr := &compiledRule{Rule: r, index: index, re: re, maxSpan: span}
	if secretIsWholeMatch(parsed, r.SecretGroup) && !r.Imported {
		// The secret starts at or after the keyword and the match contains the
		// keyword, so the match starts exactly at the keyword: one anchored,
		// DFA-only call answers, with no submatch extraction.
		a0, err0 := experimental.CompileLatin1(`\A(?:` + printed + `)`)
		a1, err1 := experimental.CompileLatin1(`\A[\x00-\xff](?:` + printed + `)`)
		if err0 == nil && err1 == nil {
			cr.atStart, cr.afterByte = a0, a1
		}
	}
	if lead, ok := keywordLead(parsed, r.Keywords); ok && lead+1 <= 1000 && !r.Imported {
		if are, err := anchoredRegex(printed, lead); err == nil {
			cr.anchored, cr.lead = are, lead
			// Go's regexp has rune semantics, so it only ever sees matches that are
			// pure ASCII, where runes and bytes agree.
			cr.anchoredGo, _ = regexp.Compile(anchoredPattern(printed, lead))
		}
	}
	for _, k := range r.Keywords {
		cr.keywords = append(cr.keywords, []byte(k))
	}
	switch r.Gate {
	case "assignment":
		cr.gate = gateAssignment
	case "assignment-value":
		cr.gate = gateAssignmentValue
	case "header":
		cr.gate = gateHeader
	case "url-userinfo":
		cr.gate = gateUserinfo
	default:
		if cls, n, node := longestRun(parsed); n >= 4 {
			cr.gate, cr.runClass, cr.runLen = gateRun, cls, n
			cr.runWithin = runStartBound(parsed, node)
		} else {
			cr.gate = gateNone
		}
	}
	for _, name := range r.Validators {
		v, ok := detectors.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown validator %q", name)
		}
		cr.validators = append(cr.validators, v)
		if detectors.IsChecksum(name) {
			cr.checksums = append(cr.checksums, v)
		}
	}
	for _, a := range r.Allow {
		are, err := regexp.Compile(a)
		if err != nil {
			return nil, fmt.Errorf("allow regex %q: %v", a, err)
		}
		cr.allow = append(cr.allow, are)
	}
	for _, w := range r.StopWords {
		cr.stopWords = append(cr.stopWords, []byte(w))
	}
	return cr, nil
}

// maxLen returns the maximum match length in bytes under Latin-1 semantics (one byte
// per character) and whether it is bounded.
func maxLen(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, true
	case syntax.OpCapture:
		return maxLen(re.Sub[0])
	case syntax.OpConcat:
		total := 0
		for _, s := range re.Sub {
			n, ok := maxLen(s)
			if !ok {
				return 0, false
			}
			total += n
		}
		return total, true
	case syntax.OpAlternate:
		best := 0
		for _, s := range re.Sub {
			n, ok := maxLen(s)
			if !ok {
				return 0, false
			}
			if n > best {
				best = n
			}
		}
		return best, true
	case syntax.OpQuest:
		return maxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return 0, false
	case syntax.OpRepeat:
		if re.Max < 0 {
			return 0, false
		}
		n, ok := maxLen(re.Sub[0])
		return n * re.Max, ok
	default: // empty match, anchors, word boundaries
		return 0, true
	}
}

// longestRun finds the longest run of a single byte class that every match contains:
// a repeat with a minimum count of one class (ghp_[A-Za-z0-9]{36} -> 36 alphanumerics).
// The gate checks for such a run near the keyword before paying for the regex.
func longestRun(re *syntax.Regexp) (*byteClass, int, *syntax.Regexp) {
	var best *byteClass
	var bestNode *syntax.Regexp
	bestN := 0
	var walk func(n *syntax.Regexp)
	var cur *syntax.Regexp
	consider := func(sub *syntax.Regexp, min int) {
		if cls := classOf(sub); cls != nil && min > bestN {
			best, bestN, bestNode = cls, min, cur
		}
	}
	walk = func(n *syntax.Regexp) {
		switch n.Op {
		case syntax.OpCapture:
			walk(n.Sub[0])
		case syntax.OpConcat:
			for _, s := range n.Sub {
				walk(s)
			}
		case syntax.OpRepeat:
			if n.Min > 0 {
				cur = n
				consider(n.Sub[0], n.Min)
				walk(n.Sub[0])
			}
		case syntax.OpPlus:
			cur = n
			consider(n.Sub[0], 1)
			walk(n.Sub[0])
		}
	}
	walk(re)
	return best, bestN, bestNode
}

// secretIsWholeMatch reports whether the secret group spans the whole match: group 0,
// or a capture with only zero-width assertions (\b, ^, $) around it.
func secretIsWholeMatch(re *syntax.Regexp, group int) bool {
	if group == 0 {
		return true
	}
	elems := re.Sub
	if re.Op != syntax.OpConcat {
		elems = []*syntax.Regexp{re}
	}
	found := false
	for _, e := range elems {
		switch e.Op {
		case syntax.OpCapture:
			if e.Cap != group || found {
				return false
			}
			found = true
		case syntax.OpWordBoundary, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpEmptyMatch:
		default:
			return false
		}
	}
	return found
}

// flatten lists the elements of the top-level sequence, looking through captures
// and nested concatenations.
func flatten(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpCapture:
		return flatten(re.Sub[0], out)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			out = flatten(s, out)
		}
		return out
	}
	return append(out, re)
}

// runStartBound bounds how far after the start of a match (and so after the start of
// any keyword in it) the run node can begin: the run node is an element of the
// top-level sequence and the elements before it have a bounded length. It returns -1
// when no such bound follows from the regex's shape.
func runStartBound(re, run *syntax.Regexp) int {
	total := 0
	for _, e := range flatten(re, nil) {
		if e == run {
			return total
		}
		n, ok := maxLen(e)
		if !ok {
			return -1
		}
		total += n
	}
	return -1
}

// classOf returns the byte class matched by a single-character node, or nil.
func classOf(n *syntax.Regexp) *byteClass {
	var c byteClass
	switch n.Op {
	case syntax.OpCharClass:
		for i := 0; i+1 < len(n.Rune); i += 2 {
			lo, hi := n.Rune[i], n.Rune[i+1]
			for r := lo; r <= hi && r < 256; r++ {
				c[r] = true
			}
		}
	case syntax.OpLiteral:
		if len(n.Rune) != 1 || n.Rune[0] >= 256 {
			return nil
		}
		r := n.Rune[0]
		c[r] = true
		if n.Flags&syntax.FoldCase != 0 {
			if r >= 'a' && r <= 'z' {
				c[r-32] = true
			} else if r >= 'A' && r <= 'Z' {
				c[r+32] = true
			}
		}
	case syntax.OpAnyChar:
		for i := range c {
			c[i] = true
		}
	case syntax.OpAnyCharNotNL:
		for i := range c {
			c[i] = i != '\n'
		}
	default:
		return nil
	}
	return &c
}
