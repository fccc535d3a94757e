package workload

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// selPolicy is a namespaced object that picks workloads with a label
// selector, or all workloads of its namespace without one: a Sidecar or a
// Telemetry.
type selPolicy struct {
	obj *manifest.Object
	// sel is nil for a policy without selector.
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
		if ws := sc.Spec.WorkloadSelector; ws != nil && len(ws.Labels) > 0 {
			p.sel, p.loc = ws.Labels, ws.Loc
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
		if sp.sel == nil || !g.WorkloadsKnown(sp.obj.Namespace) || len(g.SelectWorkloads(sp.obj.Namespace, sp.sel)) > 0 {
			continue
		}
		p.Reportf(sp.obj, sp.at(), "selector %s of %s matches no workload of namespace %s: %s",
			labels.String(sp.sel), sp.obj.Ref(), sp.obj.Namespace, effect)
	}
}

// conflicts returns, for each selector policy, the other selector policies
// of its namespace that pick a common workload, with one such workload.
func conflicts(g *graph.Graph, ps []selPolicy, skip func(*graph.Workload) bool) map[int][]int {
	out := map[int][]int{}
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
					out[i] = append(out[i], j)
					break
				}
			}
		}
	}
	return out
}

func reportConflicts(p *rules.Pass, ps []selPolicy, skip func(*graph.Workload) bool, effect string) {
	cs := conflicts(p.Graph, ps, skip)
	idx := make([]int, 0, len(cs))
	for i := range cs {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		a := ps[i]
		var names []string
		for _, j := range cs[i] {
			names = append(names, ps[j].obj.Ref())
		}
		f := p.Reportf(a.obj, a.at(), "%s and %s select the same workload: %s", a.obj.Ref(), strings.Join(names, ", "), effect)
		for _, j := range cs[i] {
			f.Relate(ps[j].obj, ps[j].at(), "selects the same workload")
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
				others = append(others, o.obj.Name)
			}
		}
		p.Reportf(sp.obj, sp.obj.NameLoc, "%s and %s of namespace %s both have no selector: %s",
			sp.obj.Ref(), strings.Join(others, ", "), sp.obj.Namespace, effect)
	}
}
