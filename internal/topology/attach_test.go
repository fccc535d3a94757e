package topology

import (
	"slices"
	"strings"
	"testing"
)

// TestRoutesAttachedNowhere checks that a Gateway API route that no parent
// attaches serves nothing: each parentRef that its Gateway refuses (a
// listener that does not admit its kind or namespace, a sectionName that
// names no listener, a sectionName that selects only a placeholder HTTPS
// listener without tls, no hostname intersecting a listener's) is an idle
// edge with why, the route is unserved, and its backends and mirrors are
// idle edges; and that a route that one parent attaches, or that has a
// mesh parent or a Gateway outside the input beside the refusing ones,
// keeps them live, the refusing Gateway's edge alone idle.
func TestRoutesAttachedNowhere(t *testing.T) {
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com", allowedRoutes: {namespaces: {from: All}}}
  - {name: placeholder, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: local, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: kind, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules: [{backendRefs: [{name: db, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: namespace, namespace: shop}
spec:
  parentRefs: [{name: local, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: section, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra, sectionName: https}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: placeholder, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra, sectionName: placeholder}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: hostnames, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}, {name: local, namespace: infra}]
  hostnames: [api.example.org]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow, port: 80}}
    backendRefs: [{name: api, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: one-parent, namespace: shop}
spec:
  parentRefs: [{name: local, namespace: infra}, {name: public, namespace: infra}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mesh-parent, namespace: shop}
spec:
  parentRefs: [{name: local, namespace: infra}, {group: "", kind: Service, name: web}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: elsewhere, namespace: shop}
spec:
  parentRefs: [{name: local, namespace: infra}, {name: edge, namespace: infra}]
  rules: [{backendRefs: [{name: db, port: 80}]}]
` + services("shop/db", "shop/web", "shop/api", "shop/shadow")
	tp := loadSource(t, src, false)
	const (
		kind      = " idle: no listener it selects admits the route's kind or namespace: the route is not attached there (Accepted: False, NotAllowedByListeners)"
		section   = " idle: its sectionName or port names no listener: the route is not attached there (Accepted: False, NoMatchingParent)"
		hostnames = " idle: no hostname of the route intersects the hostname of a listener it attaches to: the route is not accepted there (Accepted: False, NoMatchingListenerHostname)"
		served    = " idle: the route serves nothing: no parent takes it"
	)
	want := []string{
		"Gateway infra/edge missing -> HTTPRoute shop/elsewhere",
		"Gateway infra/local -> HTTPRoute shop/elsewhere" + kind,
		"Gateway infra/local -> GRPCRoute shop/hostnames" + kind,
		"Gateway infra/local -> HTTPRoute shop/mesh-parent" + kind,
		"Gateway infra/local -> HTTPRoute shop/namespace" + kind,
		"Gateway infra/local -> HTTPRoute shop/one-parent" + kind,
		"Gateway infra/public -> GRPCRoute shop/hostnames" + hostnames,
		"Gateway infra/public -> TCPRoute shop/kind" + kind,
		"Gateway infra/public -> HTTPRoute shop/one-parent",
		"Gateway infra/public -> HTTPRoute shop/placeholder idle: the listeners it selects are HTTPS without tls, placeholders Istio builds nothing for: the route is attached to none",
		"Gateway infra/public -> HTTPRoute shop/section" + section,
		"HTTPRoute shop/elsewhere -> Service shop/db",
		"GRPCRoute shop/hostnames -> Service shop/api" + served,
		"GRPCRoute shop/hostnames -> Service shop/shadow (mirror)" + served,
		"TCPRoute shop/kind -> Service shop/db" + served,
		"HTTPRoute shop/mesh-parent -> Service shop/api",
		"HTTPRoute shop/namespace -> Service shop/web" + served,
		"HTTPRoute shop/one-parent -> Service shop/web",
		"HTTPRoute shop/placeholder -> Service shop/web" + served,
		"HTTPRoute shop/section -> Service shop/web" + served,
	}
	if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	const nowhere = ": no parent takes it, so Istio serves none of its rules: "
	wantUnserved := []string{
		"shop/hostnames" + nowhere + strings.TrimPrefix(hostnames, " idle: ") + "; " + strings.TrimPrefix(kind, " idle: "),
		"shop/kind" + nowhere + strings.TrimPrefix(kind, " idle: "),
		"shop/namespace" + nowhere + strings.TrimPrefix(kind, " idle: "),
		"shop/placeholder" + nowhere + "the listeners it selects are HTTPS without tls, placeholders Istio builds nothing for: the route is attached to none",
		"shop/section" + nowhere + strings.TrimPrefix(section, " idle: "),
	}
	if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(wantUnserved, "\n") {
		t.Errorf("unserved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantUnserved, "\n"))
	}
	// The refused parentRefs are idle references too, so that a finding
	// about one finds its edge idle already.
	for _, r := range tp.Refs {
		if tp.Nodes[r.From].Column == Gateways && tp.Nodes[r.From].Name == "public" && tp.Nodes[r.To].Name == "section" && r.Idle == "" {
			t.Errorf("the parentRef of shop/section is a live reference")
		}
	}
}

// TestVirtualServicesBoundNowhere checks that a VirtualService bound only
// to gateways that do not program it serves nothing: a Gateway none of
// whose servers serves one of its hosts, or whose proxies are in a
// namespace its exportTo leaves out, is an idle edge with why, the
// VirtualService is unserved, and its destinations and mirrors are idle
// edges; and that one that another gateway serves, or that is bound to
// the mesh or to a gateway outside the input too, keeps them live. A root
// that delegates, bound nowhere, serves nothing, and neither does its
// delegate through it: Istio merges the delegate into the root, and the
// merged VirtualService has the root's hosts and gateways only
// (MergedVirtualServices); the delegate keeps only the delegation.
func TestVirtualServicesBoundNowhere(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*/shop.example.com"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: api, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*/api.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: blog, namespace: shop}
spec:
  hosts: [blog.example.com]
  gateways: [infra/public]
  http:
  - route: [{destination: {host: web}}]
    mirror: {host: shadow}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: hidden, namespace: shop}
spec:
  hosts: [shop.example.com]
  exportTo: ["."]
  gateways: [infra/public]
  http:
  - route: [{destination: {host: web}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: both, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [infra/public, infra/api]
  http:
  - route: [{destination: {host: web}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mesh, namespace: shop}
spec:
  hosts: [web]
  gateways: [infra/public, mesh]
  http:
  - route: [{destination: {host: web}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: elsewhere, namespace: shop}
spec:
  hosts: [db.example.com]
  gateways: [infra/public, infra/edge]
  http:
  - route: [{destination: {host: db}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [root.example.com]
  gateways: [infra/api]
  http:
  - delegate: {name: leaf}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http:
  - route: [{destination: {host: db}}]
` + services("shop/web", "shop/shadow", "shop/db")
	tp := loadSource(t, src, false)
	const (
		hosts   = " idle: no server of the Gateway serves a host of the VirtualService, so none of its routes is programmed there"
		served  = " idle: the VirtualService serves nothing: no gateway it is bound to programs its routes"
		hidden  = " idle: the VirtualService's exportTo leaves out namespace infra of the gateway's proxies, which never see it"
		nowhere = ": no gateway it is bound to programs its routes, and it is not bound to the mesh: "
	)
	want := []string{
		"Gateway infra/api -> VirtualService shop/both" + hosts,
		"Gateway infra/api -> VirtualService shop/root" + hosts,
		"Gateway infra/edge missing -> VirtualService shop/elsewhere",
		"Gateway infra/public -> VirtualService shop/blog" + hosts,
		"Gateway infra/public -> VirtualService shop/both",
		"Gateway infra/public -> VirtualService shop/elsewhere" + hosts,
		"Gateway infra/public -> VirtualService shop/hidden" + hidden,
		"Gateway infra/public -> VirtualService shop/mesh" + hosts,
		"VirtualService shop/blog -> Service shop/shadow (mirror)" + served,
		"VirtualService shop/blog -> Service shop/web" + served,
		"VirtualService shop/both -> Service shop/web",
		"VirtualService shop/elsewhere -> Service shop/db",
		"VirtualService shop/hidden -> Service shop/web" + served,
		"VirtualService shop/mesh -> Service shop/web",
		"VirtualService shop/root -> VirtualService shop/leaf (delegate)",
	}
	if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantUnserved := []string{
		"shop/blog" + nowhere + strings.TrimPrefix(hosts, " idle: "),
		"shop/hidden" + nowhere + strings.TrimPrefix(hidden, " idle: "),
		"shop/leaf: no route merges it: VirtualService shop/root, which delegates to it, serves nothing: no gateway it is bound to programs its routes",
		"shop/root" + nowhere + strings.TrimPrefix(hosts, " idle: "),
	}
	if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(wantUnserved, "\n") {
		t.Errorf("unserved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantUnserved, "\n"))
	}
}

// TestGRPCRouteRefusedOnGateways checks that a GRPCRoute whose
// RequestMirror backend in another namespace no ReferenceGrant permits is
// refused on its Gateways of Istio's classes, where Istio's conversion
// fails the route: their edges are idle, with why, while its mesh parents
// still serve it (its backends live); alone on such a Gateway, it serves
// nothing. A Gateway of another implementation, a granted mirror, an
// HTTPRoute (which drops the mirror alone) and a namespace the input does
// not describe (grants unknown) leave the edges live.
func TestGRPCRouteRefusedOnGateways(t *testing.T) {
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: example.com/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: infra}
spec:
  gatewayClassName: other
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: mixed, namespace: shop}
spec:
  parentRefs:
  - {name: public, namespace: infra}
  - {name: other, namespace: infra}
  - {group: "", kind: Service, name: api}
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: audit, namespace: billing, port: 80}}
    backendRefs: [{name: api, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: alone, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: audit, namespace: billing, port: 80}}
    backendRefs: [{name: api, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: granted, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: granted, namespace: billing, port: 80}}
    backendRefs: [{name: api, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: unknown, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: audit, namespace: elsewhere, port: 80}}
    backendRefs: [{name: api, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: http, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: audit, namespace: billing, port: 80}}
    backendRefs: [{name: api, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: granted, namespace: billing}
spec:
  from: [{group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: shop}]
  to: [{group: "", kind: Service, name: granted}]
` + services("shop/api", "billing/audit", "billing/granted")
	tp := loadSource(t, src, false)
	const refused = " idle: no ReferenceGrant permits its RequestMirror backend in namespace billing, and Istio rejects a GRPCRoute whose mirror it cannot build: none of its rules is served there (RefNotPermitted)"
	const served = " idle: the route serves nothing: no parent takes it"
	want := []string{
		"Gateway infra/other -> GRPCRoute shop/mixed",
		"Gateway infra/public -> GRPCRoute shop/alone" + refused,
		"Gateway infra/public -> GRPCRoute shop/granted",
		"Gateway infra/public -> HTTPRoute shop/http",
		"Gateway infra/public -> GRPCRoute shop/mixed" + refused,
		"Gateway infra/public -> GRPCRoute shop/unknown",
		"GRPCRoute shop/alone -> Service billing/audit (mirror)" + served,
		"GRPCRoute shop/alone -> Service shop/api" + served,
		"GRPCRoute shop/granted -> Service billing/granted (mirror)",
		"GRPCRoute shop/granted -> Service shop/api",
		"HTTPRoute shop/http -> Service billing/audit (mirror)",
		"HTTPRoute shop/http -> Service shop/api",
		"GRPCRoute shop/mixed -> Service billing/audit (mirror)",
		"GRPCRoute shop/mixed -> Service shop/api",
		"GRPCRoute shop/unknown -> Service elsewhere/audit missing (mirror)",
		"GRPCRoute shop/unknown -> Service shop/api",
	}
	if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantUnserved := []string{"shop/alone: no parent takes it, so Istio serves none of its rules: " + strings.TrimPrefix(refused, " idle: ")}
	if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(wantUnserved, "\n") {
		t.Errorf("unserved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantUnserved, "\n"))
	}
}

// TestGatewayNoAddress checks which Gateway API Gateways are marked as
// left without an address Istio binds them to (MR624's error): more than
// one address, or one that is not an IPAddress, without a Hostname
// address, on a class Istio translates. No address, one IPAddress (typed
// or not, or written twice), a Hostname beside others, and another
// implementation's Gateway are not; two definitions of one Gateway are
// marked when neither has an address. A route attached to such a Gateway
// alone serves nothing.
func TestGatewayNoAddress(t *testing.T) {
	gw := func(name, class, addresses string) string {
		return `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ` + name + `, namespace: infra}
