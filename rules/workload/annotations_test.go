package workload

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestAnnotationRenameKustomize covers what the golden case
// (fixtures/fix/annotation-typo.txtar) cannot tell apart. A key that a
// kustomization's commonAnnotations adds is renamed in the kustomization,
// once for all the objects it annotates, and the build then has the
// annotation meant. A key that the base file writes too (with another
// value) is not renamed: renaming one of the two would leave the other,
// which the applier could not tell, so the rule must not offer it.
func TestAnnotationRenameKustomize(t *testing.T) {
	service := func(name, annotations string) string {
		return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: shop\n" +
			"  annotations: " + annotations + "\nspec:\n  selector: {app: " + name + "}\n  ports: [{name: http, port: 80}]\n"
	}
	dir := t.TempDir()
	const kust = "resources: [service.yaml, other.yaml]\ncommonAnnotations:\n  sidecar.istio.io/proxyCpu: 200m\n"
	ruletest.WriteTree(t, dir, map[string]string{
		"base/kustomization.yaml":  kust,
		"base/service.yaml":        service("added", "{example.com/owner: team-a}"),
		"base/other.yaml":          service("other", "{example.com/owner: team-a}"),
		"both/kustomization.yaml":  "resources: [service.yaml]\ncommonAnnotations:\n  sidecar.istio.io/proxyMemroy: 1Gi\n",
		"both/service.yaml":        service("both", "{sidecar.istio.io/proxyMemroy: 2Gi}"),
		"plain/service.yaml":       service("written", "{sidecar.istio.io/proxyCpu: 200m}"),
		"plain/other-service.yaml": service("untouched", "{example.com/owner: team-a}"),
	})
	lint := func() []*rules.Finding {
		t.Helper()
		fs, err := ruletest.Lint(dir, AnnotationUnknown, ruletest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	fs := lint()
	fixes := map[string][]rules.Fix{}
	for _, f := range fs {
		if f.Rule == AnnotationUnknown {
			fixes[f.Object.Name] = f.Fixes
		}
	}
	kustFile := filepath.Join(dir, "base", "kustomization.yaml")
	for _, name := range []string{"added", "other"} {
		fx, ok := fixes[name]
		if !ok || len(fx) != 1 || len(fx[0].Edits) != 1 || fx[0].Edits[0].Pos.File != kustFile || fx[0].Edits[0].Pos.Line != 3 {
			t.Errorf("%s: key added by commonAnnotations: reported %v, fixes %+v; want one edit of %s:3", name, ok, fx, kustFile)
		}
	}
	if fx, ok := fixes["both"]; !ok || len(fx) != 0 {
		t.Errorf("key written by the base and commonAnnotations: reported %v, %d fixes; want reported, no fix", ok, len(fx))
	}
	if n := len(fixes["written"]); n != 1 {
		t.Errorf("key written in the file: %d fixes, want 1", n)
	}

	// The two objects' fixes make one edit; the build then has the
	// annotation meant, and the finding is gone.
	res := fix.Plan(fs, fix.Options{Dir: dir})
	if len(res.Skipped) != 0 {
		t.Errorf("skipped: %+v", res.Skipped)
	}
	if errs := res.Write(fix.Options{Dir: dir}); len(errs) > 0 {
		t.Fatal(errs)
	}
	got, err := os.ReadFile(kustFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "resources: [service.yaml, other.yaml]\ncommonAnnotations:\n  sidecar.istio.io/proxyCPU: 200m\n"; string(got) != want {
		t.Errorf("kustomization after the fix:\n%s\nwant:\n%s", got, want)
	}
	for _, f := range lint() {
		if f.Rule == AnnotationUnknown && f.Object.Name != "both" {
			t.Errorf("after the fix: %s %s", f.Pos, f.Message)
		}
	}
}
