package cli

import (
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// load reads the input and builds the graph, as every subcommand that
// reads manifests does. errs holds the loading and decoding problems,
// sorted by file and line.
func load(paths []string, opts manifest.Options, mesh config.Mesh) (res *manifest.Result, g *graph.Graph, errs []*manifest.Error) {
	res = manifest.Load(paths, opts)
	g = graph.Build(res.Objects, mesh)
	errs = append(append([]*manifest.Error{}, res.Errors...), g.Errors...)
	manifest.SortErrors(errs)
	return res, g, errs
}
