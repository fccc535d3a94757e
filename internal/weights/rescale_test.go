package weights

import (
	"slices"
	"testing"
)

func TestRescale(t *testing.T) {
	tests := []struct {
		in, want []int64
	}{
		{[]int64{90, 20}, []int64{82, 18}},
		{[]int64{30, 30}, []int64{50, 50}},
		{[]int64{1, 2}, []int64{33, 67}},
		{[]int64{1, 1, 1}, []int64{34, 33, 33}}, // equal remainders: the earliest first
		{[]int64{95, 10}, []int64{90, 10}},
		{[]int64{50}, []int64{100}},
		{[]int64{0, 10, 10}, []int64{0, 50, 50}}, // a zero weight stays zero
		{[]int64{1, 1000}, []int64{1, 99}},       // a non-zero weight stays non-zero
		{[]int64{1, 1, 1000}, []int64{1, 1, 98}},
		{[]int64{200, 100, 100}, []int64{50, 25, 25}},
	}
	for _, tt := range tests {
		got, ok := Rescale(tt.in, 100)
		if !ok || !slices.Equal(got, tt.want) {
			t.Errorf("Rescale(%v) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
		var sum int64
		for _, w := range got {
			sum += w
		}
		if sum != 100 {
			t.Errorf("Rescale(%v) adds up to %d", tt.in, sum)
		}
	}
	for _, in := range [][]int64{{}, {0, 0}, {-1, 101}, make101()} {
		if got, ok := Rescale(in, 100); ok {
			t.Errorf("Rescale(%v) = %v, want not ok", in, got)
		}
	}
}

// make101 returns 101 weights of 1: more destinations than percent.
func make101() []int64 {
	out := make([]int64, 101)
	for i := range out {
		out[i] = 1
	}
	return out
}
