package manifest

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func kustomizeFixtures(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// kNodeAt walks an object's node by keys and list indexes ("0").
func kNodeAt(t *testing.T, o *Object, path ...string) (key, value *yaml.Node) {
	t.Helper()
	value = o.Node
	for _, p := range path {
		var next *yaml.Node
		switch value.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(value.Content); i += 2 {
				if value.Content[i].Value == p {
					key, next = value.Content[i], value.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscan(p, &i); err == nil && i < len(value.Content) {
				key, next = nil, value.Content[i]
			}
		}
		if next == nil {
			t.Fatalf("%s: no %s in %v", o.Ref(), p, path)
		}
		value = next
	}
	return key, value
}

func kFind(t *testing.T, res *Result, kind, name string) *Object {
	t.Helper()
	for _, o := range res.Objects {
		if string(o.Kind) == kind && o.Name == name {
			return o
		}
	}
	t.Fatalf("no %s %s among %d objects", kind, name, len(res.Objects))
	return nil
}

func kPosString(o *Object, n *yaml.Node) string { return o.Pos(LocOf(n)).String() }

// nodePos is where the node at path of an object (its key, with key) must
// be: file:line:col, slash-separated.
type nodePos struct {
	path []string
	key  bool
	want string
}

// checkNodePositions checks the positions of o's nodes.
func checkNodePositions(t *testing.T, o *Object, cases []nodePos) {
	t.Helper()
	for _, tc := range cases {
		k, v := kNodeAt(t, o, tc.path...)
		n := v
		if tc.key {
			n = k
		}
		if got := kPosString(o, n); got != filepath.FromSlash(tc.want) {
			t.Errorf("%s (key %v) at %s, want %s", strings.Join(tc.path, "."), tc.key, got, tc.want)
		}
	}
}

// kCheckPositions fails for a node without a line, and for two nodes of an
// object at the same line:col in different files.
func kCheckPositions(t *testing.T, o *Object) {
	t.Helper()
	files := map[Loc]string{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Line <= 0 || n.Column <= 0 {
			t.Errorf("%s: node %q has no position", o.Ref(), n.Value)
		}
		p := o.Pos(LocOf(n))
		at := Loc{Line: p.Line, Col: p.Col}
		if f, ok := files[at]; ok && f != p.File {
			t.Errorf("%s: %d:%d is in %s and %s", o.Ref(), at.Line, at.Col, f, p.File)
		}
		files[at] = p.File
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(o.Node)
}

func TestKustomizeOverlay(t *testing.T) {
	res := Load([]string{"overlays/prod"}, Options{Dir: kustomizeFixtures(t)})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if len(res.Objects) != 7 {
		t.Errorf("%d objects, want 7", len(res.Objects))
	}
	for _, o := range res.Objects {
		kCheckPositions(t, o)
		for k := range o.Annotations {
			if kustomizeAnnotation(k) {
				t.Errorf("%s keeps kustomize's annotation %s", o.Ref(), k)
			}
		}
	}

	vs := kFind(t, res, "VirtualService", "reviews")
	if vs.File != "base/routing.yaml" || vs.Doc != 1 {
		t.Errorf("VirtualService read from %s document %d, want base/routing.yaml document 1", vs.File, vs.Doc)
	}
	if vs.Namespace != "shop" || !vs.NamespaceSet {
		t.Errorf("namespace %q (set %v), want shop from the base's kustomization", vs.Namespace, vs.NamespaceSet)
	}
	if got := vs.Pos(vs.KindLoc).String(); got != "base/routing.yaml:15:7" {
		t.Errorf("kind at %s, want base/routing.yaml:15:7", got)
	}
	if vs.Annotations != nil {
		t.Errorf("annotations %v, want none", vs.Annotations)
	}
	patch := filepath.Join("overlays", "prod", "canary-weights.yaml")
	checkNodePositions(t, vs, []nodePos{
		// The patch replaced the route list: its weights are where the
		// patch writes them.
		{[]string{"spec", "http", "0", "route", "0", "weight"}, false, patch + ":10:15"},
		{[]string{"spec", "http", "0", "route", "1", "weight"}, false, patch + ":12:15"},
		{[]string{"spec", "http", "0", "route", "1", "weight"}, true, patch + ":12:7"},
		// Fields the base has and the patch leaves alone stay in the base.
		{[]string{"spec", "hosts"}, false, "base/routing.yaml:19:10"},
		{[]string{"spec", "http"}, true, "base/routing.yaml:20:3"},
		{[]string{"metadata", "name"}, false, "base/routing.yaml:17:9"},
		// The namespace comes from the base's kustomization.
		{[]string{"metadata", "namespace"}, false, "base/kustomization.yaml:3:12"},
	})
	// Comments come from the source: the base's head comment is on kind's
	// document, not duplicated.
	if k, _ := kNodeAt(t, vs, "apiVersion"); !strings.Contains(k.HeadComment, "canary sends 10%") {
		t.Errorf("head comment %q, want the base's", k.HeadComment)
	}

	dep := kFind(t, res, "Deployment", "reviews-v2")
	if got := dep.Pos(dep.NameLoc).String(); got != "base/deployment.yaml:23:9" {
		t.Errorf("reviews-v2 name at %s, want base/deployment.yaml:23:9", got)
	}
	if _, v := kNodeAt(t, dep, "spec", "template", "spec", "containers", "0", "image"); kPosString(dep, v) != "base/deployment.yaml:35:16" {
		t.Errorf("image at %s", kPosString(dep, v))
	}
}

func TestKustomizeWalk(t *testing.T) {
	// Walking the tree builds the overlay; the base it uses is built only
	// as part of it, and the YAML files of both are not read as manifests.
	res := Load([]string{"."}, Options{Dir: kustomizeFixtures(t)})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if len(res.Objects) != 7 {
		t.Errorf("%d objects, want 7 (the overlay's)", len(res.Objects))
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "base: kustomize base of overlays/prod") {
		t.Errorf("skipped %q", res.Skipped)
	}
	// Naming a file of a kustomization builds the kustomization once.
	res = Load([]string{"overlays/prod/canary-weights.yaml", "overlays/prod/kustomization.yaml"}, Options{Dir: kustomizeFixtures(t)})
	if len(res.Errors) > 0 || len(res.Objects) != 7 || len(res.Skipped) > 0 {
		t.Errorf("overlays/prod files: %d objects, errors %v, skipped %v", len(res.Objects), res.Errors, res.Skipped)
	}
	res = Load([]string{"base/kustomization.yaml"}, Options{Dir: kustomizeFixtures(t)})
	if len(res.Errors) > 0 || len(res.Objects) != 7 {
		t.Errorf("base/kustomization.yaml: %d objects, errors %v", len(res.Objects), res.Errors)
	}
	for _, o := range res.Objects {
		if !strings.HasPrefix(o.File, "base/") || o.Namespace != "shop" {
			t.Errorf("%s in %s", o.Ref(), o.File)
		}
	}
}

// kWriteTree writes files (path → content) below a new directory.
func kWriteTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const kTestVS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`

// kNoKustomize fails the test if kustomize runs.
func kNoKustomize(t *testing.T) {
	t.Helper()
	saved := runKustomize
	runKustomize = func(filesys.FileSystem, string) (resmap.ResMap, error) {
		t.Error("kustomize ran for a refused build")
		return nil, fmt.Errorf("refused")
	}
	t.Cleanup(func() { runKustomize = saved })
}

func TestKustomizeRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		file  string // the file the error names, relative to the unit
		line  int32
		want  string
	}{
		{"remote https base", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\n- https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v3.3.1\n",
		}, "k/kustomization.yaml", 3, `remote resource "https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v3.3.1" is not supported: meshlint builds kustomizations offline`},
		{"github.com base", map[string]string{
			"k/kustomization.yaml": "bases:\n- github.com/org/repo//deploy\n",
		}, "k/kustomization.yaml", 2, `remote base "github.com/org/repo//deploy"`},
		{"git@ base", map[string]string{
			"k/kustomization.yaml": "resources:\n- git@github.com:org/repo.git/deploy\n",
		}, "k/kustomization.yaml", 2, `remote resource "git@github.com:org/repo.git/deploy"`},
		{"ref query", map[string]string{
			"k/kustomization.yaml": "components:\n- example.com/org/repo/c?ref=v1\n",
		}, "k/kustomization.yaml", 2, `remote component`},
		{"remote base of a base", map[string]string{
			"k/kustomization.yaml":    "resources:\n- ../base\n",
			"base/kustomization.yaml": "resources:\n- vs.yaml\n- https://example.com/all.yaml\n",
		}, "base/kustomization.yaml", 3, `remote resource "https://example.com/all.yaml"`},
		{"remote patch", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\npatches:\n- path: https://example.com/p.yaml\n",
		}, "k/kustomization.yaml", 4, `remote patch`},
		{"exec function", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\ntransformers:\n- fn.yaml\n",
			"k/fn.yaml":            "apiVersion: example.com/v1\nkind: SetWeights\nmetadata:\n  name: w\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./set-weights\n",
		}, "k/fn.yaml", 6, `SetWeights w runs an exec function (config.kubernetes.io/function): meshlint refuses exec and container plugins`},
		{"container function inline", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\ngenerators:\n- |-\n  apiVersion: example.com/v1\n  kind: Gen\n  metadata:\n    name: g\n    annotations:\n      config.kubernetes.io/function: |\n        container:\n          image: example.com/gen:1\n",
		}, "k/kustomization.yaml", 4, `runs a container function`},
		{"exec plugin", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\ntransformers:\n- plugin.yaml\n",
			"k/plugin.yaml":        "apiVersion: someteam.example.com/v1\nkind: ChartInflator\nmetadata:\n  name: x\n",
		}, "k/plugin.yaml", 2, `plugin "ChartInflator" is not a kustomize builtin`},
		{"helm charts", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\nhelmCharts:\n- name: istiod\n  repo: https://istio-release.storage.googleapis.com/charts\n",
		}, "k/kustomization.yaml", 3, `helm chart inflation (helmCharts) is not supported: it runs helm`},
		{"helm generator", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\ngenerators:\n- helm.yaml\n",
			"k/helm.yaml":          "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: h\nchartName: x\n",
		}, "k/helm.yaml", 2, `helm chart inflation (HelmChartInflationGenerator)`},
		{"patch outside the root", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\npatches:\n- path: ../weights.yaml\n",
			"weights.yaml":         "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n",
		}, "k/kustomization.yaml", 4, `patch "../weights.yaml" is outside the kustomization's directory k: meshlint builds with kustomize's root-only load restrictions`},
		// Kustomize reads keys in any case (encoding/json): Resources is
		// resources, and its remote entry would be fetched.
		{"remote resource under a key in another case", map[string]string{
			"k/kustomization.yaml": "Resources:\n- vs.yaml\n- https://example.com/all.yaml\n",
		}, "k/kustomization.yaml", 3, `remote resource "https://example.com/all.yaml"`},
		{"remote base of a base in another case", map[string]string{
			"k/kustomization.yaml":    "BASES:\n- ../base\n",
			"base/kustomization.yaml": "resources:\n- vs.yaml\n- https://example.com/all.yaml\n",
		}, "base/kustomization.yaml", 3, `remote resource "https://example.com/all.yaml"`},
		{"helm charts in another case", map[string]string{
			"k/kustomization.yaml": "resources:\n- vs.yaml\nHelmCharts:\n- name: istiod\n",
		}, "k/kustomization.yaml", 3, `helm chart inflation (HelmCharts) is not supported`},
		{"resource file outside the root", map[string]string{
			"k/kustomization.yaml": "resources:\n- ../vs.yaml\n",
			"vs.yaml":              kTestVS,
		}, "k/kustomization.yaml", 2, `resource "../vs.yaml" is outside the kustomization's directory k`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["k/vs.yaml"] = kTestVS
			tc.files["base/vs.yaml"] = kTestVS
			dir := kWriteTree(t, tc.files)
			kNoKustomize(t)
			res := Load([]string{"k"}, Options{Dir: dir})
			if len(res.Objects) > 0 {
				t.Errorf("%d objects from a refused build", len(res.Objects))
			}
			if len(res.Errors) == 0 {
				t.Fatal("no error")
			}
			e := res.Errors[0]
			if e.File != filepath.FromSlash(tc.file) || e.Line != tc.line || !strings.Contains(e.Error(), tc.want) {
				t.Errorf("got %v\nwant %s:%d: …%s…", res.Errors, tc.file, tc.line, tc.want)
			}
		})
	}
}

