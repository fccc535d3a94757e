package graph

import (
	"sort"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
)

// AdminNetworkPolicy is a policy.networking.k8s.io AdminNetworkPolicy.
// It is cluster-scoped: its Namespace() is meaningless.
type AdminNetworkPolicy struct {
	Meta
	Spec *spec.AdminNetworkPolicy
}

// BaselineAdminNetworkPolicy is a policy.networking.k8s.io
// BaselineAdminNetworkPolicy. The API allows one, named "default".
type BaselineAdminNetworkPolicy struct {
	Meta
	Spec *spec.BaselineAdminNetworkPolicy
}

// ClusterNetworkPolicy is a policy.networking.k8s.io ClusterNetworkPolicy
// (v1alpha2 or v1beta1). It is cluster-scoped: its Namespace() is
// meaningless.
type ClusterNetworkPolicy struct {
	Meta
	Spec *spec.ClusterNetworkPolicy
}

// Baseline reports whether the policy is of the Baseline tier, evaluated
// after the NetworkPolicies; any other tier is read as Admin, which the
// engine warns about.
func (p *ClusterNetworkPolicy) Baseline() bool { return p.Spec.Tier.V == "Baseline" }

// addAdminPolicies decodes the admin network policies of the input,
// AdminNetworkPolicies and ClusterNetworkPolicies in precedence order: by
// priority, then by name, since the API leaves the order of equal
// priorities to the implementation.
func (g *Graph) addAdminPolicies() {
	for _, o := range g.Objects {
		if kinds.GenericWorkload(o.Group, o.Kind) {
			continue // a workload whose kind has the name
		}
		switch o.Kind {
		case kinds.AdminNetworkPolicy:
			p := &AdminNetworkPolicy{Meta: Meta{Obj: o}}
			if !decodeInto(g, o, o.Spec(), &p.Spec) {
				break
			}
			if r := adminNetworkPolicyRefusal(p.Meta, p.Spec); r != nil {
				g.RefusedAdminPolicies = append(g.RefusedAdminPolicies, r)
				break
			}
			g.AdminNetworkPolicies = append(g.AdminNetworkPolicies, p)
		case kinds.BaselineAdminNetworkPolicy:
			p := &BaselineAdminNetworkPolicy{Meta: Meta{Obj: o}}
			if !decodeInto(g, o, o.Spec(), &p.Spec) {
				break
			}
			if r := baselineAdminNetworkPolicyRefusal(p.Meta, p.Spec); r != nil {
				g.RefusedAdminPolicies = append(g.RefusedAdminPolicies, r)
				break
			}
			g.BaselineAdminNetworkPolicies = append(g.BaselineAdminNetworkPolicies, p)
		case kinds.ClusterNetworkPolicy:
			p := &ClusterNetworkPolicy{Meta: Meta{Obj: o}}
			if !decodeInto(g, o, o.Spec(), &p.Spec) {
				break
			}
			if r := clusterNetworkPolicyRefusal(p.Meta, p.Spec); r != nil {
				g.RefusedAdminPolicies = append(g.RefusedAdminPolicies, r)
				break
			}
			g.ClusterNetworkPolicies = append(g.ClusterNetworkPolicies, p)
		}
	}
	sort.SliceStable(g.ClusterNetworkPolicies, func(i, j int) bool {
		a, b := g.ClusterNetworkPolicies[i], g.ClusterNetworkPolicies[j]
		if a.Spec.Priority.V != b.Spec.Priority.V {
			return a.Spec.Priority.V < b.Spec.Priority.V
		}
		return a.Name() < b.Name()
	})
	sort.SliceStable(g.AdminNetworkPolicies, func(i, j int) bool {
		a, b := g.AdminNetworkPolicies[i], g.AdminNetworkPolicies[j]
		if a.Spec.Priority.V != b.Spec.Priority.V {
			return a.Spec.Priority.V < b.Spec.Priority.V
		}
		return a.Name() < b.Name()
	})
	sort.SliceStable(g.BaselineAdminNetworkPolicies, func(i, j int) bool {
		return g.BaselineAdminNetworkPolicies[i].Name() < g.BaselineAdminNetworkPolicies[j].Name()
	})
}
