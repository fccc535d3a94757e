package duration

import (
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, never returns a negative
// duration, and that Format writes what Parse reads back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2s", "100ms", "1m30s", "1.5h", "-1s", "", "1", "10x", "0s", "9999999999h", "1µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("Parse(%q) = %v, negative", s, d)
		}
		back, err := Parse(Format(d))
		if err != nil || back != d {
			t.Fatalf("Parse(Format(%v)) = %v, %v", d, back, err)
		}
		_ = Validate(d)
		_ = time.Duration(0)
	})
}
