package graph

import (
	"slices"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/internal/host"
)

// Lookup answers questions about a graph that would otherwise scan all of
// it on every call, from indexes built on first use. It is safe for
// concurrent use.
//
// It is a value of its own rather than a field of Graph because Graphs are
// copied (netpol.AnalyzePolicy), and a sync.Once must not be. Rules share
// one per run through rules.Pass.Lookup.
type Lookup struct {
	g *Graph

	svcOnce sync.Once
	svcs    hostIndex[*Service]

	drOnce sync.Once
	drs    map[string]*hostIndex[*DestinationRule]

	selOnce sync.Once
	// selecting holds where the Services of each workload are in
	// services: one list for all rather than one for each workload, of
	// which a large input has many.
	selecting map[*Workload]span
	services  []*Service
}

// span is a part of a list: [start, end).
type span struct{ start, end int32 }

// NewLookup returns a Lookup for g, which must not change afterwards.
func NewLookup(g *Graph) *Lookup { return &Lookup{g: g} }

// hostIndex finds, among items with a host, those whose host may match a
// given one, in their original order. Matching is case-insensitive between
// plain names (host.Matches), so the plain ASCII hosts are keyed in lower
// case; wildcards and non-ASCII hosts, which case folding or suffixes can
// match in other ways, are candidates for every name.
type hostIndex[T any] struct {
	all []T
	// first holds the position of the first item of each key, next that of
	// the following item with the same key (-1 at the end), and other the
	// positions of the items without a key.
	first map[string]int32
	next  []int32
	other []int32
}

func newHostIndex[T any](all []T, hostOf func(T) string) hostIndex[T] {
	x := hostIndex[T]{all: all, first: make(map[string]int32, len(all)), next: make([]int32, len(all))}
	// Backwards, so that each item links to the next one of its key.
	for i := len(all) - 1; i >= 0; i-- {
		k, ok := plainKey(hostOf(all[i]))
		if !ok {
			x.next[i] = -1
			x.other = append(x.other, int32(i)) //nolint:gosec // G115: i indexes objects in memory, far fewer than 2^31
			continue
		}
		if j, seen := x.first[k]; seen {
			x.next[i] = j
		} else {
			x.next[i] = -1
		}
		x.first[k] = int32(i) //nolint:gosec // G115: i indexes objects in memory, far fewer than 2^31
	}
	slices.Reverse(x.other)
	return x
}

// plainKey returns the key of a non-wildcard ASCII host.
func plainKey(h string) (string, bool) {
	if host.IsWildcard(h) {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "", false
		}
	}
	return strings.ToLower(h), true
}

// candidates returns, in their original order, a superset of the items
// whose host matches h. The caller must not modify it.
func (x *hostIndex[T]) candidates(h string) []T {
	k, ok := plainKey(h)
	if !ok {
		return x.all
	}
	i, ok := x.first[k]
	if !ok {
		i = -1
	}
	if i < 0 && len(x.other) == 0 {
		return nil
	}
	var out []T
	b := x.other
	for i >= 0 || len(b) > 0 {
		if len(b) == 0 || i >= 0 && i < b[0] {
			out, i = append(out, x.all[i]), x.next[i]
		} else {
			out, b = append(out, x.all[b[0]]), b[1:]
		}
	}
	return out
}

// ServicesMatching returns the Services whose host h matches
// (host.Matches(h, service host)), in input order.
func (l *Lookup) ServicesMatching(h string) []*Service {
	l.svcOnce.Do(func() {
		l.svcs = newHostIndex(l.g.Services, func(s *Service) string { return s.Host })
	})
	var out []*Service
	for _, s := range l.svcs.candidates(h) {
		if host.Matches(h, s.Host) {
			out = append(out, s)
		}
	}
	return out
}

// ServicesSelecting returns the Services whose workloads include w, in input
// order. The caller must not modify it.
func (l *Lookup) ServicesSelecting(w *Workload) []*Service {
	l.selOnce.Do(func() {
		// Counted first, in each workload's span; sized for every
		// workload, which most inputs put behind a Service.
		l.selecting = make(map[*Workload]span, len(l.g.Workloads))
		n := int32(0)
		for _, s := range l.g.Services {
			for _, x := range s.Workloads {
				sp, ok := l.selecting[x]
				if !ok {
					sp.start = -1
				}
				sp.end++
				l.selecting[x] = sp
				n++
			}
		}
		// Then placed, each workload's Services after the previous
		// workload's, and listed.
		l.services = make([]*Service, n)
		next := int32(0)
		for _, s := range l.g.Services {
			for _, x := range s.Workloads {
				sp := l.selecting[x]
				if sp.start < 0 {
					sp.start, next = next, next+sp.end
					sp.end = sp.start
				}
				if sp.end == sp.start || l.services[sp.end-1] != s { // once, should s list x twice
					l.services[sp.end] = s
					sp.end++
				}
				l.selecting[x] = sp
			}
		}
	})
	sp, ok := l.selecting[w]
	if !ok {
		return nil
	}
	return l.services[sp.start:sp.end:sp.end]
}

// DestinationRuleUsed reports whether the clients of some namespace of the
// graph use dr for host fqdn: whether DestinationRulesFor(fqdn, ns) holds
// dr for some ns in g.Namespaces.
func (l *Lookup) DestinationRuleUsed(dr *DestinationRule, fqdn string) bool {
	g := l.g
	svcNS := g.ServiceNamespace(fqdn)
	own := dr.Namespace()
	if _, ok := g.Namespaces[own]; ok && l.picks(dr, fqdn, own, svcNS) {
		return true
	}
	// DestinationRulesFor takes rules from the client's namespace, the
	// service's and the root namespace only, so other clients reach dr only
	// through the last two.
	if own != svcNS && own != g.Mesh.RootNamespace {
		return false
	}
	for ns := range g.Namespaces {
		if ns != own && l.picks(dr, fqdn, ns, svcNS) {
			return true
		}
	}
	return false
}

// DestinationRulesFor is Graph.DestinationRulesFor.
func (l *Lookup) DestinationRulesFor(fqdn, client string) []*DestinationRule {
	return l.destinationRulesFor(fqdn, client, l.g.ServiceNamespace(fqdn))
}

// picks reports whether DestinationRulesFor(fqdn, client) holds dr; svcNS
// is ServiceNamespace(fqdn).
func (l *Lookup) picks(dr *DestinationRule, fqdn, client, svcNS string) bool {
	return slices.Contains(l.destinationRulesFor(fqdn, client, svcNS), dr)
}

// destinationRulesFor is DestinationRulesFor, looking only at the rules the
// host index offers.
func (l *Lookup) destinationRulesFor(fqdn, client, svcNS string) []*DestinationRule {
	l.indexDRs()
	return destinationRulesFor(fqdn, client, svcNS, l.g.Mesh.RootNamespace, func(ns string) []*DestinationRule {
		if x := l.drs[ns]; x != nil {
			return x.candidates(fqdn)
		}
		return nil
	})
}

// indexDRs indexes the DestinationRules of each namespace by host, once.
func (l *Lookup) indexDRs() {
	l.drOnce.Do(func() {
		byNS := map[string][]*DestinationRule{}
		for _, dr := range l.g.DestinationRules {
			byNS[dr.Namespace()] = append(byNS[dr.Namespace()], dr)
		}
		l.drs = map[string]*hostIndex[*DestinationRule]{}
		for ns, drs := range byNS {
			x := newHostIndex(drs, func(dr *DestinationRule) string { return dr.Host })
			l.drs[ns] = &x
		}
	})
}
