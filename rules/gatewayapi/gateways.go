package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// addressKey is an address of a Gateway with its type defaulted.
func addressKey(a spec.GatewayAddress) string {
	return graph.AddressType(a) + "/" + a.Value.V
}

// sharedAddress returns an address that Gateways a and b both declare, or "".
func sharedAddress(a, b *graph.K8sGateway) string {
	mine := map[string]bool{}
	for _, x := range a.Addresses() {
		mine[addressKey(x)] = true
	}
	for _, y := range b.Addresses() {
		if k := addressKey(y); mine[k] {
			return k
		}
	}
	return ""
}

func gwRef(gw *graph.K8sGateway) string { return gw.Namespace() + "/" + gw.Name() }

// GatewayListenerDuplicate reports listeners that another Gateway also has.
var GatewayListenerDuplicate = &rules.Rule{
	ID:      "MR610",
	Name:    "gatewayapi-listener-duplicate",
	Summary: "two Gateway API Gateways have a listener with the same hostname, port and protocol",
	Doc: `Two Gateways that listen for the same hostname on the same port and protocol are usually a copy
that was meant to be edited, or two teams claiming one hostname.

This is not a conflict by itself: Istio deploys each Gateway API Gateway on its own Deployment and
Service, with its own address, so both listeners work, and DNS decides which Gateway clients
reach. So the finding is informational, unlike Kiali's KIA1501 (a warning); the message says
when the two Gateways also declare the same address (see gatewayapi-address-duplicate), which
makes it a real conflict. Listeners without hostname are not compared, and neither are the
listeners of one Gateway (see gatewayapi-listener-conflict).

The listeners of the ListenerSets a Gateway accepts are the Gateway's, served on its addresses:
they are compared as its own are, and those of a ListenerSet are reported at the ListenerSet.
ListenerSets that no Gateway accepts serve nothing and are not compared.

Merge the Gateways, or give the listeners distinct hostnames.`,
	Bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: http, hostname: shop.example.com, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public-copy, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: http, hostname: shop.example.com, port: 80, protocol: HTTP}]
`,
	Good: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: http, hostname: shop.example.com, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: admin, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: http, hostname: admin.example.com, port: 80, protocol: HTTP}]
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.ListenerSet},
	Related:  []string{"KIA1501"},
	Deps:     rules.DepGWAPI | rules.DepOrder,
	Run: func(p *rules.Pass) error {
		gws := p.Graph.K8sGateways
		// A Gateway is compared with those defined before it: two
		// definitions of one Gateway are one Gateway (MR017 reports
		// them), which comes where it is first defined.
		first := graph.FirstDefinitions(gws)
		for i, gw := range gws {
			for _, l := range gw.Merged {
				if l.Hostname == "" {
					continue
				}
			other:
				for j, prev := range gws {
					if first[j] >= first[i] {
						continue
					}
					for _, m := range prev.Merged {
						if m.Hostname != l.Hostname || m.Port != l.Port || !strings.EqualFold(m.Protocol, l.Protocol) {
							continue
						}
						msg := "%s has the same hostname, port and protocol (%s, %d, %s) as %s: each Gateway gets its own address, and DNS decides which one serves %s"
						args := []any{listenerOf(l), l.Hostname, l.Port, l.Protocol, listenerOf(m), l.Hostname}
						if a := sharedAddress(gw, prev); a != "" {
							msg = "%s has the same hostname, port and protocol (%s, %d, %s) as %s, and both Gateways declare address %s: they conflict"
							args = []any{listenerOf(l), l.Hostname, l.Port, l.Protocol, listenerOf(m), a}
						}
						p.Reportf(l.Owner(), l.Spec.Loc, msg, args...).Relate(m.Owner(), m.Spec.Loc, "the other listener")
						break other
					}
				}
			}
		}
		return nil
	},
}

// listenerOf names a listener with the object that declares it and, for a
// ListenerSet's, the Gateway that serves it: the Gateways are what MR610
// compares.
func listenerOf(l *graph.Listener) string {
	if l.Set == nil {
		return fmt.Sprintf("listener %q of Gateway %s", l.Name, gwRef(l.Gateway))
	}
	return fmt.Sprintf("listener %q of %s (on Gateway %s)", l.Name, l.OwnerText(), gwRef(l.Gateway))
}

// GatewayAddressDuplicate reports addresses that two Gateways declare.
var GatewayAddressDuplicate = &rules.Rule{
	ID:      "MR611",
	Name:    "gatewayapi-address-duplicate",
	Summary: "two Gateway API Gateways declare the same address",
	Doc: `A Gateway's ` + "`spec.addresses`" + ` asks for the address it is served on. With Istio, an ` + "`IPAddress`" + `
