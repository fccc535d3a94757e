package spec

import (
	"math"
	"strconv"
	"testing"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// slowDecode is Value.UnmarshalYAML without its fast paths: what the fast
// paths must agree with.
func slowDecode[T any](n *yaml.Node) (T, bool) {
	var v T
	if n.Kind != yaml.ScalarNode {
		return v, false
	}
	_, oldBool := yamlpath.YAML11Bool(n)
	if _, isStr := any(v).(string); isStr && (n.ShortTag() != "!!str" || oldBool) {
		return v, false
	}
	if p, isBool := any(&v).(*bool); isBool {
		// Kubernetes' booleans (YAML 1.1), which yaml.v3 would take
		// quoted too.
		b, ok := yamlpath.Bool(n)
		if !ok && n.ShortTag() == "!!str" {
			return v, false
		}
		if ok {
			*p = b
			return v, true
		}
	}
	if _, isInt := any(v).(int64); isInt && n.ShortTag() == "!!float" {
		if f, err := strconv.ParseFloat(n.Value, 64); err != nil || f != math.Trunc(f) {
			return v, false
		}
	}
	if err := n.Decode(&v); err != nil {
		return v, false
	}
	return v, true
}

func TestValueFastPaths(t *testing.T) {
	scalars := []string{`5`, `-5`, `0`, `-0`, `007`, `0x1F`, `0o17`, `1_000`, `+5`, `5.0`, `5.5`, `1e3`,
		`9223372036854775807`, `9223372036854775808`, `true`, `false`, `True`, `FALSE`, `yes`, `on`,
		`Y`, `n`, `NO`, `Off`, `"yes"`, `'off'`, `!!str yes`, `!!bool yes`, `!!bool maybe`,
		`'5'`, `"true"`, `x`, `""`, `null`, `~`, `!!str 5`, `!!int "7"`, `"-"`, `--5`}
	for _, s := range scalars {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("v: "+s), &doc); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		n := doc.Content[0].Content[1]
		check(t, s, n, &Value[string]{})
		check(t, s, n, &Value[int64]{})
		check(t, s, n, &Value[bool]{})
	}
}

func check[T comparable](t *testing.T, s string, n *yaml.Node, v *Value[T]) {
	t.Helper()
	err := v.UnmarshalYAML(n)
	want, ok := slowDecode[T](n)
	if (err == nil) != ok || ok && v.V != want {
		t.Errorf("%s as %T: got %v (error %v), want %v (ok %v)", s, v.V, v.V, err, want, ok)
	}
}
