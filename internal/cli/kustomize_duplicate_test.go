package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKustomizeDuplicateKeys checks that a key written twice in a
// kustomization or in one of its patches, which kustomize drops in
// silence, is an input error (exit 2) at its own line.
func TestKustomizeDuplicateKeys(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"k/kustomization.yaml": "resources:\n- svc.yaml\npatches:\n- path: p.yaml\nnamespace: shop\nnamespace: prod\n",
		"k/svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
		"k/p.yaml":             "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  type: ClusterIP\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, dir, "", "--no-config", "--format", "text", "--color", "never", "k")
	if r.code != ExitError {
		t.Errorf("exit %d, want %d", r.code, ExitError)
	}
	want := []string{
		`k/kustomization.yaml:6:1: error: duplicate key: key "namespace" is written twice in one mapping (first at line 5); kustomize silently reads the last copy only`,
		`k/p.yaml:7:3: error: duplicate key: key "type" is written twice in one mapping (first at line 6); kustomize silently merges the first copy only, or both where the patch adds the mapping`,
	}
	var got []string
	for _, l := range strings.Split(r.stdout+r.stderr, "\n") {
		if strings.Contains(l, "duplicate key") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s\nstdout:\n%s\nstderr:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.stdout, r.stderr)
	}
}
