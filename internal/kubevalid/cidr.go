package kubevalid

import (
	"fmt"
	"net/netip"
	"strings"
)

// big is the bound of the fork's dtoi and xtoi: a number that reaches it
// does not parse.
const big = 0xFFFFFF

// ParseCIDRSloppy reads a CIDR as the API server reads a NetworkPolicy
// ipBlock's cidr and except entries, legacy fields: IsValidCIDRForLegacyField
// (k8s.io/apimachinery/pkg/util/validation/ip.go) and ValidateIPBlock parse
// them with netutils.ParseCIDRSloppy (k8s.io/utils/net), a fork of Go
// 1.16's net.ParseCIDR kept so that objects stored before Go 1.17 still
// validate. It allows leading zeros in IPv4 octets and in the prefix
// length, and reads them as decimal ("010.0.0.0/8" is 10.0.0.0/8, not
// octal), and IPv6 groups of more than four hex digits whose value fits.
// Only the StrictIPCIDRValidation feature gate refuses them. The address
// is returned as written, host bits included.
func ParseCIDRSloppy(s string) (netip.Prefix, error) {
	addr, bits, found := strings.Cut(s, "/")
	if !found {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: no prefix length", s)
	}
	a, ok := sloppyIPv4(addr)
	if !ok {
		a, ok = sloppyIPv6(addr)
	}
	if !ok {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: %q is not an IP address", s, addr)
	}
	n, ok := decimal(bits)
	if !ok || n > a.BitLen() {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: bad prefix length %q", s, bits)
	}
	return netip.PrefixFrom(a, n), nil
}

// decimal is the fork's dtoi over the whole of s: at least one digit, and
// nothing else.
func decimal(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n = n*10 + int(c-'0'); n >= big {
			return 0, false
		}
	}
	return n, true
}

// sloppyIPv4 is the fork's parseIPv4: four decimal octets, each of any
// number of digits.
func sloppyIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	for i := range b {
		part := s
		if i < 3 {
			var found bool
			if part, s, found = strings.Cut(s, "."); !found {
				return netip.Addr{}, false
			}
		}
		n, ok := decimal(part)
		if !ok || n > 0xFF {
			return netip.Addr{}, false
		}
		b[i] = byte(n) //nolint:gosec // G115: at most 0xFF, checked above
	}
	return netip.AddrFrom4(b), true
}

// sloppyIPv6 is the fork's parseIPv6: what netip reads, but for groups of
// more than four hex digits whose value fits and a trailing IPv4 part
// read as sloppyIPv4 does. It writes the groups without their leading
// zeros for netip to read; the fork knows no zone, and refuses one.
func sloppyIPv6(s string) (netip.Addr, bool) {
	if !strings.Contains(s, ":") || strings.Contains(s, "%") {
		return netip.Addr{}, false
	}
	groups := strings.Split(s, ":")
	if last := groups[len(groups)-1]; strings.Contains(last, ".") {
		v4, ok := sloppyIPv4(last)
		if !ok {
			return netip.Addr{}, false
		}
		groups[len(groups)-1] = v4.String()
	}
	for i, g := range groups {
		if g == "" || strings.Contains(g, ".") {
			continue
		}
		t := strings.TrimLeft(g, "0")
		if t == "" {
			t = "0"
		}
		groups[i] = t
	}
	a, err := netip.ParseAddr(strings.Join(groups, ":"))
	return a, err == nil && a.Is6()
}

// strictSubset reports whether except is a strict subset of cidr, as
// ValidateIPBlock wants of each except entry: of the same family, with a
// longer prefix, and inside it once both are masked.
func strictSubset(cidr, except netip.Prefix) bool {
	return except.Addr().Is4() == cidr.Addr().Is4() && except.Bits() > cidr.Bits() && cidr.Masked().Contains(except.Masked().Addr())
}

// StrictCIDRProblem says what the StrictIPCIDRValidation feature gate adds
// to IsValidCIDRForLegacyField (apimachinery's parseCIDR) for s, a CIDR
// that ParseCIDRSloppy reads as p: the API server's own words, then the
// value to write instead when there is one. It returns "" when the gate
// changes nothing. The gate is on by default since Kubernetes 1.36, which
// the message says, for a user of an older release to set
// kubernetes.version.
func StrictCIDRProblem(s string, p netip.Prefix) string {
	var why string
	switch strict, err := netip.ParsePrefix(s); {
	case err != nil:
		// What the fork reads and netip does not: leading zeros, or an
		// IPv6 group of more than four digits.
		why = "must not have leading 0s in IP or prefix length"
		if c, ok := canonicalPrefix(p); ok {
			why += fmt.Sprintf(": write %q", c)
		}
	case strict.Addr().Is4In6():
		why = "must not have an IPv4-mapped IPv6 address"
		if c, ok := canonicalPrefix(p); ok {
			why += fmt.Sprintf(": write %q", c)
		}
	case strict.Addr() != strict.Masked().Addr():
		why = fmt.Sprintf("must not have bits set beyond the prefix length: write %q, or %q for the one address",
			strict.Masked(), netip.PrefixFrom(strict.Addr(), strict.Addr().BitLen()))
	default:
		return ""
	}
	return why + " (refused since Kubernetes " + StrictSince + ": StrictIPCIDRValidation)"
}

// canonicalPrefix is the form of p that strict validation accepts, as
// GetWarningsForCIDR suggests it: masked, and an IPv4-mapped prefix as
// IPv4.
func canonicalPrefix(p netip.Prefix) (netip.Prefix, bool) {
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, false
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

// StrictIPProblem says what StrictIPCIDRValidation adds to
// IsValidIPForLegacyField (apimachinery's parseIP) for s, an address that
// the legacy parser reads as a: the API server's words, with the address
// to write, or "" when the gate changes nothing.
func StrictIPProblem(s string, a netip.Addr) string {
	var why string
	switch strict, err := netip.ParseAddr(s); {
	case err != nil:
		why = fmt.Sprintf("must not have leading 0s: write %q", a.Unmap())
	case strict.Is4In6():
		why = fmt.Sprintf("must not be an IPv4-mapped IPv6 address: write %q", strict.Unmap())
	default:
		return ""
	}
	return why + " (refused since Kubernetes " + StrictSince + ": StrictIPCIDRValidation)"
}
