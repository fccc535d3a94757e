package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/yamlpath"
)

// write creates the files (relative path → content) below dir.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadString loads content as the only file of a temp dir.
func loadString(t *testing.T, content string, opts Options) (*Result, string) {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, map[string]string{"in.yaml": content})
	p := filepath.Join(dir, "in.yaml")
	return loadTimed(t, []string{p}, opts), p
}

// loadTimed fails the test instead of hanging when Load does not return.
func loadTimed(t *testing.T, paths []string, opts Options) *Result {
	t.Helper()
	done := make(chan *Result, 1)
	go func() { done <- Load(paths, opts) }()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("Load(%q) did not return", paths)
		return nil
	}
}

func errorsOf(r *Result) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Error())
	}
	return out
}

// wantErrors checks that every want is a substring of a distinct error and
// that there are no other errors.
func wantErrors(t *testing.T, r *Result, want ...string) {
	t.Helper()
	got := errorsOf(r)
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && strings.Contains(g, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("no error contains %q; errors:\n%s", w, strings.Join(got, "\n"))
		}
	}
	for i, g := range got {
		if !used[i] {
			t.Errorf("unexpected error %q", g)
		}
	}
}

func objectRefs(r *Result) []string {
	var out []string
	for _, o := range r.Objects {
		out = append(out, o.Ref())
	}
	return out
}

func find(t *testing.T, r *Result, kind kinds.Kind, name string) *Object {
	t.Helper()
	for _, o := range r.Objects {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	t.Fatalf("no %s %s among %v", kind, name, objectRefs(r))
	return nil
}

const svcA = `apiVersion: v1
kind: Service
metadata:
  name: a
`

func TestMultiDocumentLines(t *testing.T) {
	in := `# leading comment
apiVersion: v1
kind: Service
metadata:
  name: first
---
apiVersion: v1
kind: Service
metadata:
  name: second
---

# a comment before the third document
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: third
  namespace: shop
spec:
  hosts: [reviews]
`
	r, file := loadString(t, in, Options{})
	wantErrors(t, r)
	for _, tc := range []struct {
		kind           kinds.Kind
		name           string
		doc            int32
		kindLine, line int32
		nameCol        int32
	}{
		{kinds.Service, "first", 0, 3, 5, 9},
		{kinds.Service, "second", 1, 8, 10, 9},
		{kinds.VirtualService, "third", 2, 15, 17, 9},
	} {
		o := find(t, r, tc.kind, tc.name)
		if o.Doc != tc.doc || o.KindLoc.Line != tc.kindLine || o.NameLoc.Line != tc.line || o.NameLoc.Col != tc.nameCol {
			t.Errorf("%s: doc %d kind line %d name %d:%d, want doc %d kind line %d name %d:%d",
				tc.name, o.Doc, o.KindLoc.Line, o.NameLoc.Line, o.NameLoc.Col, tc.doc, tc.kindLine, tc.line, tc.nameCol)
		}
		if o.File != file {
			t.Errorf("%s: file %q, want %q", tc.name, o.File, file)
		}
	}
	// Lines inside the spec are absolute too.
	vs := find(t, r, kinds.VirtualService, "third")
	if h := yamlpath.Field(vs.Spec(), "hosts"); h == nil || h.Line != 20 {
		t.Errorf("spec.hosts line = %v, want 20", h)
	}
	if got := vs.Pos(vs.NameLoc).String(); got != file+":17:9" {
		t.Errorf("Pos = %q", got)
	}
}

func TestListUnwrapping(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: a
- apiVersion: networking.istio.io/v1
  kind: DestinationRule
  metadata:
    name: b
    namespace: shop
  spec:
    host: a
- apiVersion: v1
  kind: ServiceList
  items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: nested
---
apiVersion: v1
kind: ConfigMapList
items: []
---
apiVersion: v1
kind: List
items: {}
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r, ":29:8: List items must be a list, not a mapping")
	got := strings.Join(objectRefs(r), ",")
	if want := "Service default/a,DestinationRule shop/b,Service default/nested"; got != want {
		t.Errorf("objects = %s, want %s", got, want)
	}
	if o := find(t, r, kinds.DestinationRule, "b"); o.KindLoc.Line != 9 || o.NameLoc.Line != 11 || o.Doc != 0 {
		t.Errorf("list item position: kind line %d name line %d doc %d", o.KindLoc.Line, o.NameLoc.Line, o.Doc)
	}
}

