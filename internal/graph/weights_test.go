package graph

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
)

// weightsOf loads text as a file and returns the text of the spans of
// its weights (WeightValues), and its ReadDigest and WeightDigest.
func weightsOf(t *testing.T, text string) (spans []string, read, weights [32]byte) {
	t.Helper()
	loadText(t, text, func(f *manifest.File) {
		unread := map[int]bool{}
		for _, sp := range UnreadSpans(f) {
			unread[sp.From] = true
		}
		for _, sp := range WeightSpans(f) {
			if !unread[sp.From] {
				spans = append(spans, string(f.Data[sp.From:sp.To]))
			}
		}
		read, weights = ReadDigest(f), WeightDigest(f)
		if d := Digests(f); d.Read != read || d.Weights != weights {
			t.Errorf("Digests differs from ReadDigest and WeightDigest")
		}
	})
	return spans, read, weights
}

const weightedRoutes = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 90
    - destination:
        host: reviews
        subset: v2
      weight: "10" # canary
  tcp:
  - route:
    - destination: {host: reviews, port: {number: 9000}}
      weight: 100
  tls:
  - match: [{sniHosts: [reviews]}]
    route:
    - destination:
        host: reviews
      weight: 7 # meshlint:ignore MR101
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: reviews
        image: example/reviews:1
`

// TestWeightSpans checks which weights are cut: those of each route kind
// in block style, not one followed by a suppression, not those of other
// kinds or groups, not those reached through a flow mapping, an anchor
// or a merge key.
func TestWeightSpans(t *testing.T) {
	spans, _, _ := weightsOf(t, weightedRoutes)
	if want := []string{"90", `"10" # canary`, "100"}; !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	for _, tc := range []struct{ name, old, new string }{
		{"another group", "networking.istio.io/v1", "example.com/v1"},
		{"a route in flow style", "    - destination:\n        host: reviews\n        subset: v1\n      weight: 90\n", "    - {destination: {host: reviews, subset: v1}, weight: 90}\n"},
		{"an anchor", "  http:\n  - route:", "  http:\n  - &r\n    route:"},
		{"a merge key", "  http:\n  - route:", "  http:\n  - <<: {}\n    route:"},
	} {
		spans, _, _ := weightsOf(t, strings.Replace(weightedRoutes, tc.old, tc.new, 1))
		if slices.Contains(spans, "90") {
			t.Errorf("%s: weight 90 is cut: %q", tc.name, spans)
		}
	}
}

// TestWeightDigest checks that WeightDigest stays with the weights and
// the unread values, and moves with anything else, while ReadDigest
// moves with the weights.
func TestWeightDigest(t *testing.T) {
	_, read, weights := weightsOf(t, weightedRoutes)
	for _, tc := range []struct {
		old, new   string
		sameRead   bool
		sameWeight bool
	}{
		{"weight: 90", "weight: 80", false, true},
		{"weight: 90", "weight: 0", false, true},
		{`weight: "10" # canary`, `weight: "20"`, false, true},
		{"weight: 100", "weight: 1000", false, true},
		{"image: example/reviews:1", "image: example/reviews:2", true, true},
		{"weight: 7 # meshlint:ignore MR101", "weight: 8 # meshlint:ignore MR101", false, false},
		{"subset: v2", "subset: v3", false, false},
		{"      weight: 90\n", "      weight: 90\n      headers: {}\n", false, false},
		{"      weight: 90\n", "", false, false},
	} {
		_, r, w := weightsOf(t, strings.Replace(weightedRoutes, tc.old, tc.new, 1))
		if (r == read) != tc.sameRead || (w == weights) != tc.sameWeight {
			t.Errorf("%q -> %q: the same ReadDigest %v, WeightDigest %v; want %v, %v", tc.old, tc.new, r == read, w == weights, tc.sameRead, tc.sameWeight)
		}
	}
}

