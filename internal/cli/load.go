package cli

import (
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/gctune"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// load reads the input and builds the graph, for the subcommands that run
// no rules (lint uses rules.Lint). errs holds the loading and decoding
// problems, sorted by file and line.
func load(paths []string, opts manifest.Options, mesh config.Mesh) (res *manifest.Result, g *graph.Graph, errs []*manifest.Error) {
	defer gctune.Tune(1.5)()
	maps := graph.NewShared()
	opts.PerFile = func(f *manifest.File) []*manifest.Error {
		graph.Prepare(f.Objects, mesh, maps)
		return nil
	}
	opts.DropNodes = true
	opts.Maps = maps.Maps()
	res = manifest.Load(paths, opts)
	g = graph.Build(res.Objects, mesh)
	return res, g, inputErrors(res, g)
}

// inputErrors joins the loading and decoding problems, sorted by file and
// line.
func inputErrors(res *manifest.Result, g *graph.Graph) []*manifest.Error {
	errs := append([]*manifest.Error{}, res.Errors...)
	if g != nil { // nil when the cache held the graph rules' findings
		errs = append(errs, g.Errors...)
	}
	manifest.SortErrors(errs)
	return errs
}