func TestStdin(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin *strings.Reader
		max   int64
		want  []string
		objs  int
	}{
		{"reads", strings.NewReader(svcA), 0, nil, 1},
		{"empty", strings.NewReader(""), 0, nil, 0},
		{"nil", nil, 0, []string{"<stdin>: no standard input"}, 0},
		{"too large", strings.NewReader(svcA), 10, []string{"<stdin>: larger than the 10-byte limit"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{MaxFileSize: tc.max}
			if tc.stdin != nil {
				opts.Stdin = tc.stdin
			}
			r := loadTimed(t, []string{"-"}, opts)
			wantErrors(t, r, tc.want...)
			if len(r.Objects) != tc.objs {
				t.Fatalf("objects = %v", objectRefs(r))
			}
			for _, o := range r.Objects {
				if o.File != StdinName || o.KindLoc.Line != 2 {
					t.Errorf("object at %s:%d", o.File, o.KindLoc.Line)
				}
			}
		})
	}
}

func svcNamed(name string) string {
	return strings.Replace(svcA, "name: a", "name: "+name, 1)
}

func TestDirectoryWalk(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a.yaml":                   svcNamed("a"),
		"b.yml":                    svcNamed("b"),
		"c.json":                   `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"}}`,
		"UPPER.YAML":               svcNamed("upper"),
		"sub/deeper/d.yaml":        svcNamed("d"),
		"notes.txt":                svcNamed("txt"),
		"README.md":                "# not yaml: [",
		"kustomize/e.yaml.bak":     svcNamed("bak"),
		".hidden.yaml":             svcNamed("hidden-file"),
		".git/config.yaml":         svcNamed("hidden-dir"),
		"sub/.cache/x.yaml":        svcNamed("hidden-subdir"),
		"chart/Chart.yaml":         "apiVersion: v2\nname: chart\n",
		"chart/templates/svc.yaml": "{{ .Values.broken }}",
	})
	r := loadTimed(t, []string{dir}, Options{})
	wantErrors(t, r)
	var names []string
	for _, o := range r.Objects {
		names = append(names, o.Name)
	}
	if got, want := strings.Join(names, ","), "upper,a,b,c,d"; got != want {
		t.Errorf("names = %s, want %s", got, want)
	}
	if r.Files != 5 {
		t.Errorf("Files = %d, want 5", r.Files)
	}
	if len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0], "chart: helm chart") {
		t.Errorf("Skipped = %q", r.Skipped)
	}

	// Named explicitly, a file is read whatever its extension and even
	// when hidden; a file named twice (or again through its directory) is
	// read once.
	r = loadTimed(t, []string{
		filepath.Join(dir, "notes.txt"), filepath.Join(dir, ".hidden.yaml"),
		filepath.Join(dir, "a.yaml"), dir, filepath.Join(dir, "a.yaml"),
	}, Options{})
	wantErrors(t, r)
	names = nil
	for _, o := range r.Objects {
		names = append(names, o.Name)
	}
	if got, want := strings.Join(names, ","), "txt,hidden-file,a,upper,b,c,d"; got != want {
		t.Errorf("names = %s, want %s", got, want)
	}
}

