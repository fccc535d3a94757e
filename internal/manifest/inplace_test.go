package manifest_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
	"github.com/meshlint/meshlint/rules/lintcache"
	"github.com/meshlint/meshlint/rules/ruletest"
	"golang.org/x/tools/txtar"
)

// When the loader drops the nodes of a file, the fast parser cuts their
// scalars from the worker's read buffer (yamlfast.ParseInPlace), which the
// next file is read over. Whatever a run keeps of a file (objects, what
// Prepare kept, local findings, cache entries, the run record) must hold
// copies. The tests below look for what does not, over every YAML tree of
// the repository and the inputs of reflectCases, two ways: they overwrite
// the buffer once each file is done, which must change nothing the command
// prints, caches or fixes; and they look in everything a run keeps for a
// string inside a buffer, which finds what is kept but not printed.

// root is the repository, from this package's folder.
const root = "../.."

// reflectCases are inputs that the fast spec decoders give up on, so that
// yaml.v3 decodes them by reflection and sets strings, map keys and nodes
// from the scalars directly: a type error at the top of a spec, beside
// each kind of field yaml.v3 fills without an UnmarshalYAML ([]string,
// map keys, *yaml.Node fields); an error below a field would leave the
// field out. And node-named keys in a *yaml.Node field, which give up
// without an error; and what Prepare keeps of nodes besides specs.
var reflectCases = map[string]string{
	"netpol.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [frontend, backend]}
  policyTypes: {a: b}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: role, operator: NotIn, values: [batch, cron]}
`,
	"vs.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: [web]
  exportTo: {a: b}
  http:
  - match:
    - headers: {x-canary: {exact: "yes"}, x-user: {prefix: beta}}
      queryParams: {debug: {exact: "1"}}
      withoutHeaders: {x-skip: {exact: "1"}}
      sourceLabels: {app: gateway}
    route:
    - destination: {host: web, subset: v1}
    fault: {value: 3, tag: x, delay: {percentage: {value: 10}, fixedDelay: 1s}}
`,
	"pa.yaml": `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  mtls: {mode: [STRICT]}
  portLevelMtls:
    "8080": {mode: PERMISSIVE}
    metrics: {mode: DISABLE}
`,
	"dr.yaml": `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr, namespace: shop}
spec:
  host: web
  exportTo: {a: b}
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    portLevelSettings:
    - port: {number: 80}
      tls: {mode: ISTIO_MUTUAL, sni: web.shop}
  subsets:
  - name: v1
    labels: {version: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr2, namespace: shop}
spec:
  host: api
  trafficPolicy:
    loadBalancer: {value: ROUND_ROBIN, tag: lb, anchor: x}
    connectionPool: {kind: 5, headcomment: x}
    outlierDetection: {linecomment: d, footcomment: e}
`,
	"deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: three
  selector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: track, operator: In, values: [stable, canary]}
  template:
    metadata:
      labels: {app: web, track: stable}
      annotations: {sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: web-sa
      containers:
      - name: web
        image: web:1
        ports:
        - {containerPort: 8080, name: http-web, protocol: TCP}
`,
	"svc.yaml": `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: [x]
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http-web}
`,
	"ls.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: istio
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: ls1, namespace: shop, creationTimestamp: "2024-05-01T00:00:00Z"}
spec:
  parentRef: {name: gw}
  listeners:
  - {name: a, port: 8080, protocol: HTTP, hostname: a.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: ls0, namespace: shop, creationTimestamp: "2024-04-01T00:00:00Z"}
spec:
  parentRef: {name: gw}
  listeners:
  - {name: a, port: 8080, protocol: HTTP, hostname: a.example.com}
`,
}