becomes the load balancer IP of the Gateway's Service, which two Services cannot both get (one of
the Gateways stays without address); a ` + "`Hostname`" + ` naming an existing Service switches to manual
deployment, where both Gateways configure the same pods and their listeners meet.

Give each Gateway its own address, or merge the Gateways. An address without type is an
` + "`IPAddress`" + `.`,
	Bad:      addressDuplicateExample("203.0.113.10"),
	Good:     addressDuplicateExample("203.0.113.11"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.K8sGateway},
	Related:  []string{"KIA1502"},
	Deps:     rules.DepGWAPI | rules.DepOrder,
	Run: func(p *rules.Pass) error {
		type owner struct {
			gw *graph.K8sGateway
			a  spec.GatewayAddress
		}
		first := map[string]owner{}
		for _, gw := range p.Graph.K8sGateways {
			seen := map[string]bool{}
			for _, a := range gw.Addresses() {
				k := addressKey(a)
				if a.Value.V == "" || seen[k] {
					continue
				}
				seen[k] = true
				prev, dup := first[k]
				if !dup {
					first[k] = owner{gw, a}
					continue
				}
				if graph.SameObject(prev.gw.Obj, gw.Obj) {
					continue // another definition of the Gateway, which MR017 reports
				}
				t, _, _ := strings.Cut(k, "/")
				p.Reportf(gw.Obj, a.Value.Loc, "Gateway %s declares %s address %s, which Gateway %s declares too", gwRef(gw), t, a.Value.V, gwRef(prev.gw)).
					Relate(prev.gw.Obj, prev.a.Value.Loc, "the other Gateway's address")
			}
		}
		return nil
	},
}

// addressDuplicateExample is Gateway edge/public on address 203.0.113.10,
// and Gateway edge/admin on address adminAddress: the examples of MR611.
func addressDuplicateExample(adminAddress string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: istio
  addresses: [{value: 203.0.113.10}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: admin, namespace: edge}
spec:
  gatewayClassName: istio
  addresses: [{type: IPAddress, value: ` + adminAddress + `}]
  listeners: [{name: http, port: 8080, protocol: HTTP}]
`
}

