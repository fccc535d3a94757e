package netpol

import (
	"strconv"
	"strings"
)

// Protocol is a transport protocol that network policies filter.
type Protocol uint8

// The protocols of networking.k8s.io/v1 NetworkPolicy, in output order.
const (
	SCTP Protocol = iota
	TCP
	UDP
	numProtocols
)

// Protocols lists every protocol, in output order.
var Protocols = [numProtocols]Protocol{SCTP, TCP, UDP}

func (p Protocol) String() string {
	switch p {
	case SCTP:
		return "SCTP"
	case TCP:
		return "TCP"
	case UDP:
		return "UDP"
	}
	return "Protocol(" + strconv.Itoa(int(p)) + ")"
}

// ParseProtocol reads a protocol field; empty means TCP, as the API
// defaults a protocol left out. Where the field is a pointer, as in a
// NetworkPolicy port, an explicit "" is no protocol, which the API server
// refuses: the graph leaves such a policy out, so callers see no "".
func ParseProtocol(s string) (Protocol, bool) {
	switch s {
	case "", "TCP":
		return TCP, true
	case "UDP":
		return UDP, true
	case "SCTP":
		return SCTP, true
	}
	return TCP, false
}

// MinPort and MaxPort bound every port range.
const (
	MinPort = 1
	MaxPort = 65535
)

// PortRange is an inclusive range of ports.
type PortRange struct {
	Lo, Hi int
}

// Set is a set of connections: for each protocol, a set of ports. The
// zero Set is empty. Sets are values: operations return new sets and never
// change their operands.
type Set struct {
	// p holds, per protocol, sorted, disjoint, non-adjacent ranges.
	p [numProtocols][]PortRange
}

var fullRange = []PortRange{{MinPort, MaxPort}}

// None returns the empty set.
func None() Set { return Set{} }

// All returns every port of every protocol.
func All() Set {
	var s Set
	for i := range s.p {
		s.p[i] = fullRange
	}
	return s
}

// AllPorts returns every port of one protocol.
func AllPorts(proto Protocol) Set {
	var s Set
	s.p[proto] = fullRange
	return s
}

// Ports returns ports lo to hi (inclusive) of one protocol, clipped to
// 1–65535; an empty range gives the empty set.
func Ports(proto Protocol, lo, hi int) Set {
	lo, hi = max(lo, MinPort), min(hi, MaxPort)
	var s Set
	if lo <= hi {
		s.p[proto] = []PortRange{{lo, hi}}
	}
	return s
}

// Port returns a single port of one protocol.
func Port(proto Protocol, port int) Set { return Ports(proto, port, port) }

// IsEmpty reports whether the set holds no connection.
func (s Set) IsEmpty() bool {
	for _, r := range s.p {
		if len(r) > 0 {
			return false
		}
	}
	return true
}

// IsAll reports whether the set holds every port of every protocol.
func (s Set) IsAll() bool {
	for _, r := range s.p {
		if !isFull(r) {
			return false
		}
	}
	return true
}

func isFull(r []PortRange) bool {
	return len(r) == 1 && r[0].Lo == MinPort && r[0].Hi == MaxPort
}

// Ranges returns the port ranges of one protocol, sorted. The slice must
// not be changed.
func (s Set) Ranges(proto Protocol) []PortRange { return s.p[proto] }

// Contains reports whether the set holds the port of the protocol.
func (s Set) Contains(proto Protocol, port int) bool {
	for _, r := range s.p[proto] {
		if port < r.Lo {
			return false
		}
		if port <= r.Hi {
			return true
		}
	}
	return false
}

// ContainsSet reports whether every connection of t is in s.
func (s Set) ContainsSet(t Set) bool { return t.Subtract(s).IsEmpty() }

// Equal reports whether both sets hold the same connections.
func (s Set) Equal(t Set) bool {
	for i := range s.p {
		a, b := s.p[i], t.p[i]
		if len(a) != len(b) {
			return false
		}
		for j := range a {
			if a[j] != b[j] {
				return false
			}
		}
	}
	return true
}

// Union returns the connections in s or t.
func (s Set) Union(t Set) Set {
	var out Set
	for i := range s.p {
		out.p[i] = union(s.p[i], t.p[i])
	}
	return out
}

// Intersect returns the connections in both s and t.
func (s Set) Intersect(t Set) Set {
	var out Set
	for i := range s.p {
		out.p[i] = intersect(s.p[i], t.p[i])
	}
	return out
}

// Subtract returns the connections of s that are not in t.
func (s Set) Subtract(t Set) Set {
	var out Set
	for i := range s.p {
		out.p[i] = subtract(s.p[i], t.p[i])
	}
	return out
}

func union(a, b []PortRange) []PortRange {
	switch {
	case len(b) == 0 || isFull(a):
		return a
	case len(a) == 0 || isFull(b):
		return b
	}
	out := make([]PortRange, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var r PortRange
		if j >= len(b) || (i < len(a) && a[i].Lo <= b[j].Lo) {
			r, i = a[i], i+1
		} else {
			r, j = b[j], j+1
		}
		if n := len(out); n > 0 && r.Lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func intersect(a, b []PortRange) []PortRange {
	switch {
	case len(a) == 0 || len(b) == 0:
		return nil
	case isFull(a):
		return b
	case isFull(b):
		return a
	}
	var out []PortRange
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].Lo, b[j].Lo), min(a[i].Hi, b[j].Hi)
		if lo <= hi {
			out = append(out, PortRange{lo, hi})
		}
		if a[i].Hi < b[j].Hi {
			i++
		} else {
			j++
		}
	}
	return out
}

func subtract(a, b []PortRange) []PortRange {
	switch {
	case len(a) == 0 || isFull(b):
		return nil
	case len(b) == 0:
		return a
	}
	var out []PortRange
	j := 0
	for _, r := range a {
		lo := r.Lo
		for j < len(b) && b[j].Hi < lo {
			j++
		}
		for k := j; k < len(b) && b[k].Lo <= r.Hi; k++ {
			if b[k].Lo > lo {
				out = append(out, PortRange{lo, b[k].Lo - 1})
			}
			lo = b[k].Hi + 1
		}
		if lo <= r.Hi {
			out = append(out, PortRange{lo, r.Hi})
		}
	}
	return out
}

// AllConnections is how np-guard's connlist writes the full set.
const AllConnections = "All Connections"

// NoConnections is how np-guard writes the empty set.
const NoConnections = "No Connections"

// String writes the set as np-guard's connlist does: "All Connections",
// or protocols in order, each with its comma-separated ports and ranges,
// as in "TCP 10053-10054,UDP 10053".
func (s Set) String() string {
	if s.IsAll() {
		return AllConnections
	}
	if s.IsEmpty() {
		return NoConnections
	}
	var b strings.Builder
	for _, proto := range Protocols {
		for i, r := range s.p[proto] {
			if i == 0 {
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.WriteString(proto.String())
				b.WriteByte(' ')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(r.Lo))
			if r.Hi != r.Lo {
				b.WriteByte('-')
				b.WriteString(strconv.Itoa(r.Hi))
			}
		}
	}
	return b.String()
}
