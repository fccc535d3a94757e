package duration

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{in: "2s", want: 2 * time.Second},
		{in: "100ms", want: 100 * time.Millisecond},
		{in: "1h", want: time.Hour},
		{in: "1m30s", want: 90 * time.Second},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: " 10s ", want: 10 * time.Second},
		{in: "0s", want: 0},
		{in: "0", want: 0},
		{in: "", err: true},
		{in: "10", err: true},
		{in: "ten seconds", err: true},
		{in: "5 s", err: true},
		{in: "1d", err: true},
		{in: "-1s", err: true},
		{in: "s", err: true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("Parse(%q) error = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		in  time.Duration
		err bool
	}{
		{in: time.Millisecond},
		{in: 2 * time.Second},
		{in: 0, err: true},
		{in: 500 * time.Microsecond, err: true},
		{in: 1500 * time.Microsecond, err: true},
	} {
		if err := Validate(tc.in); (err != nil) != tc.err {
			t.Errorf("Validate(%v) = %v, want error %v", tc.in, err, tc.err)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{15 * time.Second, "15s"},
		{90 * time.Second, "1m30s"},
		{2 * time.Minute, "2m"},
		{time.Hour, "1h"},
		{time.Hour + 30*time.Minute, "1h30m"},
		{time.Hour + 5*time.Second, "1h0m5s"},
		{250 * time.Millisecond, "250ms"},
		{1500 * time.Millisecond, "1.5s"},
		{500 * time.Microsecond, "500µs"},
	} {
		if got := Format(tc.in); got != tc.want {
			t.Errorf("Format(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
