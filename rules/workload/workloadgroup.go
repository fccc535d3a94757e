package workload

import (
	"maps"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// WorkloadGroupServiceAccountUnknown reports WorkloadGroups whose service
// account nothing in the input defines or uses.
var WorkloadGroupServiceAccountUnknown = &rules.Rule{
	ID:      "MR755",
	Name:    "workloadgroup-service-account-unknown",
	Summary: "workload group uses a service account that no workload or service account object of its namespace has",
	Doc: `The ` + "`spec.template.serviceAccount`" + ` of a WorkloadGroup is the identity of its VMs: their
bootstrap token is issued for that Kubernetes ServiceAccount of the WorkloadGroup's namespace,
and the mesh's authorization policies see them as it. A name that no ServiceAccount object and
no workload of the namespace has is usually a typo, or a ServiceAccount that was never created.

Checked only when the input holds all the namespace's objects: with the closed-world setting, or
when it holds ServiceAccount objects of the namespace. The ` + "`default`" + ` service account always exists.`,
	Bad: "# fixture: closed-world\n" + legacyVMGroup,
	Good: `# fixture: closed-world
apiVersion: v1
kind: ServiceAccount
metadata: {name: legacy-vm, namespace: shop}
---
` + legacyVMGroup,
	Severity: rules.Warning,
	Inputs:   withPods(kinds.WorkloadGroup, kinds.ServiceAccount),
	Related:  []string{"KIA1701"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, wg := range g.WorkloadGroups() {
			t := wg.Spec.Template
			if t == nil || t.ServiceAccount.V == "" || t.ServiceAccount.V == "default" {
				continue
			}
			ns, sa := wg.Namespace(), t.ServiceAccount.V
			if !g.Mesh.ClosedWorld && !g.HasKind(kinds.ServiceAccount, ns) {
				continue
			}
			if serviceAccountKnown(g, ns, sa) {
				continue
			}
			p.Reportf(wg.Obj, t.ServiceAccount.Loc, "WorkloadGroup %s/%s uses service account %q, which no ServiceAccount object and no workload of namespace %s has", ns, wg.Name(), sa, ns)
		}
		return nil
	},
}

// legacyVMGroup is WorkloadGroup shop/legacy, whose VMs run as service
// account legacy-vm: the examples of MR755.
const legacyVMGroup = `apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {name: legacy, namespace: shop}
spec:
  metadata: {labels: {app: legacy}}
  template: {serviceAccount: legacy-vm}
`

func serviceAccountKnown(g *graph.Graph, ns, sa string) bool {
	for _, o := range g.Objects {
		if o.Kind == kinds.ServiceAccount && o.Group == kinds.GroupCore && o.Namespace == ns && o.Name == sa {
			return true
		}
	}
	for _, w := range g.WorkloadsIn(ns) {
		if w.ServiceAccount == sa {
			return true
		}
	}
	return false
}

// WorkloadGroupDuplicateLabels reports WorkloadGroups of a namespace with
// the same labels.
var WorkloadGroupDuplicateLabels = &rules.Rule{
	ID:      "MR756",
	Name:    "workloadgroup-duplicate-labels",
	Summary: "two workload groups of a namespace give their workloads the same labels",
	Doc: `The WorkloadEntries registered for a WorkloadGroup get its ` + "`spec.metadata.labels`" + `, and Services,
policies and subsets select them by those labels. Two WorkloadGroups of one namespace with the
same labels make their VMs indistinguishable: every selector picks both groups.

Give each WorkloadGroup a distinguishing label (for example its own ` + "`app`" + ` or ` + "`version`" + `).`,
	Bad:      legacyGroups("app: legacy", "app: legacy"),
	Good:     legacyGroups("app: legacy, version: v1", "app: legacy, version: v2"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.WorkloadGroup},
	Related:  []string{"KIA1702"},
	Deps:     rules.DepOrder,
	Run: func(p *rules.Pass) error {
		first := map[string]*graph.WorkloadGroup{}
		for _, wg := range p.Graph.WorkloadGroups() {
			if wg.Spec.Metadata == nil || len(wg.Spec.Metadata.Labels) == 0 {
				continue
			}
			l := wg.Spec.Metadata.Labels
			var kv []string
			for _, k := range slices.Sorted(maps.Keys(l)) {
				kv = append(kv, k+"="+l[k])
			}
			key := wg.Namespace() + "\x00" + strings.Join(kv, ",")
			prev, dup := first[key]
			if !dup {
				first[key] = wg
				continue
			}
			if graph.SameObject(prev.Obj, wg.Obj) {
				continue // another definition of the group, which MR017 reports
			}
			p.Reportf(wg.Obj, wg.Obj.NameLoc, "WorkloadGroup %s/%s has the same labels as WorkloadGroup %s (%s): selectors cannot tell their workloads apart",
				wg.Namespace(), wg.Name(), prev.Name(), strings.Join(kv, ", ")).
				Relate(prev.Obj, prev.Obj.NameLoc, "the other WorkloadGroup")
		}
		return nil
	},
}

// legacyGroups is WorkloadGroups shop/legacy and shop/legacy-v2, whose
// VMs carry the labels first and second (a flow mapping's entries): the
// examples of MR756.
func legacyGroups(first, second string) string {
	return `apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {name: legacy, namespace: shop}
spec:
  metadata: {labels: {` + first + `}}
  template: {serviceAccount: legacy}
---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {name: legacy-v2, namespace: shop}
spec:
  metadata: {labels: {` + second + `}}
  template: {serviceAccount: legacy}
`
}
