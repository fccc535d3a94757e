package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamples keeps the example tree, its expected output and the README
// in step: the tree must produce exactly the planted findings.
func TestExamples(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, root, "", "--color", "never", "examples/")
	if r.code != ExitFindings {
		t.Errorf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	want, err := os.ReadFile(filepath.Join(root, "examples", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("examples/ output differs from examples/expected.txt:\n%s", r.stdout)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), string(want)) {
		t.Error("README.md does not show the current output of `meshlint examples/`")
	}
}
