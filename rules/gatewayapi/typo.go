package gatewayapi

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// renameFixes returns the fix that replaces the name written at loc of
// object o, old, with name, or nil when that text cannot be edited safely:
// see rules.Rewritable.
func renameFixes(g *graph.Graph, o *manifest.Object, loc manifest.Loc, old, name, msg string) []rules.Fix {
	if !rules.Rewritable(g, o, loc) {
		return nil
	}
	return []rules.Fix{{
		Message: msg,
		Edits:   []rules.Edit{rules.ReplaceValue(o, loc, old, name)},
	}}
}

// didYouMean is the message's suggestion of name.
func didYouMean(name string) string { return fmt.Sprintf("; did you mean %q?", name) }
