// Package bench measures meshlint on a generated mesh of 1,000 services
// (10 namespaces × 100 services, about 8,000 objects in 1,000 files; set
// MESHLINT_BENCH_SIZE=50x200 for 10,000 services): each
// stage alone (load, build, lint), the whole pipeline, and the floor that
// any loader pays, decoding every file into yaml.v3 nodes.
//
//	go test -run '^$' -bench . -benchmem ./bench/
//
// docs/performance.md records the numbers.
package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/gctune"
	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
	"go.yaml.in/yaml/v3"
)

// The benchmark tree. The seed is fixed so that every run measures the
// same bytes. MESHLINT_BENCH_SIZE=NSxSVC (say 50x200, the 10,000 services
// of docs/performance.md) measures a larger tree.
const (
	benchNamespaces = 10
	benchServices   = 100
	benchSeed       = 1
)

// benchSize returns the tree's namespaces and services per namespace.
func benchSize() (namespaces, services int) {
	namespaces, services = benchNamespaces, benchServices
	if v := os.Getenv("MESHLINT_BENCH_SIZE"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%d", &namespaces, &services); err != nil || namespaces < 1 || services < 1 {
			panic(fmt.Sprintf("MESHLINT_BENCH_SIZE=%q: want NAMESPACESxSERVICES, as 50x200", v))
		}
	}
	return namespaces, services
}

// generated is a tree written once per process, on first use, in a
// directory that TestMain removes.
type generated struct {
	opts gentree.Options
	once sync.Once
	dir  string
	err  error
}

func (t *generated) get(b *testing.B) string {
	b.Helper()
	t.once.Do(func() {
		t.dir, t.err = os.MkdirTemp("", "meshlint-bench-")
		if t.err == nil {
			_, t.err = gentree.Generate(t.dir, t.opts)
		}
	})
	if t.err != nil {
		b.Fatal(t.err)
	}
	return t.dir
}

var (
	// wide is the benchmark tree: 10 namespaces × 100 services, or
	// MESHLINT_BENCH_SIZE.
	wide = func() *generated {
		ns, svc := benchSize()
		return &generated{opts: gentree.Options{Namespaces: ns, Services: svc, Seed: benchSeed}}
	}()
	// deep has the same services in one namespace, where anything that
	// pairs objects within a namespace costs the most.
	deep = func() *generated {
		ns, svc := benchSize()
		return &generated{opts: gentree.Options{Namespaces: 1, Services: ns * svc, Seed: benchSeed}}
	}()
	// open is wide without NetworkPolicies: every namespace lacks a
	// default deny, and MR401/MR402 write their fixes' allow policies.
	open = func() *generated {
		ns, svc := benchSize()
		return &generated{opts: gentree.Options{Namespaces: ns, Services: svc, Seed: benchSeed, NoNetworkPolicies: true}}
	}()
)

func tree(b *testing.B) string { return wide.get(b) }

func TestMain(m *testing.M) {
	code := m.Run()
	for _, t := range []*generated{wide, deep, open} {
		if t.dir != "" {
			os.RemoveAll(t.dir)
		}
	}
	os.Exit(code)
}

func load(tb testing.TB, dir string) *manifest.Result {
	tb.Helper()
	res := manifest.Load([]string{dir}, manifest.Options{})
	if len(res.Errors) > 0 {
		tb.Fatalf("load: %d errors, first: %v", len(res.Errors), res.Errors[0])
	}
	return res
}

func build(tb testing.TB, objs []*manifest.Object) *graph.Graph {
	tb.Helper()
	g := graph.Build(objs, config.DefaultMesh())
	if len(g.Errors) > 0 {
		tb.Fatalf("build: %d errors, first: %v", len(g.Errors), g.Errors[0])
	}
	return g
}

func lint(tb testing.TB, g *graph.Graph) []*rules.Finding {
	tb.Helper()
	fs, errs := rules.Run(g, all.Rules, nil)
	if len(errs) > 0 {
		tb.Fatalf("lint: %d rule errors, first: %v", len(errs), errs[0])
	}
	return fs
}

// docs counts the YAML documents loaded, modelled or not, so that every
// benchmark reports against the same input size.
func docs(res *manifest.Result) int {
	n := len(res.Objects)
	for _, k := range res.Unmodelled {
		n += k
	}
	return n
}

// meter measures the CPU time of a benchmark's loop; start it just before
// the loop.
type meter struct {
	b     *testing.B
	start time.Duration
	ok    bool
}

func startMeter(b *testing.B) *meter {
	b.ReportAllocs()
	m := &meter{b: b}
	m.start, m.ok = cpuTime()
	return m
}

