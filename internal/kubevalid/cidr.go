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
