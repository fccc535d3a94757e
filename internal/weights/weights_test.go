package weights

import "testing"

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		w, sum int64
		want   string
	}{
		{90, 110, "81.8%"},
		{20, 110, "18.2%"},
		{1, 2, "50%"},
		{1, 3, "33.3%"},
		{0, 5, "0%"},
		{100, 100, "100%"},
	} {
		if got := Percent(tc.w, tc.sum); got != tc.want {
			t.Errorf("Percent(%d, %d) = %s, want %s", tc.w, tc.sum, got, tc.want)
		}
	}
}
