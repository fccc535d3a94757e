// Package routing holds the rules about VirtualService routes and their
// destinations.
package routing

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// routeSet is the destination list of one http, tcp or tls route.
type routeSet struct {
	// Kind is "http", "tcp" or "tls" and Index the route's position, for
	// messages such as `http[1]`.
	Kind  string
	Index int
	At    spec.Loc
	Route []spec.RouteDestination
}

type routeSetsKey struct{}

// allRouteSets returns routeSets(vs) of every VirtualService, in the order
// of Graph.VirtualServices, listed once per run for the rules that read
// them. Do not modify it.
func allRouteSets(p *rules.Pass) [][]routeSet {
	return p.Memo(routeSetsKey{}, func() any {
		out := make([][]routeSet, len(p.Graph.VirtualServices))
		for i, vs := range p.Graph.VirtualServices {
			out[i] = routeSets(vs)
		}
		return out
	}).([][]routeSet)
}

// routeSets lists every route of a VirtualService that has destinations.
func routeSets(vs *graph.VirtualService) []routeSet {
	n := len(vs.Spec.HTTP) + len(vs.Spec.TCP) + len(vs.Spec.TLS)
	if n == 0 {
		return nil
	}
	// Sized up front: the lists of every VirtualService are kept for the
	// run.
	out := make([]routeSet, 0, n)
	for i, r := range vs.Spec.HTTP {
		out = append(out, routeSet{"http", i, r.Loc, r.Route})
	}
	for i, r := range vs.Spec.TCP {
		out = append(out, routeSet{"tcp", i, r.Loc, r.Route})
	}
	for i, r := range vs.Spec.TLS {
		out = append(out, routeSet{"tls", i, r.Loc, r.Route})
	}
	return out
}
