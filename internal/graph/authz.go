package graph

// AuthorizationWorkloads returns the workloads of the input an
// AuthorizationPolicy applies to by its selector: every workload of its
// namespace without one, and in the root namespace the matching workloads
// of every namespace. ok is false for a policy attached by targetRef(s),
// whose targets are Gateway API objects or Services rather than pod labels.
func (g *Graph) AuthorizationWorkloads(ap *AuthorizationPolicy) (ws []*Workload, ok bool) {
	if ap.Spec.TargetRef != nil || len(ap.Spec.TargetRefs) > 0 {
		return nil, false
	}
	var sel map[string]string
	if ap.Spec.Selector != nil {
		sel = ap.Spec.Selector.MatchLabels
	}
	scope := ap.Namespace()
	if scope == g.Mesh.RootNamespace {
		scope = ""
	}
	return g.SelectWorkloads(scope, sel), true
}
