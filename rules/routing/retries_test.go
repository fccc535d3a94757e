package routing

import (
	"testing"
	"time"
)

// The perTryTimeout MR106 suggests must let every retry start (attempts ×
// perTryTimeout below the timeout), be a duration Istio accepts (whole
// milliseconds, at least 1ms) and read as a person would write it.
func TestMaxPerTry(t *testing.T) {
	for _, c := range []struct {
		timeout  time.Duration
		attempts int64
		want     time.Duration
	}{
		{10 * time.Second, 3, 3300 * time.Millisecond},
		{3 * time.Second, 3, 990 * time.Millisecond}, // 1s would reach the timeout
		{time.Minute, 5, 11 * time.Second},
		{1500 * time.Millisecond, 4, 370 * time.Millisecond},
		{100 * time.Millisecond, 3, 33 * time.Millisecond},
		{10 * time.Millisecond, 3, 3 * time.Millisecond}, // not 3.3ms: Istio takes whole milliseconds
		{10 * time.Second, 2147483647, 0},                // under 1ms: nothing to suggest
		{time.Millisecond, 1, 0},
	} {
		got := maxPerTry(c.timeout, c.attempts)
		if got != c.want {
			t.Errorf("maxPerTry(%s, %d) = %s, want %s", c.timeout, c.attempts, got, c.want)
		}
		if got > 0 && time.Duration(c.attempts)*got >= c.timeout {
			t.Errorf("maxPerTry(%s, %d) = %s: %d attempts of it do not fit", c.timeout, c.attempts, got, c.attempts)
		}
	}
}
