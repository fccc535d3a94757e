package netpol

import (
	"iter"
	"slices"
	"sync"

	"github.com/meshlint/meshlint/internal/graph"
)

// Group returns the group of workload w, a number from 0: the workloads of
// a group are alike for every policy, as sources and as destinations, so
// that Allowed, EgressAllowed, IngressAllowed, Policies and Isolated
// answer the same for any of them. Rules use it to ask once per group
// rather than once per workload. It is -1 for a workload that is not of
// the analysed graph.
func (a *Analysis) Group(w *graph.Workload) int {
	if cl := a.classOf[w]; cl != nil {
		return cl.id
	}
	return -1
}

// Groups returns the number of groups: Group returns less.
func (a *Analysis) Groups() int { return len(a.classes) }

// SourceGroups yields the groups whose workloads may be allowed some
// connection to dst, a workload of the analysed graph, each once: for a
// workload of any other group, Allowed(src, dst) is empty. The groups
// that dst's ingress rules name come first. It may yield groups that get
// nothing, but it follows the rules that apply to dst and the sources
// that name it rather than every group, so that asking whether some
// source reaches each workload costs what the policies say rather than
// the square of the workload count. It yields nothing for a workload
// outside the graph.
func (a *Analysis) SourceGroups(dst *graph.Workload) iter.Seq[int] {
	return func(yield func(int) bool) {
		d := a.classOf[dst]
		if d == nil {
			return
		}
		// Most destinations have a source group or two: a short list
		// remembers them more cheaply than a map, which takes over past
		// a few.
		var few [8]int
		seen := few[:0]
		var many map[int]bool
		visit := func(s int) bool {
			switch {
			case many != nil:
				if many[s] {
					return true
				}
				many[s] = true
			case slices.Contains(seen, s):
				return true
			case len(seen) < cap(few):
				seen = append(seen, s)
			default:
				many = make(map[int]bool, 2*len(seen))
				for _, x := range seen {
					many[x] = true
				}
				many[s] = true
			}
			return yield(s)
		}
		// A source that no ingress rule of dst names gets what a pod
		// nobody names gets, so only the named ones can do better than
		// the default.
		for _, id := range d.side[Ingress].relevant {
			for _, s := range a.sels[id].classes {
				if !visit(s) {
					return
				}
			}
		}
		r := a.reverse()
		if !r.inOpen[d.id] {
			return
		}
		// Of the others, a source whose egress names dst may be let
		// through, and one that names it not only if it lets through
		// something towards a pod nobody names.
		for _, s := range r.revOut[d.id] {
			if !visit(s) {
				return
			}
		}
		for _, s := range r.openSrc[d.pg] {
			if !visit(s) {
				return
			}
		}
	}
}

// reverseIndex is what SourceGroups needs beyond the classes, built on
// first use, as classPairs builds it for every class.
type reverseIndex struct {
	// inOpen tells, per class, whether its ingress lets anything through
	// from a pod no rule names.
	inOpen []bool
	// openSrc lists, per port group, the classes whose egress lets
	// something through to a pod no rule names with those ports and
	// that host networking.
	openSrc [][]int
	// revOut lists, per class, the classes whose egress rules name it.
	revOut [][]int
}

type lazyReverse struct {
	once sync.Once
	idx  *reverseIndex
}

func (a *Analysis) reverse() *reverseIndex {
	a.rev.once.Do(func() {
		r := &reverseIndex{
			inOpen:  make([]bool, len(a.classes)),
			openSrc: make([][]int, a.portGroups),
			revOut:  make([][]int, len(a.classes)),
		}
		pgOf := make([]*class, a.portGroups)
		for _, cl := range a.classes {
			pgOf[cl.pg] = cl
		}
		stamp := make([]int, len(a.classes))
		for _, s := range a.classes {
			r.inOpen[s.id] = a.openToUnknown(s.side[Ingress], s.ports)
			out := s.side[Egress]
			for pg, d := range pgOf {
				if !eval(out, &peer{a: a, pod: unknownFor(d)}, d.ports).IsEmpty() {
					r.openSrc[pg] = append(r.openSrc[pg], s.id)
				}
			}
			for _, id := range out.relevant {
				for _, d := range a.sels[id].classes {
					if stamp[d] != s.id+1 {
						stamp[d] = s.id + 1
						r.revOut[d] = append(r.revOut[d], s.id)
					}
				}
			}
		}
		a.rev.idx = r
	})
	return a.rev.idx
}
