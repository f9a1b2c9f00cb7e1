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
	pairs   [1 << 16 / 64]uint64 // folded first two bytes of every keyword
	filter3 [1 << 16 / 64]uint64
	filter4 [1 << 16 / 64]uint64
	// exact lookup after the filters: entries grouped by the 16-bit hash of their
	// folded 3-byte keyword or 4-byte prefix; start[h]..start[h+1] index entries
	start3, start4 []uint16
	ent3, ent4     []kwEntry
	// every proper prefix of every keyword, for "could this tail become a keyword"
	prefixes map[string]struct{}
}

const fold4 = 0x20202020

type kwEntry struct {
	key uint32 // folded first 3 or 4 bytes
	kw  int32
}

// hash16 spreads a 32-bit folded prefix over the filter's 16-bit index.
func hash16(v uint32) uint32 { return v * 0x9E3779B1 >> 16 }

func newKeywordSet(words []string) *keywordSet {
	ks := &keywordSet{prefixes: map[string]struct{}{}}
	var e3, e4 []kwEntry
	for i, w := range words {
		b := []byte(w)
		ks.words = append(ks.words, b)
		if len(b) > ks.maxLen {
			ks.maxLen = len(b)
		}
		pair := (uint32(b[0]) | uint32(b[1])<<8 | 0x2020) & 0xFFFF
		ks.pairs[pair>>6] |= 1 << (pair & 63)
		if len(b) == 3 {
			key := (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | fold4) & 0xFFFFFF
			h := hash16(key)
			ks.filter3[h>>6] |= 1 << (h & 63)
			e3 = append(e3, kwEntry{key, int32(i)})
		} else {
			key := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24 | fold4
			h := hash16(key)
			ks.filter4[h>>6] |= 1 << (h & 63)
			e4 = append(e4, kwEntry{key, int32(i)})
		}
		for n := 1; n < len(w); n++ {
			ks.prefixes[w[:n]] = struct{}{}
		}
	}
	ks.start3, ks.ent3 = bucketize(e3)
	ks.start4, ks.ent4 = bucketize(e4)
	return ks
}

// bucketize groups entries by the hash of their key (stable, so keyword order is
// kept within a bucket) and returns the bucket start offsets.
func bucketize(es []kwEntry) ([]uint16, []kwEntry) {
	start := make([]uint16, 1<<16+1)
	for _, e := range es {
		start[hash16(e.key)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]kwEntry, len(es))
	fill := append([]uint16(nil), start...)
	for _, e := range es {
		h := hash16(e.key)
		out[fill[h]] = e
		fill[h]++
	}
	return start, out
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
	pairs, f3, f4 := &ks.pairs, &ks.filter3, &ks.filter4
	// Fast path: one 8-byte load gives seven 2-byte windows, each tested with one bit
	// lookup in an 8 KiB table (no multiply, no state carried between positions, so
	// the CPU overlaps them). The few positions whose first two bytes start some
	// keyword then pass a hashed 4-byte (or 3-byte) filter before exact verification.
	for ; i+8 <= len(buf) && i+7 <= to; i += 7 {
		v := binary.LittleEndian.Uint64(buf[i:]) | 0x2020202020202020
		x0, x1, x2, x3 := uint32(v)&0xFFFF, uint32(v>>8)&0xFFFF, uint32(v>>16)&0xFFFF, uint32(v>>24)&0xFFFF
		x4, x5, x6 := uint32(v>>32)&0xFFFF, uint32(v>>40)&0xFFFF, uint32(v>>48)&0xFFFF
		m := pairs[x0>>6]>>(x0&63)&1 | (pairs[x1>>6]>>(x1&63)&1)<<1 | (pairs[x2>>6]>>(x2&63)&1)<<2 |
			(pairs[x3>>6]>>(x3&63)&1)<<3 | (pairs[x4>>6]>>(x4&63)&1)<<4 | (pairs[x5>>6]>>(x5&63)&1)<<5 |
			(pairs[x6>>6]>>(x6&63)&1)<<6
		for m != 0 {
			j := bits.TrailingZeros64(m)
			m &= m - 1
			p := i + j
			if p+4 <= len(buf) {
				w := binary.LittleEndian.Uint32(buf[p:]) | fold4
				h4, h3 := hash16(w), hash16(w&0xFFFFFF)
				if f4[h4>>6]>>(h4&63)&1|f3[h3>>6]>>(h3&63)&1 == 0 {
					continue
				}
			}
			ks.verify(buf, p, fn)
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
	h := hash16(k3)
	for _, e := range ks.ent3[ks.start3[h]:ks.start3[h+1]] {
		if e.key == k3 && equalFold(buf[i:i+3], ks.words[e.kw]) {
			fn(e.kw, i)
		}
	}
	if i+4 > len(buf) {
		return
	}
	k4 := uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2])<<16 | uint32(buf[i+3])<<24 | fold4
	h = hash16(k4)
	for _, e := range ks.ent4[ks.start4[h]:ks.start4[h+1]] {
		if e.key != k4 {
			continue
		}
		w := ks.words[e.kw]
		if i+len(w) <= len(buf) && equalFold(buf[i:i+len(w)], w) {
			fn(e.kw, i)
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
