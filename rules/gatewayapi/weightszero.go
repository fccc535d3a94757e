package gatewayapi

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// BackendWeightsZero reports route rules whose backends all have weight 0.
var BackendWeightsZero = &rules.Rule{
	ID:      "MR609",
	Name:    "gatewayapi-weights-zero",
	Summary: "every backend of a Gateway API route rule has weight 0, so the rule forwards nothing",
	Doc: `A backend with weight 0 receives no requests. When every backend of a rule has weight 0, the
rule matches requests and forwards none of them: HTTPRoute and GRPCRoute requests get HTTP 500,
and TCP, TLS and UDP connections are refused. The API server accepts it (weights may be 0), so
nothing warns before traffic fails; it is the usual result of a canary rollout script setting
the old version to 0 before the new one is given a weight.

A weight left out counts as 1 in the Gateway API (VirtualService weights left out count as 0,
see MR102), so only explicit zeros trigger the rule. A single backend with weight 0 is reported
too. Give at least one backend a weight above 0, or remove the rule.`,
	Bad:      reviewsSplitExample(0, 0),
	Good:     reviewsSplitExample(0, 100),
	Severity: rules.Error,
	Inputs:   routeKinds,
	Deps:     rules.DepNone,
	Run:      runBackendWeightsZero,
}

func runBackendWeightsZero(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for _, rule := range r.Rules {
			bs := rule.Backends
			if len(bs) == 0 {
				continue
			}
			if sum, ok := weightSum(bs); !ok || sum != 0 {
				continue
			}
			at, _ := firstWeight(bs)
			effect := "its requests get HTTP 500"
			if !r.HasHostnames() || r.Kind() == kinds.TLSRoute {
				effect = "its connections are refused"
			}
			if len(bs) == 1 {
				p.Reportf(r.Obj, at, "rules[%d] has a single backend, with weight 0: the rule forwards nothing and %s", rule.Index, effect)
				continue
			}
			p.Reportf(r.Obj, at, "rules[%d] weights add up to 0 across %d backends: the rule forwards nothing and %s", rule.Index, len(bs), effect)
		}
	}
	return nil
}
