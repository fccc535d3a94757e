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
func HasCopies(p *Pass) bool {
	return p.Memo(copiesKey{}, func() any { return graph.HasCopies(p.Graph.Objects) }).(bool)
}

// Distinct is graph.Distinct, skipped when the input defines no object
// twice.
func Distinct[T interface{ Object() *manifest.Object }](p *Pass, xs []T) []T {
	if len(xs) < 2 || !HasCopies(p) {
		return xs
	}
	return graph.Distinct(xs)
}
