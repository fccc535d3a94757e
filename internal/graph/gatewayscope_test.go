package graph

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// scopedGatewaysInput is a gateway deployment in istio-ingress, a Gateway
// beside it and one in shop with the same selector, bound by a
// VirtualService of shop.
const scopedGatewaysInput = `apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
` + scopedGatewaysOnly

// scopedGatewaysOnly is scopedGatewaysInput without the gateway pods, as
// when the gateway deployments are installed apart.
const scopedGatewaysOnly = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: [internal.example.com]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http:
  - route: [{destination: {host: web}}]
`

// shopGateway is a gateway deployment in shop, with the labels that both
// Gateways select.
const shopGateway = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-gateway, namespace: shop}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
`

func loadObjects(t *testing.T, src string) []*manifest.Object {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	return res.Objects
}

// gatewayPods names the workloads Gateway ns/name configures.
func gatewayPods(t *testing.T, g *Graph, ns, name string) []string {
	t.Helper()
	gw := g.gatewaysByKey[ns+"/"+name]
	if gw == nil {
		t.Fatalf("no Gateway %s/%s", ns, name)
	}
	var out []string
	for _, w := range gw.Workloads {
		out = append(out, w.Namespace()+"/"+w.Name())
	}
	slices.Sort(out)
	return out
}

// TestScopeGatewayToNamespace checks that, with istiod's
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE, a Gateway configures only the gateway
// pods of its own namespace (PushContext.mergeGateways looks the proxy's
// Gateways up in gatewayIndex.namespace[proxy.ConfigNamespace]), and that
// without it the selector picks pods in every namespace.
func TestScopeGatewayToNamespace(t *testing.T) {
	scoped := config.DefaultMesh()
	scoped.ScopeGatewayToNamespace = true
	for _, tc := range []struct {
		name                 string
		src                  string
		mesh                 config.Mesh
		public, internal     []string
		webProxyNamespaces   []string
		publicSharesInternal bool
	}{
		{"every namespace by default", scopedGatewaysInput, config.DefaultMesh(),
			[]string{"istio-ingress/istio-ingressgateway"}, []string{"istio-ingress/istio-ingressgateway"},
			[]string{"istio-ingress"}, true},
		{"scoped: the pods of another namespace are not bound", scopedGatewaysInput, scoped,
			nil, []string{"istio-ingress/istio-ingressgateway"},
			// Not the pods' namespace: the stand-in for pods the input
			// lacks. Scoped, only pods of the Gateway's own namespace can
			// take it, so the root namespace no longer stands in.
			[]string{"shop"}, false},
		{"no pods: the selectors decide", scopedGatewaysOnly, config.DefaultMesh(),
			nil, nil,
			// The stand-ins: the Gateway's namespace and the root namespace.
			[]string{"istio-system", "shop"}, true},
		{"scoped, no pods: Gateways of two namespaces never share a pod", scopedGatewaysOnly, scoped,
			nil, nil,
			[]string{"shop"}, false},
		{"both namespaces hold gateway pods", scopedGatewaysInput + shopGateway, config.DefaultMesh(),
			[]string{"istio-ingress/istio-ingressgateway", "shop/shop-gateway"},
			[]string{"istio-ingress/istio-ingressgateway", "shop/shop-gateway"},
			[]string{"istio-ingress", "shop"}, true},
		{"scoped: each Gateway keeps the pods of its namespace", scopedGatewaysInput + shopGateway, scoped,
			[]string{"shop/shop-gateway"}, []string{"istio-ingress/istio-ingressgateway"},
			[]string{"shop"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Build(loadObjects(t, tc.src), tc.mesh)
			if len(g.Errors) > 0 {
				t.Fatal(g.Errors)
			}
			if got := gatewayPods(t, g, "shop", "public"); !slices.Equal(got, tc.public) {
				t.Errorf("Gateway shop/public configures %v, want %v", got, tc.public)
			}
			if got := gatewayPods(t, g, "istio-ingress", "internal"); !slices.Equal(got, tc.internal) {
				t.Errorf("Gateway istio-ingress/internal configures %v, want %v", got, tc.internal)
			}
			if len(g.VirtualServices) != 1 {
				t.Fatalf("%d VirtualServices", len(g.VirtualServices))
			}
			if got := g.ProxyNamespaces(g.VirtualServices[0], nil); !slices.Equal(got, tc.webProxyNamespaces) {
				t.Errorf("ProxyNamespaces(shop/web) = %v, want %v", got, tc.webProxyNamespaces)
			}
			public, internal := g.gatewaysByKey["shop/public"], g.gatewaysByKey["istio-ingress/internal"]
			if got := g.SharePods(public, internal); got != tc.publicSharesInternal {
				t.Errorf("SharePods(shop/public, istio-ingress/internal) = %v, want %v", got, tc.publicSharesInternal)
			}
		})
	}
}
