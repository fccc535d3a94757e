package cross

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
	rnetpol "github.com/meshlint/meshlint/rules/netpol"
)

// GatewayRouteBlocked reports Gateway routes whose destination pods the
// NetworkPolicies close to the gateway's pods.
var GatewayRouteBlocked = &rules.Rule{
	ID:      "MR501",
	Name:    "gateway-route-blocked-by-networkpolicy",
	Summary: "network policies block a Gateway route: the destination pods do not admit the gateway's pods",
	Doc: `A VirtualService bound to a Gateway sends traffic from the gateway's pods (the Envoy
deployment its selector picks) to the pods behind the destination Service, on the port the
Service targets. Istio knows nothing of NetworkPolicies: when the destination's ingress
policies do not admit the gateway's namespace and pods, or the gateway's egress policies do
not allow the destination, the route is configured everywhere and every request on it fails
(connection timeouts, 503 UF/URX at the gateway).

For each route destination that resolves to a Service of the input, the rule asks the
connectivity engine whether at least one pod of the Gateway can open a connection to each
destination workload on its target port (subsets narrow the workloads when a DestinationRule
defines them). It reports the destination workloads that none can reach, and which side
blocks. It needs the gateway's pods in the input (the Gateway's selector must match a
workload) and stays quiet otherwise; destinations without a port on a multi-port Service are
skipped. A destination pod in ambient mode is reached over HBONE: the gateway tunnels to
ztunnel's port of the pod, TCP 15008, which is the port checked then (UDP is not tunnelled).
When its Service uses a waypoint and ` + "`istio.io/ingress-use-waypoint: \"true\"`" + ` (on the Service, else
its namespace) sends the gateway's traffic there, the pods see the waypoint's pods instead, and
are not checked. A route that delegates (` + "`delegate: {name, namespace}`" + `) is followed into the delegate
VirtualService, as Istio merges it (without the delegate routes that the merge drops, which
MR107 reports): its destinations are reached from the root's gateways that the merged route's
match entries keep, and are reported on the delegate, where the backend is named. A
VirtualService without hosts is a delegate, which Istio never applies on its own: it is
checked only through the roots that name it.

Fix it by admitting the gateway in the destination's policy, with one peer holding both
selectors:

` + "```yaml" + `
ingress:
- from:
  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-ingress}}
    podSelector: {matchLabels: {istio: ingressgateway}}
  ports: [{port: 9080}]
` + "```",
	Bad:      gatewayRouteExample(false),
	Good:     gatewayRouteExample(true),
	Severity: rules.Warning,
	Inputs:   inputs(append([]kinds.Kind{kinds.Gateway, kinds.VirtualService, kinds.Service, kinds.DestinationRule}, netpolInputs...)...),
	Deps:     rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepGW | rules.DepREF | rules.DepNP2 | rules.DepREV,
	Run:      runGatewayRouteBlocked,
}

func gatewayRouteExample(good bool) string {
	from := `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]`
	if good {
		from = `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-ingress}}, podSelector: {matchLabels: {istio: ingressgateway}}}]`
	}
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/shop.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-ingress/public]
  http:
  - route: [{destination: {host: web}}]
---
` + webBackendExample(from)
}

// webBackendExample is the backend of the examples of MR501 and MR506:
// Service shop/web, its Deployment, and a NetworkPolicy admitting from.
func webBackendExample(from string) string {
	return `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1, ports: [{containerPort: 8080}]}]}
