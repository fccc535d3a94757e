package workload

import (
	"testing"

	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestAnnotationRenameKustomize covers what the golden case
// (fixtures/fix/annotation-typo.txtar) cannot tell apart: an MR719 fix
// for a key that a kustomize transformer added would only be skipped by
// the applier, so the rule must not offer it.
func TestAnnotationRenameKustomize(t *testing.T) {
	service := func(name, annotations string) string {
		return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: shop\n" +
			"  annotations: " + annotations + "\nspec:\n  selector: {app: " + name + "}\n  ports: [{name: http, port: 80}]\n"
	}
	dir := t.TempDir()
	ruletest.WriteTree(t, dir, map[string]string{
		"base/kustomization.yaml": "resources: [service.yaml]\ncommonAnnotations:\n  sidecar.istio.io/proxyCpu: 200m\n",
		"base/service.yaml":       service("added", "{example.com/owner: team-a}"),
		"plain/service.yaml":      service("written", "{sidecar.istio.io/proxyCpu: 200m}"),
	})
	fs, err := ruletest.Lint(dir, AnnotationUnknown, ruletest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fixes := map[string]int{}
	for _, f := range fs {
		if f.Rule == AnnotationUnknown {
			fixes[f.Object.Name] = len(f.Fixes)
		}
	}
	if n, ok := fixes["added"]; !ok || n != 0 {
		t.Errorf("key added by commonAnnotations: reported %v, %d fixes; want reported, no fix", ok, n)
	}
	if n := fixes["written"]; n != 1 {
		t.Errorf("key written in the file: %d fixes, want 1", n)
	}
}
