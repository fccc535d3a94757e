package graph

import (
	"cmp"
	"hash/maphash"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// The input may define one object twice: two folders linted together
// (dev/ and prod/), a file copied. The graph keeps both definitions, so
// that what each says is checked, but in the cluster they are one object
// (kubectl apply keeps the one it applies last). MR017 reports the
// duplication; the rules that compare objects with each other, count them
// or list them must not take the definitions for two objects that
// conflict, nor count or name them twice. ObjectID, SameObject, Distinct
// and the others here are how they tell.
//
// Where a rule names or relates one definition for all, it takes the
// canonical one (CompareDefinitions): the one written first by file and
// position, whatever the order in which the input lists them, which
// findings must not depend on (rules.DepOrder).

// ObjectID is what names an object in the cluster: its API group (not
// the version), kind, namespace and name. A kind without namespaces has
// none, whatever a document writes.
type ObjectID struct {
	Group     string
	Kind      kinds.Kind
	Namespace string
	Name      string
}

// IDOf returns the identity of o.
func IDOf(o *manifest.Object) ObjectID {
	id := ObjectID{o.Group, o.Kind, o.Namespace, o.Name}
	if kinds.ClusterScoped(o.Group, o.Kind) {
		id.Namespace = ""
	}
	return id
}

// named reports whether o has an identity: objects without a kind or a
// name (which the loader reports) are only the same as themselves.
func named(o *manifest.Object) bool { return o != nil && o.Kind != "" && o.Name != "" }

// SameObject reports whether a and b are one object of the cluster: the
// same object of the input, or two definitions of one identity.
func SameObject(a, b *manifest.Object) bool {
	if a == b {
		return true
	}
	// The name first: most pairs a rule compares differ there.
	return named(a) && named(b) && a.Name == b.Name && a.Kind == b.Kind && IDOf(a) == IDOf(b)
}

// CompareDefinitions orders two definitions of an object: by the file and
// position of their names. The canonical definition of an object sorts
// first. Definitions at one position (one kustomize base built twice) say
// the same, and compare equal.
func CompareDefinitions(a, b *manifest.Object) int {
	pa, pb := a.Pos(a.NameLoc), b.Pos(b.NameLoc)
	return cmp.Or(cmp.Compare(pa.File, pb.File), cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col))
}

// Distinct returns xs with one definition of each object: the entries of
// another definition of an object than its canonical one
// (CompareDefinitions) are left out, the others kept in order. An entry
// repeated as such stays. It returns xs itself when no object is defined
// twice, as nearly always: what to count, name, relate or compare with
// when each object of the cluster must count once.
func Distinct[T interface{ Object() *manifest.Object }](xs []T) []T {
	return DistinctFunc(xs, T.Object)
}

// DistinctFunc is Distinct for values whose object obj returns.
func DistinctFunc[T any](xs []T, obj func(T) *manifest.Object) []T {
	if !hasCopies(xs, obj) {
		return xs
	}
	// canon holds, by identity, the canonical definition among xs; a tie
	// goes to the entry met first.
	canon := map[ObjectID]*manifest.Object{}
	for _, x := range xs {
		if o := obj(x); named(o) {
			id := IDOf(o)
			if c, ok := canon[id]; !ok || CompareDefinitions(o, c) < 0 {
				canon[id] = o
			}
		}
	}
	out := make([]T, 0, len(xs)-1)
	for _, x := range xs {
		if o := obj(x); !named(o) || canon[IDOf(o)] == o {
			out = append(out, x)
		}
	}
	return out
}

// hasCopies reports whether xs holds two definitions of an object. Most
// lists are short and hold none: they are compared pair by pair, without
// allocating; a long one (the workloads of a namespace) through a map.
func hasCopies[T any](xs []T, obj func(T) *manifest.Object) bool {
	if len(xs) <= 16 {
		for i := 1; i < len(xs); i++ {
			o := obj(xs[i])
			for _, x := range xs[:i] {
				if p := obj(x); p != o && SameObject(p, o) {
					return true
				}
			}
		}
		return false
	}
	// By a hash of the identity, as MR017 indexes them: a map keyed by
	// the identities themselves (four strings each) cost a run over the
	// whole input about 10 MB more garbage than the hashes do. Objects
	// whose hashes collide are compared.
	seed := maphash.MakeSeed()
	first := make(map[uint64]*manifest.Object, len(xs))
	for _, x := range xs {
		o := obj(x)
		if !named(o) {
			continue
		}
		h := maphash.Comparable(seed, IDOf(o))
		if f, ok := first[h]; !ok {
			first[h] = o
		} else if f != o && SameObject(f, o) {
			return true
		} else if f != o {
			// A collision: rare enough to settle by the slow way.
			return hasCopiesSlow(xs, obj)
		}
	}
	return false
}

// hasCopiesSlow is hasCopies keyed by the identities themselves.
func hasCopiesSlow[T any](xs []T, obj func(T) *manifest.Object) bool {
	first := make(map[ObjectID]*manifest.Object, len(xs))
	for _, x := range xs {
		o := obj(x)
		if !named(o) {
			continue
		}
		id := IDOf(o)
		if f, ok := first[id]; !ok {
			first[id] = o
		} else if f != o {
			return true
		}
	}
	return false
}

// DistinctObjects is Distinct for objects of the input.
func DistinctObjects(objs []*manifest.Object) []*manifest.Object {
	return DistinctFunc(objs, func(o *manifest.Object) *manifest.Object { return o })
}

