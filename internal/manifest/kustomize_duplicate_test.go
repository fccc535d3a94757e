package manifest

import (
	"fmt"
	"path/filepath"
	"strings"
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
		cm          = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n  b: two\n"
		binary      = "\x00\x01\x02\xff\xfe"
		openapiYAML = "swagger: '2.0'\ninfo:\n  title: t\n  version: v1\npaths: {}\n"
	)
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
	}, {
		name: "in an inline replacement of a kustomization",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: cfg\n" +
				"    fieldPath: data.a\n    fieldPath: data.b\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n",
			"k/svc.yaml": svc + "  labels:\n    x: a\n",
			"k/cm.yaml":  cm,
		},
		want: []string{dup("k/kustomization.yaml:9:5", "fieldPath", 8, kust)},
	}, {
		name: "in a replacement file",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nreplacements:\n- path: r.yaml\n",
			"k/svc.yaml":           svc + "  labels:\n    x: a\n",
			"k/cm.yaml":            cm,
			"k/r.yaml":             "source:\n  kind: ConfigMap\n  name: cfg\n  fieldPath: data.a\n  fieldPath: data.b\ntargets:\n- select: {kind: Service}\n  fieldPaths: [metadata.labels.x]\n",
		},
		want: []string{dup("k/r.yaml:5:3", "fieldPath", 4, kust)},
	}, {
		name: "in a replacement file of a base, a list, and in a document kustomize does not read",
		files: map[string]string{
			"base/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nreplacements:\n- path: r.yaml\n",
			"base/svc.yaml":           svc + "  labels:\n    x: a\n    z: b\n",
			"base/cm.yaml":            cm,
			"base/r.yaml": "- source: {kind: ConfigMap, name: cfg, fieldPath: data.a}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n" +
				"- source: {kind: ConfigMap, name: cfg, fieldPath: data.b}\n  targets:\n  - select: {kind: Service}\n    select: {kind: Service, name: web}\n    fieldPaths: [metadata.labels.z]\n" +
				"---\nsource: {kind: ConfigMap, name: cfg, fieldPath: data.a, fieldPath: data.b}\n",
			"k/kustomization.yaml": "resources:\n- ../base\n",
		},
		want: []string{dup("base/r.yaml:8:5", "select", 7, kust)},
	}, {
		name: "in a transformer configuration",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nconfigurations:\n- c.yaml\n",
			"k/svc.yaml":           svc,
			"k/c.yaml":             "namePrefix:\n- path: metadata/name\n  path: metadata/generateName\n",
		},
		want: []string{dup("k/c.yaml:3:3", "path", 2, refusesConfig)},
	}, {
		name: "a transformer configuration that is not YAML",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nconfigurations:\n- c.bin\n",
			"k/svc.yaml":           svc,
			"k/c.bin":              binary,
		},
		want: []string{"k/c.bin: kustomize cannot read this transformer configuration (a configurations entry of " + "DIR/k/kustomization.yaml): error converting YAML to JSON: yaml: control characters are not allowed"},
	}, {
		name: "in a CRD file in YAML",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ncrds:\n- crd.yaml\n",
			"k/svc.yaml":           svc,
			"k/crd.yaml":           "example.com/v1.Bee:\n  Schema:\n    description: one\n    type: object\n    description: two\n",
		},
		want: []string{dup("k/crd.yaml:5:5", "description", 3, kust)},
	}, {
		name: "in a CRD file in JSON: above a schema, and in one",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ncrds:\n- crd.json\n",
			"k/svc.yaml":           svc,
			"k/crd.json": "{\"example.com/v1.Bee\": {\"Schema\": {\"type\": \"object\"},\n" +
				"  \"Dependencies\": [], \"Dependencies\": []},\n" +
				"\"example.com/v1.Wasp\": {\"Schema\": {\"type\": \"object\",\n  \"type\": \"object\"}}}\n",
		},
		want: []string{
			dup("k/crd.json:2:23", "Dependencies", 2, kust),
			dup("k/crd.json:4:3", "type", 3, refusesCRDJSON),
		},
	}, {
		name: "an empty CRD file",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ncrds:\n- crd.yaml\n",
			"k/svc.yaml":           svc,
			"k/crd.yaml":           "",
		},
		want: []string{`k/kustomization.yaml:4:3: CRD file "crd.yaml" is empty: kustomize crashes`},
	}, {
		name: "in an OpenAPI schema in YAML",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\nopenapi:\n  path: schema.yaml\n",
			"k/svc.yaml":           svc,
			"k/schema.yaml":        openapiYAML + "info:\n  title: again\n",
		},
		want: []string{dup("k/schema.yaml:6:1", "info", 2, kust)},
	}, {
		name: "in an OpenAPI schema in JSON, which kustomize cannot read",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\npatches:\n- path: p.yaml\nopenapi:\n  path: schema.json\n",
			"k/svc.yaml":           svc + "spec:\n  type: ClusterIP\n",
			"k/p.yaml":             svc + "spec:\n  type: NodePort\n",
			"k/schema.json":        `{"swagger": "2.0", "info": {"title": "t", "version": "v1"},` + "\n" + `"paths": {}, "definitions": {}, "paths": {}}`,
		},
		want: []string{dup("k/schema.json:2:33", "paths", 2, refusesOpenAPI)},
	}, {
		name: "an OpenAPI schema that is not YAML",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\npatches:\n- path: p.yaml\nopenapi:\n  path: schema.bin\n",
			"k/svc.yaml":           svc + "spec:\n  type: ClusterIP\n",
			"k/p.yaml":             svc + "spec:\n  type: NodePort\n",
			"k/schema.bin":         binary,
		},
		want: []string{"k/schema.bin: kustomize cannot read this OpenAPI schema (the openapi path of DIR/k/kustomization.yaml), and crashes as soon as the build needs a schema: yaml: control characters are not allowed"},
	}, {
		name: "files outside the kustomization or remote: refused, not read",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\ncrds:\n- ../out/crd.yaml\nconfigurations:\n- https://example.com/c.yaml\nopenapi:\n  path: ../out/schema.yaml\n",
			"k/svc.yaml":           svc,
			"out/crd.yaml":         "example.com/v1.Bee:\n  Schema: {}\n  Schema: {}\n",
			"out/schema.yaml":      binary,
		},
		want: []string{
			`k/kustomization.yaml:4:3: CRD file "../out/crd.yaml" is outside`,
			`k/kustomization.yaml:6:3: remote configuration`,
			`k/kustomization.yaml:8:9: OpenAPI schema "../out/schema.yaml" is outside`,
		},
	}, {
		name: "none in the files kustomize decodes itself",
		files: map[string]string{
			"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\npatches:\n- path: p.yaml\nreplacements:\n- path: r.yaml\n" +
				"configurations:\n- c.yaml\ncrds:\n- crd.yaml\n- crd.json\nopenapi:\n  path: schema.yaml\n",
			"k/svc.yaml": svc + "  labels:\n    x: a\n    z: b\n",
			"k/cm.yaml":  cm,
			"k/p.yaml":   svc + "spec:\n  type: NodePort\n",
			"k/r.yaml": "- source: {kind: ConfigMap, name: cfg, fieldPath: data.a}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n" +
				"- source: {kind: ConfigMap, name: cfg, fieldPath: data.b}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.z]\n",
			"k/c.yaml":      "namePrefix:\n- path: metadata/name\n- path: metadata/generateName\n",
			"k/crd.yaml":    "example.com/v1.Bee:\n  Schema:\n    description: one\n    type: object\n",
			"k/crd.json":    `{"example.com/v1.Wasp": {"Schema": {"type": "object"}, "Dependencies": []}}`,
			"k/schema.yaml": openapiYAML,
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			wantBuildErrors(t, tc.files, tc.want...)
		})
	}
}

