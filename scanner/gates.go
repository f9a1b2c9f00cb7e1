package scanner

import "github.com/scrubgate/scrubgate/detectors"

// gateKind selects the cheap check made at a keyword hit before a rule's regex runs.
type gateKind uint8

const (
	gateNone            gateKind = iota // always run the regex (rare keywords only)
	gateRun                             // a run of the rule's longest guaranteed class follows
	gateAssignment                      // identifier tail, assignment operator, a value
	gateAssignmentValue                 // the same, and the value itself passes the rule's checks
	gateHeader                          // header separator, optional scheme, a token-looking value
	gateUserinfo                        // "://" then userinfo with ':' before an '@'
)

type gateResult uint8

const (
	gateFail gateResult = iota
	gatePass
	gateMore // undecided: needs bytes that have not arrived yet
)

var (
	identClass = makeClass("AZaz09", "_.-")
	spaceClass = makeClass("", " \t")
	valueStop  = makeClass("", " \t\r\n\"'`<>,;")
	// the value grammar of generic assignment rules (see docs/RULES.md)
	assignStop   = makeClass("", " \t\r\n\f\v\"'`<>,;()\\[]{}")
	assignFirst  = makeClass("", "$%")
	assignTerm   = makeClass("", " \t\r\n\f\v\"'`<>,;)\\") // not '(': a value before it is a call
	headerStop   = makeClass("", " \t\r\n\f\v\"',;\\[]{}()<>")
	headerFirst  = makeClass("", "$%")
	userinfoStop = makeClass("", " \t\r\n\"'<>/?#")
)

func makeClass(ranges, singles string) *byteClass {
	var c byteClass
	for i := 0; i+1 < len(ranges); i += 2 {
		for b := int(ranges[i]); b <= int(ranges[i+1]); b++ {
			c[b] = true
		}
	}
	for i := 0; i < len(singles); i++ {
		c[singles[i]] = true
	}
	return &c
}

