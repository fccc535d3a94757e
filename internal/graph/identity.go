package graph

import (
	"slices"
	"strings"
)

// Principal is an Istio workload identity as AuthorizationPolicy principals
// write it: "<trust-domain>/ns/<namespace>/sa/<service-account>".
type Principal struct {
	TrustDomain, Namespace, ServiceAccount string
}

// ParsePrincipal splits an exact principal. ok is false for a value with a
// wildcard or another shape.
func ParsePrincipal(s string) (p Principal, ok bool) {
	if strings.Contains(s, "*") {
		return p, false
	}
	td, rest, ok1 := strings.Cut(s, "/ns/")
	ns, sa, ok2 := strings.Cut(rest, "/sa/")
	if !ok1 || !ok2 || td == "" || ns == "" || sa == "" || strings.Contains(ns, "/") || strings.Contains(sa, "/") {
		return p, false
	}
	return Principal{TrustDomain: td, Namespace: ns, ServiceAccount: sa}, true
}

// PrincipalTrustDomain returns the trust domain a principal pattern
// enforces: the text before "/ns/" (or before the first "/"), "" when the
// pattern starts with a wildcard and so matches any trust domain.
func PrincipalTrustDomain(s string) string {
	if strings.HasPrefix(s, "*") {
		return ""
	}
	td, _, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(td, "*") {
		return ""
	}
	return td
}

// LocalTrustDomain reports whether Istio treats trust domain td of a
// principal as the mesh's own: MeshConfig trustDomain, one of its
// trustDomainAliases, or "cluster.local", which Istio's trust domain
// bundle always reads as a pointer to the local trust domain and its
// aliases (ReplaceTrustDomainAliases rewrites such a principal for each).
func (g *Graph) LocalTrustDomain(td string) bool {
	return td == g.Mesh.TrustDomain || td == "cluster.local" || slices.Contains(g.Mesh.TrustDomainAliases, td)
}

// ServiceAccountWorkloads returns the workloads of namespace ns whose pods
// run as service account sa.
func (g *Graph) ServiceAccountWorkloads(ns, sa string) []*Workload {
	var out []*Workload
	for _, w := range g.workloadsByNS[ns] {
		if w.ServiceAccount == sa {
			out = append(out, w)
		}
	}
	return out
}

// ServiceAccountUsed reports whether pods of namespace ns run as service
// account sa: a workload of the input, or the deployment Istio creates for
// a Gateway API Gateway of an istio* class there, whose service account is
// "<gateway>-<class>" (the gateway.istio.io/name-override annotation
// replaces it; a waypoint's is also just "<gateway>").
func (g *Graph) ServiceAccountUsed(ns, sa string) bool {
	if len(g.ServiceAccountWorkloads(ns, sa)) > 0 {
		return true
	}
	for _, gw := range g.K8sGateways {
		class := gw.Spec.GatewayClassName.V
		if gw.Namespace() != ns || !strings.HasPrefix(class, "istio") || class == "istio-remote" {
			continue
		}
		if o := gw.Obj.Annotations["gateway.istio.io/name-override"]; o != "" {
			if o == sa {
				return true
			}
			continue
		}
		if sa == gw.Name()+"-"+class || class == "istio-waypoint" && sa == gw.Name() {
			return true
		}
	}
	return false
}
