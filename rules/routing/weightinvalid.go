package routing

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// WeightInvalid reports route weights that Istio's validation rejects.
var WeightInvalid = &rules.Rule{
	ID:      "MR102",
	Name:    "route-weight-invalid",
	Summary: "route has a negative weight, or several destinations whose weights add up to 0",
	Doc: `Istio's validating webhook rejects a VirtualService when a route destination has a negative
weight, and when a route with more than one destination has weights that add up to 0 (an unset
weight counts as 0). ` + "`kubectl apply`" + ` fails with "weight -10 < 0" or "total destination weight = 0", and
when the webhook is not running the route cannot split traffic at all. This holds for http, tcp
and tls routes, on every Istio version.

Give every destination a weight of 0 or more, and at least one destination of a split a weight
above 0. Weights are relative: 90 and 10 send 90% and 10% of the traffic.`,
	Bad:      reviewsSplitExample(110, -10),
	Good:     reviewsSplitExample(100, 0),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0106"},
	Deps:     rules.DepNone,
	Run:      runWeightInvalid,
}

func runWeightInvalid(p *rules.Pass) error {
	sets := allRouteSets(p)
	for i, vs := range p.Graph.VirtualServices {
		for _, rs := range sets[i] {
			var sum int64
			negative := false
			for j, d := range rs.Route {
				if d.Weight.V < 0 {
					negative = true
					p.Reportf(vs.Obj, d.Weight.Loc, "weight %d of %s[%d].route[%d] (%s) is negative: Istio rejects the VirtualService", d.Weight.V, rs.Kind, rs.Index, j, destName(d.Destination))
				}
				sum += d.Weight.V
			}
			// A negative weight is reported already: the sum says nothing more.
			if negative || len(rs.Route) < 2 || sum != 0 {
				continue
			}
			at, set := rs.Route[0].Loc, false
			for _, d := range rs.Route {
				if d.Weight.Set {
					at, set = d.Weight.Loc, true
					break
				}
			}
			if set {
				p.Reportf(vs.Obj, at, "%s[%d] weights add up to 0 across %d destinations: Istio rejects the VirtualService (total destination weight = 0)", rs.Kind, rs.Index, len(rs.Route))
			} else {
				p.Reportf(vs.Obj, at, "%s[%d] has %d destinations and none has a weight: unset weights count as 0, and Istio rejects a total of 0", rs.Kind, rs.Index, len(rs.Route))
			}
		}
	}
	return nil
}
