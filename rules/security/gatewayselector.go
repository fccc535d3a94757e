package security

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// SelectorOnGatewayAPIPod reports policies that select Gateway API gateway
// pods by label.
var SelectorOnGatewayAPIPod = &rules.Rule{
	ID:      "MR314",
	Name:    "selector-on-gateway-api-pod",
	Summary: "policy selects the pods of a Gateway API Gateway by label instead of targetRefs",
	Doc: `A waypoint (a Gateway API Gateway of class ` + "`istio-waypoint`" + `) applies only the policies
attached to it through ` + "`targetRefs`" + `: a ` + "`selector`" + ` that matches its pods, for example
` + "`gateway.networking.k8s.io/gateway-name: waypoint`" + `, is ignored there, and the
AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin does nothing (Istio's
WorkloadPolicyMatcher.ShouldAttachPolicy; the API says so of ` + "`targetRefs`" + `). That is a warning.

The pods of other Gateway API Gateways (Istio's automated deployment of class ` + "`istio`" + `) do apply
selector policies, as long as istiod's ` + "`ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY`" + ` is on, which is
its default; istioctl analyze reports them all the same (IST0166) as ineffective. The rule
reports them for information only, since ` + "`targetRefs`" + ` is the attachment that does not hang on
that setting.

Replace the selector with ` + "`targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: ...}]`" + `.
The gateway pods are the pods of the input labelled ` + "`gateway.networking.k8s.io/gateway-name`" + `
(waypoint pods also carry ` + "`gateway.istio.io/managed: istio.io-mesh-controller`" + `), and the pods
Istio deploys for a Gateway of an ` + "`istio`" + ` class in the input. istioctl analyze only looks at
running pods, and ignores policies that set ` + "`targetRefs`" + ` only when they also set the deprecated
` + "`targetRef`" + `; meshlint skips both.`,
	Bad: gatewayAuthzExample(`  selector:
    matchLabels: {gateway.networking.k8s.io/gateway-name: waypoint}
`),
	Good: gatewayAuthzExample(`  targetRefs:
  - {kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}
`),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{kinds.AuthorizationPolicy, kinds.RequestAuthentication, kinds.Telemetry, kinds.WasmPlugin, kinds.K8sGateway,
		kinds.Pod, kinds.Deployment},
	Related: []string{"IST0166"},
	Deps:    rules.DepNone,
	Run:     runSelectorOnGatewayAPIPod,
}

// gatewayAuthzExample is a DENY policy attached to the waypoint of shop
// by attachment: the examples of MR314.
func gatewayAuthzExample(attachment string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - {name: mesh, port: 15008, protocol: HBONE}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: shop}
spec:
` + attachment + `  action: DENY
  rules:
  - to: [{operation: {paths: [/admin*]}}]
`
}

func runSelectorOnGatewayAPIPod(p *rules.Pass) error {
	g := p.Graph
	// SelectsGatewayAPIPod finds gateway pods among the workloads labelled
	// gateway.networking.k8s.io/gateway-name and the pods of the Gateway
	// API Gateways: a namespace without either needs no matching of its
	// policies against each of its workloads.
	gatewayPods := map[string]bool{}
	for _, w := range g.Workloads {
		if _, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]; ok {
			gatewayPods[w.Namespace()] = true
		}
	}
	hasGatewayPods := func(ns string) bool {
		has, ok := gatewayPods[ns]
		if !ok {
			has = len(g.GatewayAPIPodLabels(ns)) > 0
			gatewayPods[ns] = has
		}
		return has
	}
	check := func(o *manifest.Object, sel *spec.MatchLabelsSelector, targeted bool) {
		if sel == nil || targeted || !hasGatewayPods(o.Namespace) {
			return
		}
		if name := selectsWaypoint(g, o.Namespace, sel.MatchLabels); name != "" {
			p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of waypoint %s/%s, which apply only policies attached by targetRefs: it is ignored there; use targetRefs",
				o.Kind, o.Namespace, o.Name, o.Namespace, name)
			return
		}
		if name := g.SelectsGatewayAPIPod(o.Namespace, sel.MatchLabels); name != "" {
			f := p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of Gateway API Gateway %s/%s: istiod applies it there only while ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on (its default), and istioctl analyze calls it ineffective (IST0166); targetRefs does not depend on that setting",
				o.Kind, o.Namespace, o.Name, o.Namespace, name)
			f.AtMost(rules.Info)
		}
	}
	for _, ap := range g.AuthorizationPolicies {
		check(ap.Obj, ap.Spec.Selector, ap.Spec.TargetRef != nil || len(ap.Spec.TargetRefs) > 0)
	}
	for _, ra := range g.RequestAuthentications {
		check(ra.Obj, ra.Spec.Selector, ra.Spec.TargetRef != nil || len(ra.Spec.TargetRefs) > 0)
	}
	for _, t := range g.Telemetries {
		check(t.Obj, t.Spec.Selector, t.Spec.TargetRef != nil || len(t.Spec.TargetRefs) > 0)
	}
	for _, w := range g.WasmPlugins() {
		check(w.Obj, w.Spec.Selector, w.Spec.TargetRef != nil || len(w.Spec.TargetRefs) > 0)
	}
	return nil
}

// waypointClass is the GatewayClass istiod creates for waypoints. Classes
// of the input with its controller are not looked up: that would make the
// findings depend on cluster objects (DepCLS).
const waypointClass = "istio-waypoint"

// selectsWaypoint returns the name of a waypoint of namespace ns whose pods
// a matchLabels selector picks, or "". Waypoints never take selector
// policies, unlike the other Gateway API gateways (ShouldAttachPolicy). A
// pod is a waypoint's when the Gateway its gateway-name label names is of
// the waypoint class, or when it carries the label Istio's waypoint
// template gives it.
func selectsWaypoint(g *graph.Graph, ns string, sel map[string]string) string {
	if len(sel) == 0 {
		return ""
	}
	waypoint := map[string]bool{}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() == ns && gw.Spec.GatewayClassName.V == waypointClass {
			waypoint[gw.Name()] = true
		}
	}
	for _, w := range g.WorkloadsIn(ns) {
		name, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]
		if ok && (waypoint[name] || w.Labels["gateway.istio.io/managed"] == "istio.io-mesh-controller") && labels.SubsetOf(sel, w.Labels) {
			return name
		}
	}
	// The first by name, whatever the map's order.
	found := ""
	for name, l := range g.GatewayAPIPodLabels(ns) {
		if waypoint[name] && labels.SubsetOf(sel, l) && (found == "" || name < found) {
			found = name
		}
	}
	return found
}
