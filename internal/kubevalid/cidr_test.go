package kubevalid

import (
	"net"
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
// the cidr once both are masked, as net.IPNet.Contains reads an
// IPv4-mapped address (as IPv4), and longer as written.
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
		{"10.0.0.0/8", "::ffff:10.2.0.0/112", true},
		{"10.0.0.0/8", "::ffff:10.0.0.0/104", true},
		{"10.0.0.0/8", "::ffff:11.2.0.0/112", false},
		{"::ffff:10.0.0.0/104", "::ffff:10.2.0.0/112", true},
		{"::ffff:10.0.0.0/104", "10.2.0.0/16", false},
		{"::ffff:0.0.0.0/96", "10.2.0.0/16", false},
		{"::ffff:10.0.0.0/104", "2001:db8::/112", false},
		{"::/0", "::ffff:10.0.0.0/104", false},
		{"::/64", "10.0.0.0/8", false},
	} {
		if got := strictSubset(netip.MustParsePrefix(tc.cidr), netip.MustParsePrefix(tc.except)); got != tc.want {
			t.Errorf("strictSubset(%s, %s) = %v", tc.cidr, tc.except, got)
		}
	}
	// ValidateIPBlock's own test, with the net package, on every pair.
	samples := []string{
		"0.0.0.0/0", "10.0.0.0/8", "10.2.0.0/16", "10.2.3.4/32", "11.0.0.0/8", "::/0", "::/64", "::/96",
		"::ffff:0:0/80", "::ffff:0.0.0.0/96", "::ffff:10.0.0.0/104", "::ffff:10.2.0.0/100", "::ffff:10.2.0.0/112",
		"::ffff:10.2.3.4/128", "2001:db8::/32", "2001:db8::/112", "::a02:0/112",
	}
	for _, c := range samples {
		for _, e := range samples {
			_, cn, err1 := net.ParseCIDR(c)
			_, en, err2 := net.ParseCIDR(e)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			cl, _ := cn.Mask.Size()
			el, _ := en.Mask.Size()
			want := cn.Contains(en.IP) && cl < el
			if got := strictSubset(netip.MustParsePrefix(c), netip.MustParsePrefix(e)); got != want {
				t.Errorf("strictSubset(%s, %s) = %v, the net package says %v", c, e, got, want)
			}
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

// TestParseIPSloppy holds ParseIPSloppy to the API server's lenient
// reading of an IP address (netutils.ParseIPSloppy, through
// IsValidIPForLegacyField without strict validation).
func TestParseIPSloppy(t *testing.T) {
	samples := []string{
		"", "1", "1.2.3", "1.2.3.4", "01.002.3.4", "1.2.3.04", "001.2.3.4", "0.0.0.0", "00.0.0.0", "256.1.1.1",
		"1.2.3.4.5", "1.2.3.4/32", " 1.2.3.4", "::", "::1", "fe80::1", "fe80::1%eth0", "::ffff:1.2.3.4",
		"::ffff:01.2.3.4", "2001:db8::1", "2001:DB8::1", "g::1", "web.example.com", "1.2.3.-4", "0x1.2.3.4",
		"02001:db8::1", "0000002001:db8::1", "12345::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "::1.2.3",
	}
	for _, s := range samples {
		_, ok := ParseIPSloppy(s)
		if want := len(kvalidation.IsValidIPForLegacyField(nil, s, false, nil)) == 0; ok != want {
			t.Errorf("ParseIPSloppy(%q) ok = %v, apimachinery says %v", s, ok, want)
		}
	}
}
