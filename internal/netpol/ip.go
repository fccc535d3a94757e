package netpol

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"sort"
	"strconv"

	"github.com/meshlint/meshlint/internal/kubevalid"
)

// IPRange is an inclusive range of IPv4 addresses.
type IPRange struct {
	First, Last uint32
}

// AllIPs is 0.0.0.0/0.
var AllIPs = IPRange{0, 1<<32 - 1}

// ParseCIDR reads an IPv4 CIDR. IPv6 CIDRs are reported with ok6 true,
// for ParseCIDR6: the families are apart, an IPRange holds IPv4 only.
func ParseCIDR(s string) (r IPRange, ok6 bool, err error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return IPRange{}, false, fmt.Errorf("invalid CIDR %q", s)
	}
	r, ok6 = rangeOf(p)
	return r, ok6, nil
}

// ParseLegacyCIDR is ParseCIDR for a NetworkPolicy ipBlock's cidr and
// except entries, which the API server reads as legacy fields
// (kubevalid.ParseCIDRSloppy): leading zeros in IPv4 octets and in the
// prefix length are allowed and read as decimal, so "010.0.0.0/08" is
// 10.0.0.0/8. The admin policies' networks are not legacy fields: their
// schemas' isCIDR refuses such zeros, and ParseCIDR with them.
func ParseLegacyCIDR(s string) (r IPRange, ok6 bool, err error) {
	p, err := kubevalid.ParseCIDRSloppy(s)
	if err != nil {
		return IPRange{}, false, err
	}
	r, ok6 = rangeOf(p)
	return r, ok6, nil
}

// ParseLegacyExcept4 is ParseLegacyCIDR for an except entry of an IPv4
// cidr. Before Kubernetes 1.36 (StrictIPCIDRValidation) the API server
// accepts an IPv4-mapped IPv6 except there (::ffff:10.2.0.0/112), since
// net.IPNet.Contains reads the mapped address as IPv4: it excepts the
// IPv4 addresses it maps, 10.2.0.0/16. ok is false for an entry that names
// no IPv4 range.
func ParseLegacyExcept4(s string) (r IPRange, ok bool) {
	p, err := kubevalid.ParseCIDRSloppy(s)
	if err != nil {
		return IPRange{}, false
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	r, v6 := rangeOf(p)
	return r, !v6
}

// rangeOf is the IPv4 range of p, or ok6 for an IPv6 prefix.
func rangeOf(p netip.Prefix) (r IPRange, ok6 bool) {
	if !p.Addr().Is4() {
		return IPRange{}, true
	}
	a := p.Masked().Addr().As4()
	first := binary.BigEndian.Uint32(a[:])
	return IPRange{first, first | ^uint32(0)>>p.Bits()}, false
}

// Contains reports whether r holds every address of o.
func (r IPRange) Contains(o IPRange) bool { return r.First <= o.First && o.Last <= r.Last }

// Overlaps reports whether r and o share an address.
func (r IPRange) Overlaps(o IPRange) bool { return r.First <= o.Last && o.First <= r.Last }

// String writes the range as np-guard does: "first-last".
func (r IPRange) String() string { return ipString(r.First) + "-" + ipString(r.Last) }

// Short writes the range as people write it: an address alone, a CIDR
// when the range is one, else "first-last".
func (r IPRange) Short() string {
	if r.First == r.Last {
		return ipString(r.First)
	}
	size := uint64(r.Last) - uint64(r.First) + 1
	if size&(size-1) == 0 && uint64(r.First)%size == 0 {
		return ipString(r.First) + "/" + strconv.Itoa(32-bits.TrailingZeros64(size))
	}
	return r.String()
}

func ipString(a uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b).String()
}

// IPv6Range is an inclusive range of IPv6 addresses. The address
// families are apart: an IPv6 block neither holds nor excludes an IPv4
// address, so what an IPv6 rule allows or denies never reaches IPv4
// traffic, and the other way round.
type IPv6Range struct {
	First, Last netip.Addr
}

// AllIPv6 is ::/0.
var AllIPv6 = IPv6Range{netip.IPv6Unspecified(), netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}

// ParseCIDR6 reads an IPv6 CIDR. An IPv4-mapped prefix (::ffff:10.0.0.0/104)
// is an IPv6 one: the admin policy API rejects it, and a NetworkPolicy's
// ipBlock names it as written.
func ParseCIDR6(s string) (IPv6Range, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return IPv6Range{}, fmt.Errorf("invalid CIDR %q", s)
	}
	return range6Of(s, p)
}

// ParseLegacyCIDR6 is ParseCIDR6 for a NetworkPolicy ipBlock, read as
// ParseLegacyCIDR reads one: an IPv6 group may have leading zeros past
// four hex digits, and an IPv4-mapped address's IPv4 part leading zeros.
func ParseLegacyCIDR6(s string) (IPv6Range, error) {
	p, err := kubevalid.ParseCIDRSloppy(s)
	if err != nil {
		return IPv6Range{}, err
	}
	return range6Of(s, p)
}

