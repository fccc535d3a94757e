package graph

import (
	"slices"
	"sort"

	"github.com/meshlint/meshlint/internal/host"
)

// ProxyNamespaces returns the namespaces of the proxies that apply a
// VirtualService's routes, and so look up the DestinationRules of its
// destinations for themselves: the VirtualService's own namespace when it
// is bound to the mesh (no gateways, or "mesh"), and for every gateway the
// namespaces of the gateway pods in the input. When a gateway's pods are not
// in the input, the Gateway's namespace and the root namespace stand in for
// them, since gateway deployments usually run in one of the two; with
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE only the Gateway's namespace does, the
// one namespace whose pods can take the Gateway. Sidecars in
// other namespaces that import a VirtualService exported to them are not
// listed: each of them has its own lookup.
//
// A delegate (a VirtualService without hosts) is applied by the proxies of
// the VirtualServices that delegate to it, whose routes take its own
// (Istio's mergeVirtualServices): their namespaces are listed, and the
// delegate's own namespace only when no VirtualService of the input
// delegates to it. ds is g.Delegations(), which callers asking about many
// VirtualServices list once.
func (g *Graph) ProxyNamespaces(vs *VirtualService, ds []Delegation) []string {
	set := map[string]bool{}
	if len(vs.Spec.Hosts) == 0 {
		for _, d := range ds {
			if d.Delegate == vs {
				g.addProxyNamespaces(set, d.Root)
			}
		}
	}
	if len(set) == 0 {
		g.addProxyNamespaces(set, vs)
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		if ns != "" {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}

// addProxyNamespaces adds to set the namespaces of the proxies that apply
// the routes of vs itself, as ProxyNamespaces lists them.
func (g *Graph) addProxyNamespaces(set map[string]bool, vs *VirtualService) {
	if len(vs.Gateways) == 0 {
		set[vs.Namespace()] = true
	}
	for _, ref := range vs.Gateways {
		if ref.Mesh {
			set[vs.Namespace()] = true
			continue
		}
		for _, ns := range g.GatewayPodNamespaces(ref) {
			set[ns] = true
		}
	}
}

// GatewayPodNamespaces returns the namespaces of the pods that serve the
// Gateway ref names (not "mesh"): its pods', or, when the input holds
// none, the Gateway's namespace and the root namespace, where Istio's
// default gateways run; with PILOT_SCOPE_GATEWAY_TO_NAMESPACE only pods of
// the Gateway's namespace can take it.
func (g *Graph) GatewayPodNamespaces(ref GatewayRef) []string {
	var out []string
	if ref.Gateway != nil && len(ref.Gateway.Workloads) > 0 {
		for _, w := range ref.Gateway.Workloads {
			if !slices.Contains(out, w.Namespace()) {
				out = append(out, w.Namespace())
			}
		}
		return out
	}
	out = append(out, ref.Namespace)
	if root := g.Mesh.RootNamespace; root != "" && root != ref.Namespace && !g.Mesh.ScopeGatewayToNamespace {
		out = append(out, root)
	}
	return out
}

// DestinationRulesNaming returns every DestinationRule whose host covers
// fqdn, in any namespace and whatever its exportTo or workloadSelector. It
// is not what any proxy uses (that is DestinationRulesFor); rules use it to
// explain why a DestinationRule that looks right has no effect.
func (g *Graph) DestinationRulesNaming(fqdn string) []*DestinationRule {
	var out []*DestinationRule
	for _, dr := range g.DestinationRules {
		if host.Matches(dr.Host, fqdn) && (!host.IsWildcard(fqdn) || host.SubsetOf(fqdn, dr.Host)) {
			out = append(out, dr)
		}
	}
	return out
}
