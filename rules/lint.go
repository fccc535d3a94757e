package rules

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

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
	// Progress, when set, is kept up to date as the run goes.
	Progress *Progress
}

// FileCache keeps what Lint read of each file on disk, keyed by the
// file's content: its objects, as the graph prepared them, and the findings
// of the local rules; and the record of the last run, so that a run over
// the same input need not read it, or need not run the graph rules, again
// (lintcache.Cache).
type FileCache interface {
	// Reuse returns the result of the last run when it was made with key
	// (the rules and their severities) over paths, the input has not
	// changed since (its directories by their stat data, its files by
	// their stat data or else their bytes), and its findings still hold
	// at now. A file whose bytes changed only in values that no graph
	// rule reads (graph.ReadDigest) counts as unchanged for the graph
	// rules: reread reads it again, with its local rules' findings,
	// which replace the last run's about it. err is why the new stat
	// data or bytes of files could not be kept, if they could not: the
	// result holds all the same.
	Reuse(key string, paths []string, opts manifest.Options, now time.Time, reread Reread) (res *manifest.Result, fs []*Finding, ok bool, err error)
	// Prefetch starts reading what was kept of the files, and makes the
	// maps of the objects Unchanged and Get return those of shared
	// (graph.Shared.Canon), which Put's objects have had.
	Prefetch(shared *graph.Shared)
	// Unchanged returns what was kept for the file name if its stat data
	// show it unchanged since it was read.
	Unchanged(name string, st manifest.FileStat) (objs []*manifest.Object, unmodelled map[string]int, findings []*Finding, ok bool)
	// Get returns what was kept for a file with these bytes, named name,
	// whose stat data, taken before it was read, are st.
	Get(name string, data []byte, st manifest.FileStat) (objs []*manifest.Object, unmodelled map[string]int, findings []*Finding, ok bool)
	// Put keeps a file read without problems, with its local findings.
	Put(f *manifest.File, findings []*Finding)
	// Save writes what this run kept of the files.
	Save() error
	// Digest identifies the objects of a run by the content of the files
	// they come from; ok is false when some do not come from a file on
	// disk that the cache saw. It must be called before Save, and before
	// PutRecord.
	Digest(res *manifest.Result) (digest [32]byte, ok bool)
	// GraphFindings returns the graph rules' findings of the last run
	// when it was made with key over objects with this digest, and they
	// still hold at now; until is when they may stop holding.
	GraphFindings(digest [32]byte, key string, objs []*manifest.Object, now time.Time) (fs []*Finding, until time.Time, ok bool)
	// Previous returns what the last run found when it was made with key
	// over files on disk, some of which changed since, and its findings
	// held when this run began, at now: objs are this run's objects.
	Previous(key string, objs []*manifest.Object, now time.Time) (prev *Previous, ok bool)
	// PutRecord keeps the record of a run made with key over the
	// objects of res, whose digest Digest gave, that began at since,
	// found fs and holds until until (zero: as long as the input does
	// not change).
	PutRecord(key string, digest [32]byte, res *manifest.Result, fs []*Finding, since, until time.Time) error
}

// Reread is how Reuse reads again the files whose bytes changed since
// the last run.
type Reread struct {
	// File reads the file name on disk again, and returns its objects and
	// what the local rules found of them; ok is false when it holds
	// errors, or a rule failed on it.
	File func(name string) (f *RereadFile, ok bool)
	// Weights runs again the graph rules that read route weights, for an
	// input whose files of changed changed since the last run only in
	// values no graph rule reads and in route weights (graph.WeightDigest):
	// objs are the last run's objects, in input order, with the objects
	// derived from them (graph.Derived). ok is false when they cannot run
	// on the partitions of those files alone.
	Weights func(objs []*manifest.Object, changed map[string]bool) (r *Rerun, ok bool)
}

// RereadFile is a file Reread read.
type RereadFile struct {
	Objects  []*manifest.Object
	Findings []*Finding
	// Hash is the SHA-256 of the bytes read.
	Hash [32]byte
	// Digest tells what the graph rules read of them.
	graph.Digest
}

