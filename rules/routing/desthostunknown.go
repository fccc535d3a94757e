package routing

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DestinationHostUnknown reports route destinations whose host is in no
// registry.
var DestinationHostUnknown = &rules.Rule{
	ID:      "MR112",
	Name:    "destination-host-unknown",
	Summary: "route destination host matches no Service or ServiceEntry visible from the VirtualService",
	Doc: `Istio builds a cluster for each host of its service registry: Kubernetes Services and
ServiceEntry hosts. A route or mirror destination whose host is in neither has no cluster,
so requests routed there fail with 503 (NC, no cluster) and mirrored traffic is dropped. A short
host is expanded with the VirtualService's namespace; a host with a dot is taken literally, so
` + "`reviews.shop`" + ` is not ` + "`reviews.shop.svc.cluster.local`" + `, although Kubernetes DNS would
resolve it.

Fix the host (write the FQDN for a Service of another namespace), or add a ServiceEntry for
an external host.

istioctl analyze skips this check when it reads files (it drops Services), and reports it
only against a live cluster. meshlint stays quiet when the input describes no Service or
ServiceEntry of the host's namespace (for an external host: no ServiceEntry at all), since the
host may be defined elsewhere; the closed-world setting makes it strict. Visibility honours
Service ` + "`networking.istio.io/exportTo`" + ` annotations and ServiceEntry ` + "`exportTo`" + `. The host
must be visible where the routes are used: from the VirtualService's namespace, or, when its
` + "`exportTo`" + ` lists namespaces, from at least one of them (a VirtualService exported only to
namespaces that cannot see its destination routes their requests nowhere).`,
	Bad: `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviewz}
`,
	Good: `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Service, kinds.ServiceEntry},
	Related:  []string{"IST0101", "KIA1101"},
	Run:      runDestinationHostUnknown,
}

func runDestinationHostUnknown(p *rules.Pass) error {
	g := p.Graph
	eachHostDestination(p, func(vs *graph.VirtualService, ref destRef, targets []graph.HostTarget) {
		if len(targets) > 0 {
			return
		}
		h := ref.Dest.Host.V
		fqdn := host.FQDN(h, vs.Namespace(), g.Mesh.ClusterDomain)
		nss, listed := clientNamespaces(vs)
		hint := hostHint(g, h, fqdn, vs.Namespace(), nss)
		if hint == "" && !g.HostDescribed(fqdn) {
			return
		}
		where := namespacesPhrase(nss)
		if listed {
			where += ", where the VirtualService is exported"
		}
		p.Reportf(vs.Obj, ref.Dest.Host.Loc, "%s: host %q matches no Service or ServiceEntry visible from %s%s", ref.Where(), h, where, hint)
	})
	return nil
}
