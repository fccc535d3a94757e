package routing

import (
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// RootSidecarWithSelector reports Sidecars in the root namespace that select
// workloads, and so are not the mesh-wide default.
var RootSidecarWithSelector = &rules.Rule{
	ID:      "MR151",
	Name:    "root-sidecar-with-selector",
	Summary: "a Sidecar in the root namespace has a workloadSelector, so it is not the mesh-wide default",
	Doc: `A Sidecar without ` + "`workloadSelector`" + ` in the root namespace (` + "`istio-system`" + ` by default, see
` + "`--mesh-config`" + `) is the default for every namespace that has no Sidecar of its own. With a
` + "`workloadSelector`" + ` it is an ordinary workload Sidecar: it applies only to matching workloads of the
root namespace itself, and the mesh gets no default. So is it with an empty ` + "`workloadSelector`" + `,
which selects every workload of the root namespace: Istio takes as the mesh default only a
root-namespace Sidecar without one (a Sidecar with an empty selector beside such a default is
one for the root namespace's pods, and is not reported). The usual intent was a mesh-wide
egress restriction, which then silently does not apply.

Remove the ` + "`workloadSelector`" + ` to make it the mesh default, or move the Sidecar to the namespace of
the workloads it is for.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: istio-system
spec:
  workloadSelector:
    labels: {app: reviews}
  egress:
  - hosts: ["./*", "istio-system/*"]
`,
	Good: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: istio-system
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Sidecar},
	Related:  []string{"KIA1006"},
	Deps:     rules.DepNone,
	Run:      runRootSidecarWithSelector,
}

func runRootSidecarWithSelector(p *rules.Pass) error {
	root := p.Graph.Mesh.RootNamespace
	hasDefault := slices.ContainsFunc(p.Graph.Sidecars, func(sc *graph.Sidecar) bool {
		return sc.Namespace() == root && sc.Spec.WorkloadSelector == nil
	})
	for _, sc := range p.Graph.Sidecars {
		if sc.Namespace() != root || sc.Spec.WorkloadSelector == nil {
			continue
		}
		// An empty selector is no mesh default either: Istio takes as such
		// only a root Sidecar with no workloadSelector at all
		// (PushContext.initSidecarScopes), and an empty one selects every
		// workload of the root namespace. Beside a default, that is a
		// deliberate Sidecar for the root namespace's own pods.
		if len(sc.Spec.WorkloadSelector.Labels) == 0 {
			if hasDefault {
				continue
			}
			p.Reportf(sc.Obj, sc.Spec.WorkloadSelector.Loc, "Sidecar %s is in the root namespace %s but has a workloadSelector, although an empty one: it applies to every workload of %s, not as the mesh-wide default", sc.Name(), sc.Namespace(), sc.Namespace())
			continue
		}
		p.Reportf(sc.Obj, sc.Spec.WorkloadSelector.Loc, "Sidecar %s is in the root namespace %s but has a workloadSelector: it applies only to matching workloads of %s, not as the mesh-wide default", sc.Name(), sc.Namespace(), sc.Namespace())
	}
	return nil
}
