package topology

import (
	"github.com/meshlint/meshlint/internal/manifest"
)

// Limit returns t cut down to at most maxNodes nodes (t itself when it has
// no more). A drawing of every object of a large mesh is too big to read
// or to load, so Limit keeps whole request paths: from each seed, the seed,
// what leads to it (routes, gateways) and, depth first, what it leads to,
// until the budget is spent. The seeds are the nodes prefer picks (those
// with findings), then every node in order, gateways first.
func (t *Topology) Limit(maxNodes int, prefer func(i int) bool) *Topology {
	n := len(t.Nodes)
	if n <= maxNodes {
		return t
	}
	children := make([][]int, n)
	parents := make([][]int, n)
	for _, e := range t.Edges {
		children[e.From] = append(children[e.From], e.To)
		parents[e.To] = append(parents[e.To], e.From)
	}
	keep := make([]bool, n)
	kept := 0
	add := func(i int) bool {
		if keep[i] {
			return true
		}
		if kept >= maxNodes {
			return false
		}
		keep[i] = true
		kept++
		return true
	}
	var down func(i int)
	down = func(i int) {
		for _, c := range children[i] {
			if !keep[c] {
				if !add(c) {
					return
				}
				down(c)
			}
		}
	}
	up := func(i int) {
		queue := []int{i}
		for len(queue) > 0 && kept < maxNodes {
			j := queue[0]
			queue = queue[1:]
			for _, p := range parents[j] {
				if !keep[p] && add(p) {
					queue = append(queue, p)
				}
			}
		}
	}
	seed := func(i int) {
		if keep[i] || !add(i) {
			return
		}
		up(i)
		down(i)
	}
	if prefer != nil {
		for i := 0; i < n && kept < maxNodes; i++ {
			if prefer(i) {
				seed(i)
			}
		}
	}
	for i := 0; i < n && kept < maxNodes; i++ {
		seed(i)
	}

	out := &Topology{TotalNodes: t.TotalNodes, TotalEdges: t.TotalEdges, Namespaces: t.Namespaces}
	newIndex := make([]int, n)
	for i := range t.Nodes {
		newIndex[i] = -1
		if keep[i] {
			newIndex[i] = len(out.Nodes)
			out.Nodes = append(out.Nodes, t.Nodes[i])
		}
	}
	for _, e := range t.Edges {
		if keep[e.From] && keep[e.To] {
			e.From, e.To = newIndex[e.From], newIndex[e.To]
			out.Edges = append(out.Edges, e)
		}
	}
	for _, s := range t.Stands {
		if keep[s.Node] {
			s.Node = newIndex[s.Node]
			out.Stands = append(out.Stands, s)
		}
	}
	for _, r := range t.Refs {
		if keep[r.From] && keep[r.To] {
			r.From, r.To = newIndex[r.From], newIndex[r.To]
			out.Refs = append(out.Refs, r)
		}
	}
	out.OmittedNamespaces = t.Namespaces - len(namespaces(out.Nodes))
	return out
}

// Locator returns a function that finds the nodes an object, the subject
// of a finding at pos, is drawn as: for a DestinationRule, the subset
// whose entry holds pos; else its own node (a DestinationRule with a
// wildcard host has one); else, for a DestinationRule, the services of its
// host. The function returns nil when the object is not drawn.
func (t *Topology) Locator() func(o *manifest.Object, pos manifest.Pos) []int {
	type objKey struct{ group, kind, ns, name string }
	own := map[objKey][]int{}
	subsets := map[objKey][]int{}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if n.Missing {
			continue
		}
		k := objKey{n.Group, string(n.Kind), n.Namespace, n.Name}
		if n.Subset != "" {
			subsets[k] = append(subsets[k], i)
		} else {
			own[k] = append(own[k], i)
		}
	}
	stands := map[objKey][]int{}
	for _, s := range t.Stands {
		k := objKey{s.Group, string(s.Kind), s.Namespace, s.Name}
		stands[k] = append(stands[k], s.Node)
	}
	return func(o *manifest.Object, pos manifest.Pos) []int {
		if o == nil {
			return nil
		}
		k := objKey{o.Group, string(o.Kind), o.Namespace, o.Name}
		// The subset whose entry starts last at or before pos, if pos is
		// inside it: on its first line, or on a later one no less
		// indented than the entry.
		best := -1
		for _, i := range subsets[k] {
			n := &t.Nodes[i]
			if n.File == pos.File && !before(pos.Loc, n.Loc) && (best < 0 || before(t.Nodes[best].Loc, n.Loc)) {
				best = i
			}
		}
		if best >= 0 && (pos.Line == t.Nodes[best].Loc.Line || pos.Col >= t.Nodes[best].Loc.Col) {
			return []int{best}
		}
		if ns := own[k]; len(ns) > 0 {
			return ns
		}
		return stands[k]
	}
}

// before reports whether a comes before b in a file.
func before(a, b manifest.Loc) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
}
