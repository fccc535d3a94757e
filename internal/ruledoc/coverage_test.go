package ruledoc_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/ruledoc"
	"github.com/meshlint/meshlint/rules/all"
)

// TestCoverage fails when a code is neither covered by a rule nor
// explained, or when a rule lists a code that does not exist.
func TestCoverage(t *testing.T) {
	for _, p := range ruledoc.Coverage(all.Rules) {
		t.Error(p)
	}
}

// TestCoverageUpToDate keeps docs/coverage.md in step with the registry.
func TestCoverageUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "coverage.md")
	want := ruledoc.CoveragePage(all.Rules)
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Error("docs/coverage.md is stale; run `make generate`")
	}
}
