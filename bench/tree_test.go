package bench

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/rules"
)

// TestGeneratedTreeLoadsClean runs the whole pipeline on small generated
// trees. A generated tree models a well-configured mesh, so it must load and
// build without errors and draw no error or warning: such a finding is a
// false positive of a rule, or a flaw of the generator, and either needs
// fixing rather than hiding. Notes (info) are logged for review. The second
// tree is large enough to hold every variant the generator draws (gRPC
// services, header-matched canaries).
func TestGeneratedTreeLoadsClean(t *testing.T) {
	for _, opts := range []gentree.Options{
		{Namespaces: 2, Services: 3, Seed: 1},
		{Namespaces: 3, Services: 30, Seed: 2},
	} {
		t.Run(fmt.Sprintf("%dx%d", opts.Namespaces, opts.Services), func(t *testing.T) {
			dir := t.TempDir()
			gen, err := gentree.Generate(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			res := load(t, dir)
			if res.Files != gen.Files || docs(res) != gen.Objects {
				t.Errorf("loaded %d files and %d documents, generated %d and %d", res.Files, docs(res), gen.Files, gen.Objects)
			}
			for _, f := range lint(t, build(t, res.Objects)) {
				msg := fmt.Sprintf("%s:%d:%d: %s %s (%s): %s", relative(dir, f.Pos.File), f.Pos.Line, f.Pos.Col,
					f.Severity, f.Rule.ID, f.Rule.Name, f.Message)
				if f.Severity >= rules.Warning {
					t.Errorf("finding on a clean tree: %s", msg)
				} else {
					t.Logf("note on a clean tree: %s", msg)
				}
			}
		})
	}
}

// TestPlantedMistakes plants a mistake in every service of a tree and
// logs, per kind of mistake, whether some rule reported a finding in the
// mistaken file that the clean tree does not have. It fails only if a
// planted tree draws rule errors; which mistakes are caught is a measure of
// rule coverage, not a requirement, while the rule set grows.
func TestPlantedMistakes(t *testing.T) {
	opts := gentree.Options{Namespaces: 2, Services: 40, Seed: 3}
	clean := findingsByFile(t, opts)
	opts.MistakeRate = 1
	dir := t.TempDir()
	gen, err := gentree.Generate(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]*rules.Finding{}
	for _, f := range lint(t, build(t, load(t, dir).Objects)) {
		byFile[relative(dir, f.Pos.File)] = append(byFile[relative(dir, f.Pos.File)], f)
	}
	caught := map[string][]string{}
	missed := map[string]int{}
	for _, m := range gen.Mistakes {
		var ids []string
		for _, f := range byFile[m.File] {
			if !clean[m.File][f.Rule.ID+" "+f.Message] {
				ids = append(ids, f.Rule.ID)
			}
		}
		if len(ids) == 0 {
			missed[m.Kind]++
		} else if caught[m.Kind] == nil {
			caught[m.Kind] = ids
		}
	}
	for _, k := range gentree.MistakeKinds {
		t.Logf("%-24s caught by %v, missed %d times", k.Name, caught[k.Name], missed[k.Name])
	}
}

// findingsByFile lints the tree opts describes and returns, per relative
// file, the set of "ID message" of its findings.
func findingsByFile(t *testing.T, opts gentree.Options) map[string]map[string]bool {
	t.Helper()
	dir := t.TempDir()
	if _, err := gentree.Generate(dir, opts); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, f := range lint(t, build(t, load(t, dir).Objects)) {
		rel := relative(dir, f.Pos.File)
		if out[rel] == nil {
			out[rel] = map[string]bool{}
		}
		out[rel][f.Rule.ID+" "+f.Message] = true
	}
	return out
}

func relative(dir, file string) string {
	rel, err := filepath.Rel(dir, file)
	if err != nil {
		return file
	}
	return filepath.ToSlash(rel)
}
