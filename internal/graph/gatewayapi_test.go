package graph

import (
	"fmt"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
)

const gwapiInput = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {access: public}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: istio
spec:
  controllerName: istio.io/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
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
  - name: https
    hostname: "*.example.com"
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs:
      - name: wildcard
      - {name: shop-cert, namespace: certs}
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {access: public}}
  - name: tcp
    port: 9000
    protocol: TCP
    allowedRoutes:
      namespaces: {from: All}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
  ports:
  - {name: http, port: 9080}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: shop-routes
  namespace: billing
spec:
  from:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}
  to:
  - {group: "", kind: Service}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
  namespace: shop
spec:
  parentRefs:
  - {name: public, namespace: infra}
  - {name: public, namespace: infra, sectionName: https}
  - {name: public, namespace: infra, port: 9000}
  - {group: "", kind: Service, name: reviews, port: 9080}
  - {kind: Service, name: reviews}
  - {name: public}
  hostnames: [shop.example.com]
  rules:
  - backendRefs:
    - {name: reviews, port: 9080}
    - {name: payments, namespace: billing, port: 8080, weight: 3}
    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: reviews, namespace: other}
    filters:
    - type: RequestMirror
      requestMirror:
        backendRef: {name: shadow, port: 9080}
`

func TestGatewayAPI(t *testing.T) {
	g := graphFrom(t, gwapiInput)
	if len(g.Gateways) != 1 || len(g.K8sGateways) != 1 {
		t.Fatalf("Istio Gateways %d, Gateway API Gateways %d; want 1 and 1", len(g.Gateways), len(g.K8sGateways))
	}
	gw := g.K8sGateways[0]
	if gw.Class == nil || gw.Class.Name() != "istio" {
		t.Errorf("Gateway class not resolved: %v", gw.Class)
	}
	var ls []string
	for _, l := range gw.Listeners {
		ls = append(ls, fmt.Sprintf("%s %s %d %q from=%s kinds=%v", l.Name, l.Protocol, l.Port, l.Hostname, l.From, l.Kinds))
	}
	wantLs := []string{
		`http HTTP 80 "" from=Same kinds=[HTTPRoute GRPCRoute]`,
		`https HTTPS 443 "*.example.com" from=Selector kinds=[HTTPRoute GRPCRoute]`,
		`tcp TCP 9000 "" from=All kinds=[TCPRoute]`,
	}
	if fmt.Sprint(ls) != fmt.Sprint(wantLs) {
		t.Errorf("listeners:\n got %v\nwant %v", ls, wantLs)
	}
	certs := gw.Listeners[1].CertificateRefs
	if len(certs) != 2 || certs[0].GroupKind != gkSecret || certs[0].Namespace != "infra" || certs[0].CrossNamespace ||
		!certs[1].CrossNamespace || certs[1].Grant != nil {
		t.Errorf("certificateRefs: %+v %+v", certs[0], certs[1])
	}

	if len(g.GatewayRoutes) != 1 {
		t.Fatalf("routes: %d", len(g.GatewayRoutes))
	}
	r := g.GatewayRoutes[0]
	var ps []string
	for _, p := range r.Parents {
		var att []string
		for _, l := range p.Attached {
			att = append(att, l.Name)
		}
		ps = append(ps, fmt.Sprintf("%s %s/%s gw=%v svc=%v listeners=%d attached=%v", p.GroupKind, p.Namespace, p.Name,
			p.Gateway != nil, p.Service != nil, len(p.Listeners), att))
	}
	wantPs := []string{
		// http admits infra only (Same), https admits shop by selector,
		// tcp does not carry HTTPRoutes.
		"Gateway infra/public gw=true svc=false listeners=3 attached=[https]",
		"Gateway infra/public gw=true svc=false listeners=1 attached=[https]",
		"Gateway infra/public gw=true svc=false listeners=1 attached=[]",
		"Service shop/reviews gw=false svc=true listeners=0 attached=[]",
		// kind Service without group is in the Gateway API group.
		"Service.gateway.networking.k8s.io shop/reviews gw=false svc=false listeners=0 attached=[]",
		"Gateway shop/public gw=false svc=false listeners=0 attached=[]",
	}
	if fmt.Sprint(ps) != fmt.Sprint(wantPs) {
		t.Errorf("parents:\n got %v\nwant %v", ps, wantPs)
	}
	if r.Parents[3].ServicePort == nil || r.Parents[3].ServicePort.Port.V != 9080 {
		t.Errorf("service parent port not resolved")
	}

	var bs []string
	for _, b := range append(append([]*BackendRef{}, r.Rules[0].Backends...), r.Rules[0].Mirrors...) {
		bs = append(bs, fmt.Sprintf("%s %s/%s port=%d weight=%d mirror=%v svc=%v cross=%v grant=%v", b.GroupKind, b.Namespace, b.Name,
			b.Port.V, b.Weight, b.Mirror, b.Service != nil, b.CrossNamespace, b.Grant != nil))
	}
	wantBs := []string{
		"Service shop/reviews port=9080 weight=1 mirror=false svc=true cross=false grant=false",
		"Service billing/payments port=8080 weight=3 mirror=false svc=false cross=true grant=true",
		"ServiceImport.multicluster.x-k8s.io other/reviews port=0 weight=1 mirror=false svc=false cross=true grant=false",
		"Service shop/shadow port=9080 weight=0 mirror=true svc=false cross=false grant=false",
	}
	if fmt.Sprint(bs) != fmt.Sprint(wantBs) {
		t.Errorf("backends:\n got %v\nwant %v", bs, wantBs)
	}
	if !g.HasKind(kinds.Gateway, "infra") || g.HasKind(kinds.HTTPRoute, "shop") || !g.HasGatewayAPIKind(kinds.HTTPRoute, "shop") ||
		!g.HasGatewayAPIKind(kinds.K8sGateway, "infra") || g.HasGatewayAPIKind(kinds.K8sGateway, "shop") {
		t.Errorf("HasKind and HasGatewayAPIKind must tell the groups apart")
	}
	if !g.Describes("billing") || g.Describes("certs") {
		t.Errorf("Describes: billing holds a ReferenceGrant, certs nothing")
	}
}

func TestListenerHostnames(t *testing.T) {
	for _, tc := range []struct {
		listener, route string
		want            bool
	}{
		{"", "anything.example.org", true},
		{"shop.example.com", "shop.example.com", true},
		{"shop.example.com", "SHOP.example.com", true},
		{"shop.example.com", "api.example.com", false},
		{"*.example.com", "shop.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "badexample.com", false},
		{"shop.example.com", "*.example.com", true},
		{"example.com", "*.example.com", false},
		{"*.example.com", "*.shop.example.com", true},
		{"*.shop.example.com", "*.example.com", true},
		{"*.example.com", "*.example.org", false},
	} {
		l := &Listener{Hostname: tc.listener, Protocol: "HTTP"}
		if got := l.AcceptsHostname(tc.route); got != tc.want {
			t.Errorf("listener %q accepts %q = %v, want %v", tc.listener, tc.route, got, tc.want)
		}
	}
}