---
` + ingressPolicy("web", from)
}

func runGatewayRouteBlocked(p *rules.Pass) error {
	g := p.Graph
	delegations := delegationsByRoot(g)
	for _, vs := range g.VirtualServices {
		if len(vs.Spec.Hosts) == 0 {
			continue // a delegate: Istio applies it only through its roots
		}
		var backends []graph.RouteBackend
		var delegated [][]graph.RouteBackend
		for _, ref := range vs.Gateways {
			gw := ref.Gateway
			if ref.Mesh || gw == nil || len(gw.Workloads) == 0 {
				continue
			}
			if backends == nil && delegated == nil {
				backends = g.RouteBackends(vs)
				delegated = delegatedBackends(g, delegations[vs])
			}
			for _, b := range backends {
				if g.AppliesTo(vs, b, gw) {
					checkGatewayBackend(p, vs, nil, gw, b)
				}
			}
			// The delegate's routes, merged into the root's, serve
			// the root's gateways.
			for i, bs := range delegated {
				for _, b := range bs {
					if g.AppliesTo(vs, b, gw) {
						checkGatewayBackend(p, vs, &delegations[vs][i], gw, b)
					}
				}
			}
		}
	}
	return nil
}

// delegationsByRoot indexes the delegations of g by root VirtualService.
func delegationsByRoot(g *graph.Graph) map[*graph.VirtualService][]graph.Delegation {
	var out map[*graph.VirtualService][]graph.Delegation
	for _, dl := range g.Delegations() {
		if out == nil {
			out = map[*graph.VirtualService][]graph.Delegation{}
		}
		out[dl.Root] = append(out[dl.Root], dl)
	}
	return out
}

// delegatedBackends returns the backends of each of ds, in order.
func delegatedBackends(g *graph.Graph, ds []graph.Delegation) [][]graph.RouteBackend {
	if len(ds) == 0 {
		return nil
	}
	out := make([][]graph.RouteBackend, len(ds))
	for i, d := range ds {
		out[i] = g.DelegatedBackends(d)
	}
	return out
}

// routeObject returns the object that holds the destination of b, a
// backend of vs or, when dl is not nil, of its delegation dl. A
// delegated destination is reported on the delegate: it is where the
// backend is named, and the delegate's owners (delegation splits a host
// between teams) are the ones who own the backend and its policies. The
// root's delegate entry is related, since the root decides the clients.
func routeObject(vs *graph.VirtualService, dl *graph.Delegation) *manifest.Object {
	if dl != nil {
		return dl.Delegate.Obj
	}
	return vs.Obj
}

// relateRoot points f at the delegate entry of the root of dl.
func relateRoot(f *rules.Finding, dl *graph.Delegation) {
	if dl == nil {
		return
	}
	r := dl.Root
	f.Relate(r.Obj, r.Spec.HTTP[dl.Route].Delegate.Name.Loc, "VirtualService %s/%s http[%d] delegates to VirtualService %s/%s", r.Namespace(), r.Name(), dl.Route, dl.Delegate.Namespace(), dl.Delegate.Name())
}

func checkGatewayBackend(p *rules.Pass, vs *graph.VirtualService, dl *graph.Delegation, gw *graph.Gateway, b graph.RouteBackend) {
	// Through a waypoint the pods see the waypoint's pods, not the
	// gateway's.
	if ingressUsesWaypoint(p.Graph, b.Service) {
		return
	}
	a := rnetpol.Analysis(p)
	var blocked []*graph.Workload
	var why, port string
	for _, t := range b.Targets {
		c, what, ok := proxyConnection(p.Graph, t)
		if !ok || reaches(a, gw.Workloads, t.Workload, c) {
			continue
		}
		if len(blocked) == 0 {
			why, port = blockingSide(a, workloadEndpoints(gw.Workloads), t.Workload, c), what
		}
		blocked = append(blocked, t.Workload)
	}
	if len(blocked) == 0 {
		return
	}
	all := ""
	if len(blocked) == len(b.Targets) {
		all = ": the route is dead"
	}
	f := p.Reportf(routeObject(vs, dl), b.Dest.Loc, "NetworkPolicies block %s of VirtualService %s/%s through Gateway %s/%s: %s (%s) admit no connection from the gateway's pods (%s); %s%s",
		b.Route, vs.Namespace(), vs.Name(), gw.Namespace(), gw.Name(), names(p, blocked), port, names(p, gw.Workloads), why, all)
	relateRoot(f, dl)
	relatePolicies(f, a, blocked, netpol.Ingress)
	relatePolicies(f, a, gw.Workloads, netpol.Egress)
}

// blockingSide says which side of the connection from srcs to dst drops c.
func blockingSide(a *netpol.Analysis, srcs []netpol.Endpoint, dst *graph.Workload, c netpol.Set) string {
	for _, s := range srcs {
		if a.EgressAllowed(s, netpol.WorkloadEndpoint(dst)).ContainsSet(c) {
			return "the destination's ingress policies do not admit them"
		}
	}
	for _, s := range srcs {
		if a.IngressAllowed(s, netpol.WorkloadEndpoint(dst)).ContainsSet(c) {
			return "the sources' egress policies do not allow it"
		}
	}
	return "neither the sources' egress nor the destination's ingress policies allow it"
}

// workloadEndpoints are the endpoints of ws.
func workloadEndpoints(ws []*graph.Workload) []netpol.Endpoint {
	out := make([]netpol.Endpoint, len(ws))
	for i, w := range ws {
		out[i] = netpol.WorkloadEndpoint(w)
	}
	return out
}

// relatePolicies points at the policies deciding direction d of ws, once
// each: two definitions of one policy are one policy (MR017 reports
// them).
func relatePolicies(f *rules.Finding, a *netpol.Analysis, ws []*graph.Workload, d netpol.Direction) {
	type applies struct {
		o *manifest.Object
		w *graph.Workload
	}
	var all []applies
	seen := map[*manifest.Object]bool{}
	for _, w := range ws {
		for _, o := range a.Policies(w, d) {
			if !seen[o] {
				seen[o] = true
				all = append(all, applies{o, w})
			}
		}
	}
	for _, x := range graph.DistinctFunc(all, func(x applies) *manifest.Object { return x.o }) {
		f.Relate(x.o, x.o.NameLoc, "%s %s/%s applies to %s for %s", x.o.Kind, x.o.Namespace, x.o.Name, name(x.w), d)
	}
}
