package scanner

// keywordDFA is an Aho-Corasick automaton over the folded keywords, compiled into a
// full transition table over byte classes: one table load per input byte, no
// failure-link chasing. Each transition carries a flag telling whether the target
// state ends a keyword, so the common path is one load, one mask and one branch.
type keywordDFA struct {
	class  [256]uint8 // byte -> class (ASCII letters folded; 0 = no keyword byte)
	nclass int
	delta  []uint16 // state*nclass + class -> next state | outFlag
	out    [][]int32
	depth  []int // length of the keyword prefix a state stands for
}

const outFlag = 1 << 15

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
	d.delta = make([]uint16, len(nodes)*n)
	queue := []int32{}
	for cl := 0; cl < n; cl++ {
		if t, ok := nodes[0].next[uint8(cl)]; ok {
			nodes[t].fail = 0
			queue = append(queue, t)
			d.delta[cl] = uint16(t)
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
				d.delta[int(s)*n+cl] = uint16(t)
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
		if len(d.out[d.delta[i]&^outFlag]) > 0 {
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
	n := uint(d.nclass)
	delta, class := d.delta, &d.class
	var sa, sb uint
	var hitsA, hitsB []int // end positions whose state has output, per half
	i, j := from, mid
	for i < endA && j < endB {
		ta := delta[sa*n+uint(class[buf[i]])]
		tb := delta[sb*n+uint(class[buf[j]])]
		sa, sb = uint(ta&^outFlag), uint(tb&^outFlag)
		if ta&outFlag != 0 {
			hitsA = append(hitsA, i, int(sa))
		}
		if tb&outFlag != 0 {
			hitsB = append(hitsB, j, int(sb))
		}
		i++
		j++
	}
	for ; i < endA; i++ {
		ta := delta[sa*n+uint(class[buf[i]])]
		sa = uint(ta &^ outFlag)
		if ta&outFlag != 0 {
			hitsA = append(hitsA, i, int(sa))
		}
	}
	for ; j < endB; j++ {
		tb := delta[sb*n+uint(class[buf[j]])]
		sb = uint(tb &^ outFlag)
		if tb&outFlag != 0 {
			hitsB = append(hitsB, j, int(sb))
		}
	}
	d.report(hitsA, from, mid, words, fn)
	d.report(hitsB, mid, to, words, fn)
}

func (d *keywordDFA) report(hits []int, from, to int, words [][]byte, fn func(kw int32, start int)) {
	for h := 0; h < len(hits); h += 2 {
		for _, k := range d.out[hits[h+1]] {
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
	s := uint(0)
	n := uint(d.nclass)
	delta, class := d.delta, &d.class
	for i := from; i < end; i++ {
		t := delta[s*n+uint(class[buf[i]])]
		s = uint(t &^ outFlag)
		if t&outFlag != 0 {
			for _, k := range d.out[s] {
				start := i + 1 - len(words[k])
				if start >= from && start < to {
					fn(k, start)
				}
			}
		}
	}
}

// suffixDepth runs the automaton over b and returns the length of the longest suffix
// of b that is a prefix of some keyword.
func (d *keywordDFA) suffixDepth(b []byte) int {
	s := uint(0)
	n := uint(d.nclass)
	for _, c := range b {
		s = uint(d.delta[s*n+uint(d.class[c])] &^ outFlag)
	}
	return d.depth[s]
}