func TestKustomizeSymlinkOutsideRoot(t *testing.T) {
	// A link that leaves the directory passes the lexical check; kustomize's
	// root-only restriction refuses it, and the message says so plainly.
	dir := kWriteTree(t, map[string]string{
		"k/kustomization.yaml": "resources:\n- vs.yaml\n",
		"outside.yaml":         kTestVS,
	})
	if err := os.Symlink(filepath.Join(dir, "outside.yaml"), filepath.Join(dir, "k", "vs.yaml")); err != nil {
		t.Skip(err)
	}
	res := Load([]string{"k"}, Options{Dir: dir})
	if len(res.Errors) != 1 {
		t.Fatalf("errors %v, want 1", res.Errors)
	}
	e := res.Errors[0].Error()
	if !strings.HasPrefix(e, filepath.Join("k", "kustomization.yaml")+": ") || !strings.Contains(e, "k/vs.yaml (a link to outside.yaml) is outside the kustomization's directory k") || strings.Contains(e, dir) {
		t.Errorf("error %q", e)
	}
}

func TestKustomizePatchKinds(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n",
		"base/vs.yaml":            kTestVS,
		"k/kustomization.yaml": `resources:
- ../base
namePrefix: prod-
namespace: shop
patches:
- target:
    kind: VirtualService
    name: reviews
  patch: |-
    - op: replace
      path: /spec/http/0/route/1/weight
      value: 20
- path: gateways.yaml
`,
		// The patch's gateways key sits at 6:3 like the base's hosts key:
		// a line:col names one file, so the base's key takes its value's.
		"k/gateways.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  gateways: [mesh, shop/gw]
`,
	})
	res := kLoad(t, dir)
	vs := kFind(t, res, "VirtualService", "prod-reviews")
	kCheckPositions(t, vs)
	kust := filepath.Join("k", "kustomization.yaml")
	gw := filepath.Join("k", "gateways.yaml")
	checkNodePositions(t, vs, []nodePos{
		{[]string{"spec", "http", "0", "route", "1", "weight"}, false, kust + ":12:14"},
		{[]string{"spec", "http", "0", "route", "1", "weight"}, true, kust + ":11:13"},
		{[]string{"spec", "http", "0", "route", "0", "weight"}, false, "base/vs.yaml:10:15"},
		{[]string{"metadata", "name"}, false, "base/vs.yaml:4:9"},
		{[]string{"metadata", "namespace"}, false, kust + ":4:12"},
		{[]string{"spec", "hosts"}, true, "base/vs.yaml:6:10"},
		{[]string{"spec", "gateways"}, true, gw + ":6:3"},
		{[]string{"spec", "gateways"}, false, gw + ":6:13"},
		{[]string{"spec", "gateways", "1"}, false, gw + ":6:20"},
	})
}

func TestKustomizeTransformers(t *testing.T) {
	base := map[string]string{}
	for _, f := range []string{"deployment.yaml", "service.yaml", "routing.yaml", "networkpolicy.yaml", "kustomization.yaml"} {
		b, err := os.ReadFile(filepath.Join(kustomizeFixtures(t), "base", f))
		if err != nil {
			t.Fatal(err)
		}
		base["base/"+f] = string(b)
	}
	base["ov/kustomization.yaml"] = `resources:
- ../base
- list.yaml
namePrefix: prod-
nameSuffix: -x
labels:
- pairs: {env: prod}
images:
- name: example.com/reviews
  newTag: "3.0"
replicas:
- name: reviews-v1
  count: 5
configMapGenerator:
- name: cfg
  literals: [a=b]
patches:
- path: dep.yaml
`
	base["ov/list.yaml"] = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: ratings
  spec:
    selector: {app: ratings}
    ports:
    - {name: http, port: 9080}
`
	base["ov/dep.yaml"] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v2
spec:
  template:
    spec:
      containers:
      - name: reviews
        env:
        - {name: X, value: "1"}
`
	dir := kWriteTree(t, base)
	res := Load([]string{"ov"}, Options{Dir: dir})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if len(res.Objects) != 9 || len(res.Unmodelled) != 0 {
		t.Errorf("%d objects, unmodelled %v; want 9, the generated ConfigMap among them", len(res.Objects), res.Unmodelled)
	}
	for _, o := range res.Objects {
		kCheckPositions(t, o)
	}
	v1 := kFind(t, res, "Deployment", "prod-reviews-v1-x")
	v2 := kFind(t, res, "Deployment", "prod-reviews-v2-x")
	svc := kFind(t, res, "Service", "prod-ratings-x")
	for _, tc := range []struct {
		o    *Object
		path []string
		want string
	}{
		// A renamed object's name stays where it is written; a retagged
		// image and a rescaled count point at the entry that wrote them.
		{v1, []string{"metadata", "name"}, "base/deployment.yaml:4:9"},
		{v1, []string{"spec", "replicas"}, "ov/kustomization.yaml:13:10"},
		{v2, []string{"spec", "replicas"}, "base/deployment.yaml:26:13"},
		{v2, []string{"spec", "template", "spec", "containers", "0", "image"}, "ov/kustomization.yaml:10:11"},
		// A label a transformer added: the pair that writes it.
		{v1, []string{"metadata", "labels", "env"}, "ov/kustomization.yaml:7:16"},
		// The patch adds env to the container it names.
		{v2, []string{"spec", "template", "spec", "containers", "0", "env", "0", "value"}, "ov/dep.yaml:11:28"},
		// An item of a List.
		{svc, []string{"spec", "ports", "0", "port"}, "ov/list.yaml:11:26"},
	} {
		_, v := kNodeAt(t, tc.o, tc.path...)
		if got := kPosString(tc.o, v); got != filepath.FromSlash(tc.want) {
			t.Errorf("%s %s at %s, want %s", tc.o.Name, strings.Join(tc.path, "."), got, tc.want)
		}
	}
	if svc.File != filepath.FromSlash("ov/list.yaml") || svc.Doc != 0 {
		t.Errorf("service from %s document %d", svc.File, svc.Doc)
	}
}

func TestKustomizeBuildError(t *testing.T) {
	// Kustomize's own errors name the root kustomization, with paths
	// relative to the working directory.
	dir := kWriteTree(t, map[string]string{
		"k/kustomization.yaml": "resources:\n- vs.yaml\n- missing.yaml\n",
		"k/vs.yaml":            kTestVS,
	})
	res := Load([]string{"k"}, Options{Dir: dir})
	if len(res.Errors) != 1 || len(res.Objects) > 0 {
		t.Fatalf("errors %v, %d objects", res.Errors, len(res.Objects))
	}
	e := res.Errors[0].Error()
	if !strings.HasPrefix(e, filepath.Join("k", "kustomization.yaml")+": kustomize build failed: ") ||
		!strings.Contains(e, filepath.Join("k", "missing.yaml")) || strings.Contains(e, dir) {
		t.Errorf("error %q", e)
	}
}

func TestKustomizeEmpty(t *testing.T) {
	dir := kWriteTree(t, map[string]string{"k/kustomization.yaml": "# nothing yet\n"})
	res := Load([]string{"k"}, Options{Dir: dir})
	if len(res.Errors) != 1 || res.Errors[0].File != filepath.Join("k", "kustomization.yaml") {
		t.Errorf("errors %v", res.Errors)
	}
}

// TestKustomizeJSONPatchOrder checks that every operation of a JSON 6902
// patch is searched: an add to the end of a list ("/-"), applied after a
// replace, matches any index and must not hide the replace that wrote the
// built value.
func TestKustomizeJSONPatchOrder(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n",
		"base/vs.yaml":            kTestVS,
		"k/kustomization.yaml": `resources:
- ../base
patches:
- target: {kind: VirtualService}
  path: ops.yaml
`,
		"k/ops.yaml": `- op: replace
  path: /spec/http/0/route/0/weight
  value: 80
- op: add
  path: /spec/http/0/route/-
  value:
    destination: {host: reviews, subset: v3}
    weight: 10
`,
	})
	res := kLoad(t, dir)
	vs := kFind(t, res, "VirtualService", "reviews")
	kCheckPositions(t, vs)
	ops := filepath.Join("k", "ops.yaml")
	checkNodePositions(t, vs, []nodePos{
		{path: []string{"spec", "http", "0", "route", "0", "weight"}, want: ops + ":3:10"},
		{path: []string{"spec", "http", "0", "route", "1", "weight"}, want: "base/vs.yaml:12:15"},
		{path: []string{"spec", "http", "0", "route", "2", "weight"}, want: ops + ":8:13"},
		{path: []string{"spec", "http", "0", "route", "2", "destination", "subset"}, want: ops + ":7:42"},
	})
}

// TestKustomizeNamespaces checks where the namespaces that kustomizations
// set point: at the namespace field of the kustomization whose value the
// object has (two bases may set two), and, for a Namespace object that the
// transformer renames, its name too.
func TestKustomizeNamespaces(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"a/kustomization.yaml": "namespace: shop\nresources:\n- vs.yaml\n- ns.yaml\n",
		"a/vs.yaml":            kTestVS,
		"a/ns.yaml":            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: old\n",
		"b/kustomization.yaml": "resources:\n- gw.yaml\nnamespace: ingress\n",
		"b/gw.yaml":            "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  selector: {istio: ingressgateway}\n",
		"k/kustomization.yaml": "resources:\n- ../a\n- ../b\n",
	})
	res := kLoad(t, dir)
	for _, tc := range []struct {
		kind, name string
		path       []string
		want       string
	}{
		{"VirtualService", "reviews", []string{"metadata", "namespace"}, "a/kustomization.yaml:1:12"},
		{"Gateway", "gw", []string{"metadata", "namespace"}, "b/kustomization.yaml:3:12"},
		{"Namespace", "shop", []string{"metadata", "name"}, "a/kustomization.yaml:1:12"},
	} {
		o := kFind(t, res, tc.kind, tc.name)
		kCheckPositions(t, o)
		_, v := kNodeAt(t, o, tc.path...)
		if got := kPosString(o, v); got != filepath.FromSlash(tc.want) {
			t.Errorf("%s %s at %s, want %s", tc.kind, strings.Join(tc.path, "."), got, tc.want)
		}
	}
	if ns := kFind(t, res, "Namespace", "shop"); ns.Pos(ns.NameLoc).String() != filepath.FromSlash("a/kustomization.yaml:1:12") {
		t.Errorf("Namespace name at %s", ns.Pos(ns.NameLoc))
	}
}

// TestKustomizeAddedPairs checks that labels and annotations added by
// commonLabels, labels and commonAnnotations point at the entry that
// writes them, keys included, so that a rule may rename an annotation's
// key there; but that an annotation's key that another file writes too
// (the origin, another kustomization, an entry read through an alias)
// stays at the object's kind, where rules offer no fix: renaming one of
// the keys would leave the other.
func TestKustomizeAddedPairs(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "commonLabels:\n  team: shop\nresources:\n- svc.yaml\ncommonAnnotations: {shared: base}\n",
		"base/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n  labels: {app: reviews, version: v1}\n" +
			"  annotations: {note: old}\nspec:\n  selector: {app: reviews}\n",
		"k/kustomization.yaml": `resources:
- ../base
labels:
- pairs:
    version: v2
    tier: web
  includeSelectors: true
commonAnnotations:
  owner: team-a
  note: new
  shared: root
  <<: {merged: "yes"}
`,
	})
	res := kLoad(t, dir)
	svc := kFind(t, res, "Service", "reviews")
	kCheckPositions(t, svc)
	kust := filepath.Join("k", "kustomization.yaml")
	checkNodePositions(t, svc, []nodePos{
		{[]string{"metadata", "labels", "version"}, false, kust + ":5:14"}, // replaced
		{[]string{"metadata", "labels", "version"}, true, kust + ":5:5"},
		{[]string{"metadata", "labels", "tier"}, false, kust + ":6:11"}, // added
		{[]string{"metadata", "labels", "team"}, false, "base/kustomization.yaml:2:9"},
		{[]string{"metadata", "labels", "app"}, false, "base/svc.yaml:5:17"},
		{[]string{"spec", "selector", "tier"}, false, kust + ":6:11"},
		{[]string{"spec", "selector", "app"}, false, "base/svc.yaml:8:19"},
		{[]string{"metadata", "annotations", "owner"}, false, kust + ":9:10"},
		{[]string{"metadata", "annotations", "owner"}, true, kust + ":9:3"},
		// The origin writes the key with another value.
		{[]string{"metadata", "annotations", "note"}, false, kust + ":10:9"},
		{[]string{"metadata", "annotations", "note"}, true, "base/svc.yaml:2:7"},
		// Two kustomizations write the key.
		{[]string{"metadata", "annotations", "shared"}, false, kust + ":11:11"},
		{[]string{"metadata", "annotations", "shared"}, true, "base/svc.yaml:2:7"},
		// Read through a merge key.
		{[]string{"metadata", "annotations", "merged"}, false, kust + ":12:16"},
		{[]string{"metadata", "annotations", "merged"}, true, "base/svc.yaml:2:7"},
	})
}

// TestKustomizeGenerators checks that the keys of a generated ConfigMap
// point at the literal or file entry that wrote them, in the kustomization
// of the generator or of an overlay that merges into it, and that a value
// whose text is not the file's keeps no block style: a rule must not map
// a line inside it to a line of the kustomization.
func TestKustomizeGenerators(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": `configMapGenerator:
- name: opts
  literals:
  - plain=one
  - "quoted='two'"
  - |-
    block=spec:
      replicas: 2
  files:
  - deployment=deploy.yaml
  - service.yaml
`,
		"base/deploy.yaml":  "spec:\n  replicas: 3\n",
		"base/service.yaml": "spec:\n  type: NodePort\n",
		"k/kustomization.yaml": `resources:
- ../base
configMapGenerator:
- name: opts
  behavior: merge
  literals:
  - extra=three
`,
	})
	res := kLoad(t, dir)
	var cm *Object
	for _, o := range res.Objects {
		if o.Kind == "ConfigMap" {
			cm = o
		}
	}
	if cm == nil {
		t.Fatal("no ConfigMap")
	}
	kCheckPositions(t, cm)
	base := filepath.Join("base", "kustomization.yaml")
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"metadata", "name"}, base + ":2:9"},
		{[]string{"data", "plain"}, base + ":4:11"},
		{[]string{"data", "quoted"}, base + ":5:14"},
		{[]string{"data", "block"}, base + ":6:5"},
		{[]string{"data", "deployment"}, base + ":10:5"},
		{[]string{"data", "service.yaml"}, base + ":11:5"},
		{[]string{"data", "extra"}, filepath.Join("k", "kustomization.yaml") + ":7:11"},
	} {
		_, v := kNodeAt(t, cm, tc.path...)
		if got := kPosString(cm, v); got != tc.want {
			t.Errorf("%s at %s, want %s", strings.Join(tc.path, "."), got, tc.want)
		}
		if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			t.Errorf("%s keeps a block style", strings.Join(tc.path, "."))
		}
	}
}

// TestKustomizeInlineOneLine checks a patch written inline on one line: a
// string written as its value is keeps its columns, and one with escapes
// points at the string.
func TestKustomizeInlineOneLine(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n",
		"base/vs.yaml":            kTestVS,
		"k/kustomization.yaml": `resources:
- ../base
patches:
- target: {kind: VirtualService}
  patch: '[{"op": "replace", "path": "/spec/http/0/route/0/weight", "value": 95}]'
- target: {kind: VirtualService}
  patch: "[{\"op\": \"replace\", \"path\": \"/spec/http/0/route/1/weight\", \"value\": 15}]"
`,
	})
	res := kLoad(t, dir)
	vs := kFind(t, res, "VirtualService", "reviews")
	kCheckPositions(t, vs)
	kust := filepath.Join("k", "kustomization.yaml")
	checkNodePositions(t, vs, []nodePos{
		{path: []string{"spec", "http", "0", "route", "0", "weight"}, want: kust + ":5:78"},
		{path: []string{"spec", "http", "0", "route", "1", "weight"}, want: kust + ":7:10"},
	})
}

// TestKustomizeRewrites checks that a value that images, replicas or
// replacements rewrote points at the entry that wrote it (the image's
// digest, else newTag, else newName; the count; the replacement's
// sourceValue or source fieldPath), and that one they left as the origin
// has it stays in the origin.
func TestKustomizeRewrites(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n- dep.yaml\n",
		"base/vs.yaml":            kTestVS,
		"base/dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews
spec:
  replicas: 2
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews}}
    spec:
      containers:
      - name: app
        image: example.com/reviews:1.0
        env:
        - {name: HOST, value: old}
      - name: proxy
        image: example.com/proxy:1.0
      - name: tools
        image: example.com/tools:1.0
      - name: other
        image: example.com/other
`,
		"k/kustomization.yaml": `resources:
- ../base
namePrefix: p-
replicas:
- name: reviews
  count: 2
images:
- name: example.com/reviews
  newName: registry.example.com/reviews
- name: example.com/proxy
  newTag: "1.1"
  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
- name: example.com/tools
  tagSuffix: -debug
- name: example.com/unused
  newTag: "9"
replacements:
- sourceValue: 5s
  targets:
  - select: {kind: VirtualService, name: reviews}
    fieldPaths: [spec.http.0.timeout]
    options: {create: true}
- path: repl.yaml
`,
		"k/repl.yaml": `source:
  kind: VirtualService
  name: reviews
  fieldPath: spec.hosts.0
targets:
- select: {kind: Deployment}
  fieldPaths:
  - spec.template.spec.containers.[name=app].env.[name=HOST].value
`,
	})
	res := kLoad(t, dir)
	dep := kFind(t, res, "Deployment", "p-reviews")
	vs := kFind(t, res, "VirtualService", "p-reviews")
	kCheckPositions(t, dep)
	kCheckPositions(t, vs)
	kust, repl := filepath.Join("k", "kustomization.yaml"), filepath.Join("k", "repl.yaml")
	c := func(i string, f ...string) []string {
		return append([]string{"spec", "template", "spec", "containers", i}, f...)
	}
	checkNodePositions(t, dep, []nodePos{
		// The count the base has already: the entry writes it all the
		// same, and editing the base would change nothing.
		{[]string{"spec", "replicas"}, false, kust + ":6:10"},
		{c("0", "image"), false, kust + ":9:12"},
		{c("0", "image"), true, "base/dep.yaml:13:9"},
		{c("1", "image"), false, kust + ":12:11"},
		{c("2", "image"), false, kust + ":14:14"},
		// No entry names it.
		{c("3", "image"), false, "base/dep.yaml:21:16"},
		{c("0", "env", "0", "value"), false, repl + ":4:14"},
		{c("0", "env", "0", "name"), false, "base/dep.yaml:15:18"},
	})
	checkNodePositions(t, vs, []nodePos{
		{[]string{"spec", "http", "0", "timeout"}, false, kust + ":18:16"},
		{[]string{"spec", "http", "0", "route", "0", "weight"}, false, "base/vs.yaml:10:15"},
	})
}

