package manifest

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
)

// TestKustomizeCaseDuplicates checks the keys that kustomize's decoder
// takes for one field because they differ only in case (encoding/json
// matches field names ignoring case): reported like keys written twice, at
// the later key, naming the earlier and the copy kustomize reads, in the
// files kustomize decodes into structs; not in maps, nor in what it reads
// with kyaml (patches, resources). A kustomization field in another case is
// read as kustomize reads it: its patches are checked, its files refused.
func TestKustomizeCaseDuplicates(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n  b: two\n"
	fold := func(at, key string, first int, firstKey, reads string) string {
		return fmt.Sprintf("%s: duplicate key: key %q is written twice in one mapping (first at line %d, as %q): kustomize matches field names ignoring case and silently %s", at, key, first, firstKey, reads)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name: "in a kustomization, and in an inline replacement",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nnamespace: a\nNamespace: b\nreplacements:\n- source:\n    kind: ConfigMap\n    name: cfg\n" +
				"    fieldPath: data.a\n    FieldPath: data.b\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n",
			"k/svc.yaml": svc + "  labels:\n    x: a\n",
			"k/cm.yaml":  cm,
		},
		want: []string{
			fold("k/kustomization.yaml:5:1", "Namespace", 4, "namespace", "reads the copy at line 4 only"),
			fold("k/kustomization.yaml:11:5", "FieldPath", 10, "fieldPath", "reads the copy at line 10 only"),
		},
	}, {
		name: "in a kustomization, a mapping field: merged",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nsortOptions:\n  order: legacy\nSortOptions:\n  order: legacy\n",
			"k/svc.yaml":           svc,
		},
		want: []string{fold("k/kustomization.yaml:5:1", "SortOptions", 3, "sortOptions", "merges the copies into one, the one at line 3 overriding")},
	}, {
		name: "in a replacement file: the key that sorts last is read",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nreplacements:\n- path: r.yaml\n",
			"k/svc.yaml":           svc + "  labels:\n    x: a\n",
			"k/cm.yaml":            cm,
			"k/r.yaml":             "- source:\n    kind: ConfigMap\n    name: cfg\n    fieldpath: data.a\n    fieldPath: data.b\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n",
		},
		want: []string{fold("k/r.yaml:5:5", "fieldPath", 4, "fieldpath", "reads the copy at line 4 only")},
	}, {
		name: "in a transformer configuration, which kustomize decodes strictly",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nconfigurations:\n- c.yaml\n",
			"k/svc.yaml":           svc,
			"k/c.yaml":             "namePrefix:\n- path: metadata/name\n  Path: metadata/generateName\n",
		},
		want: []string{fold("k/c.yaml:3:3", "Path", 2, "path", "reads the copy at line 2 only")},
	}, {
		name: "in a transformer plugin's configuration file",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ntransformers:\n- t.yaml\n",
			"k/svc.yaml":           svc,
			"k/t.yaml":             "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: p\nprefix: a-\nPrefix: b-\nfieldSpecs:\n- path: metadata/name\n",
		},
		want: []string{fold("k/t.yaml:6:1", "Prefix", 5, "prefix", "reads the copy at line 5 only")},
	}, {
		name: "written twice in a generator plugin's configuration file: kustomize refuses it",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ngenerators:\n- g.yaml\n",
			"k/svc.yaml":           svc,
			"k/g.yaml":             "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: g\nliterals: [a=b]\nliterals: [c=d]\n",
		},
		want: []string{`k/g.yaml:6:1: duplicate key: key "literals" is written twice in one mapping (first at line 5); ` + refusesPlugin},
	}, {
		name: "Patches: its patch is read and checked",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nPatches:\n- Path: p.yaml\n",
			"k/svc.yaml":           svc + "spec:\n  type: ClusterIP\n",
			"k/p.yaml":             svc + "spec:\n  type: NodePort\n  type: LoadBalancer\n",
		},
		want: []string{`k/p.yaml:7:3: duplicate key: key "type" is written twice in one mapping (first at line 6)`},
	}, {
		name: "Replacements: its file is read and checked",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nREPLACEMENTS:\n- path: r.yaml\n",
			"k/svc.yaml":           svc + "  labels:\n    x: a\n",
			"k/cm.yaml":            cm,
			"k/r.yaml":             "source:\n  kind: ConfigMap\n  name: cfg\n  fieldPath: data.a\n  fieldPath: data.b\ntargets:\n- select: {kind: Service}\n  fieldPaths: [metadata.labels.x]\n",
		},
		want: []string{`k/r.yaml:5:3: duplicate key: key "fieldPath" is written twice in one mapping (first at line 4)`},
	}, {
		name: "a generator's Files outside the kustomization: refused",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nconfigMapGenerator:\n- name: c\n  Files:\n  - ../out/x.txt\n",
			"k/svc.yaml":           svc,
			"out/x.txt":            "x\n",
		},
		want: []string{`k/kustomization.yaml:6:5: generator file "../out/x.txt" is outside the kustomization's directory`},
	}, {
		name: "none in maps, patches and resources, which kustomize reads with kyaml or as maps",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ncommonLabels:\n  app: a\n  App: b\nopenapi:\n  version: v1.21.2\n" +
				"patches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n      labels:\n        tier: x1\n        Tier: y1\n",
			"k/svc.yaml": svc + "  labels:\n    x: a\n    X: b\n",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			wantBuildErrors(t, tc.files, tc.want...)
		})
	}
}

