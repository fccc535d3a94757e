package routing

import (
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// droppedDelegateRoutes reports the http routes of delegate VirtualServices
// that Istio leaves out when it merges them into a route that delegates to
// them: mergeHTTPMatchRequests drops a delegate route when one of its match
// entries conflicts (hasConflict) with every entry of the root's route, and
// nothing tells: the requests meant for it go to the delegate's later
// routes, or find no route. The finding is on the delegate's route, since
// the root's route is often written by another team, which the message
// names.
func droppedDelegateRoutes(p *rules.Pass) {
	g := p.Graph
	delegates := routeDelegates(p)
	for _, root := range g.VirtualServices {
		for i, r := range root.Spec.HTTP {
			d := delegates[root][i]
			if d == nil {
				continue
			}
			for k, dr := range d.Spec.HTTP {
				if dr.Delegate != nil {
					continue // a delegate's own delegations lead nowhere
				}
				j, why := g.MergeConflict(graph.Delegation{Root: root, Route: i, Delegate: d}, k)
				if j < 0 {
					continue
				}
				p.Reportf(d.Obj, dr.Match[j].Loc, "%s can never match through %s of VirtualService %s/%s, which delegates to this one: its match[%d] %s, so Istio's merge leaves the route out%s",
					routeLabel("http", k, dr.Name), routeLabel("http", i, r.Name), root.Namespace(), root.Name(), j, why, rewriteNote(r, dr.Match[j])).
					Relate(root.Obj, r.Loc, "the route that delegates")
			}
		}
	}
}

// rewriteNote explains a uri conflict between delegate entry l and the
// entries of root route r when r rewrites the request: the rewrite, which
// the delegate's routes inherit (mergeHTTPRoute), applies to the route
// chosen, after matching, so the delegate's uri conditions must be written
// for the path as it arrives, within the root's, not for the path the
// rewrite makes.
func rewriteNote(r spec.HTTPRoute, l spec.HTTPMatch) string {
	if r.Rewrite == nil || l.URI == nil || !slices.ContainsFunc(r.Match, func(m spec.HTTPMatch) bool { return graph.StringMatchConflict(m.URI, l.URI) }) {
		return ""
	}
	return "; the route that delegates rewrites the request, but only after matching: the delegate's uri conditions see the path as it arrives"
}
