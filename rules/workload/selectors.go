package workload

import (
	"fmt"
	"slices"
	"sort"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// selPolicy is a namespaced object that picks workloads with a label
// selector, or all workloads of its namespace without one: a Sidecar or a
// Telemetry.
type selPolicy struct {
	obj *manifest.Object
	// sel is nil for a policy without selector. A Sidecar's selector
	// without labels is empty but not nil: Istio still counts it as a
	// selector (sidecarPolicies).
	sel map[string]string
	loc spec.Loc
}

func (s selPolicy) at() spec.Loc {
	if s.loc.IsZero() {
		return s.obj.NameLoc
	}
	return s.loc
}

func sidecarPolicies(g *graph.Graph) []selPolicy {
	var out []selPolicy
	for _, sc := range g.Sidecars {
		p := selPolicy{obj: sc.Obj}
		// A workloadSelector without labels is no namespace default:
		// Istio sorts the Sidecars with a workloadSelector before those
		// without, and an empty one matches every pod of the namespace
		// (PushContext.initSidecarScopes, doGetSidecarScope); validation
		// only warns about it.
		if ws := sc.Spec.WorkloadSelector; ws != nil {
			p.sel, p.loc = ws.Labels, ws.Loc
			if p.sel == nil {
				p.sel = map[string]string{}
			}
		}
		out = append(out, p)
	}
	return out
}

func telemetryPolicies(g *graph.Graph) []selPolicy {
	var out []selPolicy
	for _, t := range g.Telemetries {
		if t.Spec.TargetRef != nil || len(t.Spec.TargetRefs) > 0 {
			continue
		}
		p := selPolicy{obj: t.Obj}
		if s := t.Spec.Selector; s != nil && len(s.MatchLabels) > 0 {
			p.sel, p.loc = s.MatchLabels, s.Loc
		}
		out = append(out, p)
	}
	return out
}

// reportNoWorkload reports selector policies that pick no workload of
// their namespace, when the input describes its workloads.
func reportNoWorkload(p *rules.Pass, ps []selPolicy, effect string) {
	g := p.Graph
	for _, sp := range ps {
		// An empty selector picks no workload only of an empty namespace.
		if len(sp.sel) == 0 || !g.WorkloadsKnown(sp.obj.Namespace) || len(g.SelectWorkloads(sp.obj.Namespace, sp.sel)) > 0 {
			continue
		}
		p.Reportf(sp.obj, sp.at(), "selector %s of %s matches no workload of namespace %s: %s",
			labels.String(sp.sel), sp.obj.Ref(), sp.obj.Namespace, effect)
	}
}

// conflict is another selector policy of the namespace that picks a
// workload a policy picks too, with one such workload.
type conflict struct {
	other int
	w     *graph.Workload
}

// conflicts returns, for each selector policy, the other selector policies
// of its namespace that pick a common workload, with one such workload.
func conflicts(g *graph.Graph, ps []selPolicy, skip func(*graph.Workload) bool) map[int][]conflict {
	out := map[int][]conflict{}
	// Two definitions of one policy are one policy (MR017 reports them):
	// it conflicts with no copy of itself, and is named once.
	canonical := map[*manifest.Object]bool{}
	for _, sp := range graph.DistinctFunc(ps, func(sp selPolicy) *manifest.Object { return sp.obj }) {
		canonical[sp.obj] = true
	}
	for i, a := range ps {
		if a.sel == nil {
			continue
		}
		for j, b := range ps {
			if i == j || b.sel == nil || a.obj.Namespace != b.obj.Namespace {
				continue
			}
			if !canonical[b.obj] || graph.SameObject(a.obj, b.obj) {
				continue
			}
			for _, w := range g.SelectWorkloads(a.obj.Namespace, a.sel) {
				if (skip == nil || !skip(w)) && labels.SubsetOf(b.sel, w.Labels) {
					out[i] = append(out[i], conflict{j, w})
					break
				}
			}
		}
	}
	return out
}

// reportConflicts reports the selector policies that share a workload with
// others of their namespace. one says what the workload two of them select
// gets, many what any workload several select gets; kinds names the kind
// in the plural.
func reportConflicts(p *rules.Pass, ps []selPolicy, skip func(*graph.Workload) bool, one, many, kinds string) {
	cs := conflicts(p.Graph, ps, skip)
	idx := make([]int, 0, len(cs))
	for i := range cs {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		a := ps[i]
		fix := "make the selectors disjoint or merge the " + kinds
		var f *rules.Finding
		if c := cs[i]; len(c) == 1 {
			f = p.Reportf(a.obj, a.at(), "%s and %s both select %s %s/%s, and %s; %s",
				a.obj.Ref(), ps[c[0].other].obj.Ref(), c[0].w.KindName(), c[0].w.Namespace(), c[0].w.Name(), one, fix)
		} else {
			var names []string
			for _, c := range c {
				names = append(names, ps[c.other].obj.Namespace+"/"+ps[c.other].obj.Name)
			}
			f = p.Reportf(a.obj, a.at(), "%s shares a workload with each of %s %s, and %s; %s",
				a.obj.Ref(), kinds, wording.List(names), many, fix)
		}
		for _, c := range cs[i] {
			f.Relate(ps[c.other].obj, ps[c.other].at(), "also selects %s %s/%s", c.w.KindName(), c.w.Namespace(), c.w.Name())
		}
	}
}

// reportDefaults reports namespaces with several selector-less policies.
func reportDefaults(p *rules.Pass, ps []selPolicy, skipNS func(string) bool, effect string) {
	byNS := map[string][]selPolicy{}
	for _, sp := range ps {
		if sp.sel == nil && (skipNS == nil || !skipNS(sp.obj.Namespace)) {
			byNS[sp.obj.Namespace] = append(byNS[sp.obj.Namespace], sp)
		}
	}
	for _, sp := range ps {
		// Two definitions of one policy are one policy, which MR017
		// reports.
		same := graph.DistinctFunc(byNS[sp.obj.Namespace], func(o selPolicy) *manifest.Object { return o.obj })
		if sp.sel != nil || len(same) < 2 {
			continue
		}
		var others []string
		for _, o := range same {
			if !graph.SameObject(o.obj, sp.obj) {
				others = append(others, o.obj.Namespace+"/"+o.obj.Name)
			}
		}
		// Named in name order, not input order, which a run must not
		// depend on.
		slices.Sort(others)
		all := "both"
		if len(others) > 1 {
			all = fmt.Sprintf("all %d", len(others)+1)
		}
		p.Reportf(sp.obj, sp.obj.NameLoc, "%s have no selector, so %s are the default of namespace %s: %s; merge them into one",
			wording.List(append([]string{sp.obj.Ref()}, others...)), all, sp.obj.Namespace, effect)
	}
}

// reportShadowedDefaults reports the Sidecars without a workloadSelector
// of namespaces that also have a Sidecar with an empty one: Istio tries the
// Sidecars with a selector first, and the empty one matches every pod, so
// the default applies to none. In the root namespace the default still
// serves the namespaces without a Sidecar of their own, and is left alone.
func reportShadowedDefaults(p *rules.Pass, ps []selPolicy, skipNS func(string) bool) {
	g := p.Graph
	empty := map[string]selPolicy{} // the first of each namespace
	for _, sp := range ps {
		if _, seen := empty[sp.obj.Namespace]; !seen && sp.sel != nil && len(sp.sel) == 0 {
			empty[sp.obj.Namespace] = sp
		}
	}
	for _, sp := range ps {
		ns := sp.obj.Namespace
		e, ok := empty[ns]
		if sp.sel != nil || !ok || ns == g.Mesh.RootNamespace || skipNS != nil && skipNS(ns) {
			continue
		}
		p.Reportf(sp.obj, sp.obj.NameLoc, "%s has no selector, but the empty workloadSelector of %s selects every pod of namespace %s and Istio prefers a Sidecar with a selector: %s applies to no pod; remove the empty workloadSelector or merge them",
			sp.obj.Ref(), e.obj.Ref(), ns, sp.obj.Ref()).
			Relate(e.obj, e.at(), "the empty workloadSelector that takes every pod of namespace %s", ns)
	}
}
