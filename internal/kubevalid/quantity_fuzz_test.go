package kubevalid

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

// FuzzParseQuantity holds ParseQuantity, MR027's fast path for the
// common forms, to resource.ParseQuantity
// (k8s.io/apimachinery/pkg/api/resource/quantity.go), which the API
// server's JSON decoding of a Quantity calls: the same inputs refused,
// and for the others what checkResources and quantityOf read of the
// value (its sign, its milli-units for the whole-number test of an
// extended resource, its order against another quantity) and the text
// the messages print.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{
		"0", "1", "2", "500m", "1500m", "128Mi", "1Gi", "10G", "3k", "7M", "1T", "2P", "1E", "4Ki", "9Ti", "1Pi", "3Ei",
		"007", "0m", "00m", "0Ki", "-0", "+0", "-1", "+1", "1 ", " 1", "1.5", "0.5", ".5", "5.", "1e3", "1E3", "1e-3",
		"1e", "1E", "1e+3", "1e999999999", "1e-999999999", "-1e-999999999", "0e-999999999", "0.5e-99999", "1e-1006",
		"1e-1007", "1e-2147483648", "0.5e-2147483647", "1e-2147483630", "1e2147483648", "1e+2147483648", "1e4294967296",
		"1e-4294967297", "1ee-999999999", "1ke-999999999", "1e-999999999i", "1e-9999999999999999999", "1.e-99999",
		"-.5e-99999", "1e-50000", "1.5e-1010", "1111111111111111111e1000", "1111111111111111111e1001",
		"0.0000000000000000000e999999999",
		"1111111111111111111e999999999", "1111111111111111111e-999999999", "1e999999999Ki", "9223372036854775807", "9223372036854775808",
		"999999999999999", "99999999999999", "99999999999999Ei", "8191Ei", "8192Ei", "4095Pi", "12345678901234",
		"12345678901234m", "1Gb", "Mi", "", "1n", "1u", "1ki", "1K", "0x10", "१", "١٢", "1\n", "1Mi ", "1.0Mi",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := ParseQuantity(s)
		if errors.Is(gerr, ErrQuantityTooLarge) {
			// Values of more than 1000 digits, which ParseQuantity or
			// Cmp read in seconds or not at all: refused on purpose.
			return
		}
		// Past an exponent of ±100000 ParseQuantity, Cmp or MilliValue
		// take a second or more on what boundExponent rewrites
		// (1e-999999999 does not end): they read the rewrite there.
		// Between that and boundExponent's bound of 1000 they read s
		// itself, which holds the rewrite to ParseQuantity.
		ref := s
		if i := strings.LastIndexAny(s, "eE"); i >= 0 {
			if e, err := strconv.ParseInt(s[i+1:], 10, 64); err == nil && (int32(e) < -100000 || int32(e) > 100000) {
				ref, _ = boundExponent(s)
			}
		}
		want, werr := resource.ParseQuantity(ref)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("ParseQuantity(%q) = %v, %v; ParseQuantity says %v, %v", s, got.String(), gerr, want.String(), werr)
		}
		if gerr != nil {
			return
		}
		if got.Cmp(want) != 0 || got.Sign() != want.Sign() || got.MilliValue() != want.MilliValue() ||
			got.String() != want.String() || got.Format != want.Format {
			t.Fatalf("ParseQuantity(%q) = %v (%s); ParseQuantity says %v (%s)", s, got.String(), got.Format, want.String(), want.Format)
		}
	})
}

// TestBoundExponent pins what boundExponent rewrites and refuses, the
// inputs on which ParseQuantity does not end (FuzzParseQuantity found
// the first) and their neighbours, which it leaves alone.
func TestBoundExponent(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1e-999999999", "1e-1012"},
		{"-1.5e-999999999", "-1.5e-1015"},
		{"1e-1002", "1e-1007"},
		{"1e-1001", "1e-1001"}, // cheap: left alone
		{"0e-999999999", "0e-1000"},
		{"0e999999999", "0e0"},
		{"e2049296729", "e0"},
		{"0.00e999999999", "0.00e2"},
		{"0.0000000000000000000e999999999", "0.0000000000000000000e-1000"}, // 20 digits: not the int64 fast path
		{"1e1000", "1e1000"},
		{"1e1001", ""},
		{"1e999999999", ""},
		{"1e4294967296", "1e4294967296"},   // an exponent of 0 once cut to 32 bits
		{"1ke-999999999", "1ke-999999999"}, // refused for its suffix
		{"1111111111111111111e1000", "1111111111111111111e1000"},
		{"1111111111111111111e1001", ""},
		{"1111111111111111111e999999999", ""},
		{"1e-2147483648", ""},   // -2^31: ParseQuantity negates it back to itself
		{"0.5e-2147483648", ""}, // the fast path, through the wrap
	} {
		got, err := boundExponent(tc.in)
		if tc.want == "" && !errors.Is(err, ErrQuantityTooLarge) || tc.want != "" && (err != nil || got != tc.want) {
			t.Errorf("boundExponent(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestParseQuantity holds ParseQuantity's fast forms to
// resource.ParseQuantity: the same value, and the same text back.
func TestParseQuantity(t *testing.T) {
	for _, s := range []string{
		"0", "1", "2", "500m", "1500m", "128Mi", "1Gi", "10G", "3k", "7M", "1T", "2P", "1E", "4Ki", "9Ti", "1Pi", "3Ei",
		"007", "0m", "999999999999999", "99999999999999Ei", "12345678901234", "1.5", "1e3", "1Gb", "Mi", "", "-1", "+1", "1 ",
	} {
		want, werr := resource.ParseQuantity(s)
		got, gerr := ParseQuantity(s)
		if (werr == nil) != (gerr == nil) || werr == nil && (got.Cmp(want) != 0 || got.String() != want.String()) {
			t.Errorf("ParseQuantity(%q) = %v, %v; ParseQuantity says %v, %v", s, got.String(), gerr, want.String(), werr)
		}
	}
}
