package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
)

// TestLocalRulesSharePass checks that the Local rules of a file, which run
// with one Pass, each report under their own rule and severity (the
// configured one, or their default), whatever the rule before them did,
// panicking included, and that each file's findings are of its objects.
func TestLocalRulesSharePass(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"one", "two", "three"} {
		src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: n}\n"
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := func(p *Pass) error {
		for _, o := range p.Graph.Objects {
			p.Reportf(o, o.NameLoc, "%s", o.Name)
		}
		return nil
	}
	rs := []*Rule{
		{ID: "MR991", Severity: Error, Local: true, Run: report},
		{ID: "MR992", Severity: Info, Local: true, Run: report},
		{ID: "MR993", Severity: Error, Local: true, Run: func(p *Pass) error {
			report(p)
			panic("broken")
		}},
		{ID: "MR994", Severity: Warning, Local: true, Run: report},
	}
	want := map[string]Severity{"MR991": Error, "MR992": Info, "MR993": Warning, "MR994": Warning}
	res := Lint(LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: rs, Severity: map[string]Severity{"MR993": Warning}})
	if len(res.Internal) != 1 {
		t.Errorf("%d internal errors, want the panic of MR993 once, not once per file", len(res.Internal))
	}
	for _, err := range res.Internal {
		if !strings.HasPrefix(err.Error(), "rule MR993 () panicked: broken") {
			t.Errorf("internal error %.40q, want the panic of MR993", err)
		}
	}
	seen := map[string]int{}
	for _, f := range res.Findings {
		seen[f.Rule.ID]++
		if f.Severity != want[f.Rule.ID] {
			t.Errorf("%s: severity %s, want %s", f.Rule.ID, f.Severity, want[f.Rule.ID])
		}
		if f.Message != f.Object.Name || filepath.Base(f.Pos.File) != f.Object.Name+".yaml" {
			t.Errorf("%s: finding %q at %s about %s", f.Rule.ID, f.Message, f.Pos.File, f.Object.Ref())
		}
	}
	for id := range want {
		if seen[id] != 3 {
			t.Errorf("%s: %d findings, want one per file", id, seen[id])
		}
	}
}
