package cross

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
	rnetpol "github.com/meshlint/meshlint/rules/netpol"
	"strings"
)

// MeshRouteBlocked reports mesh routes whose destination pods no in-mesh
// client of the input may connect to.
var MeshRouteBlocked = &rules.Rule{
	ID:      "MR502",
	Name:    "mesh-route-blocked-by-networkpolicy",
	Summary: "network policies block a mesh route: no in-mesh client can reach the destination pods",
	Doc: `A VirtualService bound to the mesh (no ` + "`gateways`" + `, or ` + "`mesh`" + ` among them) configures the
sidecars of every namespace it is exported to. Which of them actually call the host is not
written anywhere, so the rule takes a definition that cannot cry wolf: a route destination is
reported when **no** in-mesh workload of the input (a workload with a sidecar or in ambient
mode, in a namespace the VirtualService is exported to, other than the destination itself)
may open a connection to a destination workload on its target port under the
NetworkPolicies. Then no client the input knows of can use the route, and the
VirtualService's traffic shaping, retries and subsets there are dead configuration, or the
policies forgot the clients.

The destination must be a Service of the input with in-mesh workloads, and the input must
hold at least one other in-mesh workload; otherwise the rule stays quiet. A route that some
clients can use and others cannot is not reported: that is what policies are for.`,
	Bad:      meshRouteExample(false),
	Good:     meshRouteExample(true),
	Severity: rules.Warning,
	Inputs:   inputs(append([]kinds.Kind{kinds.VirtualService, kinds.Service, kinds.DestinationRule}, netpolInputs...)...),
	Run:      runMeshRouteBlocked,
}

func meshRouteExample(good bool) string {
	from := `[{podSelector: {matchLabels: {app: admin}}}]`
	if good {
		from = `[{podSelector: {matchLabels: {app: web}}}]`
	}
	return `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews}}
    spec: {containers: [{name: reviews, image: reviews:1, ports: [{containerPort: 9080}]}]}
---
apiVersion: v1
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
  - route: [{destination: {host: reviews}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: reviews, namespace: shop}
spec:
  podSelector: {matchLabels: {app: reviews}}
  ingress:
  - from: ` + from + `
`
}

func runMeshRouteBlocked(p *rules.Pass) error {
	g := p.Graph
	clientsBy := map[string][]*graph.Workload{}
	for _, vs := range g.VirtualServices {
		mesh := len(vs.Gateways) == 0
		for _, ref := range vs.Gateways {
			mesh = mesh || ref.Mesh
		}
		if !mesh {
			continue
		}
		// Routes of one namespace with one exportTo see the same clients.
		key := vs.Namespace() + "\x00" + strings.Join(vs.ExportTo, ",")
		clients, seen := clientsBy[key]
		if !seen {
			for _, w := range g.Workloads {
				if g.InMesh(w) && graph.Visible(vs.ExportTo, vs.Namespace(), w.Namespace()) {
					clients = append(clients, w)
				}
			}
			clientsBy[key] = clients
		}
		for _, b := range g.RouteBackends(vs) {
			if g.AppliesTo(vs, b, nil) {
				checkMeshBackend(p, vs, b, clients)
			}
		}
	}
	return nil
}

func checkMeshBackend(p *rules.Pass, vs *graph.VirtualService, b graph.RouteBackend, clients []*graph.Workload) {
	g := p.Graph
	targets := map[*graph.Workload]bool{}
	for _, t := range b.Targets {
		targets[t.Workload] = true
	}
	// The clients other than the backend's own pods; listed only for the
	// message, since a clean tree never needs them.
	others := func() []*graph.Workload {
		var out []*graph.Workload
		for _, w := range clients {
			if !targets[w] {
				out = append(out, w)
			}
		}
		return out
	}
	if !hasOther(clients, targets) {
		return
	}
	a := rnetpol.Analysis(p)
	var blocked []*graph.Workload
	var first graph.BackendTarget
	for _, t := range b.Targets {
		c, ok := connection(t)
		// The backend's own pods are not counted as its clients.
		if !ok || !g.InMesh(t.Workload) || reachesExcept(a, clients, targets, t.Workload, c) {
			continue
		}
		if len(blocked) == 0 {
			first = t
		}
		blocked = append(blocked, t.Workload)
	}
	if len(blocked) == 0 {
		return
	}
	f := p.Reportf(vs.Obj, b.Dest.Loc, "NetworkPolicies block %s of VirtualService %s/%s for every in-mesh client of the input: %s (%s %d) admit no connection from any of the %d in-mesh workloads that see the route (%s)",
		b.Route, vs.Namespace(), vs.Name(), names(blocked), first.Protocol, first.Port, len(others()), names(others()))
	relatePolicies(f, a, blocked, netpol.Ingress)
}

// hasOther reports whether some client is not one of the targets.
func hasOther(clients []*graph.Workload, targets map[*graph.Workload]bool) bool {
	for _, w := range clients {
		if !targets[w] {
			return true
		}
	}
	return false
}
