package manifest

import (
	"fmt"
	"path/filepath"
	"testing"
)

// TestKustomizeDuplicateKeys checks where a key written twice is reported
// in a kustomize build: a copy that reaches a built object (kustomize keeps
// both) at that copy in its own file, naming the first copy of that file,
// though a patch set the first's value; a copy in a patch or a
// kustomization, which kustomize drops without a word, at its line too,
// with what kustomize does with it. Each is reported once.
func TestKustomizeDuplicateKeys(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
	dup := func(at, key string, first int, follows string) string {
		return fmt.Sprintf("%s: duplicate key: key %q is written twice in one mapping (first at line %d); %s", at, key, first, follows)
	}
	const (
		refused = "Kubernetes refuses the object"
		smp     = "kustomize silently merges the first copy only, or both where the patch adds the mapping"
		json    = "kustomize silently applies the last copy only"
		kust    = "kustomize silently reads the last copy only"
	)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name: "in a base resource, three copies",
		files: map[string]string{
			"base/kustomization.yaml": "resources:\n- svc.yaml\n",
			"base/svc.yaml":           svc + "  labels:\n    app: web\n    app: web2\n    tier: a\n    app: web3\n",
			"k/kustomization.yaml":    "resources:\n- ../base\nnamespace: prod\n",
		},
		want: []string{
			dup("base/svc.yaml:7:5", "app", 6, refused),
			dup("base/svc.yaml:9:5", "app", 6, refused),
		},
	}, {
		name: "in a base resource, a patch sets the first copy",
		files: map[string]string{
			"base/kustomization.yaml": "resources:\n- svc.yaml\n",
			"base/svc.yaml":           svc + "  labels:\n    x: '1'\n    z: '2'\n    x: '3'\nspec:\n  type: ClusterIP\n  type: NodePort\n",
			"k/kustomization.yaml":    "resources:\n- ../base\npatches:\n- path: p.yaml\n",
			"k/p.yaml":                svc + "  labels:\n    x: '9'\nspec:\n  type: LoadBalancer\n",
		},
		want: []string{
			dup("base/svc.yaml:8:5", "x", 6, refused),
			dup("base/svc.yaml:11:3", "type", 10, refused),
		},
	}, {
		name: "in a strategic-merge patch file",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\npatches:\n- path: p.yaml\n",
			"k/svc.yaml":           svc + "spec:\n  type: ClusterIP\n",
			"k/p.yaml":             svc + "spec:\n  type: NodePort\n  type: LoadBalancer\n",
		},
		want: []string{dup("k/p.yaml:7:3", "type", 6, smp)},
	}, {
		name: "in a list item a patch adds, reaching the object",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\npatchesStrategicMerge:\n- p.yaml\n",
			"k/svc.yaml":           svc + "spec:\n  ports:\n  - name: http\n    port: 80\n",
			"k/p.yaml":             svc + "spec:\n  ports:\n  - name: grpc\n    port: 81\n    port: 82\n",
		},
		want: []string{dup("k/p.yaml:9:5", "port", 8, refused)},
	}, {
		name: "in a JSON 6902 patch file that targets two objects",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\npatches:\n- path: p.yaml\n  target: {kind: Service}\n",
			"k/svc.yaml":           svc + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n",
			"k/p.yaml":             "- op: add\n  path: /spec\n  value: {type: NodePort}\n  value: {type: LoadBalancer}\n",
		},
		want: []string{dup("k/p.yaml:4:3", "value", 3, json)},
	}, {
		name: "in an inline patch",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\npatches:\n- patch: |-\n    " +
				"apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n      labels:\n        a: x\n        a: y\n",
			"k/svc.yaml": svc + "  labels:\n    a: z\n",
		},
		want: []string{dup("k/kustomization.yaml:11:9", "a", 10, smp)},
	}, {
		name: "in a kustomization: the second resources replaces the first",
		files: map[string]string{
			"base/kustomization.yaml": "resources:\n- svc.yaml\nnamespace: a\nnamespace: b\n",
			"base/svc.yaml":           svc,
			"k/kustomization.yaml":    "resources:\n- ../base\nnamePrefix: p-\nresources:\n- svc.yaml\n",
			"k/svc.yaml":              "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n",
		},
		want: []string{
			dup("base/kustomization.yaml:4:1", "namespace", 3, kust),
			dup("k/kustomization.yaml:4:1", "resources", 1, kust),
		},
	}, {
		name: "in a kustomization whose build is refused",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- https://example.com/a.yaml\nresources:\n- svc.yaml\n",
			"k/svc.yaml":           svc,
		},
		want: []string{
			"k/kustomization.yaml:2:3: remote resource",
			dup("k/kustomization.yaml:3:1", "resources", 1, kust),
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.files)
			r := loadTimed(t, []string{filepath.Join(dir, "k")}, Options{Dir: dir})
			var want []string
			for _, w := range tc.want {
				want = append(want, filepath.Join(dir, w))
			}
			wantErrors(t, r, want...)
		})
	}
}

// TestKustomizeDuplicateKeysMapped checks that each copy of a key written
// twice in a base is mapped to its own copy, for findings as for errors.
func TestKustomizeDuplicateKeysMapped(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"base/kustomization.yaml": "resources:\n- svc.yaml\n",
		"base/svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n    app: api\n",
		"k/kustomization.yaml":    "resources:\n- ../base\nnamespace: prod\n",
	})
	r := loadTimed(t, []string{filepath.Join(dir, "k")}, Options{Dir: dir})
	if len(r.Objects) != 1 {
		t.Fatalf("%d objects, want 1", len(r.Objects))
	}
	sel := r.Objects[0].Node
	for _, k := range []string{"spec", "selector"} {
		_, sel = entry(sel, k)
	}
	var got []string
	for i := 0; i+1 < len(sel.Content); i += 2 {
		k, v := sel.Content[i], sel.Content[i+1]
		got = append(got, fmt.Sprintf("%s@%d:%d=%s@%d:%d", k.Value, k.Line, k.Column, v.Value, v.Line, v.Column))
	}
	if want := "[app@7:5=web@7:10 app@8:5=api@8:10]"; fmt.Sprint(got) != want {
		t.Errorf("selector = %v, want %s", got, want)
	}
}
