package netpol

import "github.com/meshlint/meshlint/internal/graph"

// AnalyzePolicy builds the connectivity model of g as if np were its only
// network policy: no other NetworkPolicy and no admin policy. Rules use it
// to ask what one policy allows on its own, for instance whether a policy
// meant as a namespace default lets everything through.
func AnalyzePolicy(g *graph.Graph, np *graph.NetworkPolicy) *Analysis {
	only := *g
	only.NetworkPolicies = []*graph.NetworkPolicy{np}
	only.AdminNetworkPolicies = nil
	only.BaselineAdminNetworkPolicies = nil
	only.ClusterNetworkPolicies = nil
	only.RefusedAdminPolicies = nil
	return Analyze(&only)
}

// AnalyzePolicyAlone is AnalyzePolicy without the workloads, Ingresses
// and Routes of g: only its namespaces and np. What it answers about pods
// described by namespace and labels (PodEndpoint, AnyPod, AnyPodIn) and
// about external addresses is what AnalyzePolicy answers, since the
// workloads play no part there; it knows no workload of g (Workloads is
// empty, Isolated false). Its cost follows np and the namespaces rather
// than the whole input, which matters to a rule that asks about every
// namespace's policies.
func AnalyzePolicyAlone(g *graph.Graph, np *graph.NetworkPolicy) *Analysis {
	return Analyze(&graph.Graph{Namespaces: g.Namespaces, NetworkPolicies: []*graph.NetworkPolicy{np}})
}