// TestOtherToolsYAML: a directory walk meets YAML of other tools (compose
// files, workflows, package.json, helm values): a file none of whose
// documents tries to be a Kubernetes object is skipped, said in Skipped,
// not an input error. Named on the command line it is an error, and so is
// such a document in a file of manifests, or one with metadata.
func TestOtherToolsYAML(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a.yaml":             svcNamed("a"),
		"docker-compose.yml": "services:\n  web:\n    image: nginx\n",
		"package.json":       `{"name": "site", "version": "1.0.0"}`,
		"list.yaml":          "- a\n- b\n",
		"two.yaml":           "site_name: docs\n---\nnav: []\n",
		"mixed.yaml":         svcNamed("m") + "---\nservices: {}\n",
		"headless.yaml":      "metadata:\n  name: x\nspec: {}\n",
		"no-kind.yaml":       "apiVersion: v1\nmetadata:\n  name: y\n",
		"sub/values.yaml":    "replicaCount: 2\n",
	})
	r := loadTimed(t, []string{dir}, Options{})
	wantErrors(t, r,
		"headless.yaml:1:1: document 1 has no apiVersion and kind",
		"mixed.yaml:6:1: document 2 has no apiVersion and kind",
		"no-kind.yaml:1:1: document 1 has no kind")
	var skipped []string
	for _, s := range r.Skipped {
		name, _, _ := strings.Cut(strings.TrimPrefix(s, dir+string(filepath.Separator)), ":")
		skipped = append(skipped, name)
	}
	if got, want := strings.Join(skipped, ","), "docker-compose.yml,list.yaml,package.json,sub/values.yaml,two.yaml"; got != want {
		t.Errorf("Skipped = %s, want %s", got, want)
	}
	if r.Files != 9 {
		t.Errorf("Files = %d, want 9: a skipped file was read", r.Files)
	}

	// Named, before or after the walk meets it, it is an error.
	for _, paths := range [][]string{{filepath.Join(dir, "docker-compose.yml")}, {dir, filepath.Join(dir, "docker-compose.yml")}} {
		r = loadTimed(t, paths, Options{})
		want := []string{"docker-compose.yml:1:1: document 1 has no apiVersion and kind"}
		if len(paths) > 1 {
			want = append([]string{"headless.yaml", "mixed.yaml", "no-kind.yaml"}, want...)
		}
		wantErrors(t, r, want...)
		if strings.Contains(strings.Join(r.Skipped, "\n"), "docker-compose") {
			t.Errorf("%q: a file named was skipped: %q", paths, r.Skipped)
		}
	}
}

func TestNamespaces(t *testing.T) {
	in := `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Service
metadata:
  name: defaulted
---
apiVersion: v1
kind: Service
metadata:
  name: explicit
  namespace: shop
---
apiVersion: v1
kind: Service
metadata:
  name: empty-ns
  namespace: ""
`
	for _, tc := range []struct {
		opt, want string
	}{
		{"", "default"},
		{"team", "team"},
	} {
		r, _ := loadString(t, in, Options{Namespace: tc.opt})
		wantErrors(t, r)
		for _, c := range []struct {
			kind kinds.Kind
			name string
			ns   string
			set  bool
		}{
			{kinds.Namespace, "shop", "shop", false},
			{kinds.Service, "defaulted", tc.want, false},
			{kinds.Service, "explicit", "shop", true},
			{kinds.Service, "empty-ns", tc.want, false},
		} {
			o := find(t, r, c.kind, c.name)
			if o.Namespace != c.ns || o.NamespaceSet != c.set {
				t.Errorf("default %q: %s: namespace %q set %v, want %q %v", tc.opt, c.name, o.Namespace, o.NamespaceSet, c.ns, c.set)
			}
		}
		if ns := find(t, r, kinds.Namespace, "shop"); ns.Labels["istio-injection"] != "enabled" {
			t.Errorf("namespace labels = %v", ns.Labels)
		}
	}
}

