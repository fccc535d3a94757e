package routing

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// destRef is one destination of a VirtualService: a route destination of an
// http, tcp or tls route, or an http mirror.
type destRef struct {
	Dest *spec.Destination
	// kind, route and index locate the destination: kind[route].route[index],
	// http[route].mirror (index -1) or http[route].mirrors[index] (mirrors).
	kind         string
	route, index int
	mirrors      bool
}

// Where names the destination for messages, e.g. "http[0].route[1]" or
// "http[2].mirror". It is built on demand because several rules list every
// destination of the input and report few.
func (r destRef) Where() string {
	switch {
	case r.mirrors:
		return fmt.Sprintf("http[%d].mirrors[%d]", r.route, r.index)
	case r.index < 0:
		return fmt.Sprintf("http[%d].mirror", r.route)
	}
	return fmt.Sprintf("%s[%d].route[%d]", r.kind, r.route, r.index)
}

type destinationsKey struct{}

// allDestinations returns destinations(vs) of every VirtualService, in the
// order of Graph.VirtualServices, listed once per run for the rules that
// read them. Do not modify it.
func allDestinations(p *rules.Pass) [][]destRef {
	return p.Memo(destinationsKey{}, func() any {
		sets := allRouteSets(p)
		out := make([][]destRef, len(p.Graph.VirtualServices))
		for i, vs := range p.Graph.VirtualServices {
			out[i] = destinations(vs, sets[i])
		}
		return out
	}).([][]destRef)
}

// destinations lists every destination of a VirtualService that names a
// host, in spec order; sets are its routeSets. They are counted first: the
// lists of every VirtualService are kept for the run, and appending would
// leave a trail of smaller copies.
func destinations(vs *graph.VirtualService, sets []routeSet) []destRef {
	n := 0
	eachDestination(vs, sets, func(destRef) { n++ })
	if n == 0 {
		return nil
	}
	out := make([]destRef, 0, n)
	eachDestination(vs, sets, func(r destRef) { out = append(out, r) })
	return out
}

// eachDestination calls f with every destination of destinations(vs,
// sets), in order.
func eachDestination(vs *graph.VirtualService, sets []routeSet, f func(destRef)) {
	add := func(r destRef) {
		if r.Dest != nil {
			f(r)
		}
	}
	for _, rs := range sets {
		for j, d := range rs.Route {
			add(destRef{Dest: d.Destination, kind: rs.Kind, route: rs.Index, index: j})
		}
	}
	for i, r := range vs.Spec.HTTP {
		add(destRef{Dest: r.Mirror, kind: "http", route: i, index: -1})
		for j, m := range r.Mirrors {
			add(destRef{Dest: m.Destination, kind: "http", route: i, index: j, mirrors: true})
		}
	}
}

// destName names a destination as host or host/subset.
func destName(d *spec.Destination) string {
	if d == nil {
		return "?"
	}
	if d.Subset.V != "" {
		return d.Host.V + "/" + d.Subset.V
	}
	return d.Host.V
}
