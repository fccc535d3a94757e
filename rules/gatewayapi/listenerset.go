package gatewayapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// ListenerSetNotAllowed reports ListenerSets that no Gateway accepts.
var ListenerSetNotAllowed = &rules.Rule{
	ID:      "MR620",
	Name:    "gatewayapi-listenerset-not-allowed",
	Summary: "parentRef of a ListenerSet names no Gateway that accepts it",
	Doc: `A ListenerSet adds listeners to the Gateway its ` + "`parentRef`" + ` names, and only when that Gateway
allows it: the Gateway's ` + "`spec.allowedListeners.namespaces.from`" + ` must admit the ListenerSet's
namespace. It defaults to ` + "`None`" + `, so a Gateway without ` + "`allowedListeners`" + ` takes no ListenerSet;
` + "`Same`" + ` admits ListenerSets of the Gateway's namespace, ` + "`All`" + ` those of every namespace, and
` + "`Selector`" + ` those of the namespaces whose labels match ` + "`selector`" + ` (every namespace carries the label
` + "`kubernetes.io/metadata.name`" + `). A ListenerSet the Gateway does not admit is not accepted
(` + "`Accepted: False`" + `, reason ` + "`NotAllowed`" + `): none of its listeners is served, and routes attached to
it get no traffic.

The rule also reports a ListenerSet whose ` + "`parentRef`" + ` names no Gateway: a kind other than a
` + "`gateway.networking.k8s.io`" + ` Gateway, or a Gateway the input does not hold. A missing Gateway is
reported only when the input holds Gateways of the target namespace, or a Gateway of that name
elsewhere, or with the closed-world setting. And it reports a ListenerSet whose Gateway is of an
Istio class that takes no ListenerSets (waypoints, east-west and remote gateways): Istio reports
it ` + "`NotAllowed`" + ` too.

A ` + "`Selector`" + ` is matched against the labels of the ListenerSet's Namespace object; when the input has
none, the rule stays quiet unless the closed-world setting is on. The ListenerSets a Gateway
accepts add their listeners after the Gateway's own, oldest first (by ` + "`creationTimestamp`" + ` when
the manifest carries it), then by namespace and name: conflicts between them are reported by
gatewayapi-listener-conflict at the listener that loses.`,
	Bad: allowedListenersExample(""),
	Good: allowedListenersExample(`  allowedListeners:
    namespaces:
      from: Selector
      selector:
        matchLabels: {kubernetes.io/metadata.name: shop}
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.ListenerSet, kinds.K8sGateway, kinds.GatewayClass, kinds.Namespace},
	Deps:     rules.DepCLS | rules.DepREF | rules.DepPRES,
	Run:      runListenerSetNotAllowed,
}

// allowedListenersExample is Gateway infra/public, with allowedListeners,
// and a ListenerSet of shop attached to it: the examples of MR620.
func allowedListenersExample(allowedListeners string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
` + allowedListeners + `  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: shop, namespace: shop}
spec:
  parentRef: {name: public, namespace: infra}
  listeners:
  - {name: shop, hostname: shop.example.com, port: 80, protocol: HTTP}
`
}

func runListenerSetNotAllowed(p *rules.Pass) error {
	g := p.Graph
	for _, ls := range g.ListenerSets {
		ref := ls.Parent
		if ref == nil || ref.Name == "" {
			continue // a schema error (MR001)
		}
		at := ls.Spec.ParentRef.Loc
		if ref.GroupKind != (graph.GroupKind{Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway}) {
			loc := ls.Spec.ParentRef.Kind.Loc
			if loc.IsZero() {
				loc = ls.Spec.ParentRef.Group.Loc
			}
			if loc.IsZero() {
				loc = at
			}
			p.Reportf(ls.Obj, loc, "parentRef names %s %s/%s, not a gateway.networking.k8s.io Gateway: a ListenerSet attaches to Gateways only, so none of its listeners is served",
				ref.GroupKind, ref.Namespace, ref.Name)
			continue
		}
		gw := ls.Gateway
		if gw == nil {
			reportListenerSetParentMissing(p, ls)
			continue
		}
		if !gw.SupportsListenerSets() {
			p.Reportf(ls.Obj, ref.NameLoc, "Gateway %s/%s is of class %s (controller %s), which takes no ListenerSet: the ListenerSet is not accepted (NotAllowed) and none of its listeners is served",
				gw.Namespace(), gw.Name(), gw.Spec.GatewayClassName.V, gw.Controller()).
				Relate(gw.Obj, gw.Spec.GatewayClassName.Loc, "Gateway %s/%s", gw.Namespace(), gw.Name())
			continue
		}
		if ls.Allowed || !ls.AllowedKnown {
			continue
		}
		relateAt := gw.Obj.NameLoc
		if al := gw.Spec.AllowedListeners; al != nil {
			relateAt = al.Loc
			if al.Namespaces != nil && !al.Namespaces.From.Loc.IsZero() {
				relateAt = al.Namespaces.From.Loc
			}
		}
		p.Reportf(ls.Obj, ref.NameLoc, "Gateway %s/%s does not allow ListenerSets of namespace %s (%s): the ListenerSet is not accepted (NotAllowed) and none of its listeners is served",
			gw.Namespace(), gw.Name(), ls.Namespace(), allowedListenersText(g, gw, ls.Namespace())).
			Relate(gw.Obj, relateAt, "Gateway %s/%s", gw.Namespace(), gw.Name())
	}
	return nil
}

// allowedListenersText says why Gateway gw's allowedListeners do not admit
// ListenerSets of namespace ns.
func allowedListenersText(g *graph.Graph, gw *graph.K8sGateway, ns string) string {
	al := gw.Spec.AllowedListeners
	switch graph.ListenerSetsFrom(gw) {
	case "None":
		if al == nil || al.Namespaces == nil || !al.Namespaces.From.Set {
			return "it has no spec.allowedListeners.namespaces.from, which defaults to None"
		}
		return "allowedListeners.namespaces.from: None"
	case "Same":
		return fmt.Sprintf("allowedListeners.namespaces.from: Same admits those of namespace %s only", gw.Namespace())
	case "Selector":
		if al.Namespaces.Selector == nil {
			return "from: Selector without a selector admits no namespace"
		}
		var lbls []string
		if n := g.Namespaces[ns]; n != nil {
			for k, v := range n.Labels {
				lbls = append(lbls, k+"="+v)
			}
		}
		sort.Strings(lbls)
		return fmt.Sprintf("its selector does not match namespace %s, labels %s", ns, strings.Join(lbls, ", "))
	}
	return fmt.Sprintf("allowedListeners.namespaces.from: %s", graph.ListenerSetsFrom(gw))
}

// reportListenerSetParentMissing reports a ListenerSet whose parentRef
// names a Gateway the input does not hold, when the input shows that
// namespace's Gateways or a Gateway of that name elsewhere (or the world
// is closed).
func reportListenerSetParentMissing(p *rules.Pass, ls *graph.ListenerSet) {
	g := p.Graph
	ref := ls.Parent
	elsewhere := notIn(g.K8sGatewaysNamed(ref.Name), ref.Namespace)
	if !g.Mesh.ClosedWorld && !g.HasGatewayAPIKind(kinds.K8sGateway, ref.Namespace) && len(elsewhere) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "parentRef %s matches no Gateway, so none of the ListenerSet's listeners is served", refText(ref))
	if len(elsewhere) > 0 {
		fmt.Fprintf(&b, "; a Gateway %q exists in namespace %s: set namespace: %s", ref.Name, elsewhere[0].Namespace(), elsewhere[0].Namespace())
	} else if !g.HasGatewayAPIKind(kinds.K8sGateway, ref.Namespace) {
		fmt.Fprintf(&b, " (the input holds no Gateway in namespace %s)", ref.Namespace)
	}
	f := p.Reportf(ls.Obj, ref.NameLoc, "%s", b.String())
	for _, gw := range elsewhere {
		f.Relate(gw.Obj, gw.Obj.NameLoc, "Gateway %s/%s", gw.Namespace(), gw.Name())
	}
}

// parentText names the object a route's parentRef attaches it to: its
// Gateway, or its ListenerSet.
func parentText(pr *graph.ParentRef) string {
	if ls := pr.ListenerSet; ls != nil {
		return "ListenerSet " + ls.Namespace() + "/" + ls.Name()
	}
	return "Gateway " + pr.Gateway.Namespace() + "/" + pr.Gateway.Name()
}
