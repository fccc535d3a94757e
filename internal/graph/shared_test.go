package graph

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// TestSharedMaps prepares two files with Shared: the equal label maps of
// both become one map, unequal and empty ones stay apart, and the graph
// built from them is the graph built without sharing.
func TestSharedMaps(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: "n", labels: {app: a}}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: "n", labels: {app: a, tier: web}}
spec:
  selector: {app: a}
  ports: [{port: 80}]
`,
		"b.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b, namespace: "n", labels: {tier: web, app: a}}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress: [{from: [{podSelector: {}}]}]
`,
	}
	var paths []string
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	load := func(s *Shared) *Graph {
		opts := manifest.Options{PerFile: func(f *manifest.File) []*manifest.Error {
			Prepare(f.Objects, config.DefaultMesh(), s)
			return nil
		}}
		res := manifest.Load(paths, opts)
		return Build(res.Objects, config.DefaultMesh())
	}
	g := load(NewShared())
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	dep := g.Workloads[0]
	svc := g.Services[0]
	np := g.NetworkPolicies[0]
	appA := dep.Obj.Labels
	for what, m := range map[string]map[string]string{
		"the Deployment's selector":    selectorOf(dep).MatchLabels,
		"the pod template's labels":    dep.Labels,
		"the Service's selector":       svc.Spec.Selector,
		"the NetworkPolicy's selector": np.Spec.PodSelector.MatchLabels,
	} {
		if !same(m, appA) {
			t.Errorf("%s is not the Deployment's {app: a}", what)
		}
	}
	if !same(svc.Obj.Labels, np.Obj.Labels) {
		t.Errorf("the Service's and the NetworkPolicy's {app: a, tier: web} are two maps")
	}
	if same(svc.Obj.Labels, appA) {
		t.Errorf("{app: a, tier: web} and {app: a} are one map")
	}
	if sel := np.Spec.Ingress[0].From[0].PodSelector; sel == nil || len(sel.MatchLabels) > 0 {
		t.Errorf("the empty podSelector changed: %+v", sel)
	}
	if want := load(nil); !reflect.DeepEqual(labelsOf(want), labelsOf(g)) {
		t.Errorf("sharing changed the graph:\n%v\n%v", labelsOf(want), labelsOf(g))
	}
}

func selectorOf(w *Workload) *spec.LabelSelector {
	return preparedOf(w.Obj).decoded[0].spec.(*spec.Workload).Selector
}

func labelsOf(g *Graph) []map[string]string {
	var out []map[string]string
	for _, w := range g.Workloads {
		out = append(out, w.Labels, selectorOf(w).MatchLabels, w.Obj.Labels)
	}
	for _, s := range g.Services {
		out = append(out, s.Spec.Selector, s.Obj.Labels)
	}
	for _, n := range g.NetworkPolicies {
		out = append(out, n.Spec.PodSelector.MatchLabels, n.Obj.Labels)
	}
	return out
}
