package manifest

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"testing"
)

// TestErrorGob: the cache keeps decoding errors whose Err is whatever the
// decoder made (fmt.Errorf, with or without %w); gob refuses an interface
// value of an unregistered type, which once made a cache of a file with a
// PodTemplate of the wrong type fail to write.
func TestErrorGob(t *testing.T) {
	type holder struct{ Errs []*Error }
	in := holder{Errs: []*Error{
		{File: "a.yaml", Loc: Loc{Line: 3, Col: 7, EndCol: 9}, Msg: "wrong type", Err: fmt.Errorf("expected an integer, got %q", "http")},
		{File: "b.yaml", Msg: "cannot read", Err: fmt.Errorf("open: %w", errDummy)},
		{File: "c.yaml", Loc: Loc{Line: 1, Col: 1}, Msg: "no Err", notObject: true},
	}}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(in); err != nil {
		t.Fatal(err)
	}
	var out holder
	if err := gob.NewDecoder(&b).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errs) != len(in.Errs) {
		t.Fatalf("decoded %d errors, want %d", len(out.Errs), len(in.Errs))
	}
	for i, e := range in.Errs {
		got := out.Errs[i]
		if got.Error() != e.Error() || got.Loc != e.Loc || got.notObject != e.notObject || (got.Err == nil) != (e.Err == nil) {
			t.Errorf("error %d: got %q %+v notObject=%v, want %q %+v notObject=%v", i, got, got.Loc, got.notObject, e, e.Loc, e.notObject)
		}
	}
}

var errDummy = fmt.Errorf("dummy")