// trees returns the YAML trees of the repository, relative to root, and
// a folder holding reflectCases.
func trees(t *testing.T) []string {
	t.Helper()
	dirs := []string{"examples", "internal/cli/testdata"}
	fixtures, err := filepath.Glob(filepath.Join(root, "fixtures", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		if hasYAML(t, f) {
			dirs = append(dirs, strings.TrimPrefix(filepath.ToSlash(f), root+"/"))
		}
	}
	if len(dirs) < 8 {
		t.Fatalf("found %d trees: %v", len(dirs), dirs)
	}
	cases, err := filepath.Abs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ruletest.WriteTree(t, cases, reflectCases)
	return append(dirs, cases)
}

func hasYAML(t *testing.T, dir string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// poison overwrites a buffer the loader is done with.
func poison(buf []byte) {
	for i := range buf {
		buf[i] = 0xFF
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, dir string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(args, &cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Dir: dir,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	})
	return result{code, out.String(), errb.String()}
}

// same reports the first difference between two runs.
func same(t *testing.T, what string, got, want result) {
	t.Helper()
	if got.code != want.code || got.stderr != want.stderr {
		t.Errorf("%s: exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s", what, got.code, got.stderr, want.code, want.stderr)
	}
	if got.stdout != want.stdout {
		t.Errorf("%s: the output differs:\n%s", what, firstDiff(got.stdout, want.stdout))
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: %q\nwant:     %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

// TestPoisonedBuffers lints every tree (JSON and SARIF), and runs reach
// over it, with each read buffer overwritten once its file is done: the
// output, and that of a run from the cache the poisoned run wrote, must be
// the output of a run without.
func TestPoisonedBuffers(t *testing.T) {
	if testing.Short() {
		t.Skip("lints every tree of the repository several times")
	}
	repo, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tree := range trees(t) {
		t.Run(filepath.Base(tree), func(t *testing.T) {
			for _, args := range [][]string{
				{"--no-config", "--format", "json", tree},
				{"--no-config", "--format", "sarif", tree},
				{"reach", "--format", "json", "-q", tree},
			} {
				manifest.SetFileDone(t, nil)
				want := run(t, repo, args...)
				if want.stdout == "" { // exit 2 is also for input errors
					t.Fatalf("%v: exit %d, no output\n%s", args, want.code, want.stderr)
				}
				manifest.SetFileDone(t, poison)
				same(t, fmt.Sprint(args, " poisoned"), run(t, repo, args...), want)
			}
			// The cache keeps what PerFile saw of each file, and the run
			// record what the run found: a cold run writes them while
			// poisoning, a warm one reads them without.
			args := []string{"--no-config", "--format", "json", tree}
			manifest.SetFileDone(t, nil)
			want := run(t, repo, args...)
			cache := []string{"--cache-dir", t.TempDir()}
			manifest.SetFileDone(t, poison)
			same(t, "cold cache, poisoned", run(t, repo, append(cache, args...)...), want)
			manifest.SetFileDone(t, nil)
			same(t, "warm cache", run(t, repo, append(cache, args...)...), want)
		})
	}
}

// TestPoisonedFixes runs --diff over the inputs of fixtures/fix with and
// without poisoning: the edits check the text they replace (Edit.Old),
// which the JSON output leaves out.
func TestPoisonedFixes(t *testing.T) {
	if testing.Short() {
		t.Skip("lints every fix case twice")
	}
	cases, err := filepath.Glob(filepath.Join(root, "fixtures", "fix", "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no fixtures/fix cases: %v", err)
	}
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				if v, ok := strings.CutPrefix(line, "args:"); ok {
					args = append(args, strings.Fields(v)...)
				}
			}
			input := map[string]string{}
			for _, f := range ar.Files {
				if name, ok := strings.CutPrefix(f.Name, "input/"); ok {
					input[name] = string(f.Data)
				}
			}
			dir := t.TempDir()
			ruletest.WriteTree(t, dir, input)
			args = append(args, "--diff", ".")
			manifest.SetFileDone(t, nil)
			want := run(t, dir, args...)
			if want.stdout == "" {
				t.Fatalf("--diff: exit %d, no diff\n%s", want.code, want.stderr)
			}
			manifest.SetFileDone(t, poison)
			same(t, "--diff poisoned", run(t, dir, args...), want)
		})
	}
}

