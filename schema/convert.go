package schema

import (
	"errors"
	"strconv"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// maxNodes bounds the nodes visited when an object is turned into a JSON
// value. Aliases are expanded, so a few lines of anchors can stand for
// billions of nodes ("billion laughs"); no real object comes near the bound.
const maxNodes = 100_000

// maxDepth bounds the nesting of an object.
const maxDepth = 200

var errTooBig = errors.New("the object is too large to validate after expanding its YAML aliases")

// toJSON turns a YAML node into the value encoding/json would produce from
// the same object after Kubernetes' YAML-to-JSON conversion: mappings,
// lists, strings, int64 or float64 numbers, booleans and nil, following
// the YAML tags that the parser resolved. Aliases and merge keys ("<<")
// are expanded. A mapping entry whose value is null is dropped, as the API
// server prunes it.
func toJSON(n *yaml.Node) (any, error) {
	c := converter{budget: maxNodes}
	return c.value(n, 0)
}

type converter struct {
	budget int
}

func (c *converter) value(n *yaml.Node, depth int) (any, error) {
	c.budget--
	if c.budget < 0 || depth > maxDepth {
		return nil, errTooBig
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, it := range n.Content {
			v, err := c.value(it, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		if err := c.mapping(n, out, depth); err != nil {
			return nil, err
		}
		return out, nil
	}
	return scalar(n), nil
}

// mapping adds the entries of n to out. Merged mappings come first, so that
// the mapping's own keys override them; of several merged mappings, the
// first wins.
func (c *converter) mapping(n *yaml.Node, out map[string]any, depth int) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMerge(n.Content[i]) {
			continue
		}
		srcs := mergeSources(n.Content[i+1])
		for j := len(srcs) - 1; j >= 0; j-- {
			c.budget--
			if c.budget < 0 || depth > maxDepth {
				return errTooBig
			}
			if err := c.mapping(srcs[j], out, depth+1); err != nil {
				return err
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if isMerge(k) {
			continue
		}
		v, err := c.value(n.Content[i+1], depth+1)
		if err != nil {
			return err
		}
		if v == nil {
			delete(out, k.Value)
			continue
		}
		out[k.Value] = v
	}
	return nil
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "tag:yaml.org,2002:merge")
}

// mergeSources returns the mappings a merge key's value names: one mapping
// (usually an alias) or a list of them.
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = deref(v)
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, it := range v.Content {
			if it = deref(it); it.Kind == yaml.MappingNode {
				out = append(out, it)
			}
		}
		return out
	}
	return nil
}

// deref follows aliases (yaml.v3 rejects cyclic ones; the bound is a guard).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxDepth; i++ {
		n = n.Alias
	}
	return n
}

// scalar converts a scalar by its resolved tag. Timestamps, binary data and
// unknown tags stay strings, as in sigs.k8s.io/yaml. A plain yes, on, y, no,
// off or n, which yaml.v3 tags !!str, is the boolean YAML 1.1 makes it in
// sigs.k8s.io/yaml.
func scalar(n *yaml.Node) any {
	if b, ok := yamlpath.YAML11Bool(n); ok {
		return b
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		if b, err := strconv.ParseBool(n.Value); err == nil {
			return b
		}
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return i
		}
		var v any
		if n.Decode(&v) == nil {
			switch v := v.(type) {
			case int:
				return int64(v)
			case int64, uint64, float64:
				return v
			}
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

// lookup returns the key and value nodes of token tok in n: a mapping key
// (the last one when repeated, then merged mappings) or a list index.
func lookup(n *yaml.Node, tok string) (key, val *yaml.Node) {
	if n == nil {
		return nil, nil
	}
	n = deref(n)
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return lookup(n.Content[0], tok)
		}
	case yaml.MappingNode:
		for i := len(n.Content) - 2; i >= 0; i -= 2 {
			if k := n.Content[i]; k.Value == tok && !isMerge(k) {
				return k, n.Content[i+1]
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !isMerge(n.Content[i]) {
				continue
			}
			for _, src := range mergeSources(n.Content[i+1]) {
				if k, v := lookup(src, tok); v != nil {
					return k, v
				}
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return nil, n.Content[i]
		}
	}
	return nil, nil
}
