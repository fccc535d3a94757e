package netpol

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// FuzzCIDRPartition parses two CIDRs (the second an exception of the
// first) as a NetworkPolicy's ipBlock has them, and checks the partition of
// 0.0.0.0/0 they induce: the ranges are disjoint, ordered, cover every
// address, and each lies wholly inside or wholly outside the block, as the
// reach output relies on. What ParseCIDR reads, ParseLegacyCIDR reads
// alike: it only reads more.
func FuzzCIDRPartition(f *testing.F) {
	for _, s := range [][2]string{
		{"10.0.0.0/8", "10.1.0.0/16"}, {"0.0.0.0/0", "192.168.0.0/16"},
		{"1.2.3.4/32", "1.2.3.4/32"}, {"255.255.255.255/32", "0.0.0.0/32"},
		{"::/0", "10.0.0.0/8"}, {"10.0.0.0/33", "x"}, {"172.16.0.0/12", "172.16.0.0/12"},
		{"010.0.0.0/08", "010.001.0.0/16"}, {"0256.0.0.0/8", "10.0.0.0/8"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, cidr, except string) {
		r, v6, err := ParseLegacyCIDR(cidr)
		if sr, sv6, serr := ParseCIDR(cidr); serr == nil && (err != nil || sr != r || sv6 != v6) {
			t.Fatalf("ParseLegacyCIDR(%q) = %v, %v, %v; ParseCIDR read %v, %v", cidr, r, v6, err, sr, sv6)
		}
		if err != nil || v6 {
			return
		}
		if r.First > r.Last {
			t.Fatalf("ParseLegacyCIDR(%q) = %v: empty range", cidr, r)
		}
		b := ipBlock{cidr: r}
		if e, v6, err := ParseLegacyCIDR(except); err == nil && !v6 {
			b.except = append(b.except, e)
		}
		parts := partition([]ipBlock{b}, AllIPs)
		if len(parts) == 0 || parts[0].First != 0 || parts[len(parts)-1].Last != AllIPs.Last {
			t.Fatalf("partition does not span 0.0.0.0/0: %v", parts)
		}
		for i, p := range parts {
			if p.First > p.Last {
				t.Fatalf("empty range %v in %v", p, parts)
			}
			if i > 0 && parts[i-1].Last+1 != p.First {
				t.Fatalf("ranges %v and %v are not adjacent", parts[i-1], p)
			}
			in := b.containsRange(p)
			// Every address of the range must agree with the range.
			for _, a := range []uint32{p.First, p.Last, p.First + (p.Last-p.First)/2} {
				if got := b.containsRange(IPRange{a, a}); got != in {
					var ip [4]byte
					binary.BigEndian.PutUint32(ip[:], a)
					t.Fatalf("range %v is split by the block %v: %v in=%v, whole in=%v", p, b, ip, got, in)
				}
			}
		}
	})
}

// FuzzCIDRPartition6 is FuzzCIDRPartition for IPv6 blocks and ::/0, which
// only IPv6 blocks cut, with ParseLegacyCIDR6: the ranges are ordered, adjacent, cover ::/0, and
// each lies wholly inside or wholly outside the block.
func FuzzCIDRPartition6(f *testing.F) {
	for _, s := range [][2]string{
		{"2001:db8::/32", "2001:db8:1::/48"}, {"::/0", "fd00::/8"},
		{"::1/128", "::1/128"}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128"},
		{"10.0.0.0/8", "::/0"}, {"2001:db8::/129", "x"}, {"::ffff:10.0.0.0/104", "::ffff:10.1.0.0/112"},
		{"02001:db8::/032", "2001:db8:00001::/48"}, {"::ffff:010.0.0.0/104", "::ffff:10.1.0.0/112"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, cidr, except string) {
		r, err := ParseLegacyCIDR6(cidr)
		if sr, serr := ParseCIDR6(cidr); serr == nil && (err != nil || sr != r) {
			t.Fatalf("ParseLegacyCIDR6(%q) = %v, %v; ParseCIDR6 read %v", cidr, r, err, sr)
		}
		if err != nil {
			return
		}
		if r.First.Compare(r.Last) > 0 {
			t.Fatalf("ParseLegacyCIDR6(%q) = %v: empty range", cidr, r)
		}
		b := ipBlock{v6: true, cidr6: r}
		if e, err := ParseLegacyCIDR6(except); err == nil {
			b.except6 = append(b.except6, e)
		}
		parts := partition6([]ipBlock{b}, AllIPv6)
		if len(parts) == 0 || parts[0].First != AllIPv6.First || parts[len(parts)-1].Last != AllIPv6.Last {
			t.Fatalf("partition does not span ::/0: %v", parts)
		}
		for i, p := range parts {
			if p.First.Compare(p.Last) > 0 {
				t.Fatalf("empty range %v in %v", p, parts)
			}
			if i > 0 && parts[i-1].Last.Next() != p.First {
				t.Fatalf("ranges %v and %v are not adjacent", parts[i-1], p)
			}
			in := b.containsRange6(p)
			probes := []netip.Addr{p.First, p.Last}
			if p.First != p.Last {
				probes = append(probes, p.First.Next(), p.Last.Prev())
			}
			for _, a := range probes {
				if got := b.containsRange6(IPv6Range{a, a}); got != in {
					t.Fatalf("range %v is split by the block %v: %v in=%v, whole in=%v", p, b, a, got, in)
				}
			}
		}
	})
}

// TestParseLegacyCIDR: a NetworkPolicy's ipBlock is read as the API server
// reads it, leading zeros as decimal; an admin policy's network as its
// schema's isCIDR does, which refuses them.
func TestParseLegacyCIDR(t *testing.T) {
	r, v6, err := ParseLegacyCIDR("010.020.0.0/016")
	if err != nil || v6 || r.String() != "10.20.0.0-10.20.255.255" {
		t.Errorf("ParseLegacyCIDR = %v, %v, %v", r, v6, err)
	}
	if _, _, err := ParseCIDR("010.020.0.0/16"); err == nil {
		t.Error("ParseCIDR read leading zeros")
	}
	r6, err := ParseLegacyCIDR6("02001:db8::/32")
	if err != nil || r6.Short() != "2001:db8::/32" {
		t.Errorf("ParseLegacyCIDR6 = %v, %v", r6, err)
	}
}

// TestParseLegacyExcept4: an IPv4-mapped except of an IPv4 cidr, which the
// API server accepts before 1.36, excepts the IPv4 addresses it maps.
func TestParseLegacyExcept4(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"10.2.0.0/16", "10.2.0.0-10.2.255.255", true},
		{"::ffff:10.2.0.0/112", "10.2.0.0-10.2.255.255", true},
		{"::ffff:a02:0/112", "10.2.0.0-10.2.255.255", true},
		{"010.2.0.0/16", "10.2.0.0-10.2.255.255", true},
		{"2001:db8::/32", "", false},
		{"not a cidr", "", false},
	} {
		r, ok := ParseLegacyExcept4(c.in)
		if ok != c.ok || ok && r.String() != c.want {
			t.Errorf("ParseLegacyExcept4(%q) = %v, %v; want %s, %v", c.in, r, ok, c.want, c.ok)
		}
	}
}
