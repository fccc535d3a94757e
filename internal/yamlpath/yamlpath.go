// Package yamlpath finds the node at a position in an object's YAML tree
// and names the way to it, as in .spec.http[0].route[1].weight. Findings
// carry a position only; suppressions need the nodes above it (their
// comments) and baselines need a name for it that survives edits elsewhere
// in the file.
package yamlpath

import (
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Step is one level on the way from an object's root mapping down to a
// position.
type Step struct {
	// Key is the mapping key of this level; nil for the root and for
	// sequence items.
	Key *yaml.Node
	// Index is the position in the sequence for a sequence item, else -1.
	Index int
	// Node is the value at this level (for a mapping entry, the value, even
	// when the position is on the key).
	Node *yaml.Node
}

// Locate returns the steps from root down to the deepest node that starts
// at or contains line:col: at each level it takes the last entry or item
// that starts at or before the position. The first step is the root. A
// position outside the object (before its first line or after its last)
// yields the root alone. Aliases are not followed: a finding is reported
// at the anchored node, not at its aliases.
func Locate(root *yaml.Node, line, col int) []Step {
	if root == nil {
		return nil
	}
	steps := []Step{{Index: -1, Node: root}}
	// Objects built by kustomize mix nodes of several files, so positions do
	// not grow through the tree; a node starting exactly at the position is
	// found by search first.
	if exact, ok := find(root, line, col, steps); ok {
		return exact
	}
	if before(line, col, root.Line, root.Column) || line > lastLine(root) {
		return steps
	}
	n := root
	for {
		switch n.Kind {
		case yaml.MappingNode:
			i := -1
			for j := 0; j+1 < len(n.Content); j += 2 {
				if k := n.Content[j]; !before(line, col, k.Line, k.Column) {
					i = j
				}
			}
			if i < 0 {
				return steps
			}
			k, v := n.Content[i], n.Content[i+1]
			steps = append(steps, Step{Key: k, Index: -1, Node: v})
			if before(line, col, v.Line, v.Column) {
				return steps // on the key
			}
			n = v
		case yaml.SequenceNode:
			i := -1
			for j, c := range n.Content {
				if !before(line, col, c.Line, c.Column) {
					i = j
				}
			}
			if i < 0 {
				return steps
			}
			n = n.Content[i]
			steps = append(steps, Step{Index: i, Node: n})
		default:
			return steps
		}
	}
}

// Path names the node at line:col within root: the path of the outermost
// node that starts exactly there (a mapping key stands for its entry), or
// of the deepest node containing the position when none starts there. The
// root is "". Keys that are not plain identifiers are quoted:
// .metadata.annotations["sidecar.istio.io/inject"].
func Path(root *yaml.Node, line, col int) string {
	steps := Locate(root, line, col)
	for i, s := range steps {
		if at(s.Key, line, col) || at(s.Node, line, col) {
			steps = steps[:i+1]
			break
		}
	}
	return String(steps)
}

// String renders steps as a path; the root step renders as "".
func String(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		switch {
		case s.Key != nil:
			b.WriteString(keyStep(s.Key.Value))
		case s.Index >= 0:
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		}
	}
	return b.String()
}

// keyStep renders a mapping key: .name, or ["odd key"].
func keyStep(k string) string {
	if k == "" {
		return `[""]`
	}
	for _, r := range k {
		if !plain(r) {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	return "." + k
}

// plain reports whether r may appear unquoted in a path step.
func plain(r rune) bool {
	return r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
}

func at(n *yaml.Node, line, col int) bool {
	return n != nil && n.Line == line && n.Column == col
}

// before reports whether l1:c1 comes before l2:c2.
func before(l1, c1, l2, c2 int) bool {
	return l1 < l2 || l1 == l2 && c1 < c2
}

// lastLine is the line of the last node of the tree (a multi-line scalar
// counts as its first line: no finding points inside one).
func lastLine(n *yaml.Node) int {
	for len(n.Content) > 0 && n.Kind != yaml.AliasNode {
		n = n.Content[len(n.Content)-1]
	}
	return n.Line
}

// find searches the tree for the deepest node (or mapping key) that starts
// exactly at line:col and returns the steps to it.
func find(n *yaml.Node, line, col int, steps []Step) ([]Step, bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := n.Content[j], n.Content[j+1]
			next := append(slices.Clip(steps), Step{Key: k, Index: -1, Node: v})
			if r, ok := find(v, line, col, next); ok {
				return r, true
			}
			if at(k, line, col) || at(v, line, col) {
				return next, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			next := append(slices.Clip(steps), Step{Index: i, Node: c})
			if r, ok := find(c, line, col, next); ok {
				return r, true
			}
			if at(c, line, col) {
				return next, true
			}
		}
	}
	return nil, false
}

// Field returns the value node of key in mapping n, or nil when n is not a
// mapping or has no such key. An alias value is resolved to the node it
// names, so that a reader sees through anchors as YAML decoding does.
func Field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}
