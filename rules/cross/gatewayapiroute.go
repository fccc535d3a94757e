package cross

import (
	"fmt"
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
	rnetpol "github.com/meshlint/meshlint/rules/netpol"
)

// GatewayAPIRouteBlocked reports Gateway API routes whose backend pods the
// NetworkPolicies close to the pods of the Gateway the route attaches to.
var GatewayAPIRouteBlocked = &rules.Rule{
	ID:      "MR506",
	Name:    "gatewayapi-route-blocked-by-networkpolicy",
	Summary: "network policies block a Gateway API route: the backend pods do not admit the Gateway's pods",
	Doc: `An HTTPRoute (or GRPCRoute, TCPRoute, TLSRoute, UDPRoute) attached to a Gateway sends
traffic from the Gateway's pods to the pods behind each backend Service, on the port the
Service targets. Neither the Gateway API nor Istio knows of NetworkPolicies: when the
backend's ingress policies do not admit the Gateway's namespace and pods, or the Gateway's
egress policies do not allow the backend, the route is accepted and programmed, and every
request on it fails (503 UF/URX at the gateway). It is MR501 for the Gateway API.

The Gateway's pods are the workloads of the input in its namespace labelled
` + "`gateway.networking.k8s.io/gateway-name`" + ` with its name; failing those, for a Gateway of an
` + "`istio`" + ` class without ` + "`spec.addresses`" + `, the pods Istio deploys for it, which carry that label,
` + "`istio.io/gateway-name`" + ` and ` + "`spec.infrastructure.labels`" + `. Other Gateways are skipped, since
their pods are not known. For each backendRef with a weight that names a Service of the input,
the rule asks the connectivity engine whether a pod of the Gateway can open a connection to
each backend workload on its target port, for every listener the route is attached to, and
reports the backend workloads that none can reach, and which side blocks. A Gateway of an
` + "`istio`" + ` class (or whose pods are in the mesh) reaches a backend pod in ambient mode over HBONE, on
ztunnel's port of the pod, TCP 15008, which is the port checked then; through the waypoint of
a Service that uses one with ` + "`istio.io/ingress-use-waypoint: \"true\"`" + `, the pods see the waypoint's
pods instead, and are not checked. A backendRef to
another namespace that no ReferenceGrant permits is skipped: the Gateway refuses it and sends
it nothing, whatever the policies say (MR604 reports it).

A route attached through a ListenerSet (a parentRef of kind ` + "`ListenerSet`" + `) is served by the
pods of the ListenerSet's Gateway, once the Gateway accepts the ListenerSet: it is checked as a
route attached to the Gateway is, and the message names the ListenerSet.

Fix it by admitting the Gateway's pods in the backend's policy, with one peer holding both
selectors:

` + "```yaml" + `
ingress:
- from:
  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-ingress}}
    podSelector: {matchLabels: {gateway.networking.k8s.io/gateway-name: public}}
  ports: [{port: 8080}]
` + "```",
	Bad:      gatewayAPIRouteExample(false),
	Good:     gatewayAPIRouteExample(true),
	Severity: rules.Warning,
	Inputs:   inputs(append([]kinds.Kind{kinds.K8sGateway, kinds.ListenerSet, kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute, kinds.UDPRoute, kinds.Service}, netpolInputs...)...),
	Deps:     rules.DepTGT | rules.DepGWAPI | rules.DepREF | rules.DepNP2 | rules.DepCLS | rules.DepINJ,
	Run:      runGatewayAPIRouteBlocked,
}

