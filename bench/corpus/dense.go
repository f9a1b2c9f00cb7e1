package corpus

import (
	"math/rand/v2"
	"strings"
)

// cleanStream cuts clean fragments into pieces of a requested length.
type cleanStream struct {
	r    *rand.Rand
	pend string
}

// take returns about n bytes of clean text ending in a newline: the first n bytes,
// extended to the end of their line when that is near.
func (c *cleanStream) take(n int) string {
	for len(c.pend) < n+256 {
		c.pend += cleanFragment(c.r)
	}
	end := n
	if i := strings.IndexByte(c.pend[n:], '\n'); i >= 0 && i < 160 {
		end = n + i + 1
	}
	s := c.pend[:end]
	c.pend = c.pend[end:]
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// exact returns exactly n bytes of clean text.
func (c *cleanStream) exact(n int) string {
	for len(c.pend) < n {
		c.pend += cleanFragment(c.r)
	}
	s := c.pend[:n]
	c.pend = c.pend[n:]
	return s
}

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
		g := cs.take(between(r, 40, 260))
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
