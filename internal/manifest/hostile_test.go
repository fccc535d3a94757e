package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
