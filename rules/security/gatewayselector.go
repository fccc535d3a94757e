package security

import (
	"github.com/meshlint/meshlint/internal/kinds"
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
	Doc: `Policies attach to the pods of a Gateway API Gateway (Istio's automated deployment, and
waypoints) through ` + "`targetRefs`" + ` naming the Gateway. A ` + "`selector`" + ` that matches those pods, for
example ` + "`gateway.networking.k8s.io/gateway-name: public`" + `, is ignored for them: the
AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin does nothing there.

Replace the selector with ` + "`targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: ...}]`" + `.
The gateway pods are the pods of the input labelled ` + "`gateway.networking.k8s.io/gateway-name`" + `,
and the pods Istio deploys for a Gateway of an ` + "`istio`" + ` class in the input. istioctl analyze
only looks at running pods, and ignores policies that set ` + "`targetRefs`" + ` only when they
also set the deprecated ` + "`targetRef`" + `; meshlint skips both.`,
	Bad: gatewayAuthzExample(`  selector:
    matchLabels: {gateway.networking.k8s.io/gateway-name: public}
`),
	Good: gatewayAuthzExample(`  targetRefs:
  - {kind: Gateway, group: gateway.networking.k8s.io, name: public}
`),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{kinds.AuthorizationPolicy, kinds.RequestAuthentication, kinds.Telemetry, kinds.WasmPlugin, kinds.K8sGateway,
		kinds.Pod, kinds.Deployment},
	Related: []string{"IST0166"},
	Deps:    rules.DepNone,
	Run:     runSelectorOnGatewayAPIPod,
}

// gatewayAuthzExample is a DENY policy attached to the Gateway API
// Gateway public by attachment: the examples of MR314.
func gatewayAuthzExample(attachment string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
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
		if name := g.SelectsGatewayAPIPod(o.Namespace, sel.MatchLabels); name != "" {
			p.Reportf(o, sel.Loc, "the selector of %s %s/%s matches the pods of Gateway API Gateway %s/%s, where it is ignored: use targetRefs",
				o.Kind, o.Namespace, o.Name, o.Namespace, name)
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
