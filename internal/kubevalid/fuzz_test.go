package kubevalid

import (
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/validate/content"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"
)

// The targets below are differential: each feeds one input to a parser of
// this package and to the Kubernetes function it stands in for, and fails
// on any disagreement. The hand-written parsers exist for speed only, so
// every difference is a bug in them: a finding MR027 should report and
// misses, or one it should not report.

// ipSeeds are the tricky addresses of the table tests: leading zeros,
// IPv4-mapped IPv6, zones, signs, hex, groups of more than four digits,
// unicode digits.
var ipSeeds = []string{
	"", "1", "1.2.3", "1.2.3.4", "01.002.3.4", "1.2.3.04", "001.2.3.4", "0.0.0.0", "00.0.0.0", "256.1.1.1",
	"1.2.3.4.5", "1.2.3.4/32", " 1.2.3.4", "1.2.3.4 ", "::", "::1", "fe80::1", "fe80::1%eth0", "::ffff:1.2.3.4",
	"::ffff:01.2.3.4", "::ffff:010.0.0.1", "::1.2.3.4", "::0001.2.3.4", "2001:db8::1", "2001:DB8::1", "g::1",
	"web.example.com", "1.2.3.-4", "+1.2.3.4", "1.+2.3.4", "0x1.2.3.4", "0x0a.0.0.1", "02001:db8::1",
	"0000002001:db8::1", "12345::1", "2001:db8:00001::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "::1.2.3",
	"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3.4:5", "0000000000000255.1.1.1",
	"99999999.0.0.1", "१.२.३.४", "１.2.3.4", "1.2.3.4\n", ":::", "1::2::3", "::ffff:0:0", "FE80::0abc",
}

// cidrSeeds are the tricky CIDRs of the table tests, and prefix lengths
// with signs, hex, leading zeros and too many digits.
var cidrSeeds = []string{
	"10.0.0.0/8", "010.0.0.0/8", "010.020.0.0/16", "0000000255.1.1.1/32", "10.0.0.0/08", "10.1.2.3/24",
	"02001:db8::/32", "2001:db8:00001::/48", "::ffff:010.0.0.0/104", "::ffff:10.0.0.0/104", "::ffff:10.0.0.1/104",
	"::ffff:10.0.0.0/64", "::ffff:010.0.0.0/64", "::ffff:0.0.0.0/96", "::ffff:0.0.0.0/88", "::/0", "0.0.0.0/0",
	"0256.0.0.0/8", "10.0.0.0/33", "10.0.0.0", "10.0.0/8", "10.0.0.0/0x8", "10.0.0.0/+8", "10.0.0.0/-0",
	"10.0.0.0/", "10.0.0.0/8/9", "2001:10000::/32", "fe80::1%eth0/64", "::ffff:1.2.3/104", "2001:db8::/129",
	"2001:db8::1/32", "FE80::/10", "192.168.1.10/24", "10.0.0.0/000000000000000000008", "10.0.0.0/99999999",
	"10.0.0.0/٨", "", "/", "/8", "1.2.3.4/32 ", " 1.2.3.4/32",
}

// quoted is the first value quoted after word in a message: the address
// or CIDR that a message tells the user to write.
func quoted(word, msg string) string {
	m := regexp.MustCompile(regexp.QuoteMeta(word) + ` "([^"]*)"`).FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}

// FuzzParseIPSloppy holds ParseIPSloppy to netutils.ParseIPSloppy
// (k8s.io/utils/net/parse.go, the fork of Go 1.16's net.ParseIP in
// internal/third_party/forked/golang/net/ip.go), and StrictIPProblem to
// the strict half of IsValidIPForLegacyField (parseIP in
// k8s.io/apimachinery/pkg/util/validation/ip.go), with the address it
// tells the user to write to the one GetWarningsForIP suggests.
func FuzzParseIPSloppy(f *testing.F) {
	for _, s := range ipSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseIPSloppy(s)
		want := netutils.ParseIPSloppy(s)
		if ok != (want != nil) {
			t.Fatalf("ParseIPSloppy(%q) = %v, %v; netutils.ParseIPSloppy says %v", s, got, ok, want)
		}
		if !ok {
			return
		}
		// net.IP writes an IPv4-mapped address as IPv4.
		if got.As16() != [16]byte(want.To16()) || got.Unmap().String() != want.String() {
			t.Fatalf("ParseIPSloppy(%q) = %v; netutils.ParseIPSloppy says %v", s, got, want)
		}
		// The fork reads the family from the first '.' or ':'.
		if v4 := !strings.Contains(s, ":"); got.Is4() != v4 {
			t.Fatalf("ParseIPSloppy(%q) = %v, an IPv4 address: %v", s, got, got.Is4())
		}
		problem := StrictIPProblem(s, got)
		errs := kvalidation.IsValidIPForLegacyField(nil, s, true, nil)
		if (problem == "") != (len(errs) == 0) || len(errs) > 0 && !strings.HasPrefix(problem, errs[0].Detail) {
			t.Fatalf("StrictIPProblem(%q) = %q; IsValidIPForLegacyField says %v", s, problem, errs)
		}
		if problem == "" {
			return
		}
		var use string
		for _, w := range kvalidation.GetWarningsForIP(nil, s) {
			if strings.Contains(w, "is invalid: use") {
				use = quoted("use", w)
			}
		}
		if write := quoted("write", problem); write != use {
			t.Fatalf("StrictIPProblem(%q) = %q; GetWarningsForIP suggests %q", s, problem, use)
		}
	})
}