// GatewayClassUnknown reports Gateways whose GatewayClass does not exist.
var GatewayClassUnknown = &rules.Rule{
	ID:      "MR612",
	Name:    "gatewayapi-class-unknown",
	Summary: "gateway of the Gateway API names a GatewayClass that does not exist",
	Fix:     "replaces a misspelt gatewayClassName with the one class it most likely means",
	Doc: `A Gateway is served by the controller of its GatewayClass. When no GatewayClass has the name in
` + "`spec.gatewayClassName`" + `, no controller accepts the Gateway: it gets no address and its routes
serve nothing.

The classes istiod creates itself (` + "`istio`" + `, ` + "`istio-remote`" + `, ` + "`istio-waypoint`" + `,
` + "`istio-east-west`" + `) always count as existing. Other names are checked only when the input holds
GatewayClasses, or with the closed-world setting. Fix the name, or add the GatewayClass.

When the name is a close misspelling of exactly one of the classes the rule takes (those of the
input and istiod's own: the same name in another case, or, for names of 6 or more characters, at
most 2 edits away), the message asks "did you mean", and, when the input holds GatewayClasses,
` + "`meshlint --fix`" + ` writes that name. In a closed world without GatewayClasses the cluster's
classes are not in view, and the name is left alone.`,
	Bad:      gatewayClassExample("istio-ingress"),
	Good:     gatewayClassExample("istio"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.GatewayClass},
	Related:  []string{"KIA1504"},
	Deps:     rules.DepCLS,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		if !g.Mesh.ClosedWorld && len(g.GatewayClasses) == 0 {
			return nil
		}
		for _, gw := range g.K8sGateways {
			name := gw.Spec.GatewayClassName
			if gw.Class != nil || !name.Set || name.V == "" || graph.BuiltinGatewayClass(name.V) {
				continue
			}
			msg := fmt.Sprintf("Gateway %s names GatewayClass %q, which does not exist: no controller serves the Gateway", gwRef(gw), name.V)
			var fixes []rules.Fix
			if match, ok := suggest.Closest(name.V, classNames(g)); ok {
				msg += didYouMean(match)
				// Without GatewayClasses in the input, the closed world
				// alone makes the name unknown: the cluster's classes
				// are not in view, so the fix would be a guess.
				if len(g.GatewayClasses) > 0 {
					fixes = renameFixes(g, gw.Obj, name.Loc, name.V, match, fmt.Sprintf("Use GatewayClass %s", match))
				}
			}
			p.Reportf(gw.Obj, name.Loc, "%s", msg).Fixes = fixes
		}
		return nil
	},
}

// gatewayClassExample is Gateway edge/public of GatewayClass class, where
// the input holds class internal: the examples of MR612.
func gatewayClassExample(class string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: internal}
spec: {controllerName: example.com/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: ` + class + `
  listeners: [{name: http, port: 80, protocol: HTTP}]
`
}

// builtinClasses are the GatewayClasses istiod creates itself
// (graph.BuiltinGatewayClass), which every Istio cluster has.
var builtinClasses = []string{"istio", "istio-remote", "istio-east-west", "istio-waypoint"}

// classNames returns the names MR612 takes for a gatewayClassName: the
// GatewayClasses of the input and those istiod creates.
func classNames(g *graph.Graph) []string {
	out := append([]string{}, builtinClasses...)
	for _, c := range g.GatewayClasses {
		out = append(out, c.Name())
	}
	return out
}

// ReferenceGrantNamespaceUnknown reports ReferenceGrants that trust a
// namespace that does not exist.
var ReferenceGrantNamespaceUnknown = &rules.Rule{
	ID:      "MR613",
	Name:    "gatewayapi-referencegrant-namespace-unknown",
	Summary: "reference grant trusts a namespace that does not exist",
	Doc: `A ReferenceGrant's ` + "`spec.from`" + ` lists the namespaces whose routes (or Gateways) may refer to
objects of its own namespace. A namespace that does not exist is usually a typo, so the
references it was written for stay ungranted (see gatewayapi-reference-not-granted); or it is
left over, and whoever creates that namespace later gets the access.

Checked only when the input holds Namespace objects, or with the closed-world setting; a
namespace counts as existing when a Namespace object or any other object of it is in the input.`,
	Bad: `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-edge, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: egde}]
  to: [{group: "", kind: Service}]
`,
	Good: `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-edge, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}]
  to: [{group: "", kind: Service}]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.ReferenceGrant, kinds.Namespace},
	Related:  []string{"KIA1601"},
	Deps:     rules.DepNS | rules.DepPRES,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		if !g.Mesh.ClosedWorld && !g.HasKind(kinds.Namespace, "") {
			return nil
		}
		for _, rg := range g.ReferenceGrants {
			for _, f := range rg.Spec.From {
				ns := f.Namespace
				if !ns.Set || ns.V == "" || g.Namespaces[ns.V] != nil {
					continue
				}
				p.Reportf(rg.Obj, ns.Loc, "ReferenceGrant %s/%s trusts namespace %q, which does not exist", rg.Namespace(), rg.Name(), ns.V)
			}
		}
		return nil
	},
}
