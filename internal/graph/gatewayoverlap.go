package graph

import (
	"slices"

	"github.com/meshlint/meshlint/internal/labels"
)

// SharePods reports whether two Gateways configure the same gateway pods.
// When the input holds pods of either, they must share a pod. Otherwise the
// selectors decide: one selector's labels are a subset of the other's, so
// every pod the narrower one picks is picked by both (an empty selector
// picks every pod). With PILOT_SCOPE_GATEWAY_TO_NAMESPACE, a gateway pod
// takes the Gateways of its own namespace only (PushContext.mergeGateways),
// so Gateways of two namespaces never share one, whatever their selectors;
// istioctl analyze skips them too (the gateway analyzer's
// getGatewaysWithSelector).
func (g *Graph) SharePods(a, b *Gateway) bool {
	if len(a.Workloads) > 0 || len(b.Workloads) > 0 {
		for _, w := range a.Workloads {
			if slices.Contains(b.Workloads, w) {
				return true
			}
		}
		return false
	}
	if g.Mesh.ScopeGatewayToNamespace && a.Namespace() != b.Namespace() {
		return false
	}
	return labels.SubsetOf(a.Spec.Selector, b.Spec.Selector) || labels.SubsetOf(b.Spec.Selector, a.Spec.Selector)
}
