package spec

import "testing"

func TestEqual(t *testing.T) {
	decode := func(src string) *DestinationRule {
		t.Helper()
		var dr DestinationRule
		if errs := Decode("f.yaml", parse(t, src), &dr); errs != nil {
			t.Fatal(errStrings(errs))
		}
		return &dr
	}
	base := "host: web\ntrafficPolicy:\n  tls: {mode: ISTIO_MUTUAL}\n  loadBalancer: {simple: LEAST_REQUEST}\n"
	for _, c := range []struct {
		name, a, b string
		want       bool
	}{
		// Positions and styles differ; what is said does not.
		{"same, written otherwise", base, "\n\nhost: web\ntrafficPolicy:\n  loadBalancer:\n    simple: LEAST_REQUEST\n  tls:\n    mode: ISTIO_MUTUAL\n", true},
		{"anchors followed", base, "host: web\nlb: &lb {simple: LEAST_REQUEST}\ntrafficPolicy:\n  tls: {mode: ISTIO_MUTUAL}\n  loadBalancer: *lb\n", true},
		{"decoded field", base, "host: web\ntrafficPolicy:\n  tls: {mode: SIMPLE}\n  loadBalancer: {simple: LEAST_REQUEST}\n", false},
		{"missing field", base, "host: web\n", false},
		{"extra list entry", base, base + "subsets: [{name: v1, labels: {version: v1}}]\n", false},
		{"map value", "host: web\nsubsets: [{name: v1, labels: {version: v1}}]\n", "host: web\nsubsets: [{name: v1, labels: {version: v2}}]\n", false},
	} {
		if got := Equal(decode(c.a), decode(c.b)); got != c.want {
			t.Errorf("%s: Equal = %v, want %v", c.name, got, c.want)
		}
	}
	// The decoder keeps a placeholder for a field it does not decode; a
	// node with content is compared by it.
	policy := func(src string) *TrafficPolicy { return &TrafficPolicy{LoadBalancer: parse(t, src)} }
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"{simple: LEAST_REQUEST}", "\n\nsimple: LEAST_REQUEST\n", true},
		{"{simple: LEAST_REQUEST}", "{simple: ROUND_ROBIN}", false},
		{"{consistentHash: {minimumRingSize: 1}}", "{consistentHash: {minimumRingSize: \"1\"}}", false},
		{"{simple: LEAST_REQUEST}", "{simple: LEAST_REQUEST, warmupDurationSecs: 10s}", false},
	} {
		if got := Equal(policy(c.a), policy(c.b)); got != c.want {
			t.Errorf("loadBalancer %s and %s: Equal = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if Equal(&Service{}, &DestinationRule{}) {
		t.Error("values of different types are equal")
	}
}
