package scanner

import (
	"encoding/binary"
	"math/bits"
)

// keywordSet finds every occurrence of a set of lowercase ASCII keywords (3+ bytes)
// in a buffer, ASCII case-insensitively, with their offsets.
//
// Two bit filters, over a hash of the first four bytes (keywords of four or more
// bytes) and of the first three (three-byte keywords), reject almost every position
// with a few independent instructions: no state is carried from byte to byte, so the
// CPU overlaps iterations. Positions that pass are verified exactly against the
// keywords sharing that prefix.
type keywordSet struct {
	words   [][]byte
	maxLen  int
	filter3 [1 << 16 / 64]uint64
	filter4 [1 << 16 / 64]uint64
	by3     map[uint32][]int32 // folded 3-byte keyword -> keyword index
	by4     map[uint32][]int32 // folded 4-byte prefix -> keyword indices
	// every proper prefix of every keyword, for "could this tail become a keyword"
	prefixes map[string]struct{}
}

const fold4 = 0x20202020

// hash16 spreads a 32-bit folded prefix over the filter's 16-bit index.
func hash16(v uint32) uint32 { return v * 0x9E3779B1 >> 16 }

func newKeywordSet(words []string) *keywordSet {
	ks := &keywordSet{by3: map[uint32][]int32{}, by4: map[uint32][]int32{}, prefixes: map[string]struct{}{}}
	for i, w := range words {
		b := []byte(w)
		ks.words = append(ks.words, b)
		if len(b) > ks.maxLen {
			ks.maxLen = len(b)
		}
		if len(b) == 3 {
			key := (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | fold4) & 0xFFFFFF
			h := hash16(key)
			ks.filter3[h>>6] |= 1 << (h & 63)
			ks.by3[key] = append(ks.by3[key], int32(i))
		} else {
			key := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24 | fold4
			h := hash16(key)
			ks.filter4[h>>6] |= 1 << (h & 63)
			ks.by4[key] = append(ks.by4[key], int32(i))
		}
		for n := 1; n < len(w); n++ {
			ks.prefixes[w[:n]] = struct{}{}
		}
	}
	return ks
}

// find calls fn(keyword index, start) for every keyword occurrence starting at a
// position in [from, to) of buf whose keyword ends within buf, in position order.
func (ks *keywordSet) find(buf []byte, from, to int, fn func(kw int32, start int)) {
	if len(ks.words) == 0 {
		return
	}
	if to > len(buf)-2 {
		to = len(buf) - 2
	}
	i := from
	f3, f4 := &ks.filter3, &ks.filter4
	// Fast path: one 8-byte load gives five 4-byte windows; the test of a window is a
	// multiply and two bit lookups, with no dependency between windows.
	for ; i+8 <= len(buf) && i+5 <= to; i += 5 {
		v := binary.LittleEndian.Uint64(buf[i:]) | 0x2020202020202020
		w0, w1, w2, w3, w4 := uint32(v), uint32(v>>8), uint32(v>>16), uint32(v>>24), uint32(v>>32)
		a0, a1, a2, a3, a4 := (w0*0x9E3779B1)>>16, (w1*0x9E3779B1)>>16, (w2*0x9E3779B1)>>16, (w3*0x9E3779B1)>>16, (w4*0x9E3779B1)>>16
		b0, b1, b2, b3, b4 := ((w0&0xFFFFFF)*0x9E3779B1)>>16, ((w1&0xFFFFFF)*0x9E3779B1)>>16, ((w2&0xFFFFFF)*0x9E3779B1)>>16, ((w3&0xFFFFFF)*0x9E3779B1)>>16, ((w4&0xFFFFFF)*0x9E3779B1)>>16
		m := (f4[a0>>6&1023]>>(a0&63) | f3[b0>>6&1023]>>(b0&63)) & 1
		m |= ((f4[a1>>6&1023]>>(a1&63) | f3[b1>>6&1023]>>(b1&63)) & 1) << 1
		m |= ((f4[a2>>6&1023]>>(a2&63) | f3[b2>>6&1023]>>(b2&63)) & 1) << 2
		m |= ((f4[a3>>6&1023]>>(a3&63) | f3[b3>>6&1023]>>(b3&63)) & 1) << 3
		m |= ((f4[a4>>6&1023]>>(a4&63) | f3[b4>>6&1023]>>(b4&63)) & 1) << 4
		for m != 0 {
			j := bits.TrailingZeros64(m)
			m &= m - 1
			ks.verify(buf, i+j, fn)
		}
	}
	for ; i < to; i++ {
		ks.verify(buf, i, fn)
	}
}

func (ks *keywordSet) verify(buf []byte, i int, fn func(kw int32, start int)) {
	if i+3 > len(buf) {
		return
	}
	k3 := (uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2])<<16 | fold4) & 0xFFFFFF
	for _, k := range ks.by3[k3] {
		if equalFold(buf[i:i+3], ks.words[k]) {
			fn(k, i)
		}
	}
	if i+4 > len(buf) {
		return
	}
	k4 := uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2])<<16 | uint32(buf[i+3])<<24 | fold4
	for _, k := range ks.by4[k4] {
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
