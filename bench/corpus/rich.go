package corpus

import (
	"strconv"
	"unicode/utf8"
)

// seg is a piece of generated text; a non-empty kind marks it as a planted secret.
type seg struct {
	s    string
	kind string
}

// rich is text that remembers where its planted secrets are, through any number of
// JSON string escapes.
type rich []seg

// cat concatenates strings and rich values.
func cat(parts ...any) rich {
	var out rich
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			if v != "" {
				out = append(out, seg{s: v})
			}
		case rich:
			out = append(out, v...)
		case seg:
			out = append(out, v)
		default:
			panic("corpus: cat of unsupported type")
		}
	}
	return out
}

// sec is a planted secret.
func sec(kind, v string) rich { return rich{{s: v, kind: kind}} }

func (r rich) String() string {
	n := 0
	for _, s := range r {
		n += len(s.s)
	}
	b := make([]byte, 0, n)
	for _, s := range r {
		b = append(b, s.s...)
	}
	return string(b)
}

func (r rich) Len() int {
	n := 0
	for _, s := range r {
		n += len(s.s)
	}
	return n
}

// out accumulates flattened bytes and planted spans.
type out struct {
	buf     []byte
	planted []Planted
}

func (o *out) write(r rich) {
	for _, s := range r {
		if s.kind != "" {
			o.planted = append(o.planted, Planted{Start: len(o.buf), End: len(o.buf) + len(s.s), Kind: s.kind})
		}
		o.buf = append(o.buf, s.s...)
	}
}

func (o *out) str(s string) { o.buf = append(o.buf, s...) }

// flatten returns the bytes of r and its planted spans.
func flatten(r rich) ([]byte, []Planted) {
	var o out
	o.write(r)
	return o.buf, o.planted
}

// ---- JSON encoding that keeps track of secrets ----

const hexDigits = "0123456789abcdef"

// jsonEscape escapes s for use inside a JSON string. Invalid UTF-8 becomes \ufffd, as
// encoding/json does; with ascii, every non-ASCII rune is written as \uXXXX (Python's
// json.dumps default).
func jsonEscape(s string, ascii bool) string {
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				if c < 0x20 {
					b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				} else {
					b = append(b, c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
			i++
			continue
		}
		if ascii || r == '\u2028' || r == '\u2029' {
			if r > 0xffff {
				r -= 0x10000
				b = appendU4(b, 0xd800+(r>>10))
				b = appendU4(b, 0xdc00+(r&0x3ff))
			} else {
				b = appendU4(b, r)
			}
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[(r>>12)&0xf], hexDigits[(r>>8)&0xf], hexDigits[(r>>4)&0xf], hexDigits[r&0xf])
}

// jObj is a JSON object with ordered members; values are jObj, jArr, jRaw, string,
// rich (both strings) or int.
type jObj []jKV

type jKV struct {
	K string
	V any
}

type jArr []any

// jRaw is a literal: number, true, false, null.
type jRaw string

// jenc controls the JSON layout: compact (Go's json.Marshal), spaced (Python's
// json.dumps defaults) or indented.
type jenc struct {
	indent string
	spaced bool
	ascii  bool
}

var (
	jCompact = jenc{}
	jPython  = jenc{spaced: true, ascii: true}
	jPretty  = jenc{indent: "  "}
)

func (e jenc) encode(v any) rich {
	var r rich
	e.enc(v, 0, &r)
	return r
}

func (e jenc) str(x rich, r *rich) {
	*r = append(*r, seg{s: `"`})
	for _, s := range x {
		*r = append(*r, seg{s: jsonEscape(s.s, e.ascii), kind: s.kind})
	}
	*r = append(*r, seg{s: `"`})
}

func (e jenc) nl(depth int, r *rich) {
	if e.indent == "" {
		return
	}
	s := "\n"
	for i := 0; i < depth; i++ {
		s += e.indent
	}
	*r = append(*r, seg{s: s})
}

func (e jenc) enc(v any, depth int, r *rich) {
	switch x := v.(type) {
	case string:
		e.str(rich{{s: x}}, r)
	case rich:
		e.str(x, r)
	case int:
		*r = append(*r, seg{s: strconv.Itoa(x)})
	case jRaw:
		*r = append(*r, seg{s: string(x)})
	case jObj:
		if len(x) == 0 {
			*r = append(*r, seg{s: "{}"})
			return
		}
		*r = append(*r, seg{s: "{"})
		for i, kv := range x {
			if i > 0 {
				if e.spaced && e.indent == "" {
					*r = append(*r, seg{s: ", "})
				} else {
					*r = append(*r, seg{s: ","})
				}
			}
			e.nl(depth+1, r)
			e.str(rich{{s: kv.K}}, r)
			if e.spaced || e.indent != "" {
				*r = append(*r, seg{s: ": "})
			} else {
				*r = append(*r, seg{s: ":"})
			}
			e.enc(kv.V, depth+1, r)
		}
		e.nl(depth, r)
		*r = append(*r, seg{s: "}"})
	case jArr:
		if len(x) == 0 {
			*r = append(*r, seg{s: "[]"})
			return
		}
		*r = append(*r, seg{s: "["})
		for i, el := range x {
			if i > 0 {
				if e.spaced && e.indent == "" {
					*r = append(*r, seg{s: ", "})
				} else {
					*r = append(*r, seg{s: ","})
				}
			}
			e.nl(depth+1, r)
			e.enc(el, depth+1, r)
		}
		e.nl(depth, r)
		*r = append(*r, seg{s: "]"})
	default:
		panic("corpus: unsupported JSON value")
	}
}
