package routing

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// destRewrite is the fix of a finding that corrects the host (MR112) or the
// subset (MR103) of a destination.
type destRewrite struct {
	vs  *graph.VirtualService
	ref destRef
	// to is the destination as the fix leaves it.
	to  destKey
	f   *rules.Finding
	fix rules.Fix
}

// setRewriteFixes gives each finding of rws its fix, unless the fix would
// make a route destination repeat another destination of the same route,
// as written or as another fix of rws leaves it. MR130 would then report
// the pair, since Istio adds their weights; and a correction that lands on
// a destination the route already has was likely not what was meant (in a
// route of v1 and V1, the V1 more likely misspells another subset). The
// message still asks whether the match was meant.
func setRewriteFixes(g *graph.Graph, rws []destRewrite) {
	type routeID struct {
		vs    *graph.VirtualService
		kind  string
		route int
	}
	inRoute := func(r destRef) bool { return r.index >= 0 && !r.mirrors }
	fixed := map[routeID]map[int]destKey{}
	for _, rw := range rws {
		if !inRoute(rw.ref) {
			continue
		}
		id := routeID{rw.vs, rw.ref.kind, rw.ref.route}
		if fixed[id] == nil {
			fixed[id] = map[int]destKey{}
		}
		fixed[id][rw.ref.index] = rw.to
	}
	for _, rw := range rws {
		if inRoute(rw.ref) && repeatsDestination(g, rw, fixed[routeID{rw.vs, rw.ref.kind, rw.ref.route}]) {
			continue
		}
		rw.f.Fixes = []rules.Fix{rw.fix}
	}
}

// repeatsDestination reports whether rw leaves its destination equal to
// another of its route, as fixed leaves them (by index) or as written.
func repeatsDestination(g *graph.Graph, rw destRewrite, fixed map[int]destKey) bool {
	for j, d := range routeDestinations(rw.vs, rw.ref.kind, rw.ref.route) {
		if j == rw.ref.index || d.Destination == nil || d.Destination.Host.V == "" {
			continue
		}
		k, ok := fixed[j]
		if !ok {
			k = destKeyOf(g, rw.vs.Namespace(), d.Destination)
		}
		if k == rw.to {
			return true
		}
	}
	return false
}

// routeDestinations returns the destinations of route kind[i] of vs.
func routeDestinations(vs *graph.VirtualService, kind string, i int) []spec.RouteDestination {
	switch kind {
	case "http":
		return vs.Spec.HTTP[i].Route
	case "tcp":
		return vs.Spec.TCP[i].Route
	case "tls":
		return vs.Spec.TLS[i].Route
	}
	return nil
}

// destKeyOf is destination d of a VirtualService of namespace ns as MR130
// compares destinations.
func destKeyOf(g *graph.Graph, ns string, d *spec.Destination) destKey {
	k := destKey{host: g.FQDN(d.Host.V, ns), subset: d.Subset.V}
	if d.Port != nil && d.Port.Number.Set {
		k.port, k.hasPort = d.Port.Number.V, true
	}
	return k
}