func TestMalformedYAML(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		want  []string
		names string
	}{
		{
			name: "bad indentation in the second document",
			in: svcNamed("one") + `---
apiVersion: v1
kind: Service
metadata:
  name: two
    oops: 1
---
` + svcNamed("three"),
			// yaml.v3 gives no column for this error.
			want:  []string{":10:1: invalid YAML: mapping values are not allowed in this context"},
			names: "one,three",
		},
		{
			name: "unclosed flow sequence",
			in: svcNamed("one") + `---
apiVersion: v1
kind: Service
metadata:
  name: two
spec:
  ports: [1, 2
---
` + svcNamed("three"),
			// The flow sequence starts on line 11.
			want:  []string{":11:1: invalid YAML: did not find expected ',' or ']'"},
			names: "one,three",
		},
		{
			name:  "error on the first line",
			in:    "a: b: c\n---\n" + svcNamed("two"),
			want:  []string{":1:1: invalid YAML: mapping values are not allowed in this context"},
			names: "two",
		},
		{
			name:  "tab indentation",
			in:    svcNamed("one") + "---\napiVersion: v1\nkind: Service\nmetadata:\n\tname: two\n---\n" + svcNamed("three"),
			want:  []string{":9:1: invalid YAML: found character that cannot start any token"},
			names: "one,three",
		},
		{
			name:  "unknown anchor: reported once, no document read twice",
			in:    svcNamed("one") + "---\n" + svcNamed("two") + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: *nope\n---\n" + svcNamed("four"),
			want:  []string{":14:9: invalid YAML: unknown anchor 'nope' referenced"},
			names: "one,two,four",
		},
		{
			name: "two broken documents",
			in:   "a: [\n---\n" + svcNamed("two") + "---\nb: {\n---\n" + svcNamed("four"),
			// yaml.v3 notices the unclosed "[" at the "---" below it.
			want:  []string{":2:1: invalid YAML: did not find expected node content", ":9:1: invalid YAML: did not find expected node content"},
			names: "two,four",
		},
		{
			name: "no separator after the error",
			in:   svcNamed("one") + "---\nkind: [\n",
			// At the end of the file, on its last line.
			want:  []string{":6:1: invalid YAML: did not find expected node content"},
			names: "one",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, file := loadString(t, tc.in, Options{})
			wantErrors(t, r, tc.want...)
			var names []string
			for _, o := range r.Objects {
				names = append(names, o.Name)
			}
			if got := strings.Join(names, ","); got != tc.names {
				t.Errorf("objects = %s, want %s", got, tc.names)
			}
			for _, e := range r.Errors {
				if e.File != file || e.Line == 0 {
					t.Errorf("error without file and line: %v", e)
				}
			}
		})
	}
}

func TestMalformedDocumentIndexes(t *testing.T) {
	in := svcNamed("zero") + "---\nbad: [\n---\n" + svcNamed("two") + "---\n" + svcNamed("three")
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r, "invalid YAML")
	for name, doc := range map[string]int32{"zero": 0, "two": 2, "three": 3} {
		if o := find(t, r, kinds.Service, name); o.Doc != doc {
			t.Errorf("%s: doc %d, want %d", name, o.Doc, doc)
		}
	}
}

