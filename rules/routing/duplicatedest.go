package routing

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DuplicateDestination reports routes that list the same host, subset and
// port twice.
var DuplicateDestination = &rules.Rule{
	ID:      "MR130",
	Name:    "route-duplicate-destination",
	Summary: "a route lists the same destination (host, subset and port) more than once",
	Doc: `Istio adds the weights of destinations that resolve to the same Envoy cluster, so a route
that lists ` + "`reviews/v1`" + ` twice with weights 50 and 30 beside ` + "`reviews/v2`" + ` at 20 sends 80% to v1. It
is almost always a copy-paste slip where one entry should name another subset or host, and the
split written is not the split applied.

Hosts are compared after Istio's short-name expansion (` + "`reviews`" + ` in namespace ` + "`shop`" + ` and
` + "`reviews.shop.svc.cluster.local`" + ` are the same), and the port counts: the same host on two ports is
two destinations. Kiali reports the same (KIA1105) but ignores the port.

Merge the entries into one, or fix the subset or host of the duplicate.`,
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
      weight: 80
    - destination: {host: reviews.shop.svc.cluster.local, subset: v1}
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
      weight: 80
    - destination: {host: reviews, subset: v2}
      weight: 20
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"KIA1105"},
	Deps:     rules.DepNone,
	Run:      runDuplicateDestination,
}

func runDuplicateDestination(p *rules.Pass) error {
	sets := allRouteSets(p)
	for i, vs := range p.Graph.VirtualServices {
		for _, rs := range sets[i] {
			if len(rs.Route) < 2 {
				continue // a repeat takes two destinations
			}
			seen := map[string]int{}
			for j, d := range rs.Route {
				if d.Destination == nil || d.Destination.Host.V == "" {
					continue
				}
				dst := d.Destination
				key := host.FQDN(dst.Host.V, vs.Namespace(), p.Graph.Mesh.ClusterDomain) + "|" + dst.Subset.V
				port := ""
				if dst.Port != nil && dst.Port.Number.Set {
					port = fmt.Sprint(dst.Port.Number.V)
				}
				key += "|" + port
				first, dup := seen[key]
				if !dup {
					seen[key] = j
					continue
				}
				name := dst.Host.V
				if dst.Subset.V != "" {
					name += " subset " + dst.Subset.V
				}
				if port != "" {
					name += " port " + port
				}
				p.Reportf(vs.Obj, dst.Host.Loc, "%s[%d].route[%d] repeats the destination of route[%d] (%s): Istio adds their weights, so the split written is not the split applied", rs.Kind, rs.Index, j, first, name)
			}
		}
	}
	return nil
}
