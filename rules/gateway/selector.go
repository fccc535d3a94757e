package gateway

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/rules"
)

// GatewaySelectorNoWorkload reports Gateways whose selector picks no pod.
var GatewaySelectorNoWorkload = &rules.Rule{
	ID:      "MR210",
	Name:    "gateway-selector-no-workload",
	Summary: "gateway selector matches no gateway pod of the input",
	Doc: `A Gateway configures the gateway pods its ` + "`selector`" + ` picks, in any namespace. When no pod
carries those labels, its servers are never programmed and the hosts it declares are not
served: requests are refused at the load balancer or get 404.

istiod started with ` + "`PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true`" + ` (meshlint's
` + "`mesh.scope-gateway-to-namespace`" + `) gives each gateway pod only the Gateways of its own
namespace: the selector then picks pods of the Gateway's namespace only, and a Gateway whose
selector matches gateway pods of other namespaces alone is reported, naming them.

Fix the selector to the labels of the gateway deployment (for Istio's chart, usually
` + "`istio: ingressgateway`" + `; for a gateway installed with the gateway Helm chart, its
` + "`istio`" + ` label is the release name).

Only gateway proxies take Gateways: a selector that matches application pods only, whether
they run a sidecar or no proxy at all, programs nothing either. A pod counts as a gateway when
its template declares the ` + "`istio-proxy`" + ` container or the proxy image itself, uses Istio's
gateway injection template (` + "`inject.istio.io/templates: gateway`" + `), belongs to a Gateway API
Gateway, or carries an ` + "`istio`" + ` label naming a gateway (` + "`ingressgateway`" + `, ` + "`eastwestgateway`" + `...).

Gateway deployments are usually installed apart from the application manifests, so the rule
only judges when the input describes them: when it holds a pod template that declares the
` + "`istio-proxy`" + ` container itself (as gateway deployments do), or a pod that some Gateway's selector
matches, or with the closed-world setting.`,
	Bad:      gatewaySelectorExample("ingress"),
	Good:     gatewaySelectorExample("ingressgateway"),
	Severity: rules.Error,
	Inputs:   append([]kinds.Kind{kinds.Gateway}, kinds.Workloads()...),
	Related:  []string{"IST0101", "KIA0302"},
	Deps:     rules.DepGW | rules.DepPRES,
	Run:      runGatewaySelectorNoWorkload,
}

// gatewaySelectorExample is Gateway shop/public, whose selector is
// istio: istio, and the pods of the ingress gateway: the examples of MR210.
func gatewaySelectorExample(istio string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway, app: istio-ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ` + istio + `}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com]
`
}

func runGatewaySelectorNoWorkload(p *rules.Pass) error {
	g := p.Graph
	described := g.Mesh.ClosedWorld
	for _, gw := range g.Gateways {
		described = described || len(gw.Workloads) > 0
		// Scoped, pods of other namespaces that the selector matches
		// still show that the input holds the gateway deployments.
		described = described || g.Mesh.ScopeGatewayToNamespace && len(gw.Spec.Selector) > 0 && len(g.SelectWorkloads("", gw.Spec.Selector)) > 0
	}
	for _, w := range g.Workloads {
		described = described || w.ExplicitProxy()
	}
	if !described {
		return nil
	}
	for _, gw := range g.Gateways {
		if len(gw.Spec.Selector) == 0 {
			continue
		}
		if len(gw.Workloads) == 0 && g.Mesh.ScopeGatewayToNamespace {
			if elsewhere := gatewayPodsElsewhere(g, gw); len(elsewhere) > 0 {
				w := elsewhere[0]
				p.Reportf(gw.Obj, gw.Obj.NameLoc, "selector %s of Gateway %s/%s matches no pod of namespace %s: pods of %s match, but istiod scopes Gateways to their namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE), so its servers are programmed nowhere",
					labels.String(gw.Spec.Selector), gw.Namespace(), gw.Name(), gw.Namespace(), namespacesOf(elsewhere)).
					Relate(w.Obj, w.Obj.NameLoc, "%s %s/%s", w.Obj.Kind, w.Namespace(), w.Name())
				continue
			}
		}
		if len(gw.Workloads) == 0 {
			p.Reportf(gw.Obj, gw.Obj.NameLoc, "selector %s of Gateway %s/%s matches no pod of the input: its servers are programmed nowhere",
				labels.String(gw.Spec.Selector), gw.Namespace(), gw.Name())
			continue
		}
		if slices.ContainsFunc(gw.Workloads, (*graph.Workload).MayRunGatewayProxy) {
			continue
		}
		w := gw.Workloads[0]
		what := "no Istio proxy"
		if w.Sidecar {
			what = "a sidecar, not a gateway proxy"
		}
		scoped := ""
		if g.Mesh.ScopeGatewayToNamespace {
			if elsewhere := gatewayPodsElsewhere(g, gw); len(elsewhere) > 0 && elsewhere[0].MayRunGatewayProxy() {
				scoped = fmt.Sprintf(" (the gateway pods of %s match, but istiod scopes Gateways to their namespace: PILOT_SCOPE_GATEWAY_TO_NAMESPACE)", namespacesOf(elsewhere))
			}
		}
		p.Reportf(gw.Obj, gw.Obj.NameLoc, "selector %s of Gateway %s/%s matches only application pods, such as those of %s %s/%s, which run %s: Istio programs Gateways on gateway proxies only, so its servers are programmed nowhere%s",
			labels.String(gw.Spec.Selector), gw.Namespace(), gw.Name(), w.Obj.Kind, w.Namespace(), w.Name(), what, scoped).
			Relate(w.Obj, w.Obj.NameLoc, "%s %s/%s", w.Obj.Kind, w.Namespace(), w.Name())
	}
	return nil
}

// gatewayPodsElsewhere returns the pods of other namespaces that the
// selector of Gateway gw matches, which it would configure without the
// gateway scope setting: the gateway proxies among them, as the graph
// binds, or all of them when none is one.
func gatewayPodsElsewhere(g *graph.Graph, gw *graph.Gateway) []*graph.Workload {
	var all, proxies []*graph.Workload
	for _, w := range g.SelectWorkloads("", gw.Spec.Selector) {
		if w.Namespace() == gw.Namespace() {
			continue
		}
		all = append(all, w)
		if w.MayRunGatewayProxy() {
			proxies = append(proxies, w)
		}
	}
	if len(proxies) > 0 {
		return proxies
	}
	return all
}

// namespacesOf names the namespaces of ws, sorted, once each.
func namespacesOf(ws []*graph.Workload) string {
	var nss []string
	for _, w := range ws {
		nss = append(nss, w.Namespace())
	}
	slices.Sort(nss)
	return strings.Join(slices.Compact(nss), ", ")
}
