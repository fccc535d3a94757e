package yamlpath

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const src = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  annotations:
    sidecar.istio.io/inject: "false"
spec:
  http:
  - route:
    - destination: {host: a, subset: v1}
      weight: 90
    - destination:
        host: b
      weight: 10
  tcp: []
`

func TestPath(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for _, tc := range []struct {
		marker string // the position is the marker's first character
		path   string
	}{
		{"apiVersion", ""}, // the root mapping starts there
		{"networking", ".apiVersion"},
		{"reviews", ".metadata.name"},
		{`"false"`, `.metadata.annotations["sidecar.istio.io/inject"]`},
		// A block mapping starts where its first key does: the outermost
		// node wins, so a finding at spec's mapping and one at its first
		// key share a path (as in the SARIF reporter's fingerprints).
		{"http", ".spec"},
		{"route", ".spec.http[0]"},
		{"destination: {", ".spec.http[0].route[0]"},
		{"{host: a", ".spec.http[0].route[0].destination"},
		{"v1}", ".spec.http[0].route[0].destination.subset"},
		{"90", ".spec.http[0].route[0].weight"},
		{"host: b", ".spec.http[0].route[1].destination"},
		{"b\n", ".spec.http[0].route[1].destination.host"},
		{"10", ".spec.http[0].route[1].weight"},
		{"[]", ".spec.tcp"},
		{": 90", ".spec.http[0].route[0].weight"}, // inside an entry, not at a node
	} {
		i := strings.Index(src, tc.marker)
		line := strings.Count(src[:i], "\n") + 1
		col := i - strings.LastIndex(src[:i], "\n")
		if got := Path(root, line, col); got != tc.path {
			t.Errorf("Path at %q (%d:%d) = %q, want %q", tc.marker, line, col, got, tc.path)
		}
	}
	// Outside the object: the root alone.
	for _, lc := range [][2]int{{0, 0}, {99, 1}} {
		if steps := Locate(root, lc[0], lc[1]); len(steps) != 1 || steps[0].Node != root {
			t.Errorf("Locate(%v) = %d steps, want the root", lc, len(steps))
		}
	}
	// Locate goes down to the deepest node: the first key of an item.
	i := strings.Index(src, "destination: {")
	steps := Locate(root, strings.Count(src[:i], "\n")+1, 7)
	if last := steps[len(steps)-1]; last.Key == nil || last.Key.Value != "destination" {
		t.Errorf("Locate ends at %+v, want the destination entry", last)
	}
}

func TestField(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("base: &b {x: 1}\nuse: *b\nlist: [a]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	if v := Field(root, "use"); v == nil || v.Kind != yaml.MappingNode || Field(v, "x").Value != "1" {
		t.Errorf("an alias is not resolved: %v", v)
	}
	if Field(root, "nope") != nil || Field(Field(root, "list"), "a") != nil || Field(nil, "x") != nil {
		t.Error("a missing key, a sequence or nil gave a node")
	}
}