// TestKustomizeJSONPatchCopyMove checks that a value that a JSON 6902 copy
// or move put at a path points at its source in the base (or in the patch
// that wrote the source), the key the op's path names at the op's path,
// and that an operation that sets the path after the copy wins.
func TestKustomizeJSONPatchCopyMove(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n",
		"base/vs.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  annotations: {default-timeout: 10s, canary: v3}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`,
		"k/kustomization.yaml": `resources:
- ../base
patches:
- target: {kind: VirtualService}
  path: ops.yaml
`,
		"k/ops.yaml": `- op: add
  path: /spec/http/0/retries
  value: {attempts: 3}
- op: copy
  from: /metadata/annotations/default-timeout
  path: /spec/http/0/timeout
- op: move
  from: /metadata/annotations/canary
  path: /spec/http/0/route/1/destination/subset
- op: copy
  from: /spec/http/0/route/0
  path: /spec/http/0/route/-
- op: replace
  path: /spec/http/0/route/2/weight
  value: 5
- op: copy
  from: /spec/http/0/retries
  path: /spec/http/0/mirrorRetries
`,
	})
	res := kLoad(t, dir)
	vs := kFind(t, res, "VirtualService", "reviews")
	kCheckPositions(t, vs)
	ops := filepath.Join("k", "ops.yaml")
	h := func(f ...string) []string { return append([]string{"spec", "http", "0"}, f...) }
	checkNodePositions(t, vs, []nodePos{
		{h("timeout"), false, "base/vs.yaml:5:34"},
		{h("timeout"), true, ops + ":6:9"},
		{h("route", "1", "destination", "subset"), false, "base/vs.yaml:5:47"},
		// Copied whole, then its weight replaced.
		{h("route", "2", "destination", "subset"), false, "base/vs.yaml:10:44"},
		{h("route", "2", "weight"), false, ops + ":15:10"},
		{h("route", "2"), false, "base/vs.yaml:10:7"},
		// A copy of what a patch added.
		{h("mirrorRetries", "attempts"), false, ops + ":3:21"},
		{h("route", "0", "weight"), false, "base/vs.yaml:11:15"},
	})
}

