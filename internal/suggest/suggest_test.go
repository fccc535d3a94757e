package suggest

import "testing"

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		candidates []string
		want       string
	}{
		{"reviwes", []string{"reviews", "ratings"}, "reviews"},
		{"Reviews", []string{"reviews", "ratings"}, "reviews"},
		{"productpage", []string{"productpage-v1", "details"}, ""}, // 3 edits
		{"gatway-public", []string{"gateway-public", "gateway-private"}, "gateway-public"},
		// Two candidates as close: not clear which was meant.
		{"gateway-a", []string{"gateway-b", "gateway-c"}, ""},
		// Short names are not corrected by edits, only by case.
		{"v3", []string{"v1", "v2"}, ""},
		{"V1", []string{"v1", "v2"}, "v1"},
		// A case match wins over edits.
		{"Storefront", []string{"storefront", "storefronts"}, "storefront"},
		// Two case matches: not clear.
		{"Web", []string{"web", "WEB"}, ""},
		// The name is a candidate: nothing to correct.
		{"reviews", []string{"reviews", "reviewz"}, ""},
		{"reviewz", []string{"reviews", "reviews"}, "reviews"},
		{"", []string{"a"}, ""},
		{"ingres-gateway", nil, ""},
		// Opposite directions of traffic are not typos of each other.
		{"istio-egressgateway", []string{"istio-ingressgateway"}, ""},
		{"egress.istio-system", []string{"ingress.istio-system"}, ""},
		{"Egress", []string{"ingress"}, ""},
		{"ingress-gw", []string{"egress-gw"}, ""},
		{"istio-egresgateway", []string{"istio-ingressgateway", "istio-egressgateway"}, "istio-egressgateway"},
	} {
		got, ok := Closest(tc.name, tc.candidates)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Closest(%q, %q) = %q, %v; want %q", tc.name, tc.candidates, got, ok, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"weights", "weigths", 2}, //nolint:misspell // a swap of two letters, on purpose
		{"kitten", "sitting", 3},
		{"naïve", "naive", 1},
		{"", "abc", 3},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func FuzzClosest(f *testing.F) {
	f.Add("reviwes", "reviews", "ratings")
	f.Fuzz(func(t *testing.T, name, a, b string) {
		got, ok := Closest(name, []string{a, b})
		if ok && got != a && got != b {
			t.Fatalf("Closest(%q, %q, %q) = %q: not a candidate", name, a, b, got)
		}
		if ok && got == name {
			t.Fatalf("Closest(%q) returned the name itself", name)
		}
	})
}
