package graph

import (
	"fmt"
	"strings"
	"testing"
)

// TestConfigMapOverlayFaults checks which Gateway overlay values of a
// ConfigMap FindConfigMap says Istio cannot read as a patch, and where,
// from the nodes and from what Prepare kept once they are dropped: the
// file positions must survive the cache.
func TestConfigMapOverlayFaults(t *testing.T) {
	// Each case is a document of six lines and a "---": its value is on
	// its fifth line, a block's content (or a comment) on the sixth.
	cases := []struct {
		name, value string
		want        string // key: msg @line:col, "" when it reads
	}{
		{"mapping", "|\n    spec: {replicas: 2}", ""},
		{"empty", `""`, ""},
		{"comment", "|\n    # none", ""},
		{"null-root", "|\n    null", ""},
		{"json", `'{"spec": {}}'`, ""},
		{"scalar-keys", "|\n    {80: a, true: b}", ""},
		{"other-key", "|\n    - a", ""}, // not an overlay: see below
		{"list", "|\n    - a", `deployment: expected a mapping, got a list @6:5`},
		{"scalar", `"replicas 3"`, `deployment: expected a mapping, got "replicas 3" @5:15`},
		{"not-yaml", "|\n    a: [", `deployment: not valid YAML: did not find expected node content @5:15`},
		{"list-key", "|\n    spec: {[a]: b}", `deployment: a mapping key must be a string, number or boolean, got a list @6:12`},
		{"null-key", "|\n    ~: b", `deployment: a mapping key must be a string, number or boolean, got null @6:5`},
		{"folded", ">\n    - a", `deployment: expected a mapping, got a list @5:15`},
	}
	var src []string
	for _, c := range cases {
		key := "deployment"
		if c.name == "other-key" {
			key = "deployments"
		}
		v := c.value
		if !strings.Contains(v, "\n") {
			v += "\n  #"
		}
		src = append(src, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: infra}\ndata:\n  %s: %s\n", c.name, key, v))
	}
	bothLoads(t, strings.Join(src, "---\n"), func(prepared bool, g *Graph) {
		for i, c := range cases {
			cm := g.FindConfigMap("infra", c.name)
			if cm == nil {
				t.Errorf("prepared=%v: no ConfigMap %s", prepared, c.name)
				continue
			}
			var got []string
			for _, f := range cm.OverlayFaults() {
				// Lines relative to the case's document.
				got = append(got, fmt.Sprintf("%s: %s @%d:%d", f.Key, f.Msg, int(f.Loc.Line)-7*i, f.Loc.Col))
			}
			if g := strings.Join(got, "; "); g != c.want {
				t.Errorf("prepared=%v: %s: %q, want %q", prepared, c.name, g, c.want)
			}
		}
	})
}