// TestKustomizeCaseReadAsKustomize checks that fields in another case are
// read as kustomize reads them: a value a replacement writes points at the
// fieldPath key that sorts last, which kustomize reads (fieldpath, wherever
// written), and a value a Patches: patch writes points into the patch.
func TestKustomizeCaseReadAsKustomize(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    x: a\nspec:\n  type: ClusterIP\n"
	for _, tc := range []struct{ r, at string }{
		{"source:\n  kind: ConfigMap\n  name: cfg\n  fieldpath: data.b\n  fieldPath: data.a\n", ":4:14"},
		{"source:\n  kind: ConfigMap\n  name: cfg\n  fieldPath: data.a\n  fieldpath: data.b\n", ":5:14"},
	} {
		dir := kWriteTree(t, map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nreplacements:\n- path: r.yaml\nPatches:\n- Path: p.yaml\n",
			"k/svc.yaml":           svc,
			"k/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n  b: two\n",
			"k/r.yaml":             tc.r + "targets:\n- select: {kind: Service}\n  fieldPaths: [metadata.labels.x]\n",
			"k/p.yaml":             "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n",
		})
		res := Load([]string{"k"}, Options{Dir: dir})
		wantErrors(t, res, "k/r.yaml:5:3: duplicate key")
		web := kFind(t, res, "Service", "web")
		checkNodePositions(t, web, []nodePos{
			{[]string{"metadata", "labels", "x"}, false, filepath.Join("k", "r.yaml") + tc.at},
			{[]string{"spec", "type"}, false, filepath.Join("k", "p.yaml") + ":6:9"},
		})
		_, v := entry(web.Node, "metadata")
		_, v = entry(v, "labels")
		if _, x := entry(v, "x"); x == nil || x.Value != "two" {
			t.Errorf("label x = %v, want two: kustomize reads fieldpath", x)
		}
	}
}

// TestKustomizeBaseDuplicateOnce checks that a key written twice in a base
// used by two overlays is reported once, in its kustomization as in its
// resources.
func TestKustomizeBaseDuplicateOnce(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"base/kustomization.yaml": "resources:\n- svc.yaml\nnamePrefix: a-\nnamePrefix: b-\n",
		"base/svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    x: a\n    x: b\n",
		"k1/kustomization.yaml":   "resources:\n- ../base\nnamespace: one\n",
		"k2/kustomization.yaml":   "resources:\n- ../base\nnamespace: two\n",
	})
	r := loadTimed(t, []string{filepath.Join(dir, "k1"), filepath.Join(dir, "k2")}, Options{Dir: dir})
	got := errorsOf(r)
	slices.Sort(got)
	if len(got) != 2 || !strings.Contains(got[0], "kustomization.yaml:4:1") || !strings.Contains(got[1], "svc.yaml:7:5") {
		t.Errorf("errors =\n%s\nwant one at base/kustomization.yaml:4:1 and one at base/svc.yaml:7:5", strings.Join(got, "\n"))
	}
}

// TestKustomizePluginTypes checks that pluginTypes knows every builtin
// plugin of kustomize.
func TestKustomizePluginTypes(t *testing.T) {
	for _, n := range krusty.GetBuiltinPluginNames() {
		if pluginTypes[n] == nil {
			t.Errorf("pluginTypes lacks %s", n)
		}
	}
}

// TestKustomizeRemoteInFieldOfAnotherCase checks that a remote file named
// by a field written in another case inside an entry is refused before
// kustomize runs: kustomize reads Path as path, and its file loader fetches
// an http(s) file before any load restriction applies.
func TestKustomizeRemoteInFieldOfAnotherCase(t *testing.T) {
	for _, tc := range []struct{ name, kust, want string }{
		{"patch", "resources:\n- vs.yaml\npatches:\n- Path: https://example.com/p.yaml\n", `k/kustomization.yaml:4:9: remote patch "https://example.com/p.yaml"`},
		{"replacement file", "resources:\n- vs.yaml\nreplacements:\n- PATH: https://example.com/r.yaml\n", `k/kustomization.yaml:4:9: remote replacement file "https://example.com/r.yaml"`},
		{"generator file", "resources:\n- vs.yaml\nconfigMapGenerator:\n- name: c\n  Files:\n  - https://example.com/x.txt\n", `k/kustomization.yaml:6:5: remote generator file "https://example.com/x.txt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := kWriteTree(t, map[string]string{"k/kustomization.yaml": tc.kust, "k/vs.yaml": kTestVS})
			kNoKustomize(t)
			res := Load([]string{"k"}, Options{Dir: dir})
			if len(res.Objects) > 0 {
				t.Errorf("%d objects from a refused build", len(res.Objects))
			}
			wantErrors(t, res, tc.want)
		})
	}
}