spec:
  gatewayClassName: ` + class + `
  addresses: ` + addresses + `
  listeners: [{name: http, port: 80, protocol: HTTP}]
`
	}
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: example.com/gateway-controller}
` + gw("two-ips", "istio", "[{value: 203.0.113.1}, {type: IPAddress, value: 203.0.113.2}]") +
		gw("named", "istio", "[{type: NamedAddress, value: pool}]") +
		gw("none", "istio", "[]") +
		gw("one-ip", "istio", "[{value: 203.0.113.1}]") +
		gw("repeated-ip", "istio", "[{value: 203.0.113.1}, {type: IPAddress, value: 203.0.113.1}]") +
		gw("hostname", "istio", "[{value: 203.0.113.1}, {type: Hostname, value: ingress}]") +
		gw("other", "other", "[{value: 203.0.113.1}, {value: 203.0.113.2}]") +
		gw("twice", "istio", "[{type: NamedAddress, value: a}]") +
		gw("twice", "istio", "[{type: NamedAddress, value: b}]") +
		gw("served-twice", "istio", "[{type: NamedAddress, value: a}]") +
		gw("served-twice", "istio", "[]")
	src += `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: infra}
spec:
  parentRefs: [{name: two-ips}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: also-served, namespace: infra}
spec:
  parentRefs: [{name: two-ips}, {name: one-ip}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
` + services("infra/web")
	tp := loadSource(t, src, false)
	var got []string
	for i := range tp.Nodes {
		if n := &tp.Nodes[i]; n.NoAddress {
			got = append(got, n.Namespace+"/"+n.Name)
		}
	}
	want := []string{"infra/named", "infra/twice", "infra/two-ips"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Gateways without an address:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// No route attaches to such a Gateway.
	const refused = " idle: Istio does not accept the Gateway, which has no address it binds it to (UnsupportedAddress), and attaches no route to it"
	wantEdges := []string{
		"Gateway infra/one-ip -> HTTPRoute infra/also-served",
		"Gateway infra/two-ips -> HTTPRoute infra/also-served" + refused,
		"Gateway infra/two-ips -> HTTPRoute infra/web" + refused,
		"HTTPRoute infra/also-served -> Service infra/web",
		"HTTPRoute infra/web -> Service infra/web idle: the route serves nothing: no parent takes it",
	}
	if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(wantEdges, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantEdges, "\n"))
	}
}

