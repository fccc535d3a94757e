package netpol

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

func inputs(ks ...kinds.Kind) []kinds.Kind { return append(ks, kinds.Workloads()...) }

// SelectsNothing reports NetworkPolicies whose podSelector matches no
// workload of the input.
var SelectsNothing = &rules.Rule{
	ID:      "MR403",
	Name:    "networkpolicy-selects-nothing",
	Summary: "network policy selects no workload of its namespace",
	Doc: `A NetworkPolicy only acts on the pods its ` + "`podSelector`" + ` matches in the policy's own
namespace. When it matches none, it protects nothing: usually a label typo, a policy left
behind by a renamed workload, or a policy written for another namespace.

The rule stays quiet when the input holds no workload of the policy's namespace at all (the
workloads may be deployed from elsewhere), unless the closed-world setting is on. Workloads are
Pods, the Kubernetes controllers of pods, Argo Rollouts, and the custom resources of other
operators with a pod template at ` + "`spec.template`" + ` (OpenKruise's CloneSet, Knative's Service, …),
whose pods have the template's labels (and, for Knative, ` + "`serving.knative.dev/service`" + ` and
` + "`serving.knative.dev/configuration`" + `). The pods Istio deploys for a Gateway API Gateway of the input
(labelled ` + "`gateway.networking.k8s.io/gateway-name`" + `) count as workloads. It is
kube-score's ` + "`networkpolicy-targets-pod`" + `, Kubescape's C-0299 and kube-linter's
` + "`dangling-networkpolicy`" + `.`,
	Bad:      apiIngressExample("apiserver"),
	Good:     apiIngressExample("api"),
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy),
	Deps:     rules.DepNone,
	Run:      runSelectsNothing,
}

// apiIngressExample is Deployment shop/api, labelled app: api, and a
// NetworkPolicy whose podSelector asks for the label app=app: the
// examples of MR403.
func apiIngressExample(app string) string {
	return apiDeployment + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: ` + app + `}}
  ingress: [{from: [{podSelector: {}}]}]
`
}

func runSelectsNothing(p *rules.Pass) error {
	g := p.Graph
	for _, np := range g.NetworkPolicies {
		if len(np.Workloads) > 0 || !g.WorkloadsKnown(np.Namespace()) {
			continue
		}
		// The pods Istio deploys for a Gateway API Gateway of the input
		// are not in the input, but they exist; an empty podSelector
		// selects them as it selects every pod of the namespace.
		if sel := np.Spec.PodSelector; sel == nil || len(sel.MatchExpressions) == 0 && len(sel.MatchLabels) == 0 {
			if len(g.GatewayAPIPodLabels(np.Namespace())) > 0 {
				continue
			}
		} else if len(sel.MatchExpressions) == 0 && g.SelectsGatewayAPIPod(np.Namespace(), sel.MatchLabels) != "" {
			continue
		}
		at := np.Obj.NameLoc
		if np.Spec.PodSelector != nil && !np.Spec.PodSelector.Loc.IsZero() {
			at = np.Spec.PodSelector.Loc
		}
		p.Reportf(np.Obj, at, "NetworkPolicy %s/%s selects no workload: podSelector %s matches none of the %d workloads of namespace %s in the input",
			np.Namespace(), np.Name(), selectorString(np.Spec.PodSelector), len(rules.Distinct(p, g.WorkloadsIn(np.Namespace()))), np.Namespace()) // each workload once, whatever its copies
	}
	return nil
}
