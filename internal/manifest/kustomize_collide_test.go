package manifest

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// kCollideBase is a Deployment whose keys sit where the patches of
// TestKustomizePatchCollisions put theirs: a line:col of an object names
// one file, so one of two nodes at the same line:col of two files must
// point elsewhere.
const kCollideBase = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
`

// kCheckFiles checks that every node of o (keys too) under a path that
// the patch wrote (patched) points into the patch file, and every other
// node into the base: a node that cannot have its own position takes
// another of its own file, never one of another file.
func kCheckFiles(t *testing.T, o *Object, base, patch string, patched [][]string) {
	t.Helper()
	fileOf := func(path []string) string {
		for _, p := range patched {
			if len(path) >= len(p) && slices.Equal(path[:len(p)], p) {
				return patch
			}
		}
		return base
	}
	check := func(what string, n *yaml.Node, path []string) {
		if got, want := o.Pos(LocOf(n)).File, filepath.FromSlash(fileOf(path)); got != want {
			t.Errorf("%s of %s is in %s (%d:%d), want %s", what, strings.Join(path, "."), got, n.Line, n.Column, want)
		}
	}
	var walk func(n *yaml.Node, path []string)
	walk = func(n *yaml.Node, path []string) {
		check("value", n, path)
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := append(slices.Clip(path), n.Content[i].Value)
				check("key", n.Content[i], p)
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, it := range n.Content {
				walk(it, append(slices.Clip(path), strconv.Itoa(i)))
			}
		}
	}
	walk(o.Node, nil)
}

// TestKustomizePatchCollisions checks the positions of what a patch writes
// when its keys sit at the line:col of other keys of the base: the patch's
// nodes point at the patch, whatever the order of its keys, the base's
// nodes that the patch leaves alone at the base; a strategic-merge patch
// that changes a key and adds others beside it, new nested maps and
// lists, JSON 6902 operations, a patch file of several documents, and
// $patch directives.
func TestKustomizePatchCollisions(t *testing.T) {
	const dep = "base/dep.yaml"
	patchFile := filepath.Join("k", "patch.yaml")
	for _, tc := range []struct {
		name, kust, patch string
		patched           [][]string
		want              []nodePos
	}{{
		// The strategy key sits at 8:3 like the base's selector, its type
		// at 9:5 like matchLabels.
		name: "changed then new",
		patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 3
  strategy:
    type: [x]
`,
		patched: [][]string{{"spec", "replicas"}, {"spec", "strategy"}},
		want: []nodePos{
			{[]string{"spec", "replicas"}, true, "k/patch.yaml:7:3"},
			{[]string{"spec", "replicas"}, false, "k/patch.yaml:7:13"},
			{[]string{"spec", "strategy"}, true, "k/patch.yaml:8:3"},
			{[]string{"spec", "strategy", "type"}, true, "k/patch.yaml:9:5"},
			{[]string{"spec", "strategy", "type"}, false, "k/patch.yaml:9:11"},
			{[]string{"spec", "strategy", "type", "0"}, false, "k/patch.yaml:9:12"},
			{[]string{"spec", "selector", "matchLabels", "app"}, false, dep + ":10:12"},
			{[]string{"spec", "template", "spec", "containers", "0", "image"}, false, dep + ":18:16"},
			// The base's keys whose line:col the patch's take point at
			// the nearest key above them in the base.
			{[]string{"spec", "selector"}, true, dep + ":6:1"},
			{[]string{"spec", "selector", "matchLabels"}, true, dep + ":6:1"},
		},
	}, {
		name: "new then changed",
		patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  strategy:
    type: [x]
  replicas: 3
`,
		patched: [][]string{{"spec", "replicas"}, {"spec", "strategy"}},
		want: []nodePos{
			{[]string{"spec", "strategy"}, true, "k/patch.yaml:7:3"},
			{[]string{"spec", "strategy", "type"}, false, "k/patch.yaml:8:11"},
			{[]string{"spec", "replicas"}, false, "k/patch.yaml:9:13"},
			{[]string{"spec"}, true, dep + ":6:1"},
		},
	}, {
		// New maps and a new list nested in the base's, at the line:col
		// of the base's labels and of their app key and value.
		name: "nested",
		patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  strategy:
    rollingUpdate:
      maxSurge: [1]
  template:
    spec:
      tolerations:
      - key: [a]
        operator: Exists
`,
		patched: [][]string{{"spec", "replicas"}, {"spec", "strategy"}, {"spec", "template", "spec", "tolerations"}},
		want: []nodePos{
			{[]string{"spec", "strategy", "rollingUpdate"}, true, "k/patch.yaml:8:5"},
			{[]string{"spec", "strategy", "rollingUpdate", "maxSurge"}, true, "k/patch.yaml:9:7"},
			{[]string{"spec", "strategy", "rollingUpdate", "maxSurge"}, false, "k/patch.yaml:9:17"},
			{[]string{"spec", "template", "spec", "tolerations"}, true, "k/patch.yaml:12:7"},
			{[]string{"spec", "template", "spec", "tolerations", "0", "key"}, true, "k/patch.yaml:13:9"},
			{[]string{"spec", "template", "spec", "tolerations", "0", "key"}, false, "k/patch.yaml:13:14"},
			{[]string{"spec", "template", "spec", "tolerations", "0", "operator"}, false, "k/patch.yaml:14:19"},
			{[]string{"spec", "template", "spec", "containers", "0", "image"}, false, dep + ":18:16"},
		},
	}, {
		// The added strategy's type sits at 9:5 like matchLabels.
		name: "json 6902",
		kust: `resources:
- ../base
patches:
- path: patch.yaml
  target: {kind: Deployment, name: web}
`,
		patch: `- op: replace
  path: /spec/replicas
  value: 3
- op: add
  path: /spec/strategy
  value:
    rollingUpdate:
      maxSurge: 1
    type: [x]
`,
		patched: [][]string{{"spec", "replicas"}, {"spec", "strategy"}},
		want: []nodePos{
			{[]string{"spec", "replicas"}, false, "k/patch.yaml:3:10"},
			{[]string{"spec", "strategy"}, true, "k/patch.yaml:5:9"},
			{[]string{"spec", "strategy", "type"}, true, "k/patch.yaml:9:5"},
			{[]string{"spec", "strategy", "type"}, false, "k/patch.yaml:9:11"},
			{[]string{"spec", "selector", "matchLabels", "app"}, false, dep + ":10:12"},
		},
	}, {
		// The path of the operation that adds strategy, where the
		// strategy key points, sits at 4:9 like the base's name: the
		// fields that identify the object keep their positions, where
		// findings about the whole object point.
		name: "json 6902 at the name",
		kust: `resources:
- ../base
patches:
- path: patch.yaml
  target: {kind: Deployment, name: web}
`,
		patch: `- op: add
  value:
    type: [x]
  path: /spec/strategy
`,
		patched: [][]string{{"spec", "strategy"}},
		want: []nodePos{
			{[]string{"metadata", "name"}, false, dep + ":4:9"},
			{[]string{"metadata", "name"}, true, dep + ":4:3"},
			{[]string{"spec", "strategy"}, true, "k/patch.yaml:1:3"},
			{[]string{"spec", "strategy", "type"}, true, "k/patch.yaml:3:5"},
		},
	}, {
		// The second document writes spec before metadata: its strategy
		// sits at 8:3 like the base's selector.
		name: "several documents",
		patch: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 3}
