package scanner

import (
	"bytes"
	"strconv"

	"github.com/scrubgate/scrubgate/detectors"
)

// Terminal colour and cursor codes (ANSI CSI sequences: ESC [ parameters
// intermediates final) are everywhere in captured tool output: grep --color, test
// runners, CI logs with forced colour, `script` typescripts. Glued to a secret they
// hide it from rules that want a word boundary ("\x1b[1mghp_…" has an m before the
// token) or a terminator after the value. The scanner reads each sequence as one
// space, as it reads a JSON escape as what it stands for: in JSON strings
// "\u001b[…m" is decoded so; text that holds an ESC byte gets a view of its own in
// which each code is one space (pipeline.feedText), mapped back to the raw bytes.
// Offsets point into the input, and the output keeps every code.
//
// A run of codes inside a token is read as nothing instead: grep --color marks the
// part of a line that matched, so "grep ghp_" prints ESC[01;31mESC[Kghp_ESC[mESC[K
// and then the rest of the token, and the model reads one token. A run glues only
// in that shape (runShape, jsonView.addCodeRun):
//   - the bytes on both sides of it can be part of a token (glueByte);
//   - it holds colour codes (SGR, …m, read by their parameters) and erases to the
//     right of the line (…K) only: never a cursor move or a whole-line erase
//     (lines redrawn in place), and a bare erase never glues;
//   - a run that ends the open highlight (a reset or an "off" parameter) glues only
//     after a short one (under maxHighlight bytes, a search pattern on one line),
//     since a value highlighted whole ends where its highlight does;
//   - a colour other than the open one never glues (git diff --color-words puts
//     ESC[31mold ESC[m ESC[32mnew side by side); the same colour reopened (grep's
//     adjacent matches) counts as ending a highlight; an attribute nested in an
//     open colour (diff-highlight's reverse video) glues;
//   - with no highlight open, a run that ends one never glues, and a run that
//     opens one (ripgrep's ESC[0m ESC[1m ESC[31m included) does.

const esc = 0x1b

// jsonESC is ESC as a JSON escape (hex digits in either case).
var jsonESC = []byte(`\u001b`)

// maxCSI bounds the bytes after ESC that can make one sequence; a longer run is
// not a CSI sequence and is read as it is.
const maxCSI = 32

// maxCodeRun bounds the raw bytes of one run of codes (what streaming holds back
// to see the byte after it); a longer run is cut at a code boundary.
const maxCodeRun = 256

// maxHighlight is the longest highlighted text whose closing codes still glue it
// to what follows (see above).
const maxHighlight = 16

// glueByte reports whether c can be part of a token on either side of a run of codes.
func glueByte(c byte) bool {
	return wordByte(c) || c == '-' || c == '.' || c == '/' || c == '+' || c == '='
}

// codeRun measures the run of terminal codes at the start of b (ESC bytes in text;
// in JSON, inJSON, the escape \u001b): its raw length n (0 if b does not start with
// a complete code) and whether it is known. It is not known (false) when b ends
// before the run's extent or the byte after it is seen, unless eof says b ends the
// input. Whether the run glues is addCodeRun's decision.
func codeRun(b []byte, inJSON, eof bool) (n int, complete bool) {
	for n < len(b) && n < maxCodeRun {
		var k, lead int
		if inJSON {
			if b[n] != '\\' {
				break
			}
			m := min(len(b)-n, len(jsonESC))
			if m >= 2 && b[n+1] != 'u' || !detectors.EqualFoldASCII(b[n:n+m], jsonESC[:m]) {
				break // JSON spells the escape with a lower-case u; the hex digits in either case
			}
			if m < len(jsonESC) {
				if eof {
					break
				}
				return 0, false
			}
			lead = len(jsonESC)
		} else {
			if b[n] != esc {
				break
			}
			lead = 1
		}
		k, ok := csiAfter(b[n+lead:], inJSON)
		if !ok {
			if eof && n > 0 {
				break // an unfinished code after the run is text
			}
			return 0, false
		}
		if k == 0 {
			break
		}
		n += lead + k
	}
	if n == len(b) && n > 0 && !eof {
		return 0, false // the byte after the run decides
	}
	return n, true
}

