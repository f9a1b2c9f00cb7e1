package corpus

import (
	"math/rand/v2"
	"strings"
)

// cleanStream hands out clean text line by line. Lines longer than maxLine are split
// at sentence ends when they are prose and dropped otherwise (one-line JSON), so that
// planted lines land between whole lines of clean text.
type cleanStream struct {
	r     *rand.Rand
	lines []string
}

const maxLine = 320

func (c *cleanStream) refill() {
	for _, l := range strings.SplitAfter(cleanFragment(c.r), "\n") {
		if l == "" {
			continue
		}
		if len(l) <= maxLine {
			c.lines = append(c.lines, l)
			continue
		}
		if !strings.Contains(l, ". ") {
			continue
		}
		cur := ""
		for _, sent := range strings.SplitAfter(strings.TrimSuffix(l, "\n"), ". ") {
			if cur != "" && len(cur)+len(sent) > maxLine {
				c.lines = append(c.lines, strings.TrimSuffix(cur, " ")+"\n")
				cur = ""
			}
			cur += sent
		}
		if cur != "" {
			c.lines = append(c.lines, strings.TrimSuffix(cur, " ")+"\n")
		}
	}
}

// take returns whole lines of clean text adding up to at least n bytes.
func (c *cleanStream) take(n int) string {
	var b strings.Builder
	for b.Len() < n {
		for len(c.lines) == 0 {
			c.refill()
		}
		b.WriteString(c.lines[0])
		c.lines = c.lines[1:]
	}
	return b.String()
}

// exact returns exactly n bytes of clean text.
func (c *cleanStream) exact(n int) string { return c.take(n)[:n] }

// SecretDense returns exactly size bytes of CleanMixed-like text with a planted secret
// about every 300 bytes, each in a natural context on its own line(s) (an env line, a
// shell command, curl -v output, YAML, Python or JS source, a cat of a credentials
// file). Kinds rotate so that all of Kinds() appear in any few kilobytes.
func SecretDense(size int, seed uint64) ([]byte, []Planted) {
	if size <= 0 {
		return []byte{}, nil
	}
	r := newRand(seed, streamDense)
	cs := &cleanStream{r: r}
	kc := &kindCycle{r: r}
	var o out
	for len(o.buf) < size {
		g := cs.take(between(r, 0, 120))
		if len(o.buf)+len(g) >= size {
			o.str(g[:size-len(o.buf)])
			break
		}
		o.str(g)
		s := textSnip(r, kc.next())
		if len(o.buf)+s.Len() > size {
			o.str(cs.exact(size - len(o.buf)))
			break
		}
		o.write(s)
	}
	return o.buf, o.planted
}