// report adds per-input metrics: the documents and files one operation
// handled, the wall time per document, and the process CPU time per
// operation (all threads, the garbage collector's included).
func (m *meter) report(docs, files int) {
	b := m.b
	end, ok := cpuTime()
	b.ReportMetric(float64(docs), "docs/op")
	b.ReportMetric(float64(files), "files/op")
	if b.N > 0 && docs > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(docs), "ns/doc")
	}
	if m.ok && ok && b.N > 0 {
		b.ReportMetric(float64((end-m.start).Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
	}
}

func BenchmarkLoad(b *testing.B) {
	dir := tree(b)
	var res *manifest.Result
	m := startMeter(b)
	for b.Loop() {
		res = load(b, dir)
	}
	m.report(docs(res), res.Files)
}

func BenchmarkBuild(b *testing.B) {
	dir := tree(b)
	res := load(b, dir)
	m := startMeter(b)
	for b.Loop() {
		build(b, res.Objects)
	}
	m.report(docs(res), res.Files)
}

// BenchmarkBuildOneNamespace builds the same number of services as
// BenchmarkBuild, all in one namespace: the cost of matching selectors
// against every workload of a namespace grows with its square.
func BenchmarkBuildOneNamespace(b *testing.B) {
	res := load(b, deep.get(b))
	m := startMeter(b)
	for b.Loop() {
		build(b, res.Objects)
	}
	m.report(docs(res), res.Files)
}

func BenchmarkLint(b *testing.B) {
	dir := tree(b)
	res := load(b, dir)
	g := build(b, res.Objects)
	var findings []*rules.Finding
	m := startMeter(b)
	for b.Loop() {
		findings = lint(b, g)
	}
	m.report(docs(res), res.Files)
	b.ReportMetric(float64(len(all.Rules)), "rules")
	b.ReportMetric(float64(len(findings)), "findings/op")
}

// BenchmarkEndToEnd runs the command's pipeline, rules.Lint, with every
// rule: load, with the local rules per file and the nodes dropped, build,
// and the other rules.
func BenchmarkEndToEnd(b *testing.B) {
	dir := tree(b)
	var res *rules.Result
	m := startMeter(b)
	for b.Loop() {
		res = lintTree(b, dir)
	}
	m.report(docs(res.Load), res.Load.Files)
}

// BenchmarkEndToEndNoNetworkPolicies is BenchmarkEndToEnd on a tree
// without NetworkPolicies, where the default-deny fixes compute the allow
// policies of every namespace (a version of them took minutes on 10,000
// services).
func BenchmarkEndToEndNoNetworkPolicies(b *testing.B) {
	dir := open.get(b)
	var res *rules.Result
	m := startMeter(b)
	for b.Loop() {
		res = lintTree(b, dir)
	}
	m.report(docs(res.Load), res.Load.Files)
}

func lintTree(tb testing.TB, dir string) *rules.Result {
	tb.Helper()
	res := rules.Lint(rules.LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: all.Rules})
	if len(res.Load.Errors) > 0 || len(res.Graph.Errors) > 0 || len(res.Internal) > 0 {
		tb.Fatalf("lint: %d load, %d decoding and %d rule errors", len(res.Load.Errors), len(res.Graph.Errors), len(res.Internal))
	}
	return res
}

// BenchmarkVersusDecode measures the target in one run: each
// iteration decodes the tree into yaml.v3 nodes (in parallel, as the
// loader reads) and lints it with every rule, and "x-decode" is the ratio
// of the two wall times over the whole run. Alternating the two keeps a
// busy machine from favouring either.
func BenchmarkVersusDecode(b *testing.B) {
	dir := tree(b)
	files := yamlFiles(b, dir)
	var decode, lint time.Duration
	var res *rules.Result
	m := startMeter(b)
	for b.Loop() {
		t := time.Now()
		decodeParallel(b, files)
		decode += time.Since(t)
		// The lint runs with the collector set as the command sets
		// it; the decode with Go's defaults, as bench/yamldecode.
		t = time.Now()
		stop := gctune.Tune(1.5)
		res = lintTree(b, dir)
		stop()
		lint += time.Since(t)
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}
	m.report(docs(res.Load), res.Load.Files)
	b.ReportMetric(float64(lint)/float64(decode), "x-decode")
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(lint.Milliseconds())/float64(b.N), "lint-ms/op")
}

func yamlFiles(b *testing.B, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return files
}

// BenchmarkDecodeBaseline is the floor under BenchmarkLoad: read every
// file and decode each document into a yaml.Node, nothing more. The
// parallel variant uses GOMAXPROCS workers, as manifest.Load does.
func BenchmarkDecodeBaseline(b *testing.B) {
	files := yamlFiles(b, tree(b))
	b.Run("serial", func(b *testing.B) {
		n := 0
		m := startMeter(b)
		for b.Loop() {
			n = 0
			for _, f := range files {
				n += decodeFile(b, f)
			}
		}
		m.report(n, len(files))
	})
	b.Run("parallel", func(b *testing.B) {
		var n int
		m := startMeter(b)
		for b.Loop() {
			n = decodeParallel(b, files)
		}
		m.report(n, len(files))
	})
}

func decodeParallel(b *testing.B, files []string) int {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		next  = make(chan string)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			n := 0
			for f := range next {
				n += decodeFile(b, f)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	return total
}

func decodeFile(b *testing.B, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Error(err)
		return 0
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var node yaml.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			return n
		} else if err != nil {
			b.Errorf("%s: %v", path, err)
			return n
		}
		n++
	}
}
