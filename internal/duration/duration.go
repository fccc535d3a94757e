// Package duration reads the durations of Istio specs (timeouts, retry
// intervals) as Istio does: the JSON form of a protobuf Duration, which
// Istio decodes with Go's time.ParseDuration, so "2s", "100ms", "1m30s" and
// "1.5h" are all accepted.
package duration

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Parse reads an Istio duration. Negative durations are rejected, since no
// Istio field accepts them; a zero duration is returned as is, for callers
// that give it a meaning (Envoy reads a zero timeout as none), or refuse
// it as Istio's webhook does for a route timeout (ValidateDuration).
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: want a number with a unit such as 2s, 100ms or 1m", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return d, nil
}

// Validate applies Istio's ValidateDuration: at least 1ms and a whole
// number of milliseconds.
func Validate(d time.Duration) error {
	if d < time.Millisecond {
		return fmt.Errorf("duration %s must be at least 1ms", Format(d))
	}
	if d%time.Millisecond != 0 {
		return fmt.Errorf("duration %s is not a whole number of milliseconds", Format(d))
	}
	return nil
}

// Format writes d the way people write durations in manifests: "15s",
// "1m30s", "1h", "250ms", rather than time.Duration's "1h0m0s".
func Format(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d < time.Second && d%time.Millisecond == 0 {
		return fmt.Sprintf("%dms", d/time.Millisecond)
	}
	if d%time.Second != 0 {
		return d.String()
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
