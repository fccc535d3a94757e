package graph

import (
	"slices"
	"testing"
)

// TestFlaggerHTTPRouteLinks checks that the HTTPRoute Flagger creates is
// among the graph's routes, resolved as a route of the input is: its
// parentRefs to the input's Gateways and the listeners that admit it, its
// backends to the Services Flagger creates, its mirrors to the input's
// Services, with the ReferenceGrants that permit them.
func TestFlaggerHTTPRouteLinks(t *testing.T) {
	src := docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
		`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: gateway}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - {name: tcp, port: 9000, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
`,
		"apiVersion: v1\nkind: Service\nmetadata: {name: shadow, namespace: mirror}\nspec:\n  ports: [{port: 8080}]\n",
		`apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: test-routes, namespace: mirror}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: test}]
  to: [{group: "", kind: Service}]
`,
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: other, namespace: test}\nspec:\n  parentRefs: [{name: public, namespace: gateway}]\n",
		flaggerCanary("podinfo", `  provider: gatewayapi:v1
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
    gatewayRefs: [{name: public, namespace: gateway}, {name: missing}]
    mirror: [{backendRef: {name: shadow, namespace: mirror, port: 8080}}]
`))
	for _, prepared := range []bool{false, true} {
		g := flaggerGraph(t, src, prepared)
		cn := g.Canaries[0]
		r := cn.HTTPRoute
		if r == nil || !slices.Contains(g.GatewayRoutes, r) || len(g.GatewayRoutes) != 2 {
			t.Fatalf("prepared=%v: HTTPRoute %v not among the %d routes", prepared, r, len(g.GatewayRoutes))
		}
		if g.GeneratedBy(r.Obj) != cn || g.GeneratedBy(g.GatewayRoutes[0].Obj) != nil {
			t.Errorf("prepared=%v: GeneratedBy", prepared)
		}
		if len(r.Parents) != 2 {
			t.Fatalf("prepared=%v: %d parents", prepared, len(r.Parents))
		}
		// The HTTP listener admits the route, the TCP one does not; a
		// gatewayRef without namespace is in the Canary's.
		pub, missing := r.Parents[0], r.Parents[1]
		if !pub.IsGateway() || pub.Gateway == nil || pub.Gateway.Name() != "public" || len(pub.Listeners) != 2 ||
			len(pub.Attached) != 1 || pub.Attached[0].Name != "http" {
			t.Errorf("prepared=%v: parent %+v", prepared, pub.ObjectRef)
		}
		if !missing.IsGateway() || missing.Gateway != nil || missing.Namespace != "test" || missing.NameLoc != cn.Spec.Service.GatewayRefs[1].Name.Loc {
			t.Errorf("prepared=%v: parent %+v", prepared, missing.ObjectRef)
		}
		if len(r.Rules) != 1 || len(r.Rules[0].Backends) != 2 || len(r.Rules[0].Mirrors) != 1 {
			t.Fatalf("prepared=%v: rules %+v", prepared, r.Rules)
		}
		primary, canary := r.Rules[0].Backends[0], r.Rules[0].Backends[1]
		if !primary.IsService() || primary.Service != cn.Services[1] || primary.Weight != 100 || primary.CrossNamespace || primary.Port.V != 9898 {
			t.Errorf("prepared=%v: primary backend %+v", prepared, primary.ObjectRef)
		}
		if !canary.IsService() || canary.Service != cn.Services[2] || canary.Weight != 0 {
			t.Errorf("prepared=%v: canary backend %+v", prepared, canary.ObjectRef)
		}
		m := r.Rules[0].Mirrors[0]
		if !m.Mirror || m.Service == nil || m.Service.Namespace() != "mirror" || !m.CrossNamespace || m.Grant == nil {
			t.Errorf("prepared=%v: mirror %+v", prepared, m.ObjectRef)
		}
	}
}
