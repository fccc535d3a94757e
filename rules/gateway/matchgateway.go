package gateway

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// MatchGatewayNotBound reports gateways of match clauses that the
// VirtualService is not bound to.
var MatchGatewayNotBound = &rules.Rule{
	ID:      "MR217",
	Name:    "match-gateway-not-bound",
	Summary: "match clause names a gateway the VirtualService is not bound to",
	Doc: `The ` + "`gateways`" + ` of an ` + "`http`" + `, ` + "`tcp`" + ` or ` + "`tls`" + ` match clause narrow the clause to some of
the gateways the VirtualService applies at; they do not bind it anywhere. Istio binds a
VirtualService through its ` + "`spec.gateways`" + ` only (or to the sidecars, ` + "`mesh`" + `, when that list is
empty), and evaluates the clause on the proxies it is bound to. A gateway named in a clause but
absent from ` + "`spec.gateways`" + ` never sees the VirtualService, so the condition never holds
there; a clause all of whose gateways are such never matches, and its route may never apply.

The usual causes are a gateway added to a route but not to the VirtualService, and a clause
written ` + "`gateways: [mesh]`" + ` in a VirtualService whose ` + "`spec.gateways`" + ` lists Gateways only (list
` + "`mesh`" + ` there too to apply the VirtualService to the sidecars). Add the gateway to
` + "`spec.gateways`" + `, or remove it from the clause.

Names are compared as Istio resolves them (` + "`name`" + `, ` + "`./name`" + ` and ` + "`namespace/name`" + ` of the same
Gateway are one). A delegate VirtualService (without hosts) applies at the gateways of the
VirtualServices that delegate to it: Istio merges its routes into theirs, keeping the delegate's
match gateways (resolved in the delegate's namespace, ` + "`mergeHTTPMatchRequest`" + `), so a gateway
that none of its roots is bound to never sees the merged route. A delegate that no VirtualService
of the input delegates to is not judged.`,
	Bad:      matchGatewayExample("mesh"),
	Good:     matchGatewayExample("mesh, istio-system/public"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Deps:     rules.DepREF | rules.DepREV,
	Run:      runMatchGatewayNotBound,
}

// matchGatewayExample is VirtualService shop/storefront bound to gateways,
// whose first route is for requests through Gateway istio-system/public:
// the examples of MR217.
func matchGatewayExample(gateways string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: storefront, namespace: shop}
spec:
  hosts: [storefront, shop.example.com]
  gateways: [` + gateways + `]
  http:
  - match:
    - gateways: [istio-system/public]
      uri: {prefix: /api}
    route:
    - destination: {host: storefront-api}
  - route:
    - destination: {host: storefront}
`
}

func runMatchGatewayNotBound(p *rules.Pass) error {
	// The roots of each delegate, in input order.
	roots := map[*graph.VirtualService][]*graph.VirtualService{}
	for _, d := range p.Graph.Delegations() {
		if !slices.Contains(roots[d.Delegate], d.Root) {
			roots[d.Delegate] = append(roots[d.Delegate], d.Root)
		}
	}
	for _, vs := range p.Graph.VirtualServices {
		bound := map[string]bool{}
		var names []string
		bind := func(gws []graph.GatewayRef) {
			// getGatewayNames: no gateways is the mesh.
			if len(gws) == 0 {
				gws = []graph.GatewayRef{{Mesh: true}}
			}
			for _, ref := range gws {
				if k := refKey(ref); !bound[k] {
					bound[k] = true
					names = append(names, k)
				}
			}
		}
		var listed string
		if len(vs.Spec.Hosts) == 0 {
			rs := roots[vs]
			if len(rs) == 0 {
				continue // an orphan delegate applies nowhere
			}
			var rootNames []string
			for _, r := range rs {
				bind(r.Gateways)
				rootNames = append(rootNames, r.Namespace()+"/"+r.Name())
			}
			listed = fmt.Sprintf("(%s, through %s %s, which delegate%s to it)", strings.Join(names, ", "),
				wording.Plural(len(rs), "VirtualService", "VirtualServices"), wording.List(rootNames), wording.Plural(len(rs), "s", ""))
		} else {
			bind(vs.Gateways)
			listed = "(" + strings.Join(names, ", ") + ")"
			if len(vs.Gateways) == 0 {
				listed = "(mesh only, as it lists no gateways)"
			}
		}
		check := func(section string, i, j int, gws []spec.Str) {
			var unbound []graph.GatewayRef
			for _, s := range gws {
				if ref := p.Graph.ResolveGateway(s, vs.Namespace()); !bound[refKey(ref)] {
					unbound = append(unbound, ref)
				}
			}
			for _, ref := range unbound {
				what := fmt.Sprintf("%q", ref.Written.V)
				if k := refKey(ref); k != ref.Written.V {
					what += " (" + k + ")"
				}
				tail := "so the condition never holds there"
				if len(unbound) == len(gws) {
					tail = "nor is any other gateway of this match bound: the match never matches"
					if len(gws) == 1 {
						tail = "so this match never matches"
					}
				}
				p.Reportf(vs.Obj, ref.Written.Loc, "%s[%d].match[%d]: gateway %s is not among the gateways this VirtualService is bound to %s: it never sees the VirtualService, %s",
					section, i, j, what, listed, tail)
			}
		}
		matchGateways(vs, check)
	}
	return nil
}

// refKey is a resolved gateway reference as Istio compares them:
// "namespace/name", or "mesh".
func refKey(ref graph.GatewayRef) string {
	if ref.Mesh {
		return "mesh"
	}
	return ref.Namespace + "/" + ref.Name
}

// matchGateways calls f with the gateways of each match clause of vs's
// http, tcp and tls routes, which Istio resolves alike
// (ResolveVirtualServiceShortnames).
func matchGateways(vs *graph.VirtualService, f func(section string, i, j int, gws []spec.Str)) {
	for i, r := range vs.Spec.HTTP {
		for j, m := range r.Match {
			f("http", i, j, m.Gateways)
		}
	}
	for i, r := range vs.Spec.TCP {
		for j, m := range r.Match {
			f("tcp", i, j, m.Gateways)
		}
	}
	for i, r := range vs.Spec.TLS {
		for j, m := range r.Match {
			f("tls", i, j, m.Gateways)
		}
	}
}
