package rules

import (
	"sort"
	"sync"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// Result is what Lint read and found.
type Result struct {
	Load     *manifest.Result
	Graph    *graph.Graph
	Findings []*Finding
	// Internal holds the errors of rules that failed: meshlint bugs.
	Internal []error
}

// Lint loads paths, builds the graph and runs rs, as the command does. The
// Local rules run on each file as it is read, in the loader's workers,
// while its YAML nodes exist; the loader then drops the nodes, so memory
// holds what the graph extracted rather than every node of the input. The
// other rules run on the whole graph once it is built.
func Lint(paths []string, opts manifest.Options, mesh config.Mesh, rs []*Rule, severity map[string]Severity) *Result {
	var local, global []*Rule
	for _, r := range rs {
		if r.Local {
			local = append(local, r)
		} else {
			global = append(global, r)
		}
	}
	var (
		mu       sync.Mutex
		found    []*Finding
		internal = map[string]error{}
	)
	opts.PerFile = func(objs []*manifest.Object) []*manifest.Error {
		g := graph.Prepare(objs, mesh)
		var fs []*Finding
		var errs []error
		shared := &memo{values: map[any]*memoValue{}}
		for _, r := range local {
			sev := r.Severity
			if s, ok := severity[r.ID]; ok {
				sev = s
			}
			f, err := runOne(r, g, sev, shared)
			fs = append(fs, f...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		found = append(found, fs...)
		for _, err := range errs {
			// A broken rule fails on many files alike: say it once.
			internal[err.Error()] = err
		}
		// The decoding errors are reported by the Build of the whole input.
		return nil
	}
	opts.DropNodes = true
	res := &Result{Load: manifest.Load(paths, opts)}
	res.Graph = graph.Build(res.Load.Objects, mesh)
	res.Findings, res.Internal = Run(res.Graph, global, severity)
	res.Findings = append(res.Findings, found...)
	Sort(res.Findings)
	res.Findings = Dedup(res.Findings)
	for _, err := range internal {
		res.Internal = append(res.Internal, err)
	}
	sort.Slice(res.Internal, func(i, j int) bool { return res.Internal[i].Error() < res.Internal[j].Error() })
	return res
}
