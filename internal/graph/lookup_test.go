package graph

import "testing"

// TestDestinationRulesForProxy checks the order in which proxies find their
// DestinationRules (Istio's PushContext.destinationRule), in Graph and
// Lookup alike: for the root namespace, such as an ingress gateway in
// istio-system, the root namespace's rules exported to it alone, then the
// service's namespace, then the root namespace's exported rules; and the
// workload-specific rules of the client's namespace, which come first.
func TestDestinationRulesForProxy(t *testing.T) {
	const selectorApp = "  workloadSelector:\n    matchLabels: {app: web}"
	const reviews = "reviews.shop.svc.cluster.local"
	for _, tc := range []struct {
		name   string
		objs   []string
		client string
		host   string // reviews when empty
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
		{
			name:   "root rule exported to the root namespace and another is not for root proxies",
			objs:   []string{svc("shop", "reviews"), dr("istio-system", "mesh", "*.local", "  exportTo: [., web]")},
			client: "istio-system", want: "",
		},
		{
			name:   "root rule exported everywhere serves a service of the root namespace",
			objs:   []string{svc("istio-system", "reviews"), dr("istio-system", "mesh", "*.local")},
			client: "istio-system", host: "reviews.istio-system.svc.cluster.local", want: "istio-system/mesh",
		},
		{
			name:   "workload rule of the client namespace hides the service namespace",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("web", "pin", reviews, selectorApp)},
			client: "web", want: "web/pin",
		},
		{
			name:   "workload rule and namespace rule of the client namespace",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("web", "pin", reviews, selectorApp), dr("web", "mine", reviews)},
			client: "web", want: "web/mine,web/pin",
		},
		{
			name:   "workload rule exported elsewhere still serves its namespace",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("web", "pin", reviews, selectorApp, "  exportTo: [api]")},
			client: "web", want: "web/pin",
		},
		{
			name:   "a more specific host beats a workload rule",
			objs:   []string{svc("shop", "reviews"), dr("web", "pin", "*.local", selectorApp), dr("web", "mine", reviews)},
			client: "web", want: "web/mine",
		},
		{
			name:   "workload rule of another namespace is not exported",
			objs:   []string{svc("shop", "reviews"), dr("shop", "pin", "reviews", selectorApp), dr("istio-system", "mesh", "*.local")},
			client: "web", want: "istio-system/mesh",
		},
		{
			name:   "workload rule of the root namespace serves root proxies first",
			objs:   []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("istio-system", "pin", "*.local", selectorApp)},
			client: "istio-system", want: "istio-system/pin",
		},
		{
			name:   "workload rule of the root namespace is not a fallback",
			objs:   []string{svc("shop", "reviews"), dr("istio-system", "pin", "*.local", selectorApp)},
			client: "web", want: "",
		},
		{
			name:   "only the most specific rules exported to the client",
			objs:   []string{svc("shop", "reviews"), dr("shop", "a", "reviews", "  exportTo: [api]"), dr("shop", "b", "reviews")},
			client: "web", want: "shop/b",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(tc.objs...))
			h := tc.host
			if h == "" {
				h = reviews
			}
			if got := refs(g.DestinationRulesFor(h, tc.client)); got != tc.want {
				t.Errorf("Graph.DestinationRulesFor(%s, %s) = %q, want %q", h, tc.client, got, tc.want)
			}
			if got := refs(NewLookup(g).DestinationRulesFor(h, tc.client)); got != tc.want {
				t.Errorf("Lookup.DestinationRulesFor(%s, %s) = %q, want %q", h, tc.client, got, tc.want)
			}
		})
	}
}