// kLoad loads the kustomization k of dir, failing on any input error.
func kLoad(t *testing.T, dir string) *Result {
	t.Helper()
	res := Load([]string{"k"}, Options{Dir: dir})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	return res
}

// TestKustomizeRewritesSameValue checks that a value a replicas or images
// entry writes points at the entry even when the base had that value
// already (editing the base would change nothing), in every container the
// entry names, init containers too; and that it does not for the kinds and
// fields kustomize leaves alone: spec.replicas of a Rollout, an image field
// outside a list of containers.
func TestKustomizeRewritesSameValue(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- dep.yaml\n",
		"base/dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - name: init
        image: example.com/app:2.0
      containers:
      - name: a
        image: example.com/app:1.0
      - name: b
        image: example.com/app:2.0
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 3
  image: example.com/app:2.0
`,
		"k/kustomization.yaml": `resources:
- ../base
replicas:
- name: web
  count: 3
images:
- name: example.com/app
  newTag: "2.0"
`,
	})
	res := kLoad(t, dir)
	dep, ro := kFind(t, res, "Deployment", "web"), kFind(t, res, "Rollout", "web")
	kCheckPositions(t, dep)
	kust := filepath.Join("k", "kustomization.yaml")
	checkNodePositions(t, dep, []nodePos{
		{[]string{"spec", "replicas"}, false, kust + ":5:10"},
		{[]string{"spec", "template", "spec", "initContainers", "0", "image"}, false, kust + ":8:11"},
		{[]string{"spec", "template", "spec", "containers", "0", "image"}, false, kust + ":8:11"},
		{[]string{"spec", "template", "spec", "containers", "1", "image"}, false, kust + ":8:11"},
	})
	checkNodePositions(t, ro, []nodePos{
		{[]string{"spec", "replicas"}, false, "base/dep.yaml:25:13"},
		{[]string{"spec", "image"}, false, "base/dep.yaml:26:10"},
	})
}

// TestKustomizeReplacementTargets checks that a replacement is credited
// with a value only at the field paths of the targets that select the
// object: here b's perTryTimeout comes from the first replacement, though
// the second writes that path of a and selects b for another path.
func TestKustomizeReplacementTargets(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n",
		"base/vs.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a]
  http:
  - timeout: 1s
    route:
    - destination: {host: a}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: b
spec:
  hosts: [b]
  http:
  - timeout: 2s
    route:
    - destination: {host: b}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  try: 3s
  t: 9s
`,
		"k/kustomization.yaml": `resources:
- ../base
replacements:
- source: {kind: ConfigMap, name: cfg, fieldPath: data.try}
  targets:
  - select: {kind: VirtualService, name: b}
    fieldPaths: [spec.http.0.retries.perTryTimeout]
    options: {create: true}
- source: {kind: ConfigMap, name: cfg, fieldPath: data.t}
  targets:
  - select: {kind: VirtualService, name: a}
    fieldPaths: [spec.http.0.timeout, spec.http.0.retries.perTryTimeout]
    options: {create: true}
  - select: {kind: VirtualService, name: b}
    fieldPaths: [spec.hosts.0]
`,
	})
	res := kLoad(t, dir)
	a, b := kFind(t, res, "VirtualService", "a"), kFind(t, res, "VirtualService", "b")
	kust := filepath.Join("k", "kustomization.yaml")
	checkNodePositions(t, a, []nodePos{
		{[]string{"spec", "http", "0", "retries", "perTryTimeout"}, false, kust + ":9:51"},
	})
	checkNodePositions(t, b, []nodePos{
		{[]string{"spec", "http", "0", "retries", "perTryTimeout"}, false, kust + ":4:51"},
		{[]string{"spec", "hosts", "0"}, false, kust + ":9:51"},
		{[]string{"spec", "http", "0", "timeout"}, false, "base/vs.yaml:19:14"},
	})
}

