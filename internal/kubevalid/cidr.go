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

// ParseIPSloppy reads an IP address as netutils.ParseIPSloppy does, the
// parse of IsValidIPForLegacyField and of the legacy IP fields (a Service's
// clusterIP and externalIPs, a pod's hostAliases): the fork's, as
// ParseCIDRSloppy's address part.
func ParseIPSloppy(s string) (netip.Addr, bool) {
	if a, ok := sloppyIPv4(s); ok {
		return a, true
	}
	return sloppyIPv6(s)
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

// strictSubset reports whether except passes ValidateIPBlock's test of
// an except entry against the cidr, as the net package makes it:
// cidrIPNet.Contains(exceptCIDR.IP), both masked, and a longer prefix
// length as written. Contains reads an IPv4-mapped address as IPv4, so a
// mapped except inside an IPv4 cidr passes (::ffff:10.2.0.0/112 inside
// 10.0.0.0/8, whose lengths are compared as 112 and 8), and so does a
// mapped cidr's (bits 96 and over) IPv4 except whose length is longer;
// before StrictIPCIDRValidation nothing else refuses them.
func strictSubset(cidr, except netip.Prefix) bool {
	return except.Bits() > cidr.Bits() && ipNetContains(cidr.Masked(), except.Masked().Addr())
}

// ipNetContains is net.IPNet.Contains for a masked prefix: an IPv4 or
// IPv4-mapped network holds the IPv4 and IPv4-mapped addresses in its
// last 32 bits, an IPv6 one the other IPv6 addresses in it.
func ipNetContains(n netip.Prefix, a netip.Addr) bool {
	if n.Addr().Is4In6() {
		// Masked and mapped, so at least 96 bits long.
		n = netip.PrefixFrom(n.Addr().Unmap(), n.Bits()-96)
	}
	a = a.Unmap()
	return n.Addr().Is4() == a.Is4() && n.Contains(a)
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
		why += fmt.Sprintf(": write %q", canonicalPrefix(p))
	case strict.Addr().Is4In6():
		why = "must not have an IPv4-mapped IPv6 address"
		why += fmt.Sprintf(": write %q", canonicalPrefix(p))
	case strict.Addr() != strict.Masked().Addr():
		why = fmt.Sprintf("must not have bits set beyond the prefix length: write %q, or %q for the one address",
			strict.Masked(), netip.PrefixFrom(strict.Addr(), strict.Addr().BitLen()))
	default:
		return ""
	}
	return why + " (refused since Kubernetes " + StrictSince + ": StrictIPCIDRValidation)"
}

// canonicalPrefix is the form of p that strict validation accepts, as
// GetWarningsForCIDR suggests it (the net.IPNet's String): masked, and an
// IPv4-mapped prefix of 96 bits or more as IPv4. A shorter mapped prefix
// is no longer mapped once masked (::ffff:10.0.0.0/64 is ::/64).
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
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
