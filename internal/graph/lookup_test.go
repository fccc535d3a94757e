package graph

import "testing"

// TestLookupRootNamespaceClient checks the order in which proxies of the
// root namespace, such as an ingress gateway in istio-system, find their
// DestinationRules (Istio's PushContext.destinationRule): the root
// namespace's rules exported to it alone, then the service's namespace,
// then the root namespace's exported rules. Clients of other namespaces
// keep the order of Graph.DestinationRulesFor.
func TestDestinationRulesForProxy(t *testing.T) {
	const reviews = "reviews.shop.svc.cluster.local"
	for _, tc := range []struct {
		name   string
		objs   []string
		client string
		want   string
	}{
		{
			name:   "service namespace before an exported root wildcard",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("istio-system", "mesh", "*.local")},
			client: "istio-system", want: "shop/r",
		},
		{
			name:   "service namespace before an exported root rule for the host",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("istio-system", "root", reviews)},
			client: "istio-system", want: "shop/r",
		},
		{
			name:   "private root rule first",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("istio-system", "mesh", "*.local", "  exportTo: [.]")},
			client: "istio-system", want: "istio-system/mesh",
		},
		{
			name:   "root rule exported to the root namespace by name is private",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("istio-system", "mesh", "*.local", "  exportTo: [istio-system]")},
			client: "istio-system", want: "istio-system/mesh",
		},
		{
			name:   "exported root rule is the fallback",
			objs:   []string{svc("shop", "reviews"), dr("istio-system", "mesh", "*.local")},
			client: "istio-system", want: "istio-system/mesh",
		},
		{
			name:   "service namespace rule not exported to the root namespace",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews", "  exportTo: [.]"), dr("istio-system", "mesh", "*.local")},
			client: "istio-system", want: "istio-system/mesh",
		},
		{
			name:   "other clients take their own namespace first",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("web", "mine", "*.local")},
			client: "web", want: "web/mine",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(tc.objs...))
			if got := refs(NewLookup(g).DestinationRulesForProxy(reviews, tc.client)); got != tc.want {
				t.Errorf("DestinationRulesForProxy(%s, %s) = %q, want %q", reviews, tc.client, got, tc.want)
			}
		})
	}
}
