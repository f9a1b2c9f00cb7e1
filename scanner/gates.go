package scanner

// gateKind selects the cheap check made at a keyword hit before a rule's regex runs.
type gateKind uint8

const (
	gateNone       gateKind = iota // always run the regex (rare keywords only)
	gateRun                        // a run of the rule's longest guaranteed class follows
	gateAssignment                 // identifier tail, assignment operator, a value
	gateHeader                     // spaces, then a token-looking value
	gateUserinfo                   // "://" then userinfo with ':' before an '@'
)

type gateResult uint8

const (
	gateFail gateResult = iota
	gatePass
	gateMore // undecided: needs bytes that have not arrived yet
)

var (
	identClass   = makeClass("AZaz09", "_.-")
	spaceClass   = makeClass("", " \t")
	token68Class = makeClass("AZaz09", "-._~+/=")
	valueStop    = makeClass("", " \t\r\n\"'`<>,;")
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
		run := 0
		for i := from; i < end; i++ {
			if r.runClass[v[i]] {
				run++
				if run >= r.runLen {
					return gatePass
				}
			} else {
				run = 0
			}
		}
		return more()
	case gateAssignment:
		i := he
		for n := 0; i < end && n < 40 && identClass[v[i]]; n++ {
			i++
		}
		if i < end && (v[i] == '"' || v[i] == '\'') {
			i++
		}
		for n := 0; i < end && n < 5 && spaceClass[v[i]]; n++ {
			i++
		}
		if i >= end {
			return more()
		}
		switch v[i] {
		case '=', '>':
			i++
		case ':':
			i++
		default:
			return gateFail
		}
		if i < end && (v[i] == '>' || v[i] == '=') {
			i++
		}
		for n := 0; i < end && n < 5 && spaceClass[v[i]]; n++ {
			i++
		}
		if i < end && (v[i] == '"' || v[i] == '\'' || v[i] == '`') {
			i++
		}
		n := 0
		for ; i < end && !valueStop[v[i]]; i++ {
			n++
			if n >= 6 {
				return gatePass
			}
		}
		if i < end {
			return gateFail
		}
		return more()
	case gateHeader:
		i := he
		sp := 0
		for ; i < end && sp < 5 && spaceClass[v[i]]; i++ {
			sp++
		}
		if sp == 0 {
			if i < end {
				return gateFail
			}
			return more()
		}
		n := 0
		for ; i < end && token68Class[v[i]]; i++ {
			n++
			if n >= 8 {
				return gatePass
			}
		}
		if i < end {
			return gateFail
		}
		return more()
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
