package yamlpath

import (
	"fmt"
	"reflect"
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

// TestEntries compares the mappings Entries reads with what yaml.v3's
// decoder makes of the same documents, merge keys resolved: keys written
// in a mapping win over merged ones wherever they are written, earlier
// mappings of a << list over later ones, and a merged mapping's own merges
// come before the next mapping of the list. (Kubernetes' decoder, yaml.v2,
// differs in one case: a key written before the << loses to a merged one.
// Manifests write << first.)
func TestEntries(t *testing.T) {
	for _, src := range []string{
		"m: {<<: {a: 1, b: 1}, a: 2}\n",
		"m: {a: 2, <<: {a: 1, b: 1}}\n",
		"x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nm: {<<: [*x, *y], c: 3}\n",
		"base: &base {a: 1}\nmid: &mid {<<: *base, b: 2}\nm: {<<: *mid, c: 3}\n",
		"p: &p {<<: {a: 1}, b: 1}\nq: &q {a: 2, d: 2}\nm: {<<: [*p, *q]}\n",
		"m:\n  <<: &s {a: 1, n: {<<: {deep: 1}, b: 2}}\n  z: [*s]\n",
		"m: {'<<': {a: 1}, b: 2}\n",
		"m: {<<: {}}\n",
		"k: &k name\nm: {*k : 1, <<: {name: 2, b: 2}}\n",
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		var want any
		if err := doc.Decode(&want); err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		got, err := effective(doc.Content[0])
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\nEntries read %v\nyaml.v3 reads %v", src, got, want)
		}
	}
}

// effective builds the value of n as Entries reads its mappings.
func effective(n *yaml.Node) (any, error) {
	switch n = deref(n); n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for k, v := range Entries(n) {
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("key %q yielded twice", k.Value)
			}
			var err error
			if m[k.Value], err = effective(v); err != nil {
				return nil, err
			}
		}
		return m, nil
	case yaml.SequenceNode:
		s := []any{}
		for _, it := range n.Content {
			v, err := effective(it)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	}
	var v any
	err := n.Decode(&v)
	return v, err
}

func TestMergePositions(t *testing.T) {
	const src = `metadata:
  labels: &l {app: web, tier: front}
  annotations:
    <<: [{a.io/x: "1"}, {a.io/y: "2"}]
    a.io/z: "3"
spec:
  selector:
    <<: *l
    tier: back
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	sel := Field(Field(root, "spec"), "selector")
	for _, tc := range []struct {
		key       string
		line, col int
		value     string
	}{
		{"app", 2, 15, "web"},  // in the anchor
		{"tier", 9, 5, "back"}, // written beside the merge key
	} {
		k, v := Lookup(sel, tc.key)
		if k == nil || k.Line != tc.line || k.Column != tc.col || v.Value != tc.value {
			t.Errorf("Lookup(selector, %q) = %v, %v; want the key at %d:%d, value %q", tc.key, k, v, tc.line, tc.col, tc.value)
		}
	}
	if k, _ := Lookup(sel, "<<"); k != nil {
		t.Errorf("Lookup found the merge key itself at %d:%d", k.Line, k.Column)
	}
	var keys []string
	for k := range Entries(Field(Field(root, "metadata"), "annotations")) {
		keys = append(keys, k.Value)
	}
	if got := strings.Join(keys, " "); got != "a.io/z a.io/x a.io/y" {
		t.Errorf("Entries yields %q, want the mapping's own key, then the merged ones in order", got)
	}
	// A merged node's path is the path it is read at, without the merge
	// key or the index in its list.
	for _, tc := range []struct {
		marker, path string
	}{
		{`"1"`, `.metadata.annotations["a.io/x"]`},
		{`"2"`, `.metadata.annotations["a.io/y"]`},
		{"back", ".spec.selector.tier"},
		{"*l", `.spec.selector`},
	} {
		i := strings.Index(src, tc.marker)
		line := strings.Count(src[:i], "\n") + 1
		col := i - strings.LastIndex(src[:i], "\n")
		if got := Path(root, line, col); got != tc.path {
			t.Errorf("Path at %q (%d:%d) = %q, want %q", tc.marker, line, col, got, tc.path)
		}
	}
}

func TestSources(t *testing.T) {
	// Two merge keys: yaml.v3 refuses to decode the duplicate key; the
	// later one wins, as in Kubernetes' decoder and the schema check.
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("<<: {a: 1}\n<<: [{a: 2}, {a: 3}]\n'<<': {a: 4}\n"), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range Sources(doc.Content[0]) {
		got = append(got, Field(s, "a").Value)
	}
	if strings.Join(got, ",") != "2,3,1" {
		t.Errorf("Sources = %v, want 2,3,1", got)
	}
	if !HasMerge(doc.Content[0]) || HasMerge(Field(doc.Content[0], "<<")) {
		t.Error("HasMerge is wrong")
	}
}
