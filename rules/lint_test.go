package rules_test

import (
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

// TestLintDropsNodes checks what keeps a large tree's memory down: after
// Lint, no object read from a file holds its YAML nodes, every one holds
// what the graph prepared instead, and the run found what it finds with
// the nodes (examples/ plants twelve findings).
func TestLintDropsNodes(t *testing.T) {
	res := rules.Lint(rules.LintOptions{Paths: []string{"../examples"}, Mesh: config.DefaultMesh(), Rules: all.Rules})
	if len(res.Load.Objects) == 0 {
		t.Fatal("no objects read")
	}
	for _, o := range res.Load.Objects {
		if o.Node != nil {
			t.Errorf("%s: the loader kept its nodes", o.Ref())
		}
		if o.Prepared == nil {
			t.Errorf("%s: not prepared", o.Ref())
		}
		if o.Root() == nil {
			t.Errorf("%s: Root cannot read the node again", o.Ref())
		}
	}
	if len(res.Findings) != 12 {
		t.Errorf("%d findings, want the 12 of examples/expected.txt", len(res.Findings))
	}
}
