package rules

import (
	"sort"
	"sync"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// LintOptions configure Lint.
type LintOptions struct {
	// Paths are the files and directories to read ("-" for stdin).
	Paths []string
	Load  manifest.Options
	Mesh  config.Mesh
	// Rules are the rules to run, and Severity overrides their default
	// severity by rule ID.
	Rules    []*Rule
	Severity map[string]Severity
	// Cache, when set, keeps what was read of each file across runs.
	Cache FileCache
}

// FileCache keeps what Lint read of each file on disk, keyed by the
// file's content: its objects, as the graph prepared them, and the findings
// of the local rules (lintcache.Cache).
type FileCache interface {
	// Unchanged returns what was kept for the file name if its stat data
	// show it unchanged since it was read.
	Unchanged(name string, st manifest.FileStat) (objs []*manifest.Object, unmodelled map[string]int, findings []*Finding, ok bool)
	// Get returns what was kept for a file with these bytes, named name,
	// whose stat data, taken before it was read, are st.
	Get(name string, data []byte, st manifest.FileStat) (objs []*manifest.Object, unmodelled map[string]int, findings []*Finding, ok bool)
	// Put keeps a file read without problems, with its local findings.
	Put(f *manifest.File, findings []*Finding)
	// Save writes what this run kept.
	Save() error
}

// Result is what Lint read and found.
type Result struct {
	Load     *manifest.Result
	Graph    *graph.Graph
	Findings []*Finding
	// Internal holds the errors of rules that failed: meshlint bugs.
	Internal []error
	// CacheErr is why the cache could not be written, if it could not.
	CacheErr error
}

// Lint loads the input, builds the graph and runs the rules, as the
// command does. The Local rules run on each file as it is read, in the
// loader's workers, while its YAML nodes exist; the loader then drops the
// nodes, so memory holds what the graph extracted rather than every node
// of the input. The other rules run on the whole graph once it is built.
func Lint(opts LintOptions) *Result {
	var local, global []*Rule
	for _, r := range opts.Rules {
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
	maps := graph.NewShared()
	load := opts.Load
	load.PerFile = func(f *manifest.File) []*manifest.Error {
		g := graph.Prepare(f.Objects, opts.Mesh, maps)
		var fs []*Finding
		var errs []error
		shared := &memo{values: map[any]*memoValue{}}
		for _, r := range local {
			sev := r.Severity
			if s, ok := opts.Severity[r.ID]; ok {
				sev = s
			}
			f, err := runOne(r, g, sev, shared)
			fs = append(fs, f...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		if opts.Cache != nil && f.Data != nil && len(f.Errors) == 0 && len(g.Errors) == 0 && len(errs) == 0 {
			opts.Cache.Put(f, fs)
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
	if opts.Cache != nil {
		kept := func(objs []*manifest.Object, unmodelled map[string]int, fs []*Finding, ok bool) ([]*manifest.Object, map[string]int, bool) {
			for _, o := range objs {
				maps.Canon(o)
			}
			if ok {
				mu.Lock()
				found = append(found, fs...)
				mu.Unlock()
			}
			return objs, unmodelled, ok
		}
		load.Unchanged = func(name string, st manifest.FileStat) ([]*manifest.Object, map[string]int, bool) {
			return kept(opts.Cache.Unchanged(name, st))
		}
		load.Cached = func(name string, data []byte, st manifest.FileStat) ([]*manifest.Object, map[string]int, bool) {
			return kept(opts.Cache.Get(name, data, st))
		}
	}
	load.DropNodes = true
	res := &Result{Load: manifest.Load(opts.Paths, load)}
	if opts.Cache != nil {
		// Nothing after loading changes what the cache keeps (Build
		// copies the prepared specs): write it while the rules run.
		saved := make(chan error, 1)
		go func() { saved <- opts.Cache.Save() }()
		defer func() { res.CacheErr = <-saved }()
	}
	res.Graph = graph.Build(res.Load.Objects, opts.Mesh)
	res.Findings, res.Internal = Run(res.Graph, global, opts.Severity)
	res.Findings = append(res.Findings, found...)
	Sort(res.Findings)
	res.Findings = Dedup(res.Findings)
	for _, err := range internal {
		res.Internal = append(res.Internal, err)
	}
	sort.Slice(res.Internal, func(i, j int) bool { return res.Internal[i].Error() < res.Internal[j].Error() })
	return res
}
