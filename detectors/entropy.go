package detectors

import "math"

// Entropy returns the Shannon entropy of s in bits per byte.
func Entropy(s []byte) float64 {
	if len(s) == 0 {
		return 0
	}
	if len(s) > 255 {
		return entropyLong(s)
	}
	// H = log2(n) - sum(c*log2(c))/n over the byte counts c; c*log2(c) comes from a
	// table and each distinct byte is visited once, through s itself.
	var counts [256]uint8
	for _, c := range s {
		counts[c]++
	}
	var sum float64
	for _, c := range s {
		if k := counts[c]; k != 0 {
			sum += xlog2x[k]
			counts[c] = 0
		}
	}
	n := float64(len(s))
	// Rounded to 1e-12: the difference form is off by an ulp where the textbook sum
	// is exact (8 symbols, 6 of each: 3 bits, not 2.9999999999999996), and rules
	// compare against round floors such as 3.0.
	return math.Round((math.Log2(n)-sum/n)*1e12) / 1e12
}

// xlog2x[c] is c*log2(c).
var xlog2x = func() (t [256]float64) {
	for c := 2; c < 256; c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

// entropyLong is Entropy for inputs whose byte counts may not fit a byte.
func entropyLong(s []byte) float64 {
	var counts [256]int
	for _, c := range s {
		counts[c]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}
