package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/labels"
)

// GatewayAPIPodLabels returns the labels of the pods Istio deploys for the
// Gateway API Gateways (of an istio* class) of namespace ns, keyed by
// Gateway name: Istio's automated deployment labels them with
// gateway.networking.k8s.io/gateway-name (and istio.io/gateway-name).
func (g *Graph) GatewayAPIPodLabels(ns string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() != ns || !strings.HasPrefix(gw.Spec.GatewayClassName.V, "istio") {
			continue
		}
		out[gw.Name()] = map[string]string{
			"gateway.networking.k8s.io/gateway-name": gw.Name(),
			"istio.io/gateway-name":                  gw.Name(),
		}
	}
	return out
}

// SelectsGatewayAPIPod returns the name of a Gateway API Gateway of
// namespace ns whose pods a matchLabels selector picks: a pod of the input
// labelled gateway.networking.k8s.io/gateway-name, or the pods Istio
// deploys for a Gateway of the input. It returns "" when there is none.
func (g *Graph) SelectsGatewayAPIPod(ns string, sel map[string]string) string {
	if len(sel) == 0 {
		return ""
	}
	for _, w := range g.workloadsByNS[ns] {
		if name, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]; ok && labels.SubsetOf(sel, w.Labels) {
			return name
		}
	}
	for name, l := range g.GatewayAPIPodLabels(ns) {
		if labels.SubsetOf(sel, l) {
			return name
		}
	}
	return ""
}