// FuzzParseCIDRSloppy holds ParseCIDRSloppy to netutils.ParseCIDRSloppy
// (k8s.io/utils/net/parse.go, the fork of Go 1.16's net.ParseCIDR in
// internal/third_party/forked/golang/net/ip.go): the address as written,
// the prefix length and the family's length of the mask; and
// StrictCIDRProblem to the strict half of IsValidCIDRForLegacyField
// (parseCIDR in k8s.io/apimachinery/pkg/util/validation/ip.go), with the
// CIDRs it tells the user to write to the ones GetWarningsForCIDR
// suggests.
func FuzzParseCIDRSloppy(f *testing.F) {
	for _, s := range cidrSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCIDRSloppy(s)
		wantIP, wantNet, werr := netutils.ParseCIDRSloppy(s)
		if (err == nil) != (werr == nil) {
			t.Fatalf("ParseCIDRSloppy(%q) = %v, %v; netutils.ParseCIDRSloppy says %v, %v", s, got, err, wantNet, werr)
		}
		if err != nil {
			return
		}
		ones, bits := wantNet.Mask.Size()
		if got.Addr().As16() != [16]byte(wantIP.To16()) || got.Bits() != ones || got.Addr().BitLen() != bits ||
			got.Masked().Addr().As16() != [16]byte(wantNet.IP.To16()) {
			t.Fatalf("ParseCIDRSloppy(%q) = %v; netutils.ParseCIDRSloppy says %v, %v", s, got, wantIP, wantNet)
		}
		problem := StrictCIDRProblem(s, got)
		errs := kvalidation.IsValidCIDRForLegacyField(nil, s, true, nil)
		if (problem == "") != (len(errs) == 0) || len(errs) > 0 && !strings.HasPrefix(problem, errs[0].Detail) {
			t.Fatalf("StrictCIDRProblem(%q) = %q; IsValidCIDRForLegacyField says %v", s, problem, errs)
		}
		if problem == "" {
			return
		}
		var use, should string
		for _, w := range kvalidation.GetWarningsForCIDR(nil, s) {
			switch {
			case strings.Contains(w, "is invalid: use"):
				use = quoted("use", w)
			case strings.Contains(w, "is ambiguous"):
				should = quoted("should be", w)
			}
		}
		want := use
		if strings.Contains(problem, "bits set beyond") {
			want = should
		}
		if write := quoted("write", problem); write != want {
			t.Fatalf("StrictCIDRProblem(%q) = %q; GetWarningsForCIDR suggests %q", s, problem, want)
		}
	})
}

// FuzzNames holds the hand-written name checks of names.go to the
// regular expressions of k8s.io/apimachinery/pkg/util/validation
// (validation.go: IsDNS1123Label, IsDNS1035Label, IsDNS1123Subdomain,
// IsValidPortName) and pkg/api/validate/content (kube.go: IsLabelKey,
// which IsQualifiedName is, and IsLabelValue, which IsValidLabelValue
// is).
func FuzzNames(f *testing.F) {
	for _, s := range []string{
		"", "a", "A", "0", "-", ".", "_", "a-b", "a--b", "-a", "a-", "a.b", "a..b", ".a", "a.", "a_b", "_a", "a_",
		"Abc", "abC", "1abc", "abc1", "a/b", "/b", "a/", "a/b/c", "example.com/Name", "Example.com/name",
		"example.com/na_me.x", "exa_mple.com/x", "a b", "a@b", "ä", "kubernetes.io/metadata.name", "a\n", "a\x00",
		"\xff", "a\u212a", "http", "http-2", "h2c", "1http", "http-", "-http", "ht--tp", "123", "a1",
		"abcdefghijklmno", "abcdefghijklmnop", "dns-tcp", "HTTP", "१२३", "a.-b", "a-.b",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 126) + "ab",
		strings.Repeat("b", 253) + "/x", strings.Repeat("b", 254) + "/x", "x/" + strings.Repeat("c", 64),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			fast bool
			msgs []string
		}{
			{"DNS1123Label", DNS1123Label(s), kvalidation.IsDNS1123Label(s)},
			{"DNS1035Label", DNS1035Label(s), kvalidation.IsDNS1035Label(s)},
			{"DNS1123Subdomain", DNS1123Subdomain(s), kvalidation.IsDNS1123Subdomain(s)},
			{"LabelKey", LabelKey(s), content.IsLabelKey(s)},
			{"LabelValue", LabelValue(s), content.IsLabelValue(s)},
			{"PortName", PortName(s), kvalidation.IsValidPortName(s)},
		} {
			if c.fast != (len(c.msgs) == 0) {
				t.Errorf("%s(%q) = %v, apimachinery says %q", c.name, s, c.fast, c.msgs)
			}
		}
	})
}
