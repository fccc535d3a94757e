package graph

import (
	"fmt"
	"slices"
	"testing"
)

// TestDelegatedBackendsRouteIndex checks that each backend carries the
// kind and index of its route, and that DelegatedBackends keeps, by them,
// the backends of the delegate's http routes that the merge keeps: not
// those of a route whose match conflicts with the root's, nor those of a
// tcp route, which Istio does not merge.
func TestDelegatedBackendsRouteIndex(t *testing.T) {
	g := graphFrom(t, docs(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [shop.example.com]
  http:
  - match: [{uri: {prefix: /web}}]
    route: [{destination: {host: a}}]
  - match: [{uri: {prefix: /api}}]
    delegate: {name: leaf}`, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /api/v1}}]
    route: [{destination: {host: a}}, {destination: {host: b}}]
  - match: [{uri: {prefix: /other}}]
    route: [{destination: {host: a}}]
  tcp:
  - route: [{destination: {host: c}}]`, svc("shop", "a"), svc("shop", "b"), svc("shop", "c")))
	var leaf *VirtualService
	for _, vs := range g.VirtualServices {
		if vs.Name() == "leaf" {
			leaf = vs
		}
	}
	describe := func(bs []RouteBackend) []string {
		var out []string
		for _, b := range bs {
			out = append(out, fmt.Sprintf("%s %d %s: %s", b.RouteKind, b.RouteIndex, b.Route, b.Service.Name()))
		}
		return out
	}
	got := describe(g.RouteBackends(leaf))
	want := []string{
		"http 0 http[0].route[0]: a",
		"http 0 http[0].route[1]: b",
		"http 1 http[1].route[0]: a",
		"tcp 0 tcp[0].route[0]: c",
	}
	if !slices.Equal(got, want) {
		t.Errorf("RouteBackends:\n%q\nwant:\n%q", got, want)
	}
	ds := g.Delegations()
	if len(ds) != 1 {
		t.Fatalf("%d delegations, want 1", len(ds))
	}
	got = describe(g.DelegatedBackends(ds[0]))
	want = []string{
		"http 0 http[1] > VirtualService shop/leaf http[0].route[0]: a",
		"http 0 http[1] > VirtualService shop/leaf http[0].route[1]: b",
	}
	if !slices.Equal(got, want) {
		t.Errorf("DelegatedBackends:\n%q\nwant:\n%q", got, want)
	}
}