// Previous is what the last run found, for a run over an input some of
// whose files changed since (FileCache.Previous).
type Previous struct {
	// Findings are the last run's graph rules' findings about objects
	// of files that hold the same bytes, with this run's objects.
	Findings []*Finding
	// Gone are the last run's objects of the files that changed or
	// went, as the report knows them: their partitions are what the
	// change reached, with those of Changed's objects.
	Gone []*manifest.Object
	// Changed holds the files of this run that are new or changed.
	Changed map[string]bool
}

// Result is what Lint read and found.
type Result struct {
	Load *manifest.Result
	// Graph is nil when the cache held the graph rules' findings for
	// this very input: the graph was not built.
	Graph    *graph.Graph
	Findings []*Finding
	// Internal holds the errors of rules that failed: meshlint bugs.
	Internal []error
	// CacheErr is why the cache could not be written, if it could not.
	CacheErr error
	// Partitions is how many partitions (namespaces, the cluster
	// objects) a change since the last run reached, when Rerun of the
	// graph rules ran on them alone and the others' findings about the
	// rest were kept from that run (FileCache.Previous).
	Partitions, Rerun int
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
	start := time.Now()
	key := rulesKey(opts.Rules, opts.Severity)
	if opts.Cache != nil {
		if res, fs, ok, err := opts.Cache.Reuse(key, opts.Paths, opts.Load, start, Reread{File: rereader(local, opts), Weights: weightRerun(global, opts)}); ok {
			return &Result{Load: res, Findings: fs, CacheErr: err}
		}
	}
	var (
		mu       sync.Mutex
		found    []*Finding
		internal = map[string]error{}
	)
	maps := graph.NewShared()
	if opts.Cache != nil {
		opts.Cache.Prefetch(maps)
	}
	load := opts.Load
	load.Maps = maps.Maps()
	// scratch holds the graphs of files whose Local rules are done, for
	// the next file's PrepareReusing: nothing reads them any more (the
	// findings point at objects, not into a graph).
	var scratch sync.Pool
	load.PerFile = func(f *manifest.File) []*manifest.Error {
		old, _ := scratch.Get().(*graph.Graph)
		opts.Progress.file()
		g := graph.PrepareReusing(old, f.Objects, opts.Mesh, maps)
		fs, errs := runLocal(local, g, opts.Severity)
		if opts.Cache != nil && f.Data != nil && len(f.Errors) == 0 && len(g.Errors) == 0 && len(errs) == 0 {
			opts.Cache.Put(f, fs)
		}
		scratch.Put(g)
		mu.Lock()
		defer mu.Unlock()
		found = append(found, fs...)
		for _, err := range errs {
			// A broken rule fails on many files alike: say it once. A
			// panic's message ends with the stack, which names the
			// goroutine: the first line is the failure.
			msg, _, _ := strings.Cut(err.Error(), "\n")
			internal[msg] = err
		}
		// The decoding errors are reported by the Build of the whole input.
		return nil
	}
	if opts.Cache != nil {
		// The cache made the objects' maps those of maps (Prefetch).
		kept := func(objs []*manifest.Object, unmodelled map[string]int, fs []*Finding, ok bool) ([]*manifest.Object, map[string]int, bool) {
			if ok {
				opts.Progress.file()
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
	var digest [32]byte
	recordable := false
	if opts.Cache != nil && len(res.Load.Errors) == 0 {
		// Before Save, which lets go of what the cache saw of each file.
		digest, recordable = opts.Cache.Digest(res.Load)
	}
	if opts.Cache != nil {
		// Nothing after loading changes what the cache keeps (Build
		// copies the prepared specs): write it while the rules run.
		saved := make(chan error, 1)
		go func() { saved <- opts.Cache.Save() }()
		defer func() { res.CacheErr = errors.Join(res.CacheErr, <-saved) }()
	}
	var fromCache bool
	var until time.Time // when the findings may stop holding
	if recordable {
		res.Findings, until, fromCache = opts.Cache.GraphFindings(digest, key, res.Load.Objects, start)
	}
	if !fromCache {
		var part *partial
		if recordable {
			if prev, ok := opts.Cache.Previous(key, res.Load.Objects, start); ok {
				part = planPartial(prev, res.Load.Objects, global, opts.Mesh)
			}
		}
		whole := global
		if part != nil {
			whole = part.whole
			res.Partitions, res.Rerun = len(part.dirty), len(part.rules)
		}
		opts.Progress.stage(StageGraph)
		res.Graph = graph.Build(res.Load.Objects, opts.Mesh)
		if opts.Progress != nil {
			opts.Progress.Rules.Store(int64(len(global)))
		}
		opts.Progress.stage(StageRules)
		res.Findings, res.Internal = run(res.Graph, whole, opts.Severity, opts.Progress)
		if part != nil {
			fs, errs := part.run(res.Load.Objects, opts.Mesh, opts.Severity, opts.Progress)
			res.Findings = append(res.Findings, fs...)
			res.Internal = append(res.Internal, errs...)
		}
	}
	opts.Progress.stage(StageDone)
	res.Findings = append(res.Findings, found...)
	Sort(res.Findings)
	res.Findings = Dedup(res.Findings)
	for _, err := range internal {
		res.Internal = append(res.Internal, err)
	}
	sort.Slice(res.Internal, func(i, j int) bool { return res.Internal[i].Error() < res.Internal[j].Error() })
	if recordable && len(res.Internal) == 0 && (res.Graph == nil || len(res.Graph.Errors) == 0) {
		if res.Graph != nil {
			until = certificateBound(res.Graph, start)
		}
		res.CacheErr = opts.Cache.PutRecord(key, digest, res.Load, res.Findings, start, until)
	}
	return res
}

// rereader returns how Reuse reads a changed file again: as Lint reads
// each file, with the local rules.
func rereader(local []*Rule, opts LintOptions) func(string) (*RereadFile, bool) {
	return func(name string) (*RereadFile, bool) {
		load := opts.Load
		load.DropNodes, load.Unchanged, load.Cached, load.Maps = false, nil, nil, nil
		var out *RereadFile
		ok := true
		load.PerFile = func(f *manifest.File) []*manifest.Error {
			g := graph.Prepare(f.Objects, opts.Mesh, graph.NewShared())
			fs, errs := runLocal(local, g, opts.Severity)
			if len(f.Errors) > 0 || len(g.Errors) > 0 || len(errs) > 0 || f.Data == nil {
				ok = false
				return nil
			}
			out = &RereadFile{Objects: f.Objects, Findings: fs, Hash: sha256.Sum256(f.Data)}
			out.Digest = graph.Digests(f)
			return nil
		}
		res := manifest.Load([]string{name}, load)
		if !ok || out == nil || len(res.Errors) > 0 || res.Files != 1 || len(res.Objects) != len(out.Objects) {
			return nil, false
		}
		return out, true
	}
}

// rulesKey names the rules and their severities: with the settings the
// cache is keyed by, the objects and the clock (certificate validity),
// they decide the findings.
func rulesKey(rs []*Rule, severity map[string]Severity) string {
	var b strings.Builder
	for _, r := range rs {
		sev := r.Severity
		if s, ok := severity[r.ID]; ok {
			sev = s
		}
		fmt.Fprintf(&b, "%s %s\n", r.ID, sev)
	}
	return b.String()
}

// certificateBound is the first time after start at which a certificate
// of g starts or stops being valid: the rules that compare certificates
// with the clock may then say something else of the same input. A bound
// shortly before start counts too, since the rules read the clock after
// start. It is zero when there is none.
func certificateBound(g *graph.Graph, start time.Time) time.Time {
	var bound time.Time
	for _, s := range g.Secrets {
		cert := s.ServedCertificate()
		if cert == nil {
			continue
		}
		for _, t := range []time.Time{cert.NotBefore, cert.NotAfter} {
			if t.After(start.Add(-time.Minute)) && (bound.IsZero() || t.Before(bound)) {
				bound = t
			}
		}
	}
	return bound
}
