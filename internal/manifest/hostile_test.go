package manifest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestHugeFileRefused checks that a 1 GB file is refused by size, without
// being read: the file is sparse, so the test costs no disk.
func TestHugeFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{path}, Options{})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "larger than the") {
		t.Fatalf("errors = %v, want one size-limit error", res.Errors)
	}
	// A configurable limit: a small one refuses a small file too.
	small := filepath.Join(t.TempDir(), "small.yaml")
	if err := os.WriteFile(small, []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := Load([]string{small}, Options{MaxFileSize: 10}); len(res.Errors) != 1 {
		t.Fatalf("a 10-byte limit did not refuse a 50-byte file: %v", res.Errors)
	}
}

// TestManyDocuments reads a file of 100,000 documents, keeping every one
// with its absolute line.
func TestManyDocuments(t *testing.T) {
	const n = 100_000
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s%d\n  namespace: ns\n", i)
	}
	path := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{path}, Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors[0])
	}
	if len(res.Objects) != n {
		t.Fatalf("read %d objects, want %d", len(res.Objects), n)
	}
	last := res.Objects[n-1]
	if last.Name != fmt.Sprintf("s%d", n-1) || last.NameLoc.Line != 6*(n-1)+5 || last.Doc != n-1 {
		t.Errorf("last object %s at line %d, document %d", last.Name, last.NameLoc.Line, last.Doc)
	}
}

// TestLocSaturates checks that a position past int32, which only a file
// over 2 GiB has (--max-file-size raised), is kept as the largest one
// rather than wrapped to a negative line or column.
func TestLocSaturates(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("an int cannot exceed int32 here")
	}
	big := math.MaxInt32
	big += 5 // a constant would not compile where int has 32 bits
	want := Loc{Line: math.MaxInt32, Col: math.MaxInt32, EndCol: math.MaxInt32}
	if got := LocOf(&yaml.Node{Kind: yaml.ScalarNode, Value: "x", Line: big, Column: big}); got != want {
		t.Errorf("LocOf = %+v, want %+v", got, want)
	}
	if got := LineCol(big, big); got != (Loc{Line: math.MaxInt32, Col: math.MaxInt32}) {
		t.Errorf("LineCol = %+v", got)
	}
	// The largest column that fits, with text after it: the end saturates.
	if got := LocOf(&yaml.Node{Kind: yaml.ScalarNode, Value: "xyz", Line: 1, Column: math.MaxInt32}); got.EndCol != math.MaxInt32 {
		t.Errorf("LocOf end = %d, want %d", got.EndCol, math.MaxInt32)
	}
}
