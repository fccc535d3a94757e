package graph

import (
	"reflect"
	"sync"

	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Shared makes the equal label maps of a run one map (manifest.Maps), and
// copies the strings of what Prepare keeps that may be cut from a file's
// text. It is safe for concurrent use.
type Shared struct {
	mu    sync.Mutex
	maps  *manifest.Maps
	types map[reflect.Type]bool // whether values of the type can hold a map
}

// NewShared returns an empty Shared.
func NewShared() *Shared {
	return &Shared{maps: manifest.NewMaps(), types: map[reflect.Type]bool{}}
}

// Maps returns the maps s shares, for decoders that build label maps
// (manifest.Options.Maps, spec.DecodeShared); nil for a nil s.
func (s *Shared) Maps() *manifest.Maps {
	if s == nil {
		return nil
	}
	return s.maps
}

// Canon replaces the maps of o and of what Prepare kept of it by the first
// equal map seen, and copies the strings of what Prepare kept that may
// still be those of o's nodes.
//
// Those strings may be cut from the loader's read buffer, which the next
// file is read over (manifest.Options.DropNodes), and would pin the whole
// file otherwise. The decoders intern what they keep, except: the keys
// of a map[string]string (which canonMap copies), what yaml.v3 decodes
// by reflection when the fast decoders give up (a decode with errors,
// which copyStrings copies, or the node-named keys of a *yaml.Node
// field, which walk copies), and the facts that hold a scalar as written.
// A nil s copies all the same, and shares nothing.
func (s *Shared) Canon(o *manifest.Object) {
	if s == nil {
		s = NewShared()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o.Labels = s.canonMap(o.Labels)
	o.Annotations = s.canonMap(o.Annotations)
	p := preparedOf(o)
	if p == nil {
		return
	}
	for _, d := range p.decoded {
		if len(d.errs) > 0 {
			copyStrings(reflect.ValueOf(d.spec))
		}
		s.walk(reflect.ValueOf(d.spec))
	}
	s.canonFacts(p.facts)
}

// CanonRecord is Canon for an object as the cache reads it back: labels
// and annotations are its maps, and r what Prepare kept of it. Its strings
// are encoding/gob's own, cut from no buffer, so that nothing needs
// copying; the maps are shared all the same, since the cache's objects are
// most of a run's model. A nil s shares nothing, and does nothing.
func (s *Shared) CanonRecord(labels, annotations *map[string]string, r *PreparedRecord) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	*labels = s.canonMap(*labels)
	*annotations = s.canonMap(*annotations)
	if r == nil {
		return
	}
	for i := range r.Decoded {
		if x := r.Decoded[i].Spec.get(); x != nil { // by index, as in Prepared
			s.walk(reflect.ValueOf(x))
		}
	}
	s.canonFacts(r.Facts)
}

func (s *Shared) canonFacts(f *facts) {
	if f == nil {
		return
	}
	if t := f.Template; t != nil {
		t.Labels = s.canonMap(t.Labels)
		t.Annotations = s.canonMap(t.Annotations)
	}
	f.Created = manifest.Intern(f.Created)
}

var (
	stringMapType = reflect.TypeFor[map[string]string]()
	nodePtrType   = reflect.TypeFor[*yaml.Node]()
)

// walk canonicalises every map[string]string reachable from v, and copies
// the strings of the *yaml.Node fields of specs. Those are empty nodes
// unless the mapping they decode names fields of yaml.Node (value, tag,
// content...), which yaml.v3 then fills.
func (s *Shared) walk(v reflect.Value) {
	if !s.mayHoldMap(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if copyNodeAt(v) {
			return
		}
		if !v.IsNil() {
			s.walk(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			s.walk(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			s.walk(v.Index(i))
		}
	case reflect.Map:
		if v.Type() == stringMapType && v.CanSet() {
			v.Set(reflect.ValueOf(s.canonMap(v.Interface().(map[string]string))))
		}
	}
}

// mayHoldMap reports whether a value of type t can hold a
// map[string]string that walk can reach and replace, or a *yaml.Node.
func (s *Shared) mayHoldMap(t reflect.Type) bool {
	if has, ok := s.types[t]; ok {
		return has
	}
	// A recursive type reaches itself: assume not, for now. A map that
	// only the recursion reaches is then left alone, which is safe.
	s.types[t] = false
	has := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		has = t == nodePtrType || s.mayHoldMap(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && s.mayHoldMap(f.Type) {
				has = true
			}
		}
	case reflect.Map:
		has = t == stringMapType
	}
	s.types[t] = has
	return has
}

func (s *Shared) canonMap(m map[string]string) map[string]string {
	return s.maps.Canon(m)
}

// copyNodeAt copies the strings of the node v points to, when v is a
// *yaml.Node field, and reports whether it is one.
func copyNodeAt(v reflect.Value) bool {
	if v.Type() != nodePtrType {
		return false
	}
	if v.CanInterface() {
		copyNode(v.Interface().(*yaml.Node), 0)
	}
	return true
}

// copyStrings replaces every string reachable from v through exported
// fields (all yaml.v3 sets) by its interned copy, map keys included.
func copyStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(manifest.Intern(v.String()))
		}
	case reflect.Pointer:
		if copyNodeAt(v) {
			return
		}
		if !v.IsNil() {
			copyStrings(v.Elem())
		}
	case reflect.Interface:
		if !v.IsNil() {
			// An interface's value is not addressable: copy it.
			e := reflect.New(v.Elem().Type()).Elem()
			e.Set(v.Elem())
			copyStrings(e)
			if v.CanSet() {
				v.Set(e)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				copyStrings(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			copyStrings(v.Index(i))
		}
	case reflect.Map:
		// Keys and values are not addressable: take them out, copy them
		// and put them back, in the very map that others may point to.
		keys, vals := make([]reflect.Value, 0, v.Len()), make([]reflect.Value, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(it.Key())
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			copyStrings(k)
			copyStrings(e)
			keys, vals = append(keys, k), append(vals, e)
		}
		v.Clear()
		for i := range keys {
			v.SetMapIndex(keys[i], vals[i])
		}
	}
}

// copyNode replaces the strings of n and of the nodes under it by their
// interned copies. depth bounds the recursion: yaml.v3 bounds the depth
// of what it decodes, but an alias may refer to an ancestor.
func copyNode(n *yaml.Node, depth int) {
	if n == nil || depth > 10000 {
		return
	}
	for _, p := range []*string{&n.Tag, &n.Value, &n.Anchor, &n.HeadComment, &n.LineComment, &n.FootComment} {
		*p = manifest.Intern(*p)
	}
	for _, c := range n.Content {
		copyNode(c, depth+1)
	}
	copyNode(n.Alias, depth+1)
}