func gatewayAPIRouteExample(good bool) string {
	from := `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]`
	if good {
		from = `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-ingress}}, podSelector: {matchLabels: {gateway.networking.k8s.io/gateway-name: public}}}]`
	}
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: istio-ingress}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs: [{name: web, port: 80}]
---
` + webBackendExample(from)
}

// gatewayPods are the pods of a Gateway API Gateway: workloads of the
// input, or, when there are none, the pods Istio deploys, known by their
// labels.
type gatewayPods struct {
	workloads []*graph.Workload
	pod       *netpol.Pod
}

func (gp gatewayPods) endpoints() []netpol.Endpoint {
	if gp.pod != nil {
		return []netpol.Endpoint{netpol.PodEndpoint(gp.pod)}
	}
	return workloadEndpoints(gp.workloads)
}

// text describes the pods for a message.
func (gp gatewayPods) text(p *rules.Pass) string {
	if gp.pod != nil {
		return "the pods Istio deploys for it"
	}
	return names(p, gp.workloads)
}

func podsOf(g *graph.Graph, gw *graph.K8sGateway) (gatewayPods, bool) {
	if ws := g.GatewayAPIWorkloads(gw); len(ws) > 0 {
		return gatewayPods{workloads: ws}, true
	}
	// With spec.addresses a Gateway may use pods deployed by hand,
	// found through a Service meshlint does not follow.
	l := gw.IstioPodLabels()
	if l == nil || len(gw.Addresses()) > 0 {
		return gatewayPods{}, false
	}
	return gatewayPods{pod: &netpol.Pod{Namespace: gw.Namespace(), Labels: l}}, true
}

func runGatewayAPIRouteBlocked(p *rules.Pass) error {
	g := p.Graph
	for _, r := range g.GatewayRoutes {
		// A ListenerSet's listeners are served by its Gateway's pods
		// (linkListenerSetParent sets Gateway only once the Gateway
		// accepts the ListenerSet), so a route is checked once per
		// Gateway, through its first parent that attaches it there.
		seen := map[*graph.K8sGateway]bool{}
		for _, parent := range r.Parents {
			gw := parent.Gateway
			if !parent.IsGateway() && !parent.IsListenerSet() || gw == nil || len(parent.Attached) == 0 || seen[gw] {
				continue
			}
			seen[gw] = true
			pods, ok := podsOf(g, gw)
			if !ok {
				continue
			}
			for _, rule := range r.Rules {
				for _, b := range rule.Backends {
					// A backend of another namespace that no
					// ReferenceGrant permits gets nothing from the
					// Gateway (MR604 reports it): no policy blocks it.
					if b.CrossNamespace && b.Grant == nil {
						continue
					}
					checkGatewayAPIBackend(p, r, parent, pods, b)
				}
			}
		}
	}
	return nil
}

func checkGatewayAPIBackend(p *rules.Pass, r *graph.GatewayRoute, parent *graph.ParentRef, pods gatewayPods, b *graph.BackendRef) {
	gw := parent.Gateway
	g := p.Graph
	// Istio's gateways reach a pod in ambient mode over HBONE, or through
	// the waypoint of its Service, whose pods are then the sources the
	// pod sees; other controllers' gateways, outside the mesh, on its
	// target port.
	istio := gw.IstioPodLabels() != nil || slices.ContainsFunc(pods.workloads, g.InMesh)
	if istio && ingressUsesWaypoint(g, b.Service) {
		return
	}
	targets := b.Targets()
	a := rnetpol.Analysis(p)
	srcs := pods.endpoints()
	var blocked []*graph.Workload
	var why, port string
	conn := plainConnection
	if istio {
		conn = func(t graph.BackendTarget) (netpol.Set, string, bool) { return proxyConnection(g, t) }
	}
	for _, t := range targets {
		c, what, ok := conn(t)
		if !ok || reachesFrom(a, srcs, t.Workload, c) {
			continue
		}
		if blocked == nil {
			port = what
			why = blockingSide(a, srcs, t.Workload, c)
		}
		blocked = append(blocked, t.Workload)
	}
	if len(blocked) == 0 {
		return
	}
	all := ""
	if len(blocked) == len(targets) {
		all = ": the backend is dead"
	}
	at := b.NameLoc
	if at.Line == 0 {
		at = b.Loc
	}
	through := ""
	if ls := parent.ListenerSet; parent.IsListenerSet() && ls != nil {
		through = fmt.Sprintf("ListenerSet %s/%s of ", ls.Namespace(), ls.Name())
	}
	f := p.Reportf(r.Obj, at, "NetworkPolicies block backend %s of %s %s/%s through %sGateway %s/%s: %s (%s) admit no connection from the Gateway's pods (%s); %s%s",
		b.Name, r.Kind(), r.Namespace(), r.Name(), through, gw.Namespace(), gw.Name(), names(p, blocked), port, pods.text(p), why, all)
	relatePolicies(f, a, blocked, netpol.Ingress)
	relatePolicies(f, a, pods.workloads, netpol.Egress)
	if pods.pod != nil {
		for _, o := range graph.DistinctObjects(a.EndpointPolicies(netpol.PodEndpoint(pods.pod), netpol.Egress)) { // each policy once, whatever its copies
			f.Relate(o, o.NameLoc, "%s %s/%s applies to the pods of Gateway %s/%s for %s", o.Kind, o.Namespace, o.Name, gw.Namespace(), gw.Name(), netpol.Egress)
		}
	}
}

// reachesFrom reports whether some endpoint of srcs may connect to dst on
// c.
func reachesFrom(a *netpol.Analysis, srcs []netpol.Endpoint, dst *graph.Workload, c netpol.Set) bool {
	for _, s := range srcs {
		if a.Allowed(s, netpol.WorkloadEndpoint(dst)).ContainsSet(c) {
			return true
		}
	}
	return false
}
