package security

import (
	"maps"
	"slices"

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
AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin or TrafficExtension does nothing
(Istio's WorkloadPolicyMatcher.ShouldAttachPolicy; the API says so of ` + "`targetRefs`" + `). That is a
warning.

The pods of other Gateway API Gateways (Istio's automated deployment of class ` + "`istio`" + `) do apply
selector policies, as long as istiod's ` + "`ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY`" + ` is on, which is
its default; istioctl analyze reports them all the same (IST0166) as ineffective. The rule
reports them for information only, since ` + "`targetRefs`" + ` is the attachment that does not hang on
that setting.

An AuthorizationPolicy, RequestAuthentication, WasmPlugin or TrafficExtension of the root namespace
selects in every namespace, so its selector is compared with the gateway pods of every namespace;
a Telemetry's selector applies in its own namespace only, the root namespace's too (istiod's
Telemetries.applicableTelemetries). istioctl analyze compares a policy with the gateway pods of its
own namespace only.

Replace the selector with ` + "`targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: ...}]`" + `,
in a policy of the Gateway's namespace.
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
	Inputs: append([]kinds.Kind{kinds.AuthorizationPolicy, kinds.RequestAuthentication, kinds.Telemetry, kinds.WasmPlugin, kinds.TrafficExtension,
		kinds.K8sGateway}, kinds.Workloads()...),
	Related: []string{"IST0166"},
	Deps:    rules.DepWIDE,
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
	for _, gw := range g.K8sGateways {
		if gw.IstioPodLabels() != nil {
			gatewayPods[gw.Namespace()] = true
		}
	}
	// Sorted, so that a root-namespace policy matching gateways of several
	// namespaces names the same one whatever the input order.
	gatewayNamespaces := slices.Sorted(maps.Keys(gatewayPods))
	root := g.Mesh.RootNamespace
	check := func(o *manifest.Object, sel *spec.MatchLabelsSelector, targeted, rootSelectsEverywhere bool) {
		if sel == nil || targeted {
			return
		}
		namespaces := []string{o.Namespace}
		if rootSelectsEverywhere && o.Namespace == root {
			for _, ns := range gatewayNamespaces {
				if ns != root {
					namespaces = append(namespaces, ns)
				}
			}
		}
		// A waypoint anywhere comes first: it is the warning.
		for _, ns := range namespaces {
			if !gatewayPods[ns] {
				continue
			}
			if name := selectsWaypoint(g, ns, sel.MatchLabels); name != "" {
				if ns == o.Namespace {
					p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of waypoint %s/%s, which apply only policies attached by targetRefs: it is ignored there; use targetRefs",
						o.Kind, o.Namespace, o.Name, ns, name)
				} else {
					// A targetRef names a Gateway of the policy's own
					// namespace only (ShouldAttachPolicy), so the
					// policy to attach is one of the waypoint's.
					p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of waypoint %s/%s (%s is the root namespace, whose selector policies apply in every namespace), which apply only policies attached by targetRefs: it is ignored there; attach a policy of namespace %s to the waypoint by targetRefs",
						o.Kind, o.Namespace, o.Name, ns, name, root, ns)
				}
				return
			}
		}
		for _, ns := range namespaces {
			if !gatewayPods[ns] {
				continue
			}
			name := g.SelectsGatewayAPIPod(ns, sel.MatchLabels)
			if name == "" {
				continue
			}
			var f *rules.Finding
			if ns == o.Namespace {
				f = p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of Gateway API Gateway %s/%s: istiod applies it there only while ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on (its default), and istioctl analyze calls it ineffective (IST0166); targetRefs does not depend on that setting",
					o.Kind, o.Namespace, o.Name, ns, name)
			} else {
				// istioctl analyze matches a policy against the gateway
				// pods of its own namespace only: no IST0166 here.
				f = p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of Gateway API Gateway %s/%s (%s is the root namespace, whose selector policies apply in every namespace): istiod applies it there only while ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on (its default); a policy of namespace %s with targetRefs does not depend on that setting",
					o.Kind, o.Namespace, o.Name, ns, name, root, ns)
			}
			f.AtMost(rules.Info)
			return
		}
	}
	// istiod looks AuthorizationPolicies (ListAuthorizationPolicies),
	// RequestAuthentications (getConfigsForWorkload) and TrafficExtensions,
	// WasmPlugins among them (TrafficExtensionsByListenerInfo), up in the
	// root namespace beside the workload's. A Telemetry with a
	// selector applies in its own namespace only: applicableTelemetries
	// takes nothing but the mesh-wide default from the root namespace.
	for _, ap := range g.AuthorizationPolicies {
		check(ap.Obj, ap.Spec.Selector, ap.Spec.TargetRef != nil || len(ap.Spec.TargetRefs) > 0, true)
	}
	for _, ra := range g.RequestAuthentications {
		check(ra.Obj, ra.Spec.Selector, ra.Spec.TargetRef != nil || len(ra.Spec.TargetRefs) > 0, true)
	}
	for _, t := range g.Telemetries {
		check(t.Obj, t.Spec.Selector, t.Spec.TargetRef != nil || len(t.Spec.TargetRefs) > 0, false)
	}
	for _, w := range g.Extensions() {
		check(w.Obj, w.Spec.Selector, w.Spec.TargetRef != nil || len(w.Spec.TargetRefs) > 0, true)
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
	// The first by name, whatever the input's and the map's order.
	found := ""
	for _, w := range g.WorkloadsIn(ns) {
		name, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]
		if ok && (waypoint[name] || w.Labels["gateway.istio.io/managed"] == "istio.io-mesh-controller") && labels.SubsetOf(sel, w.Labels) && (found == "" || name < found) {
			found = name
		}
	}
	if found != "" {
		return found
	}
	for name, l := range g.GatewayAPIPodLabels(ns) {
		if waypoint[name] && labels.SubsetOf(sel, l) && (found == "" || name < found) {
			found = name
		}
	}
	return found
}
