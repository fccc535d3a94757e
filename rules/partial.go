package rules

import (
	"sort"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// partial is a run in which some graph rules run only on the partitions
// that a change since the last run reached, and keep the last run's
// findings about the others (docs/incremental.md, step 3). They are the
// rules whose findings about a partition read nothing outside it but what
// Dep.Reaches tells, and only while the change left that alone: the
// cluster objects, the root namespace, the injection setup, the Namespace
// objects (TestDepsHold checks that those rules find the same on such a
// graph as on the whole input).
type partial struct {
	root  string
	dirty map[string]bool
	// rules rerun on the dirty partitions, whole run on the whole graph.
	rules, whole []*Rule
	// kept are the last run's findings of rules about the other
	// partitions.
	kept []*Finding
}

// minPartialObjects is the smallest input on which planPartial weighs
// the share of the objects a change reached: below, every graph is
// small.
const minPartialObjects = 2000

// wholeIsCheaper reports whether a run over reached of total objects had
// better run on all of them: more than a quarter of an input of
// minPartialObjects or more.
func wholeIsCheaper(reached, total int) bool {
	return total >= minPartialObjects && 4*reached > total
}

// planPartial returns how to run global, the graph rules, over objs, the
// objects of this run, given prev, what the last run found; nil when every
// rule must run on the whole graph.
func planPartial(prev *Previous, objs []*manifest.Object, global []*Rule, mesh config.Mesh) *partial {
	p := &partial{root: mesh.Complete().RootNamespace, dirty: map[string]bool{}}
	// changed are the kinds of Reached whose objects the change reached
	// in every partition.
	var changed Dep
	note := func(o *manifest.Object) {
		p.dirty[Partition(o)] = true
		switch {
		case injectionSetup(o):
			changed |= DepINJ
		case isNamespace(o):
			// Whether a namespace is declared, and its labels.
			changed |= DepNS
		}
	}
	for _, o := range prev.Gone {
		note(o)
	}
	declared := map[string]bool{}
	for _, o := range objs {
		if prev.Changed[o.File] {
			note(o)
		}
		if isNamespace(o) {
			declared[o.Name] = true
		}
	}
	if p.dirty[ClusterPartition] {
		changed |= DepCLS
	}
	if p.dirty[p.root] {
		changed |= DepROOT
	}
	// The registry is the Namespace objects only when every namespace
	// is declared, and is the same as before only when no namespace came
	// or went with its objects: the partitions the change reached were
	// declared (their Namespace objects unchanged).
	for part := range p.dirty {
		if part != ClusterPartition && !declared[part] {
			changed |= DepNS
		}
	}
	for _, o := range objs {
		if o.Namespace != "" && !declared[o.Namespace] {
			changed |= DepNS
			break
		}
	}
	// A change that reached much of a large input is cheaper to lint
	// whole: each set of reached kinds builds a graph of the dirty
	// partitions (45 of 52 on the 10,000-service tree took 2.8 s,
	// against 1.1 s whole).
	inDirty := 0
	for _, o := range objs {
		if p.dirty[Partition(o)] {
			inDirty++
		}
	}
	if wholeIsCheaper(inDirty, len(objs)) {
		return nil
	}
	rerun := map[*Rule]bool{}
	for _, r := range global {
		if r.Deps != 0 && r.Deps&^Reached == 0 && r.Deps&changed == 0 {
			rerun[r] = true
			p.rules = append(p.rules, r)
		} else {
			p.whole = append(p.whole, r)
		}
	}
	for _, f := range prev.Findings {
		if !rerun[f.Rule] {
			continue
		}
		if f.Object == nil {
			// Not about a partition: cannot tell whether it holds.
			return nil
		}
		if !p.dirty[Partition(f.Object)] {
			p.kept = append(p.kept, f)
		}
	}
	if len(p.rules) == 0 {
		return nil
	}
	return p
}

// run runs the rules of p on graphs of the dirty partitions and what each
// rule's kinds reach from them, and returns their findings about those
// partitions with the kept ones.
func (p *partial) run(objs []*manifest.Object, mesh config.Mesh, severity map[string]Severity, progress *Progress) ([]*Finding, []error) {
	const reach = DepNS | DepCLS | DepROOT | DepINJ
	byReach := map[Dep][]*Rule{}
	for _, r := range p.rules {
		byReach[r.Deps&reach] = append(byReach[r.Deps&reach], r)
	}
	reaches := make([]Dep, 0, len(byReach))
	for d := range byReach {
		reaches = append(reaches, d)
	}
	sort.Slice(reaches, func(i, j int) bool { return reaches[i] < reaches[j] })
	found := append([]*Finding(nil), p.kept...)
	var errs []error
	for _, d := range reaches {
		var sub []*manifest.Object
		for _, o := range objs {
			if p.dirty[Partition(o)] || d.Reaches(o, p.root) {
				sub = append(sub, o)
			}
		}
		fs, es := run(graph.Build(sub, mesh), byReach[d], severity, progress)
		for _, f := range fs {
			if p.dirty[Partition(f.Object)] {
				found = append(found, f)
			}
		}
		errs = append(errs, es...)
	}
	return found, errs
}
