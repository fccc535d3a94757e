package all

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// FuzzLint runs every rule over arbitrary input, seeded with the rule
// fixtures: a rule that panics or fails on some input is a meshlint bug
// (rules.Lint turns a panic into an internal error), and every finding
// must point into the input.
func FuzzLint(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "rules", "MR*", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := rules.Lint(rules.LintOptions{
			Paths: []string{"-"},
			Load:  manifest.Options{Stdin: bytes.NewReader(data), MaxFileSize: 1 << 20},
			Mesh:  config.DefaultMesh(),
			Rules: Rules,
		})
		for _, err := range res.Internal {
			t.Errorf("internal error: %v", err)
		}
		for _, fd := range res.Findings {
			if fd.Pos.File != manifest.StdinName && fd.Pos.File != "" && !fixCreates(fd, fd.Pos.File) {
				t.Errorf("%s finding in %q, not the input: %s", fd.Rule.ID, fd.Pos.File, fd.Message)
			}
		}
	})
}

// fixCreates reports whether a fix of f creates the file name: a finding
// about a missing object may point at the file its fix would create.
func fixCreates(f *rules.Finding, name string) bool {
	for _, fx := range f.Fixes {
		for _, nf := range fx.NewFiles {
			if nf.Path == name {
				return true
			}
		}
	}
	return false
}
