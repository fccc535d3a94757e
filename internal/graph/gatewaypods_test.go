package graph

import (
	"fmt"
	"testing"
)

// k8sGateway is a Gateway API Gateway of class istio whose deployed pods
// carry the label tier: edge.
func k8sGateway(ns, name string) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: %s, namespace: %s}
spec:
  gatewayClassName: istio
  infrastructure: {labels: {tier: edge}}
  listeners: [{name: http, port: 80, protocol: HTTP}]`, name, ns)
}

// SelectsGatewayAPIPod names one Gateway in a message: with several
// matching, the same one on every run and whatever the input order.
func TestSelectsGatewayAPIPodDeterministic(t *testing.T) {
	var deployed []string
	// Names in reverse order, so that the first in input order is not the
	// first by name.
	for i := 19; i >= 0; i-- {
		deployed = append(deployed, k8sGateway("edge", fmt.Sprintf("gw-%02d", i)))
	}
	g := graphFrom(t, docs(deployed...))
	// Map iteration order changes from run to run: one run could pick
	// the right Gateway by luck.
	for range 50 {
		if got := g.SelectsGatewayAPIPod("edge", map[string]string{"tier": "edge"}); got != "gw-00" {
			t.Fatalf("deployed pods: got %q, want gw-00, the first by name", got)
		}
	}

	g = graphFrom(t, docs(
		pod("edge", "zeta", map[string]string{"tier": "edge", "gateway.networking.k8s.io/gateway-name": "zeta"}),
		pod("edge", "alpha", map[string]string{"tier": "edge", "gateway.networking.k8s.io/gateway-name": "alpha"}),
		k8sGateway("edge", "aaa"),
	))
	// Pods of the input come before the pods Istio would deploy.
	if got := g.SelectsGatewayAPIPod("edge", map[string]string{"tier": "edge"}); got != "alpha" {
		t.Errorf("pods of the input: got %q, want alpha, the first by name", got)
	}
	if got := g.SelectsGatewayAPIPod("edge", map[string]string{"tier": "core"}); got != "" {
		t.Errorf("no match: got %q", got)
	}
	if got := g.SelectsGatewayAPIPod("other", map[string]string{"tier": "edge"}); got != "" {
		t.Errorf("other namespace: got %q", got)
	}
}
