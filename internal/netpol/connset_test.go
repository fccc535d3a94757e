package netpol

import (
	"math/rand/v2"
	"testing"
)

func TestSetString(t *testing.T) {
	for _, tc := range []struct {
		set  Set
		want string
	}{
		{None(), "No Connections"},
		{All(), "All Connections"},
		{Port(TCP, 8000).Union(Port(TCP, 8090)), "TCP 8000,8090"},
		{Ports(TCP, 10053, 10054).Union(Port(UDP, 10053)), "TCP 10053-10054,UDP 10053"},
		{AllPorts(TCP), "TCP 1-65535"},
		{AllPorts(UDP).Union(Port(SCTP, 3868)).Union(Port(TCP, 53)), "SCTP 3868,TCP 53,UDP 1-65535"},
		{All().Subtract(Port(TCP, 22)), "SCTP 1-65535,TCP 1-21,23-65535,UDP 1-65535"},
		{Port(TCP, 80).Union(Port(TCP, 81)).Union(Port(TCP, 79)), "TCP 79-81"},
		{Ports(TCP, 0, 70000), "TCP 1-65535"},
		{Ports(TCP, 90, 80), "No Connections"},
	} {
		if got := tc.set.String(); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.set.p, got, tc.want)
		}
	}
}

// TestSetAlgebra checks union, intersection and subtraction against a
// bitmap over a small port range.
func TestSetAlgebra(t *testing.T) {
	const top = 40
	rnd := rand.New(rand.NewPCG(1, 2))
	random := func() (Set, [numProtocols][top + 1]bool) {
		var s Set
		var bits [numProtocols][top + 1]bool
		for range rnd.IntN(5) {
			proto := Protocols[rnd.IntN(3)]
			lo := 1 + rnd.IntN(top)
			hi := lo + rnd.IntN(6)
			if hi > top {
				hi = top
			}
			s = s.Union(Ports(proto, lo, hi))
			for p := lo; p <= hi; p++ {
				bits[proto][p] = true
			}
		}
		return s, bits
	}
	check := func(op string, got Set, want func(proto Protocol, p int) bool) {
		t.Helper()
		for _, proto := range Protocols {
			for p := 1; p <= top; p++ {
				if got.Contains(proto, p) != want(proto, p) {
					t.Fatalf("%s: %s %d: got %v (%s)", op, proto, p, got.Contains(proto, p), got)
				}
			}
			// Canonical form: sorted, disjoint and not adjacent.
			rs := got.Ranges(proto)
			for i := 1; i < len(rs); i++ {
				if rs[i].Lo <= rs[i-1].Hi+1 {
					t.Fatalf("%s: not canonical: %v", op, rs)
				}
			}
		}
	}
	for range 2000 {
		a, ab := random()
		b, bb := random()
		check("union", a.Union(b), func(pr Protocol, p int) bool { return ab[pr][p] || bb[pr][p] })
		check("intersect", a.Intersect(b), func(pr Protocol, p int) bool { return ab[pr][p] && bb[pr][p] })
		check("subtract", a.Subtract(b), func(pr Protocol, p int) bool { return ab[pr][p] && !bb[pr][p] })
		if !a.Union(b).ContainsSet(a) || !a.ContainsSet(a.Intersect(b)) {
			t.Fatal("containment")
		}
		if a.Union(b).Equal(b.Union(a)) != true {
			t.Fatal("union not commutative")
		}
	}
	if !All().Subtract(None()).IsAll() || !All().Subtract(All()).IsEmpty() || !None().IsEmpty() {
		t.Error("All/None")
	}
}

func TestPartition(t *testing.T) {
	mustCIDR := func(s string) IPRange {
		r, _, err := ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	blocks := []ipBlock{
		{cidr: mustCIDR("10.0.0.0/8"), except: []IPRange{mustCIDR("10.1.0.0/16")}},
		{cidr: mustCIDR("10.1.2.0/24")},
	}
	var got []string
	for _, r := range partition(blocks, AllIPs) {
		got = append(got, r.String())
	}
	want := []string{
		"0.0.0.0-9.255.255.255", "10.0.0.0-10.0.255.255", "10.1.0.0-10.1.1.255",
		"10.1.2.0-10.1.2.255", "10.1.3.0-10.1.255.255", "10.2.0.0-10.255.255.255",
		"11.0.0.0-255.255.255.255",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("range %d: got %s, want %s", i, got[i], want[i])
		}
	}
	if !blocks[0].containsRange(mustCIDR("10.0.0.0/16")) || blocks[0].containsRange(mustCIDR("10.1.5.0/24")) ||
		blocks[0].containsRange(mustCIDR("10.0.0.0/8")) {
		t.Error("containsRange")
	}
	if r, v6, err := ParseCIDR("fd00::/8"); err != nil || !v6 || r != (IPRange{}) {
		t.Errorf("IPv6: %v %v %v", r, v6, err)
	}
	if _, _, err := ParseCIDR("10.0.0.0/33"); err == nil {
		t.Error("bad CIDR accepted")
	}
	if r, _, _ := ParseCIDR("10.0.0.7/24"); r.String() != "10.0.0.0-10.0.0.255" {
		t.Errorf("unmasked CIDR: %s", r)
	}
	if got := partition(nil, AllIPs); len(got) != 1 || got[0] != AllIPs {
		t.Errorf("empty partition: %v", got)
	}
}
