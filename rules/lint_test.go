package rules_test

import (
	"maps"
	"strings"
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

// TestFlaggerNote checks that a finding about an object Flagger creates,
// which is not in the input, names the Canary it comes from, and that one
// about an object of the input does not.
func TestFlaggerNote(t *testing.T) {
	everyService := &rules.Rule{ID: "MR998", Run: func(p *rules.Pass) error {
		for _, s := range p.Graph.Services {
			p.Reportf(s.Obj, s.Obj.NameLoc, "%s", s.Obj.Ref())
		}
		return nil
	}}
	notes := notesOf("../fixtures/rules/MR154/fire-services.yaml", everyService)
	want := map[string]string{
		"Service test/podinfo":         "",
		"Service test/podinfo-canary":  "",
		"Service test/podinfo-primary": "Service test/podinfo-primary is not in the input: Flagger creates it for Canary test/podinfo",
	}
	if !maps.Equal(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
}

// TestExperimentNote checks that a finding about the pods or the Service
// of a Rollout's experiment step, which the input does not hold, names the
// Rollout.
func TestExperimentNote(t *testing.T) {
	everyWorkload := &rules.Rule{ID: "MR998", Run: func(p *rules.Pass) error {
		for _, w := range p.Graph.Workloads {
			p.Reportf(w.Obj, w.Obj.NameLoc, "%s", w.Obj.Ref())
		}
		return nil
	}}
	notes := notesOf("../fixtures/rules/MR152/quiet-rollout-experiment.yaml", everyWorkload)
	want := "ReplicaSet default/rollout-canary-preview-canary-preview is not in the input: " +
		"Argo Rollouts creates it for an experiment step of Rollout default/rollout-canary-preview"
	if got := notes["ReplicaSet default/rollout-canary-preview-canary-preview"]; got != want {
		t.Errorf("note %q, want %q (all: %q)", got, want, notes)
	}
	if got := notes["Rollout default/rollout-canary-preview"]; got != "" {
		t.Errorf("the Rollout of the input has a note: %q", got)
	}
	everyService := &rules.Rule{ID: "MR998", Run: func(p *rules.Pass) error {
		for _, s := range p.Graph.Services {
			p.Reportf(s.Obj, s.Obj.NameLoc, "%s", s.Obj.Ref())
		}
		return nil
	}}
	notes = notesOf("../fixtures/rules/MR112/quiet-rollout-experiment.yaml", everyService)
	wantServices := map[string]string{
		"Service shop/web":         "",
		"Service shop/web-preview": "Service shop/web-preview is not in the input: Argo Rollouts creates it for an experiment step of Rollout shop/web",
	}
	if !maps.Equal(notes, wantServices) {
		t.Errorf("notes %q, want %q", notes, wantServices)
	}
}

// TestStandaloneExperimentNote checks that a finding about a ReplicaSet or
// Service that Argo Rollouts creates for an Experiment of the input names
// the Experiment, and that one about a Service of the input does not.
func TestStandaloneExperimentNote(t *testing.T) {
	everyObject := &rules.Rule{ID: "MR998", Run: func(p *rules.Pass) error {
		for _, w := range p.Graph.Workloads {
			p.Reportf(w.Obj, w.Obj.NameLoc, "%s", w.Obj.Ref())
		}
		for _, s := range p.Graph.Services {
			p.Reportf(s.Obj, s.Obj.NameLoc, "%s", s.Obj.Ref())
		}
		return nil
	}}
	notes := notesOf("../fixtures/rules/MR112/quiet-argo-experiment.yaml", everyObject)
	want := map[string]string{
		"Service demo/canary-demo": "",
	}
	for _, ref := range []string{"ReplicaSet demo/colors-purple", "ReplicaSet demo/colors-orange", "Service demo/purple-preview", "Service demo/colors-orange"} {
		want[ref] = ref + " is not in the input: Argo Rollouts creates it for Experiment demo/colors"
	}
	for _, ref := range []string{"ReplicaSet lab/colors-purple", "Service lab/colors-purple"} {
		want[ref] = ref + " is not in the input: Argo Rollouts creates it for Experiment lab/colors"
	}
	if !maps.Equal(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
}

// notesOf runs r over the file at path and returns the notes of each
// finding, joined, by its message.
func notesOf(path string, r *rules.Rule) map[string]string {
	res := rules.Lint(rules.LintOptions{Paths: []string{path}, Mesh: config.DefaultMesh(), Rules: []*rules.Rule{r}})
	notes := map[string]string{}
	for _, f := range res.Findings {
		var n []string
		for _, rel := range f.Related {
			n = append(n, rel.Message)
		}
		notes[f.Message] = strings.Join(n, "; ")
	}
	return notes
}