// weightReaders are the files of the graph, the rules and what they use
// whose code reads a field or key of a weight, with how many times, and
// why that is no read of a route weight by a rule outside
// rules.WeightReaders, or only of a Gateway API weight's sign. The packages unreadReaders leaves out are
// left out.
var weightReaders = readers{
	"internal/graph/weights.go":            {1, "names the weights"},
	"internal/graph/rollout_experiment.go": {2, "an Argo Experiment template's weight"},
	"internal/graph/gatewayapi.go":         {4, "a Gateway API backendRef's weight, kept whole in BackendRef.Weight for MR608 and compared with 0 by the others"},
	"internal/graph/backends.go":           {1, "whether a Gateway API backendRef's weight is 0: WeightDigest keeps its sign"},
	"internal/topology/topology.go":        {3, "the HTML report's routes: a cached run that writes it builds the graph (graphNeeded)"},
	"rules/routing/weights.go":             {8, "MR101, in rules.WeightReaders"},
	"rules/routing/weightinvalid.go":       {6, "MR102, in rules.WeightReaders"},
	"rules/routing/argospec.go":            {6, "an Argo Rollout's or Experiment's spec"},
	"rules/validation/schema.go":           {1, "MR001's documentation"},
	"rules/gatewayapi/backendport.go":      {1, "MR603: whether a weight is 0"},
	"rules/gatewayapi/filters.go":          {2, "MR623: whether a weight is 0"},
	"rules/gatewayapi/weights.go":          {9, "MR608, in rules.WeightReaders"},
	"rules/gatewayapi/backendkind.go":      {1, "MR617: whether a weight is 0"},
	"rules/gatewayapi/backends.go":         {1, "MR602: whether a weight is above 0"},
}

// weightRead matches what reads a weight: the field spec decodes it
// into, or the key in quotes.
var weightRead = regexp.MustCompile(`\.Weight\b|"weight"`)

// TestWeightReaders fails when code of the graph or the rules starts or
// stops reading a field or key of a weight: check that it is no rule
// outside rules.WeightReaders reading a VirtualService's route weight (or
// add the rule there, if it reads nothing outside its partition), then
// update weightReaders. TestWeightValues (rules/all) checks the same by
// the findings.
func TestWeightReaders(t *testing.T) {
	weightReaders.check(t, sourceMatches(t, weightRead), "weightReaders", "a weight's field or key",
		"check that no rule outside rules.WeightReaders reads a route weight (of a Gateway API route, more than its sign)")
}

const weightedHTTPRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
  namespace: shop
spec:
  parentRefs:
  - name: web
  rules:
  - backendRefs:
    - name: reviews-v1
      port: 9080
      weight: 90
    - name: reviews-v2
      port: 9080
      weight: 10
    - name: reviews-v3
      port: 9080
      weight: 0
    - name: reviews-v4
      port: 9080
      weight: "5"
`

// TestWeightDigestSigned checks a Gateway API route's weights: cut when
// plain integers, with their sign kept in the digest.
func TestWeightDigestSigned(t *testing.T) {
	spans, read, weights := weightsOf(t, weightedHTTPRoute)
	if want := []string{"90", "10", "0"}; !slices.Equal(spans, want) {
		t.Errorf("spans %q, want %q", spans, want)
	}
	for _, tc := range []struct {
		old, new   string
		sameWeight bool
	}{
		{"weight: 90", "weight: 80", true},
		{"weight: 10", "weight: 1000", true},
		{"weight: 10", "weight: +3", true},
		{"weight: 10", "weight: 0", false},
		{"weight: 0", "weight: 00", true},
		{"weight: 0", "weight: 1", false},
		{"weight: 0", "weight: -1", false},
		{`weight: "5"`, `weight: "6"`, false},
	} {
		_, r, w := weightsOf(t, strings.Replace(weightedHTTPRoute, tc.old, tc.new, 1))
		if r == read || (w == weights) != tc.sameWeight {
			t.Errorf("%q -> %q: the same ReadDigest %v, WeightDigest %v; want false, %v", tc.old, tc.new, r == read, w == weights, tc.sameWeight)
		}
	}
}
