package graph

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestPreparedTypesRegistered prepares every fixture of the repository and
// checks that each value Prepare keeps is of a type registered with gob,
// and that what it keeps survives a gob round trip, so that a cache can
// hold it.
func TestPreparedTypesRegistered(t *testing.T) {
	registered := map[reflect.Type]bool{}
	for _, v := range preparedTypes() {
		registered[reflect.TypeOf(v)] = true
	}
	seen := map[reflect.Type]bool{}
	res := manifest.Load([]string{"../../fixtures", "../../examples"}, manifest.Options{})
	Prepare(res.Objects, config.DefaultMesh())
	for _, o := range res.Objects {
		p := preparedOf(o)
		for _, d := range p.Decoded {
			ty := reflect.TypeOf(d.Out)
			seen[ty] = true
			if !registered[ty] {
				t.Errorf("%s: Prepare keeps a %s, which preparedTypes does not list", o.Ref(), ty)
			}
		}
		var buf bytes.Buffer
		var holder struct{ P any }
		holder.P = o.Prepared
		if err := gob.NewEncoder(&buf).Encode(holder); err != nil {
			t.Fatalf("%s: %v", o.Ref(), err)
		}
		var back struct{ P any }
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatalf("%s: %v", o.Ref(), err)
		}
		if len(back.P.(*Prepared).Decoded) != len(p.Decoded) {
			t.Errorf("%s: the round trip lost decoded specs", o.Ref())
		}
	}
	if len(seen) < len(registered)/2 {
		t.Errorf("the fixtures exercised only %d of the %d prepared types", len(seen), len(registered))
	}
}
