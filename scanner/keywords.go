package scanner

import (
	"encoding/binary"
)

// keywordSet finds every occurrence of a set of lowercase ASCII keywords (3+ bytes)
// in a buffer, ASCII case-insensitively, with their offsets.
//
// A filter over a hash of the first three bytes of every position rejects almost all
// positions with a few independent instructions (no state carried from byte to byte,
// so the CPU overlaps iterations); positions that pass are verified exactly against
// the keywords sharing that 3-byte prefix.
type keywordSet struct {
	words   [][]byte
	maxLen  int
	filter  [1 << 16 / 64]uint64
	buckets map[uint32][]int32 // folded 3-byte prefix -> keyword indices
	// every proper prefix of every keyword, for "could this tail become a keyword"
	prefixes map[string]struct{}
}

// fold3 maps three bytes (little-endian in the low 24 bits) to the filter domain:
// setting bit 5 of each byte lowercases ASCII letters (other bytes collide harmlessly;
// verification is exact).
func hash3(v uint32) uint32 {
	return ((v | 0x202020) & 0xFFFFFF) * 0x9E3779B1 >> 16
}

func newKeywordSet(words []string) *keywordSet {
	ks := &keywordSet{buckets: map[uint32][]int32{}, prefixes: map[string]struct{}{}}
	for i, w := range words {
		b := []byte(w)
		ks.words = append(ks.words, b)
		if len(b) > ks.maxLen {
			ks.maxLen = len(b)
		}
		p := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
		h := hash3(p)
		ks.filter[h>>6] |= 1 << (h & 63)
		key := (p | 0x202020) & 0xFFFFFF
		ks.buckets[key] = append(ks.buckets[key], int32(i))
		for n := 1; n < len(w); n++ {
			ks.prefixes[w[:n]] = struct{}{}
		}
	}
	return ks
}

// find calls fn(keyword index, start) for every keyword occurrence starting at a
// position in [from, to) of buf whose keyword ends within buf. Positions are relative to buf.
func (ks *keywordSet) find(buf []byte, from, to int, fn func(kw int32, start int)) {
	if len(ks.words) == 0 {
		return
	}
	if to > len(buf)-2 {
		to = len(buf) - 2
	}
	i := from
	// Fast path: 8-byte loads give six 3-byte windows each.
	for ; i+8 <= len(buf) && i+6 <= to; i += 6 {
		v := binary.LittleEndian.Uint64(buf[i:])
		h0 := hash3(uint32(v))
		h1 := hash3(uint32(v >> 8))
		h2 := hash3(uint32(v >> 16))
		h3 := hash3(uint32(v >> 24))
		h4 := hash3(uint32(v >> 32))
		h5 := hash3(uint32(v >> 40))
		m := ks.filter[h0>>6]>>(h0&63)&1 | ks.filter[h1>>6]>>(h1&63)&1 | ks.filter[h2>>6]>>(h2&63)&1 |
			ks.filter[h3>>6]>>(h3&63)&1 | ks.filter[h4>>6]>>(h4&63)&1 | ks.filter[h5>>6]>>(h5&63)&1
		if m == 0 {
			continue
		}
		for j := 0; j < 6; j++ {
			ks.verify(buf, i+j, fn)
		}
	}
	for ; i < to; i++ {
		p := uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2])<<16
		h := hash3(p)
		if ks.filter[h>>6]>>(h&63)&1 != 0 {
			ks.verify(buf, i, fn)
		}
	}
}

func (ks *keywordSet) verify(buf []byte, i int, fn func(kw int32, start int)) {
	if i+3 > len(buf) {
		return
	}
	key := (uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2])<<16 | 0x202020) & 0xFFFFFF
	for _, k := range ks.buckets[key] {
		w := ks.words[k]
		if i+len(w) <= len(buf) && equalFold(buf[i:i+len(w)], w) {
			fn(k, i)
		}
	}
}

// equalFold compares s with the lowercase ASCII word w, folding ASCII letters only.
func equalFold(s, w []byte) bool {
	for j, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}

// prefixTail returns the smallest index p in the last maxLen-1 bytes of buf such that
// buf[p:] (folded) is a proper prefix of some keyword, or len(buf) if there is none.
// Streaming holds such a tail back: the keyword may complete in the next chunk.
func (ks *keywordSet) prefixTail(buf []byte) int {
	start := len(buf) - ks.maxLen + 1
	if start < 0 {
		start = 0
	}
	var tmp [64]byte
	for p := start; p < len(buf); p++ {
		n := len(buf) - p
		if n > len(tmp) {
			continue
		}
		for j := 0; j < n; j++ {
			c := buf[p+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			tmp[j] = c
		}
		if _, ok := ks.prefixes[string(tmp[:n])]; ok {
			return p
		}
	}
	return len(buf)
}