// range6Of is the range of p, the IPv6 prefix s.
func range6Of(s string, p netip.Prefix) (IPv6Range, error) {
	if p.Addr().Is4() {
		return IPv6Range{}, fmt.Errorf("CIDR %q is not IPv6", s)
	}
	p = p.Masked()
	return IPv6Range{p.Addr(), lastOf(p)}, nil
}

// lastOf returns the last address of an IPv6 prefix: its host bits set.
func lastOf(p netip.Prefix) netip.Addr {
	a := p.Addr().As16()
	for i, n := 0, p.Bits(); i < 16; i++ {
		switch {
		case n >= (i+1)*8:
		case n <= i*8:
			a[i] = 0xff
		default:
			a[i] |= 0xff >> (n - i*8)
		}
	}
	return netip.AddrFrom16(a)
}

// Contains reports whether r holds every address of o.
func (r IPv6Range) Contains(o IPv6Range) bool {
	return r.First.Compare(o.First) <= 0 && o.Last.Compare(r.Last) <= 0
}

// Overlaps reports whether r and o share an address.
func (r IPv6Range) Overlaps(o IPv6Range) bool {
	return r.First.Compare(o.Last) <= 0 && o.First.Compare(r.Last) <= 0
}

// String writes the range as IPRange.String does: "first-last".
func (r IPv6Range) String() string { return r.First.String() + "-" + r.Last.String() }

// Short writes the range as people write it: an address alone, a CIDR
// when the range is one, else "first-last".
func (r IPv6Range) Short() string {
	if r.First == r.Last {
		return r.First.String()
	}
	for n := 0; n < 128; n++ {
		if p := netip.PrefixFrom(r.First, n); p.Masked().Addr() == r.First && lastOf(p) == r.Last {
			return p.String()
		}
	}
	return r.String()
}

// ipBlock is an ipBlock peer or an admin policy network: a CIDR minus
// its exceptions, of one address family. An IPv6 block (v6) is cidr6
// minus except6; cidr and except are then unset.
type ipBlock struct {
	cidr   IPRange
	except []IPRange

	v6      bool
	cidr6   IPv6Range
	except6 []IPv6Range
}

// containsRange reports whether every address of r is in the block. An
// IPv6 block holds no IPv4 address.
func (b ipBlock) containsRange(r IPRange) bool {
	if b.v6 || !b.cidr.Contains(r) {
		return false
	}
	for _, e := range b.except {
		if e.Overlaps(r) {
			return false
		}
	}
	return true
}

// containsRange6 reports whether every address of r is in the block. An
// IPv4 block holds no IPv6 address.
func (b ipBlock) containsRange6(r IPv6Range) bool {
	if !b.v6 || !b.cidr6.Contains(r) {
		return false
	}
	for _, e := range b.except6 {
		if e.Overlaps(r) {
			return false
		}
	}
	return true
}

// partition cuts span into the ranges between consecutive boundaries of
// the blocks' CIDRs and exceptions: the coarsest partition in which every
// range lies wholly inside or wholly outside each block. IPv6 blocks do
// not cut an IPv4 span.
func partition(blocks []ipBlock, span IPRange) []IPRange {
	// starts holds the first address of every range of the partition.
	starts := []uint32{span.First}
	add := func(r IPRange) {
		if r.First > span.First && r.First <= span.Last {
			starts = append(starts, r.First)
		}
		if r.Last >= span.First && r.Last < span.Last {
			starts = append(starts, r.Last+1)
		}
	}
	for _, b := range blocks {
		if b.v6 {
			continue
		}
		add(b.cidr)
		for _, e := range b.except {
			add(e)
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	out := make([]IPRange, 0, len(starts))
	for i, f := range starts {
		if i > 0 && f == starts[i-1] {
			continue
		}
		out = append(out, IPRange{First: f, Last: span.Last})
		if n := len(out); n > 1 {
			out[n-2].Last = f - 1
		}
	}
	return out
}

// partition6 is partition for an IPv6 span, which only IPv6 blocks cut.
func partition6(blocks []ipBlock, span IPv6Range) []IPv6Range {
	starts := []netip.Addr{span.First}
	add := func(r IPv6Range) {
		if r.First.Compare(span.First) > 0 && r.First.Compare(span.Last) <= 0 {
			starts = append(starts, r.First)
		}
		if r.Last.Compare(span.First) >= 0 && r.Last.Compare(span.Last) < 0 {
			starts = append(starts, r.Last.Next())
		}
	}
	for _, b := range blocks {
		if !b.v6 {
			continue
		}
		add(b.cidr6)
		for _, e := range b.except6 {
			add(e)
		}
	}
	slices.SortFunc(starts, netip.Addr.Compare)
	starts = slices.Compact(starts)
	out := make([]IPv6Range, len(starts))
	for i, f := range starts {
		out[i] = IPv6Range{First: f, Last: span.Last}
		if i > 0 {
			out[i-1].Last = f.Prev()
		}
	}
	return out
}