// TestKustomizeJSONPatchMoveShifts checks the items that a JSON 6902 move
// shifts along their list: a move out of a list moves the items after its
// source up, a move to an index the items from there down, and a value
// moved twice points at where the first move took it from.
func TestKustomizeJSONPatchMoveShifts(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\n",
		"base/vs.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a]
  http:
  - match: [{uri: {prefix: /one}}]
    timeout: 1s
    route:
    - destination: {host: one}
      weight: 10
    - destination: {host: two}
      weight: 20
    - destination: {host: three}
      weight: 70
  - match: [{uri: {prefix: /two}}]
    timeout: 2s
    route:
    - destination: {host: four}
`,
		"k/kustomization.yaml": `resources:
- ../base
patches:
- target: {kind: VirtualService}
  path: ops.yaml
`,
		"k/ops.yaml": `- op: move
  from: /spec/http/0/route/1
  path: /spec/http/1/route/-
- op: move
  from: /spec/http/1
  path: /spec/http/0
`,
	})
	res := kLoad(t, dir)
	vs := kFind(t, res, "VirtualService", "a")
	kCheckPositions(t, vs)
	h := func(f ...string) []string { return append([]string{"spec", "http"}, f...) }
	checkNodePositions(t, vs, []nodePos{
		{h("0", "match", "0", "uri", "prefix"), false, "base/vs.yaml:17:28"},
		{h("0", "timeout"), false, "base/vs.yaml:18:14"},
		{h("0", "route", "0", "destination", "host"), false, "base/vs.yaml:20:27"},
		{h("0", "route", "1", "destination", "host"), false, "base/vs.yaml:13:27"},
		{h("0", "route", "1", "weight"), false, "base/vs.yaml:14:15"},
		{h("1", "match", "0", "uri", "prefix"), false, "base/vs.yaml:8:28"},
		{h("1", "timeout"), false, "base/vs.yaml:9:14"},
		{h("1", "route", "0", "destination", "host"), false, "base/vs.yaml:11:27"},
		{h("1", "route", "0", "weight"), false, "base/vs.yaml:12:15"},
		{h("1", "route", "1", "destination", "host"), false, "base/vs.yaml:15:27"},
		{h("1", "route", "1", "weight"), false, "base/vs.yaml:16:15"},
	})
}

// kCaptureStderr runs f with os.Stderr and the standard logger pointing at
// a pipe, and returns what was written there: kustomize writes its
// warnings to os.Stderr itself, and logs others.
func kCaptureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	done := make(chan struct{})
	go func() {
		b, _ := io.ReadAll(r)
		out.Write(b)
		close(done)
	}()
	saved, savedLog, savedFlags := os.Stderr, log.Writer(), log.Flags()
	os.Stderr = w
	log.SetOutput(w)
	func() {
		defer func() {
			os.Stderr = saved
			log.SetOutput(savedLog)
			log.SetFlags(savedFlags)
		}()
		f()
	}()
	_ = w.Close()
	<-done
	_ = r.Close()
	return out.String()
}

// TestKustomizeDeprecatedFields checks that the fields kustomize says are
// deprecated are warned about at the field, in whichever kustomization of
// the build, written in any case, and that kustomize's own line, which
// names no file, and its log lines stay off stderr.
func TestKustomizeDeprecatedFields(t *testing.T) {
	dir := kWriteTree(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- vs.yaml\ncommonLabels:\n  team: shop\nimageTags:\n- name: x\n  newTag: v2\n",
		"base/vs.yaml":            kTestVS,
		"k/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
bases:
- ../base
patchesStrategicMerge:
- smp.yaml
patchesJson6902:
- target: {group: networking.istio.io, version: v1, kind: VirtualService, name: reviews}
  path: json.yaml
CommonLabels: {tier: web}
patches: []
vars:
- name: HOST
  objref: {apiVersion: networking.istio.io/v1, kind: VirtualService, name: reviews}
sortOptions:
  order: fifo
`,
		"k/smp.yaml":  "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  labels: {patched: smp}\n",
		"k/json.yaml": "- op: add\n  path: /metadata/annotations\n  value: {patched: json}\n",
	})
	var res *Result
	stderr := kCaptureStderr(t, func() { res = kLoad(t, dir) })
	if stderr != "" {
		t.Errorf("kustomize wrote to stderr:\n%s", stderr)
	}
	fix := "(kustomize edit fix rewrites it)"
	want := []string{
		"base/kustomization.yaml:3:1: kustomize: 'commonLabels' is deprecated; use 'labels' " + fix,
		"base/kustomization.yaml:5:1: kustomize: 'imageTags' is deprecated; use 'images' " + fix,
		// What kustomize logged comes out as a warning on the build,
		// before the lines of its file.
		"k/kustomization.yaml: kustomize: well-defined vars that were never replaced: HOST",
		"k/kustomization.yaml:3:1: kustomize: 'bases' is deprecated; use 'resources' " + fix,
		"k/kustomization.yaml:5:1: kustomize: 'patchesStrategicMerge' is deprecated; use 'patches' " + fix,
		"k/kustomization.yaml:7:1: kustomize: 'patchesJson6902' is deprecated; use 'patches' " + fix,
		"k/kustomization.yaml:10:1: kustomize: 'commonLabels' is deprecated; use 'labels' " + fix,
		"k/kustomization.yaml:12:1: kustomize: 'vars' is deprecated; use 'replacements' (kustomize edit fix can rewrite it, experimentally)",
	}
	var got []string
	for _, w := range res.Warnings {
		got = append(got, filepath.ToSlash(w.Error()))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The build went on as before.
	vs := kFind(t, res, "VirtualService", "reviews")
	if vs.Labels["patched"] != "smp" || vs.Labels["tier"] != "web" || vs.Labels["team"] != "shop" {
		t.Errorf("labels %v", vs.Labels)
	}
}

