package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/labels"
)

// GatewayAPIPodLabels returns the labels of the pods Istio deploys for the
// Gateway API Gateways (of an istio* class) of namespace ns, keyed by
// Gateway name (IstioPodLabels).
func (g *Graph) GatewayAPIPodLabels(ns string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() == ns {
			if l := gw.IstioPodLabels(); l != nil {
				out[gw.Name()] = l
			}
		}
	}
	return out
}

// IstioPodLabels returns the labels of the pods Istio deploys for gw, nil
// when its class is not an istio* one: Istio's automated deployment labels
// them with gateway.networking.k8s.io/gateway-name (and
// istio.io/gateway-name), and spec.infrastructure.labels.
func (gw *K8sGateway) IstioPodLabels() map[string]string {
	if !strings.HasPrefix(gw.Spec.GatewayClassName.V, "istio") {
		return nil
	}
	l := map[string]string{}
	if in := gw.Spec.Infrastructure; in != nil {
		for k, v := range in.Labels {
			l[k] = v
		}
	}
	l["gateway.networking.k8s.io/gateway-name"] = gw.Name()
	l["istio.io/gateway-name"] = gw.Name()
	return l
}

// GatewayAPIWorkloads returns the workloads of the input that are gw's
// pods: those of its namespace labelled gateway.networking.k8s.io/gateway-name
// with its name (a Gateway deployed by hand, or Istio's deployment written
// out).
func (g *Graph) GatewayAPIWorkloads(gw *K8sGateway) []*Workload {
	var out []*Workload
	for _, w := range g.workloadsByNS[gw.Namespace()] {
		if w.Labels["gateway.networking.k8s.io/gateway-name"] == gw.Name() {
			out = append(out, w)
		}
	}
	return out
}

// SelectsGatewayAPIPod returns the name of a Gateway API Gateway of
// namespace ns whose pods a matchLabels selector picks: a pod of the input
// labelled gateway.networking.k8s.io/gateway-name, or the pods Istio
// deploys for a Gateway of the input. It returns "" when there is none.
// When several match, it names the first by name, pods of the input
// before deployed ones: the message must not change with map order or
// with the order of the input (MR314 declares no ORDER dependency).
func (g *Graph) SelectsGatewayAPIPod(ns string, sel map[string]string) string {
	if len(sel) == 0 {
		return ""
	}
	found := ""
	for _, w := range g.workloadsByNS[ns] {
		if name, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]; ok && labels.SubsetOf(sel, w.Labels) && (found == "" || name < found) {
			found = name
		}
	}
	if found != "" {
		return found
	}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() != ns || found != "" && gw.Name() >= found {
			continue
		}
		if l := gw.IstioPodLabels(); l != nil && labels.SubsetOf(sel, l) {
			found = gw.Name()
		}
	}
	return found
}