// wantBuildErrors writes files into a new directory, loads its
// kustomization k and checks its errors: want, each below the directory
// (DIR in want names it).
func wantBuildErrors(t *testing.T, files map[string]string, want ...string) {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, files)
	r := loadTimed(t, []string{filepath.Join(dir, "k")}, Options{Dir: dir})
	var full []string
	for _, w := range want {
		full = append(full, filepath.Join(dir, strings.ReplaceAll(w, "DIR", dir)))
	}
	wantErrors(t, r, full...)
}

// TestKustomizeReplacementFileLastCopy checks what the message about a key
// written twice in a replacement file says: kustomize uses the last copy.
func TestKustomizeReplacementFileLastCopy(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"k/kustomization.yaml": "resources:\n- svc.yaml\n- cm.yaml\nreplacements:\n- path: r.yaml\n",
		"k/svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    x: a\n",
		"k/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n  b: two\n",
		"k/r.yaml":             "source:\n  kind: ConfigMap\n  name: cfg\n  fieldPath: data.a\n  fieldPath: data.b\ntargets:\n- select: {kind: Service}\n  fieldPaths: [metadata.labels.x]\n",
	})
	r := loadTimed(t, []string{filepath.Join(dir, "k")}, Options{Dir: dir})
	for _, o := range r.Objects {
		if fmt.Sprint(o.Kind) != "Service" {
			continue
		}
		_, v := entry(o.Node, "metadata")
		_, v = entry(v, "labels")
		if _, x := entry(v, "x"); x == nil || x.Value != "two" {
			t.Errorf("label x = %v, want two, the value of the last fieldPath", x)
		}
		return
	}
	t.Fatalf("no Service built; errors: %v", errorsOf(r))
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