func TestNotObjects(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"scalar document", "just a string\n", []string{":1:1: document 1 is a string, not a Kubernetes object"}},
		{"list document", "- a\n- b\n", []string{":1:1: document 1 is a list, not a Kubernetes object"}},
		{"number in the second document", svcA + "---\n42\n", []string{":6:1: document 2 is an integer"}},
		{"empty documents are fine", "---\n---\n# only a comment\n---\n", nil},
		{"missing kind", "apiVersion: v1\nmetadata:\n  name: x\n", []string{":1:1: document 1 has no kind"}},
		{"missing apiVersion", "kind: Service\nmetadata:\n  name: x\n", []string{"document 1 has no apiVersion"}},
		{"missing both", "metadata:\n  name: x\n", []string{"document 1 has no apiVersion and kind"}},
		{"two documents run together", svcA + "apiVersion: v1\nkind: Service\n", []string{":5:1: document 1 has a second apiVersion (first at line 1): is a `---` missing"}},
		{"kind twice", "apiVersion: v1\nkind: Service\nkind: Pod\n", []string{":3:1: document 1 has a second kind (first at line 2)"}},
		{"empty kind", "apiVersion: v1\nkind: \"\"\n", []string{":2:7: kind must be a non-empty string"}},
		{"numeric apiVersion", "apiVersion: 1\nkind: Service\n", []string{":1:13: apiVersion must be a string, not an integer"}},
		{"missing name", "apiVersion: v1\nkind: Service\nmetadata: {}\n", []string{":2:7: Service has no metadata.name"}},
		{"generateName is a name", "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: x-\n", nil},
		{"metadata is a list", "apiVersion: v1\nkind: Service\nmetadata: []\n", []string{":3:11: metadata must be a mapping, not a list"}},
		{"numeric name", "apiVersion: v1\nkind: Service\nmetadata:\n  name: 42\n", []string{":4:9: metadata.name must be a string, not an integer"}},
		{"labels is a list", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: [a]\n", []string{":5:11: metadata.labels must be a mapping, not a list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := loadString(t, tc.in, Options{})
			wantErrors(t, r, tc.want...)
		})
	}
}

func TestKinds(t *testing.T) {
	in := `apiVersion: networking.istio.io/v1
kind: VirtualServce
metadata:
  name: typo
---
apiVersion: security.istio.io/v1
kind: PeerAuthentications
metadata:
  name: typo2
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: sm
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: sm2
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: ef
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
---
apiVersion: v1
kind: LimitRange
metadata:
  name: lr
---
apiVersion: networking.k8s.io/v1
kind: IPAddress
metadata:
  name: ing
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: ok
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r,
		`:2:7: unknown kind "VirtualServce" in API group "networking.istio.io"`,
		`:7:7: unknown kind "PeerAuthentications" in API group "security.istio.io"`)
	want := map[string]int{
		"monitoring.coreos.com/v1 ServiceMonitor": 2,
		"v1 LimitRange":                  1,
		"networking.k8s.io/v1 IPAddress": 1,
	}
	wantUnmodelled(t, r, want)
	// EnvoyFilter is kept, though the graph does not read it, so that
	// schema validation sees it; every ConfigMap, for the sidecar
	// injector's configuration and the CA certificates Gateways name.
	if got := strings.Join(objectRefs(r), ","); got != "EnvoyFilter default/ef,ConfigMap default/cm,VirtualService default/ok" {
		t.Errorf("objects = %s", got)
	}
	if o := r.Objects[2]; len(r.Objects) == 3 && o.Group != "networking.istio.io" || o.APIVersion != "networking.istio.io/v1beta1" {
		t.Errorf("group %q apiVersion %q", o.Group, o.APIVersion)
	}
}

func TestLabelsAndAnnotations(t *testing.T) {
	in := `apiVersion: v1
kind: Service
metadata:
  name: x
  labels:
    app: x
    version: 1
    canary: true
    empty: ""
  annotations:
    networking.istio.io/exportTo: "."
    replicas: 3
    nothing: null
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r,
		":7:14: metadata.labels[version] must be a string, not an integer (quote it)",
		":8:13: metadata.labels[canary] must be a string, not a boolean",
		":12:15: metadata.annotations[replicas] must be a string, not an integer",
		":13:14: metadata.annotations[nothing] must be a string, not null")
	o := find(t, r, kinds.Service, "x")
	if len(o.Labels) != 2 || o.Labels["app"] != "x" || o.Labels["empty"] != "" {
		t.Errorf("labels = %v", o.Labels)
	}
	if o.Annotations["networking.istio.io/exportTo"] != "." {
		t.Errorf("annotations = %v", o.Annotations)
	}
}

