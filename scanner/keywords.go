package scanner

// keywordSet finds every occurrence of a set of lowercase ASCII keywords (3+ bytes)
// in a buffer, ASCII case-insensitively, with their offsets, using a keyword DFA.
type keywordSet struct {
	words  [][]byte
	maxLen int
	dfa    *keywordDFA
}

func newKeywordSet(words []string) *keywordSet {
	ks := &keywordSet{}
	for _, w := range words {
		ks.words = append(ks.words, []byte(w))
		if len(w) > ks.maxLen {
			ks.maxLen = len(w)
		}
	}
	ks.dfa = newKeywordDFA(ks.words)
	return ks
}

// find calls fn(keyword index, start) for every keyword occurrence starting at a
// position in [from, to) of buf whose keyword ends within buf.
func (ks *keywordSet) find(buf []byte, from, to int, fn func(kw int32, start int)) {
	if len(ks.words) == 0 || from >= to {
		return
	}
	// Blocks of findBlock bytes, so that the gates fn runs at each hit read bytes the
	// automaton has just passed over, still in cache: over a 4 MB input in one piece,
	// the gates of the first lane's hits ran after the other lanes had evicted them.
	for b := from; b < to; b += findBlock {
		ks.dfa.scan(buf, b, min(to, b+findBlock), ks.maxLen, ks.words, fn)
	}
}

// findBlock is the unit of keyword search (see find).
const findBlock = 64 << 10

// prefixTail returns the smallest index p such that buf[p:] is a prefix of some
// keyword (folded), or len(buf). Streaming holds such a tail back: the keyword may
// complete in the next chunk. The automaton's state after the last byte is exactly
// the longest such suffix.
func (ks *keywordSet) prefixTail(buf []byte) int {
	from := len(buf) - ks.maxLen + 1
	if from < 0 {
		from = 0
	}
	return len(buf) - ks.dfa.suffixDepth(buf[from:])
}
