package security

import (
	"fmt"
	"sort"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// PeerAuthConflict reports PeerAuthentications of which Istio applies only
// one, chosen by creation time.
var PeerAuthConflict = &rules.Rule{
	ID:      "MR331",
	Name:    "peerauth-conflict",
	Summary: "several PeerAuthentications apply to the same namespace or workload, and Istio keeps only the oldest",
	Doc: `Istio applies one namespace-wide PeerAuthentication per namespace (one mesh-wide in the root
namespace) and one workload PeerAuthentication per workload. When several qualify — two without
a selector in one namespace, or two whose selectors match the same workload — it keeps the
oldest by creation time and ignores the rest. Which one that is cannot be read from the
manifests: it depends on the order in which they were applied, so the same files give different
mTLS modes in different clusters.

Every policy involved is reported, whatever its place in the files: unlike Kiali (KIA0002,
KIA0003), whose mTLS checks take the first match in document order, meshlint's result does not
depend on document order. Workload matches use the pod-template labels of the workloads in the
input.

Merge the policies into one, or make their selectors disjoint.`,
	Bad: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls: {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: permissive
  namespace: shop
spec:
  mtls: {mode: PERMISSIVE}
`,
	Good: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls: {mode: STRICT}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.PeerAuthentication, kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.Pod},
	Related:  []string{"KIA0002", "KIA0003"},
	Deps:     rules.DepNone,
	Run:      runPeerAuthConflict,
}

func runPeerAuthConflict(p *rules.Pass) error {
	g := p.Graph
	for _, ns := range g.NamespaceNames() {
		pas := g.PeerAuthenticationsIn(ns)
		var wide []*graph.PeerAuthentication
		for _, pa := range pas {
			if !pa.HasSelector() {
				wide = append(wide, pa)
			}
		}
		// Two definitions of one PeerAuthentication are one policy: MR017
		// reports them, and each is reported here as the one policy would
		// be, with the definitions of the others it goes with (its
		// layout's: prod/'s, not dev/'s), which may have a selector or not.
		copies := rules.CopiesOf(p, pas)
		scope := "namespace " + ns
		if ns == g.Mesh.RootNamespace {
			scope = "the whole mesh (root namespace " + ns + ")"
		}
		for _, pa := range wide {
			others := conflicting(copies, pa, wide)
			if len(others) == 0 {
				continue
			}
			all := "both"
			if len(others) > 1 {
				all = fmt.Sprintf("all %d", len(others)+1)
			}
			f := p.Reportf(pa.Obj, pa.Obj.NameLoc, "PeerAuthentications %s have no selector, so %s apply to %s: Istio keeps only the oldest, and the mode depends on the order they were applied; merge them into one",
				names(append([]*graph.PeerAuthentication{pa}, others...)), all, scope)
			relateOthers(f, pa, others)
		}
		if ns == g.Mesh.RootNamespace {
			continue // Istio ignores selector policies of the root namespace
		}
		// Workload policies: pairs that select a common workload.
		// A workload defined twice is matched, for each policy, as the
		// definition of the policy's layout labels its pods.
		reported := map[*graph.PeerAuthentication]bool{}
		workloads := g.WorkloadsIn(ns)
		wcopies := rules.CopiesOf(p, workloads)
		for _, w := range workloads {
			var sel []*graph.PeerAuthentication
			for _, pa := range pas {
				if pa.HasSelector() && labels.SubsetOf(pa.Spec.Selector.MatchLabels, w.Labels) {
					sel = append(sel, pa)
				}
			}
			if len(graph.Distinct(sel)) < 2 {
				continue
			}
			for _, pa := range sel {
				if reported[pa] || !wcopies.GoesWith(pa.Obj, w) {
					continue
				}
				others := conflicting(copies, pa, sel)
				if len(others) == 0 {
					continue
				}
				reported[pa] = true
				f := p.Reportf(pa.Obj, pa.Spec.Selector.Loc, "%s %s/%s is selected by PeerAuthentications %s: Istio keeps only the oldest, and its mode depends on the order they were applied; make the selectors disjoint or merge the policies",
					w.Obj.Kind, w.Namespace(), w.Name(), names(append([]*graph.PeerAuthentication{pa}, others...)))
				relateOthers(f, pa, others)
			}
		}
	}
	return nil
}

// conflicting returns the policies of pas, other than pa, that pa goes
// with (rules.Copies.GoesWith): one definition of each, in the order of
// pas.
func conflicting(copies rules.Copies[*graph.PeerAuthentication], pa *graph.PeerAuthentication, pas []*graph.PeerAuthentication) []*graph.PeerAuthentication {
	var out []*graph.PeerAuthentication
	for _, o := range pas {
		if !graph.SameObject(o.Obj, pa.Obj) && copies.GoesWith(pa.Obj, o) {
			out = append(out, o)
		}
	}
	return out
}

// names names the policies as "shop/a and shop/b", sorted.
func names(pas []*graph.PeerAuthentication) string {
	var out []string
	for _, pa := range pas {
		out = append(out, pa.Namespace()+"/"+pa.Name())
	}
	sort.Strings(out)
	return wording.List(out)
}

// relateOthers relates the policies of all (each there once) but self,
// or the other definition of self that all holds.
func relateOthers(f *rules.Finding, self *graph.PeerAuthentication, all []*graph.PeerAuthentication) {
	for _, o := range all {
		if !graph.SameObject(o.Obj, self.Obj) {
			f.Relate(o.Obj, o.Obj.NameLoc, "PeerAuthentication %s/%s", o.Namespace(), o.Name())
		}
	}
}