// runShape reads a complete run of codes (as codeRun measured it). ok says it
// may glue two parts of a token at all: it holds only colour codes (SGR) and
// erases to the right of the line. sgr says it holds colour codes, off whether
// one switches an attribute off (a reset, 22-29, 39, 49, 59), endsOn whether one (a
// colour, bold…) is on after the run, colour whether it sets a foreground or
// background colour, and last is the parameters of its last colour code.
func runShape(run []byte, inJSON bool) (ok, sgr, off, endsOn, colour bool, last []byte) {
	lead := 1
	if inJSON {
		lead = len(jsonESC)
	}
	for i := 0; i+lead < len(run); {
		k, _ := csiAfter(run[i+lead:], inJSON)
		if k < 2 {
			return false, false, false, false, false, nil
		}
		code := run[i+lead : i+lead+k] // "[" params final
		params, final := code[1:len(code)-1], code[len(code)-1]
		switch {
		case final == 'K' && (len(params) == 0 || string(params) == "0"): // erase to the right
		case final == 'm':
			sgr = true
			sgrParams(params, func(isOff bool) {
				off = off || isOff
				endsOn = !isOff
			})
			colour = colour || setsColour(params)
			last = params
		default:
			return false, false, false, false, false, nil
		}
		i += lead + k
	}
	return true, sgr, off, endsOn, colour, last
}

// setsColour reports whether SGR parameters set a foreground or background
// colour, rather than only an attribute (bold, reverse…).
func setsColour(params []byte) bool {
	for _, p := range bytes.Split(params, []byte{';'}) {
		n, err := strconv.Atoi(string(p))
		if err == nil && (n >= 30 && n <= 38 || n >= 40 && n <= 48 || n >= 90 && n <= 97 || n >= 100 && n <= 107) {
			return true
		}
	}
	return false
}

// sgrParams calls fn for each parameter of a colour code, in order, telling
// whether it switches something off. An empty list is a reset; the colour values
// after 38, 48 and 58 (5;n or 2;r;g;b) are not parameters of their own.
func sgrParams(params []byte, fn func(off bool)) {
	if len(params) == 0 {
		fn(true)
		return
	}
	ps := bytes.Split(params, []byte{';'})
	for i := 0; i < len(ps); i++ {
		n, err := strconv.Atoi(string(ps[i]))
		switch {
		case len(ps[i]) == 0 || err == nil && (n == 0 || n >= 22 && n <= 29 || n == 39 || n == 49 || n == 59):
			fn(true)
		case err == nil && (n == 38 || n == 48 || n == 58) && i+1 < len(ps):
			switch string(ps[i+1]) {
			case "5":
				i += 2
			case "2":
				i += 4
			}
			fn(false)
		default:
			fn(false)
		}
	}
}

func wordByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// csiAfter measures the CSI sequence whose ESC was just before b: the bytes of it
// in b, 0 if there is none, and complete false if b ends before that is known. In
// JSON (inJSON) a quote or a backslash ends the string or starts an escape, so it
// is never part of a sequence.
func csiAfter(b []byte, inJSON bool) (n int, complete bool) {
	if len(b) == 0 {
		return 0, false
	}
	if b[0] != '[' {
		return 0, true
	}
	for i := 1; i < len(b) && i < maxCSI; i++ {
		c := b[i]
		switch {
		case inJSON && (c == '"' || c == '\\'):
			return 0, true
		case c >= 0x20 && c <= 0x3f: // parameters and intermediates
		case c >= 0x40 && c <= 0x7e: // the final byte, a letter too, as a terminal reads it
			if i == 1 && c == 'A' {
				// ESC [ A (cursor up) glued to a word is read as text: the word may
				// be an AWS key id (AKIA…, ASIA…), which the model reads whole
				if len(b) == 2 {
					return 0, false // the next byte decides
				}
				if wordByte(b[2]) || inJSON && b[2] == '\\' { // in JSON an escape may spell a letter
					return 0, true
				}
			}
			return i + 1, true
		default:
			return 0, true
		}
	}
	if len(b) >= maxCSI {
		return 0, true
	}
	return 0, false
}