// TestNothingKeepsABuffer lints every tree, keeping every read buffer the
// loader used alive, and looks for a string inside one in everything the
// run keeps: its result (objects, what Prepare kept of them, the graph,
// the findings) and its cache (the entries of the files and the run
// record).
func TestNothingKeepsABuffer(t *testing.T) {
	var (
		mu   sync.Mutex
		bufs [][]byte
	)
	manifest.SetFileDone(t, func(buf []byte) {
		mu.Lock()
		defer mu.Unlock()
		bufs = append(bufs, buf)
	})
	repo, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tree := range trees(t) {
		bufs = nil
		c := lintcache.Open(filepath.Join(t.TempDir(), "cache"), "key", all.Rules)
		res := rules.Lint(rules.LintOptions{
			Paths: []string{tree}, Load: manifest.Options{Dir: repo},
			Mesh: config.DefaultMesh(), Rules: all.Rules, Cache: c,
		})
		if len(bufs) == 0 {
			continue // a kustomization, whose files are read otherwise
		}
		s := newScan(bufs)
		s.walk(reflect.ValueOf(res), "rules.Result")
		s.walk(reflect.ValueOf(c), "lintcache.Cache")
		for _, p := range s.sortedPaths() {
			t.Errorf("%s: %d strings share a read buffer at %s, such as %q", tree, s.found[p], p, s.example[p])
		}
	}
}

// scan looks for strings inside the memory of buffers.
type scan struct {
	bufs    [][2]uintptr // start and end, sorted
	seen    map[[2]uintptr]bool
	found   map[string]int
	example map[string]string
}

func newScan(bufs [][]byte) *scan {
	s := &scan{seen: map[[2]uintptr]bool{}, found: map[string]int{}, example: map[string]string{}}
	for _, b := range bufs {
		if cap(b) > 0 {
			start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
			s.bufs = append(s.bufs, [2]uintptr{start, start + uintptr(cap(b))})
		}
	}
	sort.Slice(s.bufs, func(i, j int) bool { return s.bufs[i][0] < s.bufs[j][0] })
	return s
}

func (s *scan) inBuffer(str string) bool {
	if str == "" {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(str)))
	i := sort.Search(len(s.bufs), func(i int) bool { return s.bufs[i][1] > p })
	return i < len(s.bufs) && s.bufs[i][0] <= p
}

// visit reports whether the memory at p, of type t, is seen for the first
// time.
func (s *scan) visit(p uintptr, t reflect.Type) bool {
	k := [2]uintptr{p, uintptr(reflect.ValueOf(t).UnsafePointer())}
	if s.seen[k] {
		return false
	}
	s.seen[k] = true
	return true
}

// walk visits every string reachable from v, unexported fields included;
// path names the type and field it is in.
func (s *scan) walk(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if str := v.String(); s.inBuffer(str) {
			s.found[path]++
			if _, ok := s.example[path]; !ok {
				s.example[path] = str
			}
		}
	case reflect.Pointer:
		if !v.IsNil() && s.visit(v.Pointer(), v.Type()) {
			s.walk(v.Elem(), path)
		}
	case reflect.Interface:
		if !v.IsNil() {
			s.walk(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			s.walk(v.Field(i), t.String()+"."+t.Field(i).Name)
		}
	case reflect.Slice:
		if v.IsNil() || !s.visit(v.Pointer()+uintptr(v.Len()), v.Type()) {
			return
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			s.walk(v.Index(i), path+"[]")
		}
	case reflect.Map:
		if v.IsNil() || !s.visit(v.Pointer(), v.Type()) {
			return
		}
		for it := v.MapRange(); it.Next(); {
			s.walk(it.Key(), path+" key")
			s.walk(it.Value(), path+"[]")
		}
	}
}

func (s *scan) sortedPaths() []string {
	var ps []string
	for p := range s.found {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}