---
kind: Deployment
spec:
  strategy:
    type: [x]
apiVersion: apps/v1
metadata: {name: web}
`,
		patched: [][]string{{"spec", "replicas"}, {"spec", "strategy"}},
		want: []nodePos{
			{[]string{"spec", "replicas"}, false, "k/patch.yaml:4:18"},
			{[]string{"spec", "strategy"}, true, "k/patch.yaml:8:3"},
			{[]string{"spec", "strategy", "type"}, true, "k/patch.yaml:9:5"},
			{[]string{"spec", "strategy", "type"}, false, "k/patch.yaml:9:11"},
		},
	}, {
		// $patch: replace of a map, $patch: delete of a container.
		name: "directives",
		patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  strategy:
    $patch: replace
    type: [x]
  template:
    spec:
      containers:
      - name: web
        $patch: delete
      - name: app
        image: [y]
`,
		patched: [][]string{{"spec", "strategy"}, {"spec", "template", "spec", "containers", "0"}},
		want: []nodePos{
			{[]string{"spec", "strategy"}, true, "k/patch.yaml:7:3"},
			{[]string{"spec", "strategy", "type"}, true, "k/patch.yaml:9:5"},
			{[]string{"spec", "strategy", "type"}, false, "k/patch.yaml:9:11"},
			{[]string{"spec", "template", "spec", "containers", "0", "image"}, false, "k/patch.yaml:16:16"},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			kust := tc.kust
			if kust == "" {
				kust = "resources:\n- ../base\npatches:\n- path: patch.yaml\n"
			}
			dir := kWriteTree(t, map[string]string{
				"base/kustomization.yaml": "resources:\n- dep.yaml\n",
				"base/dep.yaml":           kCollideBase,
				"k/kustomization.yaml":    kust,
				"k/patch.yaml":            tc.patch,
			})
			d := kFind(t, kLoad(t, dir), "Deployment", "web")
			kCheckPositions(t, d)
			kCheckFiles(t, d, dep, patchFile, tc.patched)
			checkNodePositions(t, d, tc.want)
		})
	}
}
