package weights

// Rescale returns weights proportional to ws that add up to total, rounded
// by the largest remainder method: each weight gets the integer part of its
// share, and the units left go to the largest fractional parts (the
// earlier weight first on a tie). A weight that was not zero stays at
// least 1, the unit taken from the largest weight, so that no destination
// loses all its traffic. ok is false when ws holds a negative weight, adds
// up to zero, or has more non-zero weights than total.
func Rescale(ws []int64, total int64) (out []int64, ok bool) {
	var sum, nonzero int64
	for _, w := range ws {
		if w < 0 {
			return nil, false
		}
		if w > 0 {
			nonzero++
		}
		sum += w
	}
	if sum <= 0 || nonzero > total {
		return nil, false
	}
	out = make([]int64, len(ws))
	rem := make([]int64, len(ws)) // remainders, in units of 1/sum
	left := total
	for i, w := range ws {
		out[i] = w * total / sum
		rem[i] = w * total % sum
		left -= out[i]
	}
	for ; left > 0; left-- {
		best := -1
		for i := range ws {
			if best < 0 || rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	for i, w := range ws {
		if w > 0 && out[i] == 0 {
			largest := 0
			for j := range out {
				if out[j] > out[largest] {
					largest = j
				}
			}
			out[largest]--
			out[i] = 1
		}
	}
	return out, true
}
