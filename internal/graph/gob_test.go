package graph

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestPreparedTypes prepares every fixture of the repository: each spec
// Prepare keeps must have its field in specs (set panics otherwise), and
// what it keeps must survive a gob round trip, so that a cache can hold
// it.
func TestPreparedTypes(t *testing.T) {
	res := manifest.Load([]string{"../../fixtures", "../../examples"}, manifest.Options{})
	Prepare(res.Objects, config.DefaultMesh(), nil)
	seen := map[reflect.Type]bool{}
	for _, o := range res.Objects {
		p := preparedOf(o)
		for _, d := range p.decoded {
			seen[reflect.TypeOf(d.spec)] = true
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(p.Record()); err != nil {
			t.Fatalf("%s: %v", o.Ref(), err)
		}
		var back PreparedRecord
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatalf("%s: %v", o.Ref(), err)
		}
		if !same(reflect.ValueOf(*back.Prepared()), reflect.ValueOf(*p)) {
			t.Errorf("%s: the gob round trip changed what Prepare kept", o.Ref())
		}
	}
	if fields := reflect.TypeOf(specs{}).NumField(); len(seen) < fields/2 {
		t.Errorf("the fixtures exercised only %d of the %d spec types", len(seen), fields)
	}
}

// same is reflect.DeepEqual but for what gob does not keep apart: nil
// and empty slices and maps, and nil and zero-valued pointers' targets are
// not equated. Unexported fields are compared too, so a field gob would
// drop shows as a difference.
func same(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !same(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	}
	return false
}

// cachedPath returns loader options that read files as a run with --cache
// hands them to Build: prepared per file, without their nodes, and through
// a gob round trip of what Prepare kept.
func cachedPath(t *testing.T, mesh config.Mesh) manifest.Options {
	t.Helper()
	return manifest.Options{DropNodes: true, PerFile: func(f *manifest.File) []*manifest.Error {
		Prepare(f.Objects, mesh, nil)
		for _, o := range f.Objects {
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(preparedOf(o).Record()); err != nil {
				t.Fatal(err)
			}
			var back PreparedRecord
			if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
				t.Fatal(err)
			}
			o.Prepared = back.Prepared()
		}
		return nil
	}}
}

// bothLoads builds the graph of src as a plain run does and as a --cache
// run does (cachedPath), and calls check with each; an error in the input
// fails the test.
func bothLoads(t *testing.T, src string, check func(prepared bool, g *Graph)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "input.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mesh := config.DefaultMesh()
	for _, prepared := range []bool{false, true} {
		opts := manifest.Options{}
		if prepared {
			opts = cachedPath(t, mesh)
		}
		res := manifest.Load([]string{path}, opts)
		g := Build(res.Objects, mesh)
		if len(res.Errors)+len(g.Errors) > 0 {
			t.Fatalf("prepared=%v: errors %v %v", prepared, res.Errors, g.Errors)
		}
		check(prepared, g)
	}
}
