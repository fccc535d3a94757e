package graph

import (
	"strconv"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
)

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

// dryRunAnnotation marks an AuthorizationPolicy as dry-run.
const dryRunAnnotation = "istio.io/dry-run"

// DryRun reports whether ap is a dry-run policy: its istio.io/dry-run
// annotation reads as true to strconv.ParseBool, as istiod's authz builder
// reads it (isDryRun; another value is logged and read as false). istiod
// programs the rules of such a policy as shadow rules, which record what
// they would decide and enforce nothing.
func (ap *AuthorizationPolicy) DryRun() bool {
	v, ok := ap.Obj.Annotations[dryRunAnnotation]
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

// DryRunLoc locates ap's istio.io/dry-run annotation value, zero when it
// cannot be found. It may read the file again (Object.Root): only for a
// finding.
func (ap *AuthorizationPolicy) DryRunLoc() manifest.Loc {
	md := yamlpath.Field(ap.Obj.Root(), "metadata")
	return manifest.LocOf(yamlpath.Field(yamlpath.Field(md, "annotations"), dryRunAnnotation))
}
