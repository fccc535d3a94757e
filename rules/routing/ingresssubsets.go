package routing

import (
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// IngressBypassesSubsets reports gateway routes that skip the subset
// routing mesh VirtualServices apply to the same host.
var IngressBypassesSubsets = &rules.Rule{
	ID:      "MR115",
	Name:    "ingress-route-bypasses-subsets",
	Summary: "gateway route sends traffic to a host without a subset, bypassing the subset routing of its own VirtualService",
	Doc: `A gateway applies only the VirtualServices bound to it. When an ingress route sends traffic
to ` + "`reviews`" + ` without a subset, the gateway proxy balances over every pod of the Service:
the version split that the mesh VirtualService of ` + "`reviews`" + ` defines (for example 90% v1,
10% v2) is not applied to ingress traffic, since the gateway does not consult that
VirtualService.

Route to the subsets from the gateway VirtualService too, or bind the VirtualService of the
host to the gateway as well (list both the gateway and ` + "`mesh`" + ` and the external host).`,
	Bad: ingressSubsetsExample(`    - destination: {host: reviews}
`),
	Good: ingressSubsetsExample(`    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0140"},
	Deps:     rules.DepHOST,
	Run:      runIngressBypassesSubsets,
}

// ingressSubsetsExample is a mesh VirtualService that splits reviews
// between subsets, and an ingress VirtualService whose route to reviews
// has the destinations route: the examples of MR115.
func ingressSubsetsExample(route string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ingress, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - route:
` + route
}

func runIngressBypassesSubsets(p *rules.Pass) error {
	g := p.Graph
	// The hosts that gateway routes send to without a subset, the only
	// ones asked about below: on a large input they are far fewer than
	// the hosts routed by subset.
	subsetRouted := map[string]*graph.VirtualService{}
	gatewayRoutesWithoutSubset(g, func(_ *graph.VirtualService, _, _ int, _ *spec.Destination, h string) {
		subsetRouted[h] = nil
	})
	if len(subsetRouted) == 0 {
		return nil
	}
	// Of those, the hosts that a VirtualService of their own routes to by
	// subset.
	dests := allDestinations(p)
	for i, vs := range g.VirtualServices {
		for _, ref := range dests[i] {
			if ref.Dest.Subset.V == "" || ref.Dest.Host.V == "" {
				continue
			}
			h := strings.ToLower(g.FQDN(ref.Dest.Host.V, vs.Namespace()))
			// Of two definitions of one VirtualService, which MR017
			// reports, the canonical one is named.
			if other, asked := subsetRouted[h]; asked && ownsHost(vs, h) &&
				(other == nil || graph.SameObject(other.Obj, vs.Obj) && graph.CompareDefinitions(vs.Obj, other.Obj) < 0) {
				subsetRouted[h] = vs
			}
		}
	}
	gatewayRoutesWithoutSubset(g, func(vs *graph.VirtualService, i, j int, d *spec.Destination, h string) {
		other := subsetRouted[h]
		if other == nil || graph.SameObject(other.Obj, vs.Obj) {
			return // vs, or another definition of it (MR017's), routes by subset itself
		}
		p.Reportf(vs.Obj, d.Host.Loc, "http[%d].route[%d]: gateway traffic to %q goes to every pod of the host: the subset routing of VirtualService %s/%s does not apply at the gateway",
			i, j, d.Host.V, other.Namespace(), other.Name()).
			Relate(other.Obj, other.Obj.NameLoc, "routes %s by subset", h)
	})
	return nil
}

// gatewayRoutesWithoutSubset calls fn for each HTTP route destination
// (http[i].route[j]) of a VirtualService bound to a gateway that names a
// host and no subset, with the host's FQDN in lower case.
func gatewayRoutesWithoutSubset(g *graph.Graph, fn func(vs *graph.VirtualService, i, j int, d *spec.Destination, h string)) {
	for _, vs := range g.VirtualServices {
		if !boundToGateway(vs) {
			continue
		}
		for i, r := range vs.Spec.HTTP {
			for j, d := range r.Route {
				if d.Destination == nil || d.Destination.Host.V == "" || d.Destination.Subset.V != "" {
					continue
				}
				fn(vs, i, j, d.Destination, strings.ToLower(g.FQDN(d.Destination.Host.V, vs.Namespace())))
			}
		}
	}
}

// boundToGateway reports whether a VirtualService applies at some gateway.
func boundToGateway(vs *graph.VirtualService) bool {
	for _, r := range vs.Gateways {
		if !r.Mesh {
			return true
		}
	}
	return false
}

// ownsHost reports whether h, in lower case, is one of the hosts of vs.
func ownsHost(vs *graph.VirtualService, h string) bool {
	for _, o := range vs.Hosts {
		if strings.ToLower(o) == h {
			return true
		}
	}
	return false
}
