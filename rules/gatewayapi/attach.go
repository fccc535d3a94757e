package gatewayapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// RouteNotAdmitted reports routes that no listener of their parent Gateway
// admits, by namespace or by kind.
var RouteNotAdmitted = &rules.Rule{
	ID:      "MR605",
	Name:    "gatewayapi-route-not-admitted",
	Summary: "no listener of the parent Gateway admits the route's namespace or kind",
	Doc: `A route attaches to a Gateway only through listeners that admit it. Each listener's
` + "`allowedRoutes`" + ` says which routes it takes:

- ` + "`namespaces.from`" + `: ` + "`Same`" + ` (the default when ` + "`allowedRoutes`" + ` or ` + "`from`" + ` is left out) admits
  routes of the Gateway's own namespace only; ` + "`All`" + ` admits every namespace; ` + "`Selector`" + ` admits
  the namespaces whose labels match ` + "`namespaces.selector`" + ` (every namespace carries the label
  ` + "`kubernetes.io/metadata.name`" + `);
- ` + "`kinds`" + `: the route kinds admitted; when left out, the kinds the listener's protocol carries
  (HTTPRoute and GRPCRoute on HTTP and HTTPS, TLSRoute on TLS, TCPRoute on TCP and TLS,
  UDPRoute on UDP). A kind the protocol cannot carry is never admitted.

A parentRef with ` + "`sectionName`" + ` or ` + "`port`" + ` considers the listeners it selects; without them, every
listener of the Gateway. A parentRef of ` + "`kind: ListenerSet`" + ` considers the ListenerSet's listeners, whose
` + "`from: Same`" + ` means the ListenerSet's namespace; a parentRef to the Gateway does not reach them. When none of them admits the route, the route is not attached
(` + "`Accepted: False`" + `, reason ` + "`NotAllowedByListeners`" + `) and its traffic is not routed there. The
usual cause is a route in an application namespace attached to a shared Gateway whose listeners
keep the default ` + "`from: Same`" + `: the Gateway owner must set ` + "`from: All`" + ` or a ` + "`Selector`" + `. This is
the Gateway API's own check for cross-namespace attachment; no ReferenceGrant is involved.

A ` + "`Selector`" + ` is matched against the labels of the route's Namespace object. When the input has
no Namespace object for it, its labels are unknown and the rule stays quiet unless the selector
already matches the automatic label, or the closed-world setting is on (then only the automatic
label is assumed). Implementation-specific protocols (` + "`example.com/proto`" + `) admit any kind. On the
classes Istio translates, an ` + "`HTTPS`" + ` listener without ` + "`tls`" + ` is a placeholder Istio builds nothing
for: it admits no route, and is not listed (a parentRef that selects only such listeners is
gatewayapi-parent-ref-unresolved's). A ` + "`TLS`" + ` listener without ` + "`tls`" + ` makes the API server refuse its
Gateway or ListenerSet (gatewayapi-crd-validation reports it); it is judged as it is once it has
` + "`tls`" + `, when Istio builds it. A parentRef that repeats an earlier one of the route exactly makes the
API server refuse the route (gatewayapi-crd-validation reports the repeat): it is reported once,
at the first.`,
	Bad: allowedRoutesExample(""),
	Good: allowedRoutesExample(`    allowedRoutes:
      namespaces:
        from: Selector
        selector:
          matchLabels: {kubernetes.io/metadata.name: shop}
`),
	Severity: rules.Error,
	Inputs:   inputs(kinds.K8sGateway, kinds.ListenerSet, kinds.Namespace, kinds.GatewayClass),
	Related:  []string{"KIA1401"},
	Deps:     rules.DepGWAPI | rules.DepREF | rules.DepCLS,
	Run:      runRouteNotAdmitted,
}

// allowedRoutesExample is an HTTP listener of Gateway infra/public, with
// allowedRoutes, and an HTTPRoute of shop attached to it: the examples of
// MR605.
func allowedRoutesExample(allowedRoutes string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
` + allowedRoutes + `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - backendRefs:
    - {name: storefront, port: 8080}
`
}

func runRouteNotAdmitted(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for i, pr := range r.Parents {
			gw := pr.Gateway
			if gw == nil || len(pr.Listeners) == 0 || len(pr.Attached) > 0 || repeatsEarlier(r.Parents[:i], pr) {
				continue
			}
			var why []string
			for _, l := range pr.Listeners {
				why = append(why, "listener "+l.Name+" "+refusal(p.Graph, l, r))
			}
			f := p.Reportf(r.Obj, pr.NameLoc, "%s of namespace %s cannot attach to %s: %s",
				r.Kind(), r.Namespace(), parentText(pr), strings.Join(why, "; "))
			for _, l := range pr.Listeners {
				f.Relate(l.Owner(), l.Spec.Name.Loc, "listener %s", l.Name)
			}
		}
	}
	return nil
}

// refusal says why listener l does not admit route r.
func refusal(g *graph.Graph, l *graph.Listener, r *graph.GatewayRoute) string {
	if !l.AdmitsKind(r.GroupKind()) {
		if len(l.Kinds) == 0 {
			return fmt.Sprintf("admits no route kind that protocol %s carries", l.Protocol)
		}
		var ks []string
		for _, k := range l.Kinds {
			ks = append(ks, k.String())
		}
		sort.Strings(ks)
		return fmt.Sprintf("(protocol %s) admits %s, not %s", l.Protocol, strings.Join(ks, " and "), r.Kind())
	}
	switch l.From {
	case "Same":
		how := "allowedRoutes.namespaces.from: Same"
		if ar := l.Spec.AllowedRoutes; ar == nil || ar.Namespaces == nil || !ar.Namespaces.From.Set {
			how = "allowedRoutes.namespaces.from defaults to Same"
		}
		return fmt.Sprintf("admits routes of namespace %s only (%s)", l.Namespace(), how)
	case "Selector":
		if l.Selector == nil {
			return "has from: Selector without a selector, which admits no namespace"
		}
		var lbls []string
		if n := g.Namespaces[r.Namespace()]; n != nil {
			for k, v := range n.Labels {
				lbls = append(lbls, k+"="+v)
			}
		}
		sort.Strings(lbls)
		return fmt.Sprintf("admits the namespaces its selector matches, and namespace %s (labels %s) does not match", r.Namespace(), strings.Join(lbls, ", "))
	case "None":
		return "admits no route (from: None)"
	}
	return fmt.Sprintf("does not admit it (from: %s)", l.From)
}
