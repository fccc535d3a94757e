package graph

import (
	"github.com/meshlint/meshlint/internal/host"
)

// IstioMutual reports whether a DestinationRule's top-level traffic policy
// sets tls.mode ISTIO_MUTUAL.
func (dr *DestinationRule) IstioMutual() bool {
	tp := dr.Spec.TrafficPolicy
	return tp != nil && tp.TLS != nil && tp.TLS.Mode.V == "ISTIO_MUTUAL"
}

// SetsTLS reports whether a DestinationRule has TLS settings of its own,
// at the top level or on a port. Istio does not merge a rule with the
// wider-host rules it hides, so one without TLS settings leaves the client
// to auto mTLS, or to plaintext when auto mTLS is off.
func (dr *DestinationRule) SetsTLS() bool {
	tp := dr.Spec.TrafficPolicy
	if tp == nil {
		return false
	}
	if tp.TLS != nil {
		return true
	}
	for _, p := range tp.PortLevelSettings {
		if p.TLS != nil {
			return true
		}
	}
	return false
}

// NamespaceHosts returns the wildcard host of the Services of namespace ns,
// "*.<ns>.svc.<domain>", or of every namespace for ns "".
func (g *Graph) NamespaceHosts(ns string) string {
	if ns == "" {
		return "*.svc." + g.Mesh.ClusterDomain
	}
	return "*." + ns + ".svc." + g.Mesh.ClusterDomain
}

// MutualTLSRuleFor returns a DestinationRule that makes clients use Istio
// mTLS towards every Service of namespace ns ("" for every namespace): a
// selector-less ISTIO_MUTUAL rule whose host covers them all, in ns or the
// root namespace and exported to the clients (for ns "", a root-namespace
// rule exported to every namespace). It returns nil when there is none.
func (g *Graph) MutualTLSRuleFor(ns string) *DestinationRule {
	want := g.NamespaceHosts(ns)
	scopes := []string{g.Mesh.RootNamespace}
	if ns != "" && ns != g.Mesh.RootNamespace {
		scopes = []string{ns, g.Mesh.RootNamespace}
	}
	for _, scope := range scopes {
		for _, dr := range g.drsByNS[scope] {
			if dr.Spec.WorkloadSelector != nil || !dr.IstioMutual() || !host.SubsetOf(want, dr.Host) {
				continue
			}
			if ns == "" && !exportedToAll(dr.ExportTo) {
				continue
			}
			if ns != "" && !Visible(dr.ExportTo, scope, ns) {
				continue
			}
			return dr
		}
	}
	return nil
}

// WiderMutualRules returns the selector-less ISTIO_MUTUAL DestinationRules
// whose host strictly contains dr's host and that clients in dr's
// namespace would use for that host if dr did not exist: those of dr's
// namespace, and those of the root namespace exported to it.
func (g *Graph) WiderMutualRules(dr *DestinationRule) []*DestinationRule {
	var out []*DestinationRule
	seen := map[string]bool{}
	for _, scope := range []string{dr.Namespace(), g.Mesh.RootNamespace} {
		if seen[scope] {
			continue
		}
		seen[scope] = true
		for _, o := range g.drsByNS[scope] {
			if o == dr || o.Spec.WorkloadSelector != nil || !o.IstioMutual() || o.Host == dr.Host || !host.SubsetOf(dr.Host, o.Host) {
				continue
			}
			if Visible(o.ExportTo, scope, dr.Namespace()) {
				out = append(out, o)
			}
		}
	}
	return out
}

// exportedToAll reports whether an exportTo list makes a config visible
// from every namespace.
func exportedToAll(exportTo []string) bool {
	if len(exportTo) == 0 {
		return true
	}
	for _, e := range exportTo {
		if e == "*" {
			return true
		}
	}
	return false
}
