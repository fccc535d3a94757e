package routing

import (
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// MeshHostConflict reports hosts that several mesh VirtualServices claim.
var MeshHostConflict = &rules.Rule{
	ID:      "MR111",
	Name:    "mesh-vs-host-conflict",
	Summary: "several VirtualServices bound to the mesh claim the same host for the same clients",
	Doc: `A sidecar uses a single VirtualService per host. When several VirtualServices bound to the
mesh (no ` + "`gateways`" + `, or ` + "`mesh`" + ` among them) name the same host and are visible to the
same namespace, Istio keeps the oldest one and ignores the routes of the others, so which
routes apply depends on creation order. (Gateways merge VirtualServices; sidecars do not.)

Merge the VirtualServices into one, or narrow their ` + "`exportTo`" + ` so that no namespace sees
both. Short hosts are expanded with the VirtualService's namespace. The comparison honours
` + "`exportTo`" + ` (and MeshConfig defaultVirtualServiceExportTo): two VirtualServices exported to
disjoint sets of namespaces do not conflict. A wildcard host and a more specific host are
not a conflict, since Istio prefers the exact host, and of two wildcards the longer one.
(istioctl analyze reports such a pair when one of them has a narrowed ` + "`exportTo`" + ` and the
other is exported everywhere; meshlint does not.)`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-canary, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"IST0109", "KIA1106"},
	Deps:     rules.DepHOST | rules.DepOrder,
	Run:      runMeshHostConflict,
}

func meshBound(vs *graph.VirtualService) bool {
	if len(vs.Gateways) == 0 {
		return true
	}
	for _, r := range vs.Gateways {
		if r.Mesh {
			return true
		}
	}
	return false
}

func runMeshHostConflict(p *rules.Pass) error {
	type claim struct {
		host string // in lower case
		vs   *graph.VirtualService
		i    int
	}
	// The claims sorted by host, rather than grouped in a map: the rule
	// reads every host of the input, and a conflict is rare.
	n := 0
	for _, vs := range p.Graph.VirtualServices {
		if meshBound(vs) {
			n += len(vs.Hosts)
		}
	}
	claims := make([]claim, 0, n)
	for _, vs := range p.Graph.VirtualServices {
		if !meshBound(vs) {
			continue
		}
		for i, h := range vs.Hosts {
			claims = append(claims, claim{strings.ToLower(h), vs, i})
		}
	}
	slices.SortStableFunc(claims, func(a, b claim) int { return strings.Compare(a.host, b.host) })
	copies := rules.CopiesOf(p, p.Graph.VirtualServices)
	for len(claims) > 0 {
		k := claims[0].host
		end := 1
		for end < len(claims) && claims[end].host == k {
			end++
		}
		cs := claims[:end]
		claims = claims[end:]
		if len(cs) < 2 {
			continue // a conflict takes two claims
		}
		// Two definitions of one VirtualService are one object (MR017
		// reports them): it conflicts with no copy of itself, and each
		// other is named once, by the definition a goes with (its
		// layout's: prod/'s, not dev/'s), which may claim the host or not.
		for _, a := range cs {
			var others []string
			var with []claim
			for _, b := range cs {
				if graph.SameObject(a.vs.Obj, b.vs.Obj) || !copies.GoesWith(a.vs.Obj, b.vs) || !graph.ExportsOverlap(a.vs.ExportTo, a.vs.Namespace(), b.vs.ExportTo, b.vs.Namespace()) {
					continue
				}
				others = append(others, b.vs.Namespace()+"/"+b.vs.Name())
				with = append(with, b)
			}
			if len(others) == 0 {
				continue
			}
			f := p.Reportf(a.vs.Obj, a.vs.Spec.Hosts[a.i].Loc, "host %q is also claimed for mesh traffic by VirtualService %s: sidecars use only the oldest of them and ignore the routes of the others",
				k, strings.Join(others, ", "))
			for _, b := range with {
				f.Relate(b.vs.Obj, b.vs.Spec.Hosts[b.i].Loc, "VirtualService %s/%s claims the same host", b.vs.Namespace(), b.vs.Name())
			}
		}
	}
	return nil
}