// TestRoutesWithoutGateway checks the parentRefs for which the graph
// finds no Gateway: a ListenerSet whose Gateway does not take it (its
// allowedListeners leave the ListenerSet's namespace out, its class takes
// no ListenerSets, its parentRef names no Gateway) attaches the route
// nowhere, so a route whose only parents are such serves nothing, while
// one that another parent attaches, or whose ListenerSet is accepted, is
// served. A Gateway, a ListenerSet, or the Gateway of a ListenerSet that
// the input does not hold may exist outside it, and the route is served;
// with closed-world it does not exist, and the route serves nothing, the
// edge from a missing Gateway idle.
func TestRoutesWithoutGateway(t *testing.T) {
	route := func(name, parents string) string {
		return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ` + name + `, namespace: shop}
spec:
  parentRefs: ` + parents + `
  rules: [{backendRefs: [{name: web, port: 80}]}]
`
	}
	listenerSet := func(name, ns, parent string) string {
		return `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  parentRef: ` + parent + `
  listeners:
  - {name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
`
	}
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: infra}
spec:
  gatewayClassName: istio-waypoint
  allowedListeners: {namespaces: {from: All}}
  listeners:
  - {name: mesh, port: 15008, protocol: HBONE}
` + listenerSet("refused", "shop", "{name: public, namespace: infra}") +
		listenerSet("waypoint", "shop", "{name: waypoint, namespace: infra}") +
		listenerSet("service", "shop", `{group: "", kind: Service, name: web}`) +
		listenerSet("orphan", "shop", "{name: gone, namespace: infra}") +
		listenerSet("accepted", "infra", "{name: public, namespace: infra}") +
		route("refused", "[{kind: ListenerSet, name: refused}]") +
		route("waypoint", "[{kind: ListenerSet, name: waypoint}]") +
		route("service", "[{kind: ListenerSet, name: service}]") +
		route("orphan", "[{kind: ListenerSet, name: orphan}]") +
		route("unknown", "[{kind: ListenerSet, name: unknown}]") +
		route("absent", "[{name: edge, namespace: infra}]") +
		route("accepted", "[{kind: ListenerSet, name: accepted, namespace: infra}]") +
		route("beside", "[{kind: ListenerSet, name: refused}, {name: public, namespace: infra}]") +
		services("shop/web")
	const (
		nowhere  = ": no parent takes it, so Istio serves none of its rules: "
		refused  = "shop/refused" + nowhere + "the Gateway of its ListenerSet does not allow ListenerSets of namespace shop: the ListenerSet is not accepted (NotAllowed), and the route is attached to none of its listeners"
		waypoint = "shop/waypoint" + nowhere + "the Gateway of its ListenerSet is of a class that takes no ListenerSet: the ListenerSet is not accepted (NotAllowed), and the route is attached to none of its listeners"
		service  = "shop/service" + nowhere + "its ListenerSet's parentRef names no gateway.networking.k8s.io Gateway, so none of the ListenerSet's listeners is served and the route is attached to none"
		absent   = "the input holds no Gateway infra/edge, and closed-world says the input holds every object: the route is not attached there (NoMatchingParent)"
		served   = " idle: the route serves nothing: no parent takes it"
	)
	for _, closed := range []bool{false, true} {
		tp := loadSource(t, src, closed)
		want := []string{refused, service, waypoint}
		wantEdges := []string{
			"Gateway infra/edge missing -> HTTPRoute shop/absent",
			"Gateway infra/public -> HTTPRoute shop/accepted",
			"Gateway infra/public -> HTTPRoute shop/beside",
			"HTTPRoute shop/absent -> Service shop/web",
			"HTTPRoute shop/accepted -> Service shop/web",
			"HTTPRoute shop/beside -> Service shop/web",
			"HTTPRoute shop/orphan -> Service shop/web",
			"HTTPRoute shop/refused -> Service shop/web" + served,
			"HTTPRoute shop/service -> Service shop/web" + served,
			"HTTPRoute shop/unknown -> Service shop/web",
			"HTTPRoute shop/waypoint -> Service shop/web" + served,
		}
		if closed {
			want = []string{
				"shop/absent" + nowhere + absent,
				"shop/orphan" + nowhere + "the input holds no Gateway infra/gone for its ListenerSet, and closed-world says it holds every object: none of the ListenerSet's listeners is served",
				refused, service,
				"shop/unknown" + nowhere + "the input holds no ListenerSet shop/unknown, and closed-world says the input holds every object: the route is not attached there (NoMatchingParent)",
				waypoint,
			}
			wantEdges[0] += " idle: " + absent
			wantEdges[3] += served
			wantEdges[6] += served
			wantEdges[9] += served
		}
		if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("closed-world %v: unserved:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(wantEdges, "\n") {
			t.Errorf("closed-world %v: edges:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(wantEdges, "\n"))
		}
	}
}

// TestDelegateThroughRefusingGateways checks that a delegate is drawn as
// its roots' gateways program it: a root bound only to gateways that do
// not program it merges nothing of it, a delegate route whose match
// entries name only a gateway of the root that does not program the root
// is dropped, and no gateway that does not program the root binds the
// delegate; a delegate that only such roots and routes take serves
// nothing, and says why.
func TestDelegateThroughRefusingGateways(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*/shop.example.com"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: api, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*/api.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: blog, namespace: shop}
spec:
  hosts: [blog.example.com]
  gateways: [infra/public]
  http:
  - delegate: {name: leaf}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [infra/public, infra/api]
  http:
  - delegate: {name: leaf}
  - delegate: {name: apileaf}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /api}, gateways: [infra/api]}]
    route: [{destination: {host: db}}]
  - match: [{uri: {prefix: /web}, gateways: [infra/public]}]
    route: [{destination: {host: web}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: apileaf, namespace: shop}
spec:
  http:
  - match: [{gateways: [infra/api]}]
    route: [{destination: {host: db}}]
` + services("shop/web", "shop/db")
	tp := loadSource(t, src, false)
	const hosts = " idle: no server of the Gateway serves a host of the VirtualService, so none of its routes is programmed there"
	want := []string{
		"Gateway infra/api -> VirtualService shop/shop" + hosts,
		"Gateway infra/public -> VirtualService shop/blog" + hosts,
		"Gateway infra/public -> VirtualService shop/leaf",
		"Gateway infra/public -> VirtualService shop/shop",
		"VirtualService shop/blog -> VirtualService shop/leaf (delegate)",
		"VirtualService shop/leaf -> Service shop/web",
		"VirtualService shop/shop -> VirtualService shop/apileaf (delegate)",
		"VirtualService shop/shop -> VirtualService shop/leaf (delegate)",
	}
	if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantUnserved := []string{
		"shop/apileaf: the routes of the input that delegate to it keep none of its http routes: their match entries name only gateways that the VirtualService that delegates is bound to but that do not program it",
		"shop/blog: no gateway it is bound to programs its routes, and it is not bound to the mesh: " + strings.TrimPrefix(hosts, " idle: "),
	}
	if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(wantUnserved, "\n") {
		t.Errorf("unserved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantUnserved, "\n"))
	}
}

// TestClosedWorldMissingGateways checks that, with closed-world, a
// VirtualService bound only to Istio Gateways that the input does not hold
// serves nothing (Istio ignores a name that resolves to no Gateway), the
// edge from the missing Gateway and its destinations idle, and so do the
// delegates of such a root; while one bound to the mesh or to a Gateway of
// the input beside it, or to a Gateway Istio generates for a Gateway API
// Gateway, is served, as is every one without closed-world.
func TestClosedWorldMissingGateways(t *testing.T) {
	vs := func(name, gateways, http string) string {
		return `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ` + name + `, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: ` + gateways + `
  http: [` + http + `]
`
	}
	const web = "{route: [{destination: {host: web}}]}"
	src := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*/shop.example.com"]
` + vs("gone", "[infra/gone]", web) +
		vs("mesh", "[infra/gone, mesh]", web) +
		vs("beside", "[infra/gone, infra/public]", web) +
		vs("generated", "[infra/edge~istio-autogenerated-k8s-gateway~http]", web) +
		vs("root", "[infra/gone]", "{delegate: {name: leaf}}") + `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http: [{route: [{destination: {host: web}}]}]
` + services("shop/web")
	const (
		absent = "the input holds no Gateway infra/gone, and closed-world says it holds every object: Istio ignores a name that resolves to no Gateway, and programs none of its routes there"
		idle   = " idle: the VirtualService serves nothing: no gateway it is bound to programs its routes"
	)
	for _, closed := range []bool{false, true} {
		tp := loadSource(t, src, closed)
		var want []string
		wantEdges := []string{
			"Gateway infra/edge~istio-autogenerated-k8s-gateway~http missing -> VirtualService shop/generated",
			"Gateway infra/gone missing -> VirtualService shop/beside",
			"Gateway infra/gone missing -> VirtualService shop/gone",
			"Gateway infra/gone missing -> VirtualService shop/mesh",
			"Gateway infra/gone missing -> VirtualService shop/root",
			"Gateway infra/public -> VirtualService shop/beside",
			"VirtualService shop/beside -> Service shop/web",
			"VirtualService shop/generated -> Service shop/web",
			"VirtualService shop/gone -> Service shop/web",
			"VirtualService shop/leaf -> Service shop/web",
			"VirtualService shop/mesh -> Service shop/web",
			"VirtualService shop/root -> VirtualService shop/leaf (delegate)",
		}
		if closed {
			want = []string{
				"shop/gone: no gateway it is bound to programs its routes, and it is not bound to the mesh: " + absent,
				"shop/leaf: no route merges it: VirtualService shop/root, which delegates to it, serves nothing: no gateway it is bound to programs its routes",
				"shop/root: no gateway it is bound to programs its routes, and it is not bound to the mesh: " + absent,
			}
			for _, i := range []int{1, 2, 3, 4} {
				wantEdges[i] += " idle: " + absent
			}
			wantEdges[8] += idle
			wantEdges = slices.Delete(wantEdges, 9, 10)
		}
		if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("closed-world %v: unserved:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(wantEdges, "\n") {
			t.Errorf("closed-world %v: edges:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(wantEdges, "\n"))
		}
	}
}

// TestClosedWorldMissingMeshParents checks that, with closed-world, a
// Gateway API route whose only parents are Services or ServiceEntries
// that the input does not hold serves nothing (Istio denies such a mesh
// parent: "parent service not found"), its backends idle; while one with
// a mesh parent the input holds beside it is served, as is every one
// without closed-world.
func TestClosedWorldMissingMeshParents(t *testing.T) {
	route := func(name, parents string) string {
		return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ` + name + `, namespace: shop}
spec:
  parentRefs: ` + parents + `
  rules: [{backendRefs: [{name: web, port: 80}]}]
`
	}
	const (
		svc   = `{group: "", kind: Service, name: `
		entry = `{group: networking.istio.io, kind: ServiceEntry, name: `
	)
	src := `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: shop}
spec:
  hosts: [ext.example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
` + route("service", "["+svc+"gone}]") +
		route("entry", "["+entry+"gone}]") +
		route("both", "["+svc+"gone}, "+entry+"gone}]") +
		route("held", "["+svc+"web}, "+entry+"gone}]") +
		route("heldentry", "["+svc+"gone}, "+entry+"ext}]") +
		services("shop/web")
	const (
		nowhere = ": no parent takes it, so Istio serves none of its rules: "
		service = `the input holds no Service shop/gone, and closed-world says it holds every object: Istio does not accept the route for it (Accepted: False, parent service: "gone" not found)`
		entryNo = `the input holds no ServiceEntry shop/gone, and closed-world says it holds every object: Istio does not accept the route for it (Accepted: False, parent service entry: "gone" not found)`
		served  = " idle: the route serves nothing: no parent takes it"
	)
	for _, closed := range []bool{false, true} {
		tp := loadSource(t, src, closed)
		var want []string
		wantEdges := []string{
			"HTTPRoute shop/both -> Service shop/web",
			"HTTPRoute shop/entry -> Service shop/web",
			"HTTPRoute shop/held -> Service shop/web",
			"HTTPRoute shop/heldentry -> Service shop/web",
			"HTTPRoute shop/service -> Service shop/web",
		}
		if closed {
			want = []string{
				"shop/both" + nowhere + service + "; " + entryNo,
				"shop/entry" + nowhere + entryNo,
				"shop/service" + nowhere + service,
			}
			for _, i := range []int{0, 1, 4} {
				wantEdges[i] += served
			}
		}
		if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("closed-world %v: unserved:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(wantEdges, "\n") {
			t.Errorf("closed-world %v: edges:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(wantEdges, "\n"))
		}
	}
}

// TestRoutesOnConflictedListeners checks that a route attached only to
// listeners that conflict with listeners of higher precedence serves
// nothing (Istio makes no route parent of them): on a ListenerSet none of
// whose listeners is left, which is not accepted (ListenersNotValid), or
// through a sectionName that selects a conflicted listener; while a route
// on a ListenerSet with a listener left, or on the Gateway, is served.
func TestRoutesOnConflictedListeners(t *testing.T) {
	route := func(name, parents string) string {
		return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ` + name + `, namespace: infra}
spec:
  parentRefs: ` + parents + `
  rules: [{backendRefs: [{name: web, port: 80}]}]
`
	}
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: clash, namespace: infra}
spec:
  parentRef: {name: public}
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: partial, namespace: infra}
spec:
  parentRef: {name: public}
  listeners:
  - {name: dup, port: 80, protocol: HTTP}
  - {name: alt, port: 8080, protocol: HTTP}
` + route("clash", "[{kind: ListenerSet, name: clash}]") +
		route("dup", "[{kind: ListenerSet, name: partial, sectionName: dup}]") +
		route("partial", "[{kind: ListenerSet, name: partial}]") +
		route("gateway", "[{name: public}]") +
		services("infra/web")
	const (
		nowhere  = ": no parent takes it, so Istio serves none of its rules: "
		notValid = "none of its ListenerSet's listeners is left after conflicts with listeners of higher precedence (MR606): the ListenerSet is not accepted (ListenersNotValid), and the route is attached to none of its listeners"
		conflict = "the listeners it selects that admit the route conflict with listeners before them (MR606), and Istio does not accept them (Conflicted): the route is attached to none"
		served   = " idle: the route serves nothing: no parent takes it"
	)
	tp := loadSource(t, src, false)
	want := []string{"infra/clash" + nowhere + notValid, "infra/dup" + nowhere + conflict}
	if got := unservedNodes(tp); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("unserved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantEdges := []string{
		"Gateway infra/public -> HTTPRoute infra/clash idle: " + notValid,
		"Gateway infra/public -> HTTPRoute infra/dup idle: " + conflict,
		"Gateway infra/public -> HTTPRoute infra/gateway",
		"Gateway infra/public -> HTTPRoute infra/partial",
		"HTTPRoute infra/clash -> Service infra/web" + served,
		"HTTPRoute infra/dup -> Service infra/web" + served,
		"HTTPRoute infra/gateway -> Service infra/web",
		"HTTPRoute infra/partial -> Service infra/web",
	}
	if got := idleEdges(tp); strings.Join(got, "\n") != strings.Join(wantEdges, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantEdges, "\n"))
	}
}
