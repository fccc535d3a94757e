package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/weights"
	"github.com/meshlint/meshlint/rules"
)

// BackendWeightsNot100 reports route rules whose written backend weights
// do not add up to 100.
var BackendWeightsNot100 = &rules.Rule{
	ID:      "MR608",
	Name:    "gatewayapi-weights-not-100",
	Summary: "backend weights of a Gateway API route rule do not add up to 100, so they are not the percentages of the split",
	Doc: `Gateway API backend weights are relative, as VirtualService weights are: a backend receives
weight / (sum of the rule's weights) of the requests, and a weight left out counts as 1. The
API says so explicitly ("Weight is not a percentage and the sum of weights does not need to equal
100"), so a sum other than 100 is valid. But weights that look like percentages and are not
(90 and 20 send 82% and 18%), or a weight written on one backend and forgotten on another (90
and the default 1 send 99% and 1%), are the usual canary mistakes. The message gives the split
that will really apply.

The rule has the semantics of MR101 for VirtualServices, with two differences that follow from
the API: it stays quiet when no weight of the rule is written (every backend then has weight 1
and the split is even, which nobody reads as percentages), and its default severity is info,
since relative weights such as 1 and 3 are normal Gateway API usage. A rule with a single
backend sends it all requests whatever its weight (when above 0), so a written weight other
than 100 there is reported too, except 1, the default. Nor is a rule whose only backend above 0
has weight 1 (0 and 1, as the API's traffic-splitting guide writes a complete switch): nothing
there looks like a percentage. All-zero weights are MR609's; mirrors carry no weight.`,
	Bad:      reviewsSplitExample(90, 20),
	Good:     reviewsSplitExample(90, 10),
	Severity: rules.Info,
	Inputs:   routeKinds,
	Deps:     rules.DepNone,
	Run:      runBackendWeightsNot100,
}

func runBackendWeightsNot100(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for _, rule := range r.Rules {
			bs := rule.Backends
			at, written := firstWeight(bs)
			if !written {
				continue
			}
			if len(bs) == 1 {
				if w := bs[0].Weight; w > 1 && w != 100 {
					p.Reportf(r.Obj, at, "rules[%d] has a single backend with weight %d: it receives 100%% of the requests", rule.Index, w)
				}
				continue
			}
			sum, ok := weightSum(bs)
			if !ok || sum <= 0 || sum == 100 || soleOne(bs) {
				continue
			}
			var split []string
			unset := false
			for _, b := range bs {
				name := b.Name
				if b.CrossNamespace {
					name = b.Namespace + "/" + b.Name
				}
				split = append(split, fmt.Sprintf("%s %s", name, weights.Percent(b.Weight, sum)))
				unset = unset || !b.Spec.Weight.Set
			}
			note := ""
			if unset {
				note = " (a backend without weight has weight 1)"
			}
			p.Reportf(r.Obj, at, "rules[%d] backend weights add up to %d, not 100: the effective split is %s%s", rule.Index, sum, strings.Join(split, ", "), note)
		}
	}
	return nil
}

// firstWeight returns the location of the first written weight of bs, and
// whether there is one.
func firstWeight(bs []*graph.BackendRef) (manifest.Loc, bool) {
	for _, b := range bs {
		if b.Spec.Weight.Set {
			return b.Spec.Weight.Loc, true
		}
	}
	return manifest.Loc{}, false
}

// weightSum adds up the effective weights; ok is false when one is negative
// (the API server rejects it, and a split means nothing).
func weightSum(bs []*graph.BackendRef) (sum int64, ok bool) {
	for _, b := range bs {
		if b.Weight < 0 {
			return 0, false
		}
		sum += b.Weight
	}
	return sum, true
}

// soleOne reports whether a single backend has a weight above 0 and that
// weight is 1, written or the default: the others are switched off and
// nothing written looks like a percentage.
func soleOne(bs []*graph.BackendRef) bool {
	var on []*graph.BackendRef
	for _, b := range bs {
		if b.Weight > 0 {
			on = append(on, b)
		}
	}
	return len(on) == 1 && on[0].Weight == 1
}