func TestAliasesInMetadata(t *testing.T) {
	// Anchors are valid YAML; kubectl resolves them, and so must we.
	in := `apiVersion: v1
kind: List
common: &meta
  name: &n x
  labels: &l
    app: &app x
    copy: *app
items:
- apiVersion: v1
  kind: Service
  metadata: *meta
- apiVersion: v1
  kind: Service
  metadata:
    name: *n
    namespace: other
    labels: *l
- &item
  apiVersion: v1
  kind: Service
  metadata:
    name: x
    namespace: third
    labels: *l
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r)
	for _, o := range r.Objects {
		if o.Name != "x" || o.Labels["app"] != "x" || o.Labels["copy"] != "x" {
			t.Errorf("%s: labels %v", o.Ref(), o.Labels)
		}
	}
	if got := strings.Join(objectRefs(r), ","); got != "Service default/x,Service other/x,Service third/x" {
		t.Errorf("objects = %s", got)
	}
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"ok.yaml":  svcNamed("ok"),
		"bin.yaml": "apiVersion: v1\x00\x01\x02",
		"big.yaml": svcNamed("big") + "# " + strings.Repeat("x", 300) + "\n",
	})
	missing := filepath.Join(dir, "missing.yaml")
	r := loadTimed(t, []string{dir, missing}, Options{MaxFileSize: 200})
	wantErrors(t, r,
		"bin.yaml: binary file (NUL byte at offset 14)",
		"big.yaml: larger than the 200-byte limit",
		"missing.yaml: cannot read: no such file or directory")
	if got := strings.Join(objectRefs(r), ","); got != "Service default/ok" {
		t.Errorf("objects = %s", got)
	}
	for _, e := range r.Errors {
		if strings.Contains(e.File, "missing") && !errors.Is(e, fs.ErrNotExist) {
			t.Errorf("%v does not wrap fs.ErrNotExist", e)
		}
	}

	// A file exactly at the limit is read.
	r = loadTimed(t, []string{filepath.Join(dir, "ok.yaml")}, Options{MaxFileSize: int64(len(svcNamed("ok")))})
	wantErrors(t, r)
	if len(r.Objects) != 1 {
		t.Errorf("objects = %v", objectRefs(r))
	}
}

func TestSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"d/ok.yaml": svcNamed("ok")})
	for _, l := range []struct{ target, link string }{
		{"..", "d/up.yaml"},    // a directory link to its parent, named like a manifest
		{".", "d/self"},        // a directory link to itself
		{"b.yaml", "d/a.yaml"}, // a → b → a
		{"a.yaml", "d/b.yaml"}, //
		{"nowhere.yaml", "d/broken.yaml"},
		{"ok.yaml", "d/alias.yaml"}, // a second name for a file already read
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, l.link)); err != nil {
			t.Fatal(err)
		}
	}
	r := loadTimed(t, []string{filepath.Join(dir, "d")}, Options{})
	wantErrors(t, r,
		"up.yaml/d: symlink loop",
		"self: symlink loop",
		"a.yaml: symlink loop",
		"b.yaml: symlink loop",
		"broken.yaml: broken symlink: no such file or directory")
	if got := strings.Join(objectRefs(r), ","); got != "Service default/ok" {
		t.Errorf("objects = %s", got)
	}

	// Named explicitly, a looping link is still an error, not a hang.
	r = loadTimed(t, []string{filepath.Join(dir, "d", "a.yaml")}, Options{})
	wantErrors(t, r, "a.yaml: symlink loop")
}

func TestEncodings(t *testing.T) {
	const body = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n"
	for _, tc := range []struct {
		name, in string
	}{
		{"LF", body},
		{"CRLF", strings.ReplaceAll(body, "\n", "\r\n")},
		{"BOM", "\ufeff" + body},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(body, "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := loadString(t, tc.in, Options{})
			wantErrors(t, r)
			a, b := find(t, r, kinds.Service, "a"), find(t, r, kinds.Service, "b")
			if a.KindLoc.Line != 2 || a.NameLoc != (Loc{Line: 4, Col: 9, EndCol: 10}) {
				t.Errorf("a at kind line %d, name %+v", a.KindLoc.Line, a.NameLoc)
			}
			if b.KindLoc.Line != 7 || b.NameLoc != (Loc{Line: 9, Col: 9, EndCol: 10}) {
				t.Errorf("b at kind line %d, name %+v", b.KindLoc.Line, b.NameLoc)
			}
		})
	}
}

func TestBadCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, bad, want string
	}{
		{"invalid UTF-8", "x\xff\xfey", ":11:12: invalid UTF-8 (byte 0xff); read as U+FFFD"},
		{"truncated sequence", "x\xe2\x82", ":11:12: invalid UTF-8 (byte 0xe2)"},
		{"control character", "x\x07y", ":11:12: control character U+0007 is not allowed in YAML"},
		{"escape", "\x1b[31m", ":11:11: control character U+001B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := svcNamed("one") + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: two\n  labels:\n    bad: \"" + tc.bad + "\"\n---\n" + svcNamed("three")
			r, _ := loadString(t, in, Options{})
			wantErrors(t, r, tc.want)
			// Lines after the bad character stay right.
			if o := find(t, r, kinds.Service, "three"); o.NameLoc.Line != 16 {
				t.Errorf("three at line %d", o.NameLoc.Line)
			}
			find(t, r, kinds.Service, "one")
			find(t, r, kinds.Service, "two")
		})
	}
}

// aliasBomb is a "billion laughs" document along a path the spec decoder
// follows: a thousand routes, each of a thousand matches, each with fifty
// headers, 5·10^7 values written in a few kilobytes.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: bomb\nspec:\n  hosts: [a]\n")
	b.WriteString("  x0: &s {exact: a}\n  x1: &m {headers: {")
	for i := range 50 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "h%d: *s", i)
	}
	b.WriteString("}}\n  x2: &r {match: [")
	b.WriteString(strings.TrimSuffix(strings.Repeat("*m, ", 1000), ", "))
	b.WriteString("]}\n  http: [")
	b.WriteString(strings.TrimSuffix(strings.Repeat("*r, ", 1000), ", "))
	b.WriteString("]\n")
	return b.String()
}

// laughs is the classic billion laughs, a lol9 that expands to 10^9 nodes.
func laughs() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Service\nmetadata:\n  name: lol\n  labels:\n    a: b\nlol0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("lol")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(": &l")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*l")
			b.WriteString(string(rune('0' + i - 1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("spec:\n  ports: *l9\n")
	return b.String()
}

// laughsAnchors is a document that only defines the anchors of laughs.
func laughsAnchors() string {
	var b strings.Builder
	b.WriteString("- &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "- &l%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	return b.String()
}

func TestAliasBomb(t *testing.T) {
	for _, in := range []string{aliasBomb(), laughs()} {
		r, _ := loadString(t, in, Options{})
		wantErrors(t, r, "aliases expand")
		if len(r.Objects) != 0 {
			t.Errorf("objects = %v", objectRefs(r))
		}
	}
	// yaml.v3 lets a document use the anchors of an earlier one: the
	// expansion is counted across documents too.
	r, _ := loadString(t, laughsAnchors()+"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports: *l9\n", Options{})
	wantErrors(t, r, "document 1 is left out: its aliases expand", "document 2 is left out: its aliases expand")

	// Self-referencing anchors are refused too.
	r, _ = loadString(t, "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports: &p [*p]\n", Options{})
	wantErrors(t, r, "refers to itself")

	// A document with a few anchors is fine.
	r, _ = loadString(t, "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  a: &p [1, 2, 3]\n  ports: [*p, *p, *p]\n", Options{})
	wantErrors(t, r)
}

func TestDeepNesting(t *testing.T) {
	const head = "apiVersion: v1\nkind: Service\nmetadata:\n  name: deep\nspec:\n  x: "
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"flow 1000", head + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "\n", true},
		{"flow 10000", head + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n", false},
		{"flow 100000", head + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n", false},
		{"flow mappings 10000", head + strings.Repeat("{a: ", 10000) + "1" + strings.Repeat("}", 10000) + "\n", false},
		{"block 1000", head + "\n  " + strings.Repeat("- ", 1000) + "x\n", true},
		{"block 10000", head + "\n  " + strings.Repeat("- ", 10000) + "x\n", false},
		{"unclosed 10000", head + strings.Repeat("[", 10000) + "\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := loadString(t, tc.in, Options{})
			if tc.ok && (len(r.Objects) != 1 || len(r.Errors) != 0) {
				t.Errorf("objects %v, errors %v", objectRefs(r), errorsOf(r))
			}
			if !tc.ok && len(r.Errors) == 0 && len(r.Objects) != 1 {
				t.Errorf("neither an object nor an error")
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{File: "f.yaml", Loc: Loc{Line: 3, Col: 4}, Msg: "bad"}, "f.yaml:3:4: bad"},
		{&Error{File: "f.yaml", Msg: "cannot read", Err: fs.ErrNotExist}, "f.yaml: cannot read: file does not exist"},
		{&Error{File: "f.yaml", Err: fs.ErrPermission}, "f.yaml: permission denied"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	errs := []*Error{{File: "b", Loc: Loc{Line: 1}}, {File: "a", Loc: Loc{Line: 9}}, {File: "a", Loc: Loc{Line: 2}}}
	SortErrors(errs)
	if errs[0].Line != 2 || errs[1].Line != 9 || errs[2].File != "b" {
		t.Errorf("SortErrors: %v", errs)
	}
}

// TestDropNodesAndRoot checks that DropNodes releases the nodes of files
// on disk after PerFile has seen them, that Root reads them back at the
// same positions, and that Root refuses a file that changed since.
func TestDropNodesAndRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.yaml")
	doc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  ports:\n  - port: 80\n"
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	alive := 0
	res := Load([]string{dir}, Options{DropNodes: true, PerFile: func(f *File) []*Error {
		for _, o := range f.Objects {
			if o.Node != nil {
				alive++
			}
		}
		return nil
	}})
	if len(res.Objects) != 2 || alive != 2 {
		t.Fatalf("%d objects, %d with nodes in PerFile; want 2 and 2", len(res.Objects), alive)
	}
	b := res.Objects[1]
	if b.Node != nil {
		t.Fatal("the node outlived PerFile")
	}
	root := b.Root()
	if root == nil || root.Line != 6 || yamlpath.Field(yamlpath.Field(root, "metadata"), "name").Value != "b" {
		t.Fatalf("Root read back %v", root)
	}
	// Another object of the file now has its node without a second read.
	if res.Objects[0].Root() == nil {
		t.Fatal("Root of the first object")
	}

	res = Load([]string{dir}, Options{DropNodes: true})
	if err := os.WriteFile(file, []byte(strings.Replace(doc, "name: b", "name: c", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := res.Objects[1].Root(); n != nil {
		t.Errorf("Root read a changed file back: %v", yamlpath.Field(yamlpath.Field(n, "metadata"), "name").Value)
	}
}

// wantUnmodelled checks the counts of objects of kinds the graph does not
// read.
func wantUnmodelled(t *testing.T, r *Result, want map[string]int) {
	t.Helper()
	if len(r.Unmodelled) != len(want) {
		t.Errorf("Unmodelled = %v, want %v", r.Unmodelled, want)
	}
	for k, n := range want {
		if r.Unmodelled[k] != n {
			t.Errorf("Unmodelled[%q] = %d, want %d", k, r.Unmodelled[k], n)
		}
	}
}
