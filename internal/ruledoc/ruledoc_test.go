package ruledoc_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/ruledoc"
	"github.com/meshlint/meshlint/rules/all"
)

var update = flag.Bool("update", false, "rewrite docs/rules from the rule registry")

const docsDir = "../../docs/rules"

// TestDocsUpToDate fails when docs/rules differs from what the registry
// generates. Run `make generate` (go test ./internal/ruledoc -update).
func TestDocsUpToDate(t *testing.T) {
	want := ruledoc.Files(all.Rules)
	if *update {
		if err := os.MkdirAll(docsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(docsDir, "*.md"))
		for _, f := range old {
			if _, keep := want[filepath.Base(f)]; !keep {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, text := range want {
			if err := os.WriteFile(filepath.Join(docsDir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, text := range want {
		got, err := os.ReadFile(filepath.Join(docsDir, name))
		if err != nil {
			t.Errorf("docs/rules/%s is missing; run `make generate`", name)
			continue
		}
		if string(got) != text {
			t.Errorf("docs/rules/%s is stale; run `make generate`", name)
		}
	}
	files, _ := filepath.Glob(filepath.Join(docsDir, "*.md"))
	for _, f := range files {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("docs/rules/%s belongs to no rule; run `make generate`", filepath.Base(f))
		}
	}
}

func TestPageHasExamples(t *testing.T) {
	for _, r := range all.Rules {
		p := ruledoc.Page(r)
		if !strings.Contains(p, r.Bad) || !strings.Contains(p, "## Passes") {
			t.Errorf("%s: page lacks the examples", r.ID)
		}
	}
}
