package scanner

import "sync"

// keywordDFA is an Aho-Corasick automaton over the folded keywords, compiled into a
// full transition table over byte classes: one table load per input byte, no
// failure-link chasing. Each transition carries a flag telling whether the target
// state ends a keyword, so the common path is one load, one mask and one branch.
type keywordDFA struct {
	class  [256]uint8 // byte -> class (ASCII letters folded; 0 = no keyword byte)
	nclass int
	delta  []uint32 // state*nclass + class -> next state*nclass | outFlag (premultiplied: no multiply on the critical path)
	out    [][]int32
	depth  []int // length of the keyword prefix a state stands for
}

const outFlag = 1 << 31

func newKeywordDFA(words [][]byte) *keywordDFA {
	d := &keywordDFA{}
	n := 1
	for _, w := range words {
		for _, c := range w {
			if d.class[c] == 0 {
				d.class[c] = uint8(n)
				n++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		d.class[c] = d.class[c+'a'-'A']
	}
	d.nclass = n
	// trie
	type node struct {
		next  map[uint8]int32
		out   []int32
		fail  int32
		depth int
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for k, w := range words {
		s := int32(0)
		for _, c := range w {
			cl := d.class[c]
			t, ok := nodes[s].next[cl]
			if !ok {
				t = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}, depth: nodes[s].depth + 1})
				nodes[s].next[cl] = t
			}
			s = t
		}
		nodes[s].out = append(nodes[s].out, int32(k))
	}
	// breadth-first: failure links and the full transition table
	d.delta = make([]uint32, len(nodes)*n)
	queue := []int32{}
	for cl := 0; cl < n; cl++ {
		if t, ok := nodes[0].next[uint8(cl)]; ok {
			nodes[t].fail = 0
			queue = append(queue, t)
			d.delta[cl] = uint32(t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		nodes[s].out = append(nodes[s].out, nodes[nodes[s].fail].out...)
		for cl := 0; cl < n; cl++ {
			if t, ok := nodes[s].next[uint8(cl)]; ok {
				nodes[t].fail = int32(d.delta[int(nodes[s].fail)*n+cl] &^ outFlag)
				queue = append(queue, t)
				d.delta[int(s)*n+cl] = uint32(t)
			} else {
				d.delta[int(s)*n+cl] = d.delta[int(nodes[s].fail)*n+cl] &^ outFlag
			}
		}
	}
	d.out = make([][]int32, len(nodes))
	d.depth = make([]int, len(nodes))
	for i := range nodes {
		d.out[i] = nodes[i].out
		d.depth[i] = nodes[i].depth
	}
	for i := range d.delta {
		next := d.delta[i]
		d.delta[i] = next * uint32(n)
		if len(d.out[next]) > 0 {
			d.delta[i] |= outFlag
		}
	}
	return d
}

// lanes is how many independent parts of a long buffer are scanned in one loop: the
// state chains do not depend on each other, so the CPU overlaps their table loads.
const lanes = 4

// scan runs the automaton over buf and calls fn for every keyword occurrence that
// starts in [from, to). A long range is cut into lanes parts scanned together; each
// part runs on past its end by maxLen-1 bytes so that keywords crossing a cut are
// found (by the part they start in).
func (d *keywordDFA) scan(buf []byte, from, to, maxLen int, words [][]byte, fn func(kw int32, start int)) {
	if to-from < 2<<10 {
		d.scan1(buf, from, to, maxLen, words, fn)
		return
	}
	var starts, ends, stops [lanes]int
	part := (to - from) / lanes
	for l := 0; l < lanes; l++ {
		starts[l] = from + l*part
		stops[l] = starts[l] + part // keyword starts reported by this lane
		if l == lanes-1 {
			stops[l] = to
		}
		ends[l] = stops[l] + maxLen - 1
		if ends[l] > len(buf) {
			ends[l] = len(buf)
		}
	}
	n := ends[0] - starts[0] // the length all lanes can run together
	for l := 1; l < lanes; l++ {
		if m := ends[l] - starts[l]; m < n {
			n = m
		}
	}
	var st [lanes]uint32
	hits, _ := laneHits.Get().(*[lanes][]int) // (end position, state offset) pairs
	if hits == nil {
		hits = new([lanes][]int)
	}
	defer putLaneHits(hits)
	var batch laneHits4
	for k := 0; k < n; {
		var m int
		k, m, st = step4(d.delta, &d.class, buf, starts, n, k, st, &batch)
		for _, h := range batch[:m] {
			hits[h.lane] = append(hits[h.lane], starts[h.lane]+h.k, int(h.st))
		}
	}
	for l := 0; l < lanes; l++ { // each lane's remainder on its own
		s := st[l]
		for i := starts[l] + n; i < ends[l]; i++ {
			s = d.delta[s+uint32(d.class[buf[i]])]
			if s&outFlag != 0 {
				s &^= outFlag
				hits[l] = append(hits[l], i, int(s))
			}
		}
		d.report(hits[l], starts[l], stops[l], words, fn)
	}
}

// laneHits reuses the per-lane hit lists of scan: a long input has tens of
// thousands of keyword hits, and growing fresh lists for each scan showed in profiles.
var laneHits sync.Pool

func putLaneHits(h *[lanes][]int) {
	for l := range h {
		if cap(h[l]) > 1<<20 {
			return
		}
		h[l] = h[l][:0]
	}
	laneHits.Put(h)
}

// laneHit is a keyword end seen by one lane of step4: the offset in the lane and
// the state reached (without its flag).
type laneHit struct {
	k    int
	st   uint32
	lane uint8
}

// laneHits4 is the batch step4 fills before it returns.
type laneHits4 [64]laneHit

// step4 advances the lanes' state chains from offset k until offset n or until
// its batch of keyword ends is nearly full; it returns where it stopped, how many
// hits it recorded and the states. Hits are recorded without leaving the loop (a
// hit is rare per byte but frequent per buffer: about 12 per KiB of agent text),
// and the loop makes no calls, so the compiler keeps the states in registers.
func step4(delta []uint32, class *[256]uint8, buf []byte, starts [lanes]int, n, k int, st [lanes]uint32, out *laneHits4) (int, int, [lanes]uint32) {
	b0, b1, b2, b3 := buf[starts[0]:starts[0]+n], buf[starts[1]:starts[1]+n], buf[starts[2]:starts[2]+n], buf[starts[3]:starts[3]+n]
	s0, s1, s2, s3 := st[0], st[1], st[2], st[3]
	m := 0
	for ; k < n; k++ {
		s0 = delta[s0+uint32(class[b0[k]])]
		s1 = delta[s1+uint32(class[b1[k]])]
		s2 = delta[s2+uint32(class[b2[k]])]
		s3 = delta[s3+uint32(class[b3[k]])]
		if (s0|s1|s2|s3)&outFlag != 0 {
			if s0&outFlag != 0 {
				s0 &^= outFlag
				out[m&63] = laneHit{k: k, st: s0, lane: 0}
				m++
			}
			if s1&outFlag != 0 {
				s1 &^= outFlag
				out[m&63] = laneHit{k: k, st: s1, lane: 1}
				m++
			}
			if s2&outFlag != 0 {
				s2 &^= outFlag
				out[m&63] = laneHit{k: k, st: s2, lane: 2}
				m++
			}
			if s3&outFlag != 0 {
				s3 &^= outFlag
				out[m&63] = laneHit{k: k, st: s3, lane: 3}
				m++
			}
			if m > len(out)-lanes {
				k++
				break
			}
		}
	}
	return k, m, [lanes]uint32{s0, s1, s2, s3}
}

func (d *keywordDFA) report(hits []int, from, to int, words [][]byte, fn func(kw int32, start int)) {
	for h := 0; h < len(hits); h += 2 {
		for _, k := range d.out[hits[h+1]/d.nclass] {
			start := hits[h] + 1 - len(words[k])
			if start >= from && start < to {
				fn(k, start)
			}
		}
	}
}

func (d *keywordDFA) scan1(buf []byte, from, to, maxLen int, words [][]byte, fn func(kw int32, start int)) {
	end := to + maxLen - 1
	if end > len(buf) {
		end = len(buf)
	}
	s := uint32(0)
	for i := from; i < end; i++ {
		i, s = step1(d.delta, &d.class, buf[:end], i, s)
		if i == end {
			break
		}
		s &^= outFlag
		for _, k := range d.out[int(s)/d.nclass] {
			start := i + 1 - len(words[k])
			if start >= from && start < to {
				fn(k, start)
			}
		}
	}
}

// step1 is step4 for one chain.
func step1(delta []uint32, class *[256]uint8, b []byte, i int, s uint32) (int, uint32) {
	for ; i < len(b); i++ {
		s = delta[s+uint32(class[b[i]])]
		if s&outFlag != 0 {
			return i, s
		}
	}
	return i, s
}

// suffixDepth runs the automaton over b and returns the length of the longest suffix
// of b that is a prefix of some keyword.
func (d *keywordDFA) suffixDepth(b []byte) int {
	s := uint32(0)
	for _, c := range b {
		s = d.delta[s+uint32(d.class[c])] &^ outFlag
	}
	return d.depth[int(s)/d.nclass]
}
