package routing

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
)

// destRef is one destination of a VirtualService: a route destination of an
// http, tcp or tls route, or an http mirror.
type destRef struct {
	// Where names the destination for messages, e.g. "http[0].route[1]"
	// or "http[2].mirror".
	Where string
	Dest  *spec.Destination
}

// destinations lists every destination of a VirtualService that names a
// host, in spec order.
func destinations(vs *graph.VirtualService) []destRef {
	var out []destRef
	add := func(where string, d *spec.Destination) {
		if d != nil {
			out = append(out, destRef{where, d})
		}
	}
	for _, rs := range routeSets(vs) {
		for j, d := range rs.Route {
			add(fmt.Sprintf("%s[%d].route[%d]", rs.Kind, rs.Index, j), d.Destination)
		}
	}
	for i, r := range vs.Spec.HTTP {
		add(fmt.Sprintf("http[%d].mirror", i), r.Mirror)
		for j, m := range r.Mirrors {
			add(fmt.Sprintf("http[%d].mirrors[%d]", i, j), m.Destination)
		}
	}
	return out
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
