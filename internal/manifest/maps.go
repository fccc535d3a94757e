package manifest

import (
	"cmp"
	"reflect"
	"slices"
	"sync"
)

// Maps makes the equal string maps of a run one map. A tree's selectors
// and labels repeat the same few pairs ({app: x} on a Service, its
// Deployment, their pods and every policy that selects them), and a small
// Go map costs over 300 bytes, so that without this they are a third of
// what is kept of a large tree. Nothing writes to a map of a manifest
// object or a spec once it is decoded, which is what makes sharing sound.
//
// Decoders that know the pairs before they build a map ask Make, which
// builds one only for pairs not seen before: most label maps of a large
// tree are repeats, and building them only to drop them was about a sixth
// of what a run allocated. It is safe for concurrent use.
type Maps struct {
	mu   sync.Mutex
	maps map[string]map[string]string
	// canon holds the maps of maps by address, so that Canon of a map
	// Make returned needs no key.
	canon map[uintptr]bool
	// pairs and key are the buffers of Canon and Make.
	pairs []Pair
	key   []byte
}

// Pair is an entry of a string map, in the order it is written.
type Pair struct{ K, V string }

// NewMaps returns an empty Maps.
func NewMaps() *Maps {
	return &Maps{maps: map[string]map[string]string{}, canon: map[uintptr]bool{}}
}

// Make returns the map of pairs, where a later pair wins over an earlier
// one of the same key, as assigning them in order would: the map made for
// equal pairs before, or a new one that holds copies of their strings,
// which may be cut from the text of a whole file. An empty pairs gives a
// new empty map, never nil: an empty selector selects everything. It
// sorts pairs in place. A nil s makes a new map every time.
func (s *Maps) Make(pairs []Pair) map[string]string {
	if s == nil || len(pairs) == 0 {
		m := make(map[string]string, len(pairs))
		for _, p := range pairs {
			m[Intern(p.K)] = Intern(p.V)
		}
		return m
	}
	// Stable, so that of equal keys the last written comes last.
	slices.SortStableFunc(pairs, func(a, b Pair) int { return cmp.Compare(a.K, b.K) })
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookup(pairs)
}

// Canon returns the first map seen equal to m (made by Make or Canon), or,
// when there is none, a copy of m whose strings are copies too, which the
// next equal map is then given.
func (s *Maps) Canon(m map[string]string) map[string]string {
	if s == nil || len(m) == 0 {
		return m // nil and empty differ: an empty selector selects everything
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.canon[mapAddr(m)] {
		return m
	}
	pairs := s.pairs[:0]
	for k, v := range m {
		pairs = append(pairs, Pair{k, v})
	}
	slices.SortFunc(pairs, func(a, b Pair) int { return cmp.Compare(a.K, b.K) })
	c := s.lookup(pairs)
	clear(pairs) // the strings of the last map may be those of a file
	s.pairs = pairs[:0]
	return c
}

// lookup is Make and Canon for pairs sorted by key, with s.mu held.
func (s *Maps) lookup(pairs []Pair) map[string]string {
	b := s.key[:0]
	n := 0
	for i, p := range pairs {
		if i+1 < len(pairs) && pairs[i+1].K == p.K {
			continue // the later one wins
		}
		b = append(b, p.K...)
		b = append(b, 0)
		b = append(b, p.V...)
		b = append(b, 0)
		n++
	}
	s.key = b[:0]
	if c, ok := s.maps[string(b)]; ok {
		return c
	}
	c := make(map[string]string, n)
	for _, p := range pairs {
		c[Intern(p.K)] = Intern(p.V)
	}
	s.maps[string(b)] = c
	s.canon[mapAddr(c)] = true
	return c
}

// mapAddr is the address of m's header, which does not move while m lives:
// the table keeps every map it holds alive.
func mapAddr(m map[string]string) uintptr {
	return reflect.ValueOf(m).Pointer()
}
