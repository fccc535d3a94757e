package rules

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

type copiesKey struct{}

// HasCopies reports whether the input defines some object twice, as MR017
// reports: only then may graph.Distinct leave anything out. Computed once
// per run, it spares the rules that call Distinct on long lists (the
// clients of a route, the workloads of a namespace), once per finding, an
// index of each list.
//
// The objects the graph derives count too: two Flagger Canaries of one
// target derive its primary workload twice, in an input that defines
// nothing twice.
func HasCopies(p *Pass) bool {
	return p.Memo(copiesKey{}, func() any {
		g := p.Graph
		if graph.HasCopies(g.Objects) {
			return true
		}
		var derived []*manifest.Object
		add := func(o *manifest.Object) {
			if graph.Origin(o) != o {
				derived = append(derived, o)
			}
		}
		for _, w := range g.Workloads {
			add(w.Obj)
		}
		for _, s := range g.Services {
			add(s.Obj)
		}
		for _, vs := range g.VirtualServices {
			add(vs.Obj)
		}
		for _, dr := range g.DestinationRules {
			add(dr.Obj)
		}
		for _, r := range g.GatewayRoutes {
			add(r.Obj)
		}
		return graph.HasCopies(derived)
	}).(bool)
}

// Distinct is graph.Distinct, skipped when the input defines no object
// twice.
func Distinct[T interface{ Object() *manifest.Object }](p *Pass, xs []T) []T {
	if len(xs) < 2 || !HasCopies(p) {
		return xs
	}
	return graph.Distinct(xs)
}

// Copies indexes the definitions of the objects that a list defines more
// than once, for a rule that compares each entry with the others of the
// list (CopiesOf).
type Copies[T interface{ Object() *manifest.Object }] struct {
	g    *graph.Graph
	defs map[graph.ObjectID][]T
}

// CopiesOf indexes the objects of xs defined more than once; it is empty,
// and costs nothing, when the input defines no object twice.
func CopiesOf[T interface{ Object() *manifest.Object }](p *Pass, xs []T) Copies[T] {
	c := Copies[T]{g: p.Graph}
	if len(xs) < 2 || !HasCopies(p) || len(graph.Distinct(xs)) == len(xs) {
		return c
	}
	c.defs = map[graph.ObjectID][]T{}
	for _, x := range xs {
		// Objects without a name or kind have no identity to share: two
		// of them are two objects, never copies (the loader reported
		// them).
		if o := x.Object(); o.Name != "" && o.Kind != "" {
			id := graph.IDOf(o)
			c.defs[id] = append(c.defs[id], x)
		}
	}
	return c
}

// For returns the definition of x's object that from goes with
// (graph.Counterpart): comparing a definition with the canonical copy of
// every other object would miss the conflicts of the layout it belongs to
// (prod/'s copy of a Gateway with another Gateway of prod/) when the
// canonical copy is dev/'s.
func (c Copies[T]) For(from *manifest.Object, x T) T {
	if defs := c.defs[graph.IDOf(x.Object())]; len(defs) > 1 {
		return graph.Counterpart(c.g, from, defs)
	}
	return x
}

// GoesWith reports whether x is the definition of its object that from
// goes with (For). A rule that groups the claims of every definition (by
// host, by host and port) keeps, for from, the claims of the definitions
// of its layout: another layout's copy may claim what this one's does not,
// or differ in what the rule compares (exportTo, a protocol). An object
// without a name is only itself.
func (c Copies[T]) GoesWith(from *manifest.Object, x T) bool {
	o := x.Object()
	return o.Name == "" || c.For(from, x).Object() == o
}
