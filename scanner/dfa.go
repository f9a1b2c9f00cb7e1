package scanner

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

// scan runs the automaton over buf and calls fn for every keyword occurrence that
// starts in [from, to). Long ranges are split in two halves scanned in one loop: the
// two state chains are independent, so the CPU overlaps their table loads.
func (d *keywordDFA) scan(buf []byte, from, to, maxLen int, words [][]byte, fn func(kw int32, start int)) {
	if to-from < 8<<10 {
		d.scan1(buf, from, to, maxLen, words, fn)
		return
	}
	mid := from + (to-from)/2
	endA := mid + maxLen - 1
	endB := to + maxLen - 1
	if endB > len(buf) {
		endB = len(buf)
	}
	delta, class := d.delta, &d.class
	var sa, sb uint32
	var hitsA, hitsB []int // (end position, state offset) pairs, per half
	i, j := from, mid
	if n := endB - mid; endA-from > n {
		for ; i < from+(endA-from-n); i++ { // make both halves the same length
			sa = delta[sa+uint32(class[buf[i]])]
			if sa&outFlag != 0 {
				sa &^= outFlag
				hitsA = append(hitsA, i, int(sa))
			}
		}
	}
	a, b := buf[i:endA], buf[j:endB]
	if len(b) > len(a) {
		b = b[:len(a)]
	}
	for k := 0; k < len(b); k++ {
		k, sa, sb = step2(delta, class, a, b, k, sa, sb)
		if k == len(b) {
			break
		}
		if sa&outFlag != 0 {
			sa &^= outFlag
			hitsA = append(hitsA, i+k, int(sa))
		}
		if sb&outFlag != 0 {
			sb &^= outFlag
			hitsB = append(hitsB, j+k, int(sb))
		}
	}
	i += len(b)
	j += len(b)
	for ; i < endA; i++ {
		sa = delta[sa+uint32(class[buf[i]])]
		if sa&outFlag != 0 {
			sa &^= outFlag
			hitsA = append(hitsA, i, int(sa))
		}
	}
	for ; j < endB; j++ {
		sb = delta[sb+uint32(class[buf[j]])]
		if sb&outFlag != 0 {
			sb &^= outFlag
			hitsB = append(hitsB, j, int(sb))
		}
	}
	d.report(hitsA, from, mid, words, fn)
	d.report(hitsB, mid, to, words, fn)
}

// step2 advances both state chains from position k until either reaches a state
// that ends a keyword (it returns that position) or the input ends (len(b)). It makes
// no calls, so the compiler keeps the states in registers.
func step2(delta []uint32, class *[256]uint8, a, b []byte, k int, sa, sb uint32) (int, uint32, uint32) {
	a = a[:len(b)]
	for ; k < len(b); k++ {
		sa = delta[sa+uint32(class[a[k]])]
		sb = delta[sb+uint32(class[b[k]])]
		if (sa|sb)&outFlag != 0 {
			return k, sa, sb
		}
	}
	return k, sa, sb
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

// step1 is step2 for one chain.
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
