package routing

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/weights"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// WeightsNot100 reports routes whose weights do not add up to 100.
var WeightsNot100 = &rules.Rule{
	ID:      "MR101",
	Name:    "route-weights-not-100",
	Summary: "route weights do not add up to 100, so the percentages written are not the traffic split",
	Fix:     "rescales the weights to the same ratio, adding up to 100",
	Doc: `Istio treats route weights as relative: a destination receives weight / (sum of weights)
of the traffic. A canary written as 90 and 20 sends 82% and 18%, not 90% and 10%, and Istio
releases before 1.15 reject the route outright. The message gives the split that Istio will
really apply.

Fix the weights so that they add up to 100. A route with a single destination receives all
traffic whatever its weight says, so a weight other than 100 there is misleading too.

` + "`meshlint --fix`" + ` rescales the weights to the same ratio, rounded so that they add up to exactly
100 (a weight that was not 0 stays at least 1), when every destination of the route has a
weight written, and sets a single destination's weight to 100.`,
	Bad:      reviewsSplitExample(90, 20),
	Good:     reviewsSplitExample(90, 10),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"KIA1104"},
	Deps:     rules.DepNone,
	Run:      runWeightsNot100,
}

func runWeightsNot100(p *rules.Pass) error {
	sets := allRouteSets(p)
	for i, vs := range p.Graph.VirtualServices {
		for _, rs := range sets[i] {
			if len(rs.Route) == 1 {
				if w := rs.Route[0].Weight; w.Set && w.V != 100 && w.V > 0 {
					f := p.Reportf(vs.Obj, w.Loc, "%s[%d] has a single destination with weight %d: it receives 100%% of the traffic", rs.Kind, rs.Index, w.V)
					f.Fixes = []rules.Fix{{Message: "Set the weight to 100", Edits: []rules.Edit{
						rules.ReplaceValue(vs.Obj, w.Loc, strconv.FormatInt(w.V, 10), "100"),
					}}}
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
				split = append(split, fmt.Sprintf("%s %s", destName(d.Destination), weights.Percent(d.Weight.V, sum)))
			}
			at := rs.Route[0].Weight.Loc
			if at.IsZero() {
				at = rs.Route[0].Loc
			}
			f := p.Reportf(vs.Obj, at, "%s[%d] weights add up to %d, not 100: the effective split is %s", rs.Kind, rs.Index, sum, strings.Join(split, ", "))
			if fix, ok := rescaleFix(vs, rs.Route); ok {
				f.Fixes = []rules.Fix{fix}
			}
		}
	}
	return nil
}

// rescaleFix sets the weights of a route to numbers that add up to 100 in
// the same ratio (weights.Rescale). It needs every weight written: where
// one is missing, what the author meant is not clear.
func rescaleFix(vs *graph.VirtualService, route []spec.RouteDestination) (rules.Fix, bool) {
	ws := make([]int64, len(route))
	for i, d := range route {
		if !d.Weight.Set {
			return rules.Fix{}, false
		}
		ws[i] = d.Weight.V
	}
	scaled, ok := weights.Rescale(ws, 100)
	if !ok {
		return rules.Fix{}, false
	}
	fix := rules.Fix{Message: "Rescale the weights to " + joinInts(scaled) + ", which add up to 100"}
	for i, d := range route {
		if scaled[i] != ws[i] {
			fix.Edits = append(fix.Edits, rules.ReplaceValue(vs.Obj, d.Weight.Loc, strconv.FormatInt(ws[i], 10), strconv.FormatInt(scaled[i], 10)))
		}
	}
	return fix, true
}

// joinInts writes 82, 18 and 0 as "82, 18 and 0".
func joinInts(ns []int64) string {
	ss := make([]string, len(ns))
	for i, n := range ns {
		ss[i] = strconv.FormatInt(n, 10)
	}
	return wording.List(ss)
}
