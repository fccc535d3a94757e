package routing

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/weights"
	"github.com/meshlint/meshlint/rules"
)

// WeightsNot100 reports routes whose weights do not add up to 100.
var WeightsNot100 = &rules.Rule{
	ID:      "MR101",
	Name:    "route-weights-not-100",
	Summary: "route weights do not add up to 100, so the percentages written are not the traffic split",
	Doc: `Istio treats route weights as relative: a destination receives weight / (sum of weights)
of the traffic. A canary written as 90 and 20 sends 82% and 18%, not 90% and 10%, and Istio
releases before 1.15 reject the route outright. The message gives the split that Istio will
really apply.

Fix the weights so that they add up to 100. A route with a single destination receives all
traffic whatever its weight says, so a weight other than 100 there is misleading too.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 20
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Run:      runWeightsNot100,
}

func runWeightsNot100(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		for _, rs := range routeSets(vs) {
			if len(rs.Route) == 1 {
				if w := rs.Route[0].Weight; w.Set && w.V != 100 && w.V > 0 {
					p.Reportf(vs.Obj, w.Loc, "%s[%d] has a single destination with weight %d: it receives 100%% of the traffic", rs.Kind, rs.Index, w.V)
				}
				continue
			}
			var sum int64
			for _, d := range rs.Route {
				if d.Weight.V < 0 {
					// Negative weights are MR102's; a split is meaningless.
					sum = -1
					break
				}
				sum += d.Weight.V
			}
			if sum <= 0 || sum == 100 {
				continue
			}
			var split []string
			for _, d := range rs.Route {
				h := "?"
				if d.Destination != nil {
					h = d.Destination.Host.V
					if d.Destination.Subset.V != "" {
						h += "/" + d.Destination.Subset.V
					}
				}
				split = append(split, fmt.Sprintf("%s %s", h, weights.Percent(d.Weight.V, sum)))
			}
			at := rs.Route[0].Weight.Loc
			if at.IsZero() {
				at = rs.Route[0].Loc
			}
			p.Reportf(vs.Obj, at, "%s[%d] weights add up to %d, not 100: the effective split is %s", rs.Kind, rs.Index, sum, strings.Join(split, ", "))
		}
	}
	return nil
}
