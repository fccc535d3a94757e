package netpol

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"sort"
	"strconv"
)

// IPRange is an inclusive range of IPv4 addresses.
type IPRange struct {
	First, Last uint32
}

// AllIPs is 0.0.0.0/0.
var AllIPs = IPRange{0, 1<<32 - 1}

// ParseCIDR reads an IPv4 CIDR. IPv6 CIDRs are reported with ok6 true:
// meshlint models IPv4 only, as np-guard does.
func ParseCIDR(s string) (r IPRange, ok6 bool, err error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return IPRange{}, false, fmt.Errorf("invalid CIDR %q", s)
	}
	if !p.Addr().Is4() {
		return IPRange{}, true, nil
	}
	a := p.Masked().Addr().As4()
	first := binary.BigEndian.Uint32(a[:])
	return IPRange{first, first | ^uint32(0)>>p.Bits()}, false, nil
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

// ipBlock is an ipBlock peer or an admin policy network: a CIDR minus
// its exceptions.
type ipBlock struct {
	cidr   IPRange
	except []IPRange
}

// containsRange reports whether every address of r is in the block.
func (b ipBlock) containsRange(r IPRange) bool {
	if !b.cidr.Contains(r) {
		return false
	}
	for _, e := range b.except {
		if e.Overlaps(r) {
			return false
		}
	}
	return true
}

// partition cuts span into the ranges between consecutive boundaries of
// the blocks' CIDRs and exceptions: the coarsest partition in which every
// range lies wholly inside or wholly outside each block.
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