// check evaluates the rule's gate for a keyword occurrence at v[hs:he]. It never
// looks past the rule's window end (he+maxSpan); when it needs a byte beyond len(v)
// and the input has not ended, it answers gateMore. So a decided answer is the one
// the whole input would give.
func (r *compiledRule) check(v []byte, hs, he int, eof bool) gateResult {
	limit := he + r.maxSpan
	end := limit
	if end > len(v) {
		end = len(v)
	}
	// more reports gateMore unless the data really ends here.
	more := func() gateResult {
		if end < limit && !eof {
			return gateMore
		}
		return gateFail
	}
	switch r.gate {
	case gateNone:
		if end < limit && !eof {
			return gateMore
		}
		return gatePass
	case gateRun:
		from := hs
		if r.Imported {
			from = he - r.maxSpan
			if from < 0 {
				from = 0
			}
		}
		stop := end // the run must start by hs+runWithin, so it is decided by then+runLen
		if r.runWithin >= 0 && !r.Imported && hs+r.runWithin+r.runLen < stop {
			stop = hs + r.runWithin + r.runLen
		}
		run := 0
		for i := from; i < stop; i++ {
			if r.runClass[v[i]] {
				run++
				if run >= r.runLen {
					return gatePass
				}
			} else {
				run = 0
				if r.runWithin >= 0 && !r.Imported && i+1 > hs+r.runWithin {
					return gateFail // no run can start in time any more
				}
			}
		}
		if stop < end {
			return gateFail
		}
		return more()
	case gateAssignment, gateAssignmentValue:
		i := he
		for n := 0; i < end && n < 40 && identClass[v[i]]; n++ {
			i++
		}
		i = skipQuote(v, i, end)
		for n := 0; i < end && n < 5 && spaceClass[v[i]]; n++ {
			i++
		}
		if i+1 >= end {
			return more()
		}
		switch v[i] {
		case '=':
			i++
			if v[i] == '>' {
				i++
			}
		case ':':
			i++
			if v[i] == '=' {
				i++
			}
		case '>':
			i++
		default:
			return gateFail
		}
		for n := 0; i < end && n < 5 && spaceClass[v[i]]; n++ {
			i++
		}
		i = skipQuote(v, i, end)
		if r.gate == gateAssignment {
			return valueRun(v, i, end, valueStop, 6, more)
		}
		// gateAssignmentValue: extract the value exactly as the rule's regex does and
		// run the rule's own checks on it; only survivors pay for the regex. Names
		// that hold no secret are refused here too: a keyword after ':' (a qualified
		// name: arn:…:secret:x, AWS::SecretsManager::…) and pagination tokens.
		if hs > 0 && v[hs-1] == ':' || paginationName(v, hs) {
			return gateFail
		}
		if i >= end {
			return more()
		}
		if assignStop[v[i]] || assignFirst[v[i]] {
			return gateFail
		}
		j := i
		for j < end && !assignStop[v[j]] {
			j++
		}
		if j == end {
			if end < limit && !eof {
				return gateMore
			}
		} else if !assignTerm[v[j]] {
			return gateFail // the value runs into a bracket: code, not a secret
		}
		if j-i < 6 {
			return gateFail
		}
		if _, ok := r.confirm(v[i:j]); !ok {
			return gateFail
		}
		return gatePass
	case gateHeader:
		i := skipQuote(v, he, end)
		for n := 0; i < end && n < 5 && spaceClass[v[i]]; n++ {
			i++
		}
		if i < end && (v[i] == ':' || v[i] == '=') {
			i++
			for n := 0; i < end && n < 5 && spaceClass[v[i]]; n++ {
				i++
			}
			i = skipQuote(v, i, end)
		}
		// an optional scheme word (Bearer, Basic, Token, DPoP, ...) and spaces. The
		// value is the word after the scheme if that one is long enough, else the
		// first word itself (a token followed by a short word), so the gate never
		// fails on the whole input where it passed on a prefix of it.
		j := i
		for j < end && j-i < 20 && (identClass[v[j]]) {
			j++
		}
		if j < end && j > i && spaceClass[v[j]] {
			for n := 0; j < end && n < 5 && spaceClass[v[j]]; n++ {
				j++
			}
			if j == end {
				// The value after the scheme has not arrived yet; at the end of the
				// input the word was the value itself.
				if g := more(); g == gateMore {
					return g
				}
			} else if !headerStop[v[j]] && !headerFirst[v[j]] {
				if g := valueRun(v, j, end, headerStop, 8, more); g != gateFail {
					return g
				}
			}
		}
		if i >= end {
			return more()
		}
		if headerFirst[v[i]] {
			return gateFail
		}
		return valueRun(v, i, end, headerStop, 8, more)
	case gateUserinfo:
		colon := false
		for i := he; i < end && i < he+257; i++ {
			c := v[i]
			switch {
			case c == '@':
				if colon {
					return gatePass
				}
				return gateFail
			case c == ':':
				colon = true
			case userinfoStop[c]:
				return gateFail
			}
		}
		if end < limit && end < he+257 && !eof {
			return gateMore
		}
		return gateFail
	}
	return gateFail
}

// skipQuote skips an optional quote, possibly escaped one to three times (text that
// holds JSON inside JSON: \" or \\\"), starting at v[i]. If the data ends inside the
// backslashes it stops there, and the caller asks for more.
func skipQuote(v []byte, i, end int) int {
	j := i
	for n := 0; j < end && n < 3 && v[j] == '\\'; n++ {
		j++
	}
	if j < end && (v[j] == '"' || v[j] == '\'' || v[j] == '`') {
		return j + 1
	}
	if j == end {
		return j
	}
	return i
}

// paginationWords start identifiers whose "token" is a cursor, not a credential:
// NextToken, nextPageToken, page_token, continuationToken, PaginationToken.
var paginationWords = [][]byte{[]byte("next"), []byte("page"), []byte("continuation"), []byte("pagination"), []byte("cursor")}

// paginationName reports whether the identifier that the keyword at v[hs] is part of
// begins with a pagination word.
func paginationName(v []byte, hs int) bool {
	a := hs
	for a > 0 && hs-a < 32 && identClass[v[a-1]] && v[a-1] != '.' {
		a--
	}
	id := v[a:hs]
	for _, w := range paginationWords {
		if len(id) >= len(w) && detectors.EqualFoldASCII(id[:len(w)], w) {
			return true
		}
	}
	return false
}

// valueRun passes when at least min bytes outside stop start at v[i], fails when the
// run ends sooner, and asks more() when the data ends first.
func valueRun(v []byte, i, end int, stop *byteClass, min int, more func() gateResult) gateResult {
	for n := 0; i < end && !stop[v[i]]; i++ {
		if n++; n >= min {
			return gatePass
		}
	}
	if i < end {
		return gateFail
	}
	return more()
}
