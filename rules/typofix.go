package rules

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Rewritable reports whether a fix may replace the scalar of object o at
// loc by what a misspelt reference most likely meant: the scalar must be
// text written for o, at that place alone. It is not when Flagger rewrites
// o (its fields then come from a Canary, at the Canary's positions), when
// o has no node there (an object Flagger creates, or a file that changed),
// and when the scalar carries a YAML anchor or lies inside an anchored
// node: aliases and merge keys may read it elsewhere, where it need not
// mean the same, and the location of an anchored scalar starts at its
// anchor, not at its text.
func Rewritable(g *graph.Graph, o *manifest.Object, loc manifest.Loc) bool {
	if loc.Line <= 0 {
		return false
	}
	for _, c := range g.Canaries {
		for _, rw := range c.Rewrites {
			if rw.Obj == o {
				return false
			}
		}
	}
	anchored, found := anchoredAt(o.Root(), loc, false)
	return found && !anchored
}

// anchoredAt finds the scalar at loc under n and reports whether it or a
// node above it has an anchor. Aliases are not followed: a scalar is found
// where its anchor defines it.
func anchoredAt(n *yaml.Node, loc manifest.Loc, above bool) (anchored, found bool) {
	if n == nil || n.Kind == yaml.AliasNode {
		return false, false
	}
	above = above || n.Anchor != ""
	if n.Kind == yaml.ScalarNode {
		return above, n.Line == int(loc.Line) && n.Column == int(loc.Col)
	}
	for _, c := range n.Content {
		if a, ok := anchoredAt(c, loc, above); ok {
			return a, true
		}
	}
	return false, false
}
