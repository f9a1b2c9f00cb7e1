package scanner

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
)

// relaxRepeatsAbove: counted repeats whose range is wider than this become
// open-ended when the regex is compiled for RE2. Big bounded repeats ({0,128},
// {7,511}) blow up RE2's program and make submatch extraction (which falls back to
// the NFA) cost tens of microseconds per call; the open form is as fast as the DFA.
// The window a rule runs in is still bounded by the span computed from the original
// regex, and a longer run of secret characters is caught whole instead of missed.
const relaxRepeatsAbove = 16

// latin1Regex prints a parsed regex for RE2 in Latin-1 mode: character classes are
// clipped to bytes (the Unicode folds K and ſ that (?i) adds disappear), every
// byte is written as an escape, and wide counted repeats are relaxed.
func latin1Regex(re *syntax.Regexp) string {
	var b strings.Builder
	printRegex(&b, re)
	return b.String()
}

func printRegex(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpNoMatch:
		b.WriteString(`[^\x00-\xff]`)
	case syntax.OpEmptyMatch:
		b.WriteString(`(?:)`)
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			b.WriteString(`(?i:`)
		} else {
			b.WriteString(`(?:`)
		}
		for _, r := range re.Rune {
			writeByte(b, r)
		}
		b.WriteString(`)`)
	case syntax.OpCharClass:
		b.WriteString(`[`)
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo > 0xFF {
				continue
			}
			if hi > 0xFF {
				hi = 0xFF
			}
			writeByte(b, lo)
			if hi != lo {
				b.WriteByte('-')
				writeByte(b, hi)
			}
			n++
		}
		if n == 0 { // nothing left in Latin-1: matches no byte
			b.WriteString(`^\x00-\xff`)
		}
		b.WriteString(`]`)
	case syntax.OpAnyCharNotNL:
		b.WriteString(`[^\n]`)
	case syntax.OpAnyChar:
		b.WriteString(`[\x00-\xff]`)
	case syntax.OpBeginLine:
		b.WriteString(`(?m:^)`)
	case syntax.OpEndLine:
		b.WriteString(`(?m:$)`)
	case syntax.OpBeginText:
		b.WriteString(`\A`)
	case syntax.OpEndText:
		b.WriteString(`\z`)
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		b.WriteString(`\B`)
	case syntax.OpCapture:
		b.WriteString(`(`)
		printRegex(b, re.Sub[0])
		b.WriteString(`)`)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		b.WriteString(`(?:`)
		printRegex(b, re.Sub[0])
		b.WriteString(`)`)
		switch re.Op {
		case syntax.OpStar:
			b.WriteString(`*`)
		case syntax.OpPlus:
			b.WriteString(`+`)
		case syntax.OpQuest:
			b.WriteString(`?`)
		default:
			min, max := re.Min, re.Max
			if max >= 0 && max-min > relaxRepeatsAbove {
				max = -1
			}
			switch {
			case max == -1:
				fmt.Fprintf(b, "{%d,}", min)
			case max == min:
				fmt.Fprintf(b, "{%d}", min)
			default:
				fmt.Fprintf(b, "{%d,%d}", min, max)
			}
		}
		if re.Flags&syntax.NonGreedy != 0 {
			b.WriteString(`?`)
		}
	case syntax.OpConcat:
		b.WriteString(`(?:`)
		for _, s := range re.Sub {
			printRegex(b, s)
		}
		b.WriteString(`)`)
	case syntax.OpAlternate:
		b.WriteString(`(?:`)
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteString(`|`)
			}
			printRegex(b, s)
		}
		b.WriteString(`)`)
	default:
		b.WriteString(`[^\x00-\xff]`)
	}
}

func writeByte(b *strings.Builder, r rune) {
	if r > 0xFF {
		r = 0xFF
	}
	b.WriteString(`\x`)
	s := strconv.FormatInt(int64(r), 16)
	if len(s) == 1 {
		b.WriteByte('0')
	}
	b.WriteString(s)
}
