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
	return Analyze(&only)
}
