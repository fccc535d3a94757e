package manifest

import (
	"maps"
	"reflect"
	"testing"
)

func TestMapsMake(t *testing.T) {
	s := NewMaps()
	a := s.Make([]Pair{{"app", "web"}, {"version", "v1"}})
	if want := map[string]string{"app": "web", "version": "v1"}; !maps.Equal(a, want) {
		t.Fatalf("Make = %v, want %v", a, want)
	}
	// Written in another order, or with a key written twice whose last
	// value is the same: the same map.
	for _, pairs := range [][]Pair{
		{{"version", "v1"}, {"app", "web"}},
		{{"app", "db"}, {"version", "v1"}, {"app", "web"}},
	} {
		if b := s.Make(pairs); mapAddr(b) != mapAddr(a) {
			t.Errorf("Make(%v) = a new map %v, want the one made before", pairs, b)
		}
	}
	// The last of a key written twice wins, as assigning in order would.
	if b := s.Make([]Pair{{"app", "web"}, {"app", "db"}}); !maps.Equal(b, map[string]string{"app": "db"}) {
		t.Errorf("Make with app twice = %v, want app: db", b)
	}
	// An empty selector is not a nil one.
	e1, e2 := s.Make(nil), s.Make([]Pair{})
	if e1 == nil || e2 == nil || len(e1)+len(e2) != 0 {
		t.Errorf("Make of no pairs = %#v and %#v, want empty maps", e1, e2)
	}
	// Canon of a map Make made is that map; of an equal one, too.
	if c := s.Canon(a); mapAddr(c) != mapAddr(a) {
		t.Error("Canon of a map Make made returns another map")
	}
	if c := s.Canon(map[string]string{"version": "v1", "app": "web"}); mapAddr(c) != mapAddr(a) {
		t.Error("Canon of a map equal to one Make made returns another map")
	}
	first := map[string]string{"tier": "backend"}
	c := s.Canon(first)
	if !maps.Equal(c, first) || mapAddr(c) == mapAddr(first) {
		t.Errorf("Canon of a new map = %v, want an equal copy", c)
	}
	if d := s.Make([]Pair{{"tier", "backend"}}); mapAddr(d) != mapAddr(c) {
		t.Error("Make after Canon of an equal map returns another map")
	}
	if m := s.Canon(nil); m != nil {
		t.Errorf("Canon(nil) = %#v", m)
	}
}

// A nil Maps shares nothing: every map is new.
func TestMapsNil(t *testing.T) {
	var s *Maps
	pairs := []Pair{{"app", "web"}}
	a, b := s.Make(pairs), s.Make(pairs)
	if !reflect.DeepEqual(a, map[string]string{"app": "web"}) || mapAddr(a) == mapAddr(b) {
		t.Errorf("nil Maps: Make = %v and %v, want two equal new maps", a, b)
	}
	m := map[string]string{"app": "web"}
	if c := s.Canon(m); mapAddr(c) != mapAddr(m) {
		t.Error("nil Maps: Canon replaced the map")
	}
}
