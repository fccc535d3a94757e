package graph

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/internal/manifest"
)

// Shared makes the equal label maps of a run one map. A tree's selectors
// and labels repeat the same few pairs ({app: x} on a Service, its
// Deployment, their pods and every policy that selects them), and a small
// Go map costs over 300 bytes, so that without this they are a third of
// what is kept of a large tree. Nothing writes to a map of a manifest
// object or a spec once it is decoded, which is what makes sharing sound.
// It is safe for concurrent use.
type Shared struct {
	mu    sync.Mutex
	maps  map[string]map[string]string
	types map[reflect.Type]bool // whether values of the type can hold a map
}

// NewShared returns an empty Shared.
func NewShared() *Shared {
	return &Shared{maps: map[string]map[string]string{}, types: map[reflect.Type]bool{}}
}

// Canon replaces the maps of o and of what Prepare kept of it by the first
// equal map seen.
func (s *Shared) Canon(o *manifest.Object) {
	if s == nil {
		return
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
		s.walk(reflect.ValueOf(d.spec))
	}
	if p.facts != nil && p.facts.Template != nil {
		p.facts.Template.Labels = s.canonMap(p.facts.Template.Labels)
		p.facts.Template.Annotations = s.canonMap(p.facts.Template.Annotations)
	}
}

var stringMapType = reflect.TypeFor[map[string]string]()

// walk canonicalises every map[string]string reachable from v.
func (s *Shared) walk(v reflect.Value) {
	if !s.mayHoldMap(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
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
// map[string]string that walk can reach and replace.
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
		has = s.mayHoldMap(t.Elem())
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
	if len(m) == 0 {
		return m // nil and empty differ: an empty selector selects everything
	}
	keys := make([]string, 0, len(m))
	n := 0
	for k, v := range m {
		keys = append(keys, k)
		n += len(k) + len(v) + 2
	}
	sort.Strings(keys)
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(m[k])
		b.WriteByte(0)
	}
	key := b.String()
	if c, ok := s.maps[key]; ok {
		return c
	}
	// The strings of m may be cut from the text of a whole file: keep
	// copies, not the file.
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[manifest.Intern(k)] = manifest.Intern(v)
	}
	s.maps[key] = c
	return c
}