// TestKustomizeDeprecatedFieldsKnown checks deprecatedFields against
// kustomize's own list, so that an upgrade that deprecates another field
// is noticed: every field of a Kustomization set, CheckDeprecatedFields
// names each deprecated one.
func TestKustomizeDeprecatedFieldsKnown(t *testing.T) {
	var k types.Kustomization
	v := reflect.ValueOf(&k).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		}
	}
	got := map[string]string{}
	for _, msg := range *k.CheckDeprecatedFields() {
		m := kustomizeDeprecation.FindStringSubmatch(msg)
		if m == nil {
			t.Fatalf("kustomizeDeprecation does not read kustomize's warning %q", msg)
		}
		got[m[1]] = m[2]
	}
	if !reflect.DeepEqual(got, deprecatedFields) {
		t.Errorf("kustomize deprecates %v; deprecatedFields holds %v", got, deprecatedFields)
	}
}

// TestKustomizeWarningsOfKustomize checks what becomes of the lines
// kustomize says: one about a deprecated field that check did not find
// still comes out (once, on the root kustomization), the sortOptions line
// about a flag the user never gave is dropped, and any other line is kept.
func TestKustomizeWarningsOfKustomize(t *testing.T) {
	found := &Error{File: "k/kustomization.yaml", Loc: Loc{Line: 3, Col: 1}, Msg: deprecationMessage("bases", "resources")}
	u := &unit{file: "k/kustomization.yaml", warnings: []*Error{found}}
	got := u.kustomizeWarnings([]string{
		"# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
		"# Warning: 'frobs' is deprecated. Please use 'widgets' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
		"# Warning: 'frobs' is deprecated. Please use 'widgets' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
		"Warning: Sorting order is set both in 'kustomization.yaml' ('sortOptions') and in a CLI flag ('--reorder'). Using the kustomization file over the CLI flag.",
		"well-defined vars that were never replaced: HOST",
	})
	var lines []string
	for _, w := range got {
		lines = append(lines, w.Error())
	}
	want := []string{
		"k/kustomization.yaml:3:1: kustomize: 'bases' is deprecated; use 'resources' (kustomize edit fix rewrites it)",
		"k/kustomization.yaml: kustomize: 'frobs' is deprecated; use 'widgets' (kustomize edit fix rewrites it)",
		"k/kustomization.yaml: kustomize: well-defined vars that were never replaced: HOST",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestKustomizeCaptured checks what runCaptured does with what kustomize
// writes: its stderr lines and the warnings it logs are returned, and any
// other log message goes where the log went, at once (kustomize's
// log.Fatal exits right after it), and both are as they were afterwards.
func TestKustomizeCaptured(t *testing.T) {
	saved := runKustomize
	t.Cleanup(func() { runKustomize = saved })
	runKustomize = func(filesys.FileSystem, string) (resmap.ResMap, error) {
		fmt.Fprintln(os.Stderr, "# Warning: 'bases' is deprecated. Please use 'resources' instead.")
		log.Printf("well-defined vars that were never replaced: HOST\n")
		log.Print("unable to make loader at 'x'")
		return nil, nil
	}
	var logged strings.Builder
	savedLog, savedFlags := log.Writer(), log.Flags()
	log.SetOutput(&logged)
	log.SetFlags(0)
	defer func() {
		log.SetOutput(savedLog)
		log.SetFlags(savedFlags)
	}()
	stderr := os.Stderr
	_, said, err := runCaptured(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"# Warning: 'bases' is deprecated. Please use 'resources' instead.", "well-defined vars that were never replaced: HOST"}
	if !reflect.DeepEqual(said, want) {
		t.Errorf("said %q, want %q", said, want)
	}
	if logged.String() != "unable to make loader at 'x'\n" {
		t.Errorf("the log got %q", logged.String())
	}
	if os.Stderr != stderr || log.Writer() != io.Writer(&logged) || log.Flags() != 0 {
		t.Error("os.Stderr or the log not restored")
	}
}

// TestKustomizeAliasBomb builds kustomizations that name a "billion
// laughs" file as a resource and as a patch: kustomize's kyaml expands
// aliases without bound (it took gigabytes and never ended), so the build
// is refused at the file, as a walk leaves the document out.
func TestKustomizeAliasBomb(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80, name: http}]\n"
	for name, k := range map[string]string{
		"resource": "resources:\n- bomb.yaml\n",
		"patch":    "resources:\n- svc.yaml\npatches:\n- path: bomb.yaml\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := kWriteTree(t, map[string]string{"k/kustomization.yaml": k, "k/svc.yaml": svc, "k/bomb.yaml": laughs()})
			res := Load([]string{"k"}, Options{Dir: dir})
			wantErrors(t, res, "k/bomb.yaml:1:1: document 1: its aliases expand it by more than 100000 nodes: kustomize would expand it without bound, so the build is refused")
			if len(res.Objects) > 0 {
				t.Errorf("objects = %v", objectRefs(res))
			}
		})
	}
}