// FirstDefinitions returns, for each entry of xs, the index of the first
// entry that defines the same object: i itself for an object met for the
// first time. A rule that reports the later of two objects in input order
// (rules.DepOrder) compares their first definitions: the copy of an
// object read after another object does not come after it.
func FirstDefinitions[T interface{ Object() *manifest.Object }](xs []T) []int {
	out := make([]int, len(xs))
	first := map[ObjectID]int{}
	for i, x := range xs {
		out[i] = i
		o := x.Object()
		if !named(o) {
			continue
		}
		id := IDOf(o)
		if j, ok := first[id]; ok {
			out[i] = j
		} else {
			first[id] = i
		}
	}
	return out
}

// HasCopies reports whether objs define some object twice.
func HasCopies(objs []*manifest.Object) bool {
	return hasCopies(objs, func(o *manifest.Object) *manifest.Object { return o })
}

// A reference between objects resolves to one definition of its target,
// and the input may define both the object that refers and its target
// more than once. They are then most often one layout written twice:
// two folders linted together (dev/ and prod/), a file copied. Each
// layout is applied as a whole, and the cluster keeps the objects of the
// one applied last, so each definition of the object that refers is
// resolved within its own layout: findings about each definition are
// those of its layout linted alone, and which copy a reference takes does
// not depend on the order in which the input lists them. Linking every
// definition with every other would check, besides, a dev/ Rollout
// against the prod/ VirtualService meant for another, and the graph's
// references hold one target each.
//
// definitions ranks the definitions of the objects the input defines more
// than once, by file and position (CompareDefinitions), for Counterpart.
// It is built on first use, which only an input with copies needs, and
// may be used by rules running concurrently.
type definitions struct {
	once sync.Once
	// rank is the place of each definition among those of its object,
	// from 0; an object defined once is not in it.
	rank map[*manifest.Object]int
}

// definitionRank returns the place of o among the definitions of its
// object, by file and position, from 0. An object the graph derives
// (Flagger's, an experiment step's) takes the place of the object of the
// input it comes from (Origin).
func (g *Graph) definitionRank(o *manifest.Object) int {
	d := g.defs
	if d == nil {
		// A graph that newGraph did not make (a test's): built once,
		// by the goroutine that builds it.
		d = &definitions{}
		g.defs = d
	}
	d.once.Do(func() { d.rank = rankDefinitions(g.Objects) })
	return d.rank[Origin(o)]
}

// rankDefinitions places the definitions of each object defined more than
// once: by file and position, then input order for definitions at one
// position.
func rankDefinitions(objs []*manifest.Object) map[*manifest.Object]int {
	first := make(map[ObjectID]*manifest.Object, len(objs))
	copies := map[ObjectID][]*manifest.Object{}
	for _, o := range objs {
		if !named(o) {
			continue
		}
		id := IDOf(o)
		f, ok := first[id]
		switch {
		case !ok:
			first[id] = o
		case copies[id] == nil:
			copies[id] = []*manifest.Object{f, o}
		default:
			copies[id] = append(copies[id], o)
		}
	}
	rank := map[*manifest.Object]int{}
	for _, defs := range copies {
		slices.SortStableFunc(defs, CompareDefinitions)
		for i, o := range defs {
			rank[o] = i
		}
	}
	return rank
}

// Counterpart returns, among defs (the definitions of one object that a
// reference names, at least one), the one that definition from of the
// object that refers goes with (see definitions): the one written
// closest to it (in its file, else in the deepest directory they share);
// among definitions equally close, the first written (CompareDefinitions)
// for the first definition of from's object, the second for its second,
// and so on, round again when from's object has more. A from defined once
// and equally close to all (a shared base) takes the first written. A nil
// from takes the first written.
func Counterpart[T interface{ Object() *manifest.Object }](g *Graph, from *manifest.Object, defs []T) T {
	return counterpartFunc(g, from, defs, T.Object)
}

// counterpartFunc is Counterpart for values whose object obj returns.
func counterpartFunc[T any](g *Graph, from *manifest.Object, defs []T, obj func(T) *manifest.Object) T {
	if len(defs) == 1 {
		return defs[0]
	}
	closest := defs
	if from != nil {
		at := definitionFile(from)
		best := -1
		closest = nil
		for _, d := range defs {
			switch n := sharedPath(at, definitionFile(obj(d))); {
			case n > best:
				best, closest = n, append(closest[:0], d)
			case n == best:
				closest = append(closest, d)
			}
		}
	}
	if len(closest) == 1 {
		return closest[0]
	}
	closest = slices.Clone(closest)
	slices.SortStableFunc(closest, func(a, b T) int { return CompareDefinitions(obj(a), obj(b)) })
	if from == nil {
		return closest[0]
	}
	return closest[g.definitionRank(from)%len(closest)]
}

// definitionFile is the file a definition is written in, as
// CompareDefinitions reads it.
func definitionFile(o *manifest.Object) string { return filepath.ToSlash(o.Pos(o.NameLoc).File) }

// sharedPath returns how many leading elements (directories, then the
// file's name) paths a and b share: the more, the closer two definitions.
func sharedPath(a, b string) int {
	n := 0
	for a != "" && b != "" {
		ea, ra, _ := strings.Cut(a, "/")
		eb, rb, _ := strings.Cut(b, "/")
		if ea != eb {
			break
		}
		n++
		a, b = ra, rb
	}
	return n
}
