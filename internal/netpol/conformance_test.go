package netpol

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// conformanceDir holds the conformance suites of the network policy API,
// their inputs and the connections their tests assert (see its README).
var conformanceDir = filepath.Join("..", "..", "fixtures", "netpol-conformance")

// conformanceVersions are the suites TestNetpolConformance runs.
var conformanceVersions = []string{"v0.1.5", "v0.3.0"}

// hostNetworkPorts are the suite's default s.HostNetworkPorts, which the
// v0.3.0 manifests are templated with.
var hostNetworkPorts = []int{34345, 34346, 34347, 34348, 34349, 34350, 34351, 34352}

// conformanceRow is one kubernetes.PokeServer call of a suite: see the
// header of expected.tsv.
type conformanceRow struct {
	test, subtest, source  string
	manifests, policies    []string
	deleted                map[string]bool
	podLabels, nsLabels    map[string]map[string]string
	client, proto, server  string
	port                   int
	connect                bool
	version, line, subject string
}

// TestNetpolConformance holds the engine to the conformance suites of the
// network policy API: every connection their tests assert must come out
// of Analysis.Allowed as they say, except the differences listed, with
// their reasons, in differences.tsv; a listed difference that no longer
// happens fails too, so that the list stays true.
func TestNetpolConformance(t *testing.T) {
	diffs := readDifferences(t)
	used := map[string]bool{}
	for _, v := range conformanceVersions {
		rows := readConformanceRows(t, v)
		if len(rows) < 100 {
			t.Fatalf("%s: %d rows in expected.tsv, want the whole suite", v, len(rows))
		}
		analyses := map[string]*conformanceModel{}
		var ok, differ int
		for _, r := range rows {
			key := strings.Join(r.manifests, ",") + "|" + strings.Join(r.policies, ",") + "|" + labelKey(r.nsLabels) + "|" + strings.Join(sortedKeys(r.deleted), ",")
			m := analyses[key]
			if m == nil {
				m = loadConformance(t, v, r)
				analyses[key] = m
			}
			proto, okp := ParseProtocol(strings.ToUpper(r.proto))
			if !okp {
				t.Fatalf("%s: protocol %q", r.line, r.proto)
			}
			got := m.a.Allowed(m.pod(t, r.client, r.podLabels), m.pod(t, r.server, r.podLabels)).Contains(proto, r.port)
			id := v + "\t" + r.source
			_, listed := diffs[id]
			used[id] = true
			switch {
			case listed && got == r.connect:
				t.Errorf("%s: %s: listed in differences.tsv, but meshlint now agrees (%s -> %s %s %d: %v); remove the line",
					r.line, r.subject, r.client, r.server, r.proto, r.port, got)
			case listed:
				differ++
			case got != r.connect:
				t.Errorf("%s: %s: %s -> %s %s %d: meshlint says connect=%v, the suite %v",
					r.line, r.subject, r.client, r.server, r.proto, r.port, got, r.connect)
			default:
				ok++
			}
		}
		t.Logf("%s: %d connections agree, %d listed differences", v, ok, differ)
	}
	for id := range diffs {
		if !used[id] {
			t.Errorf("differences.tsv: %q matches no row of expected.tsv", id)
		}
	}
}

// readDifferences reads differences.tsv: version, source, then columns
// for people (test, connection, reason), keyed by version and source.
func readDifferences(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range readTSV(t, filepath.Join(conformanceDir, "differences.tsv")) {
		if len(f) < 4 || f[len(f)-1] == "" {
			t.Fatalf("differences.tsv: %q: want version, source, ..., reason", f)
		}
		out[f[0]+"\t"+f[1]] = f[len(f)-1]
	}
	return out
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, strings.Split(line, "\t"))
		}
	}
	return out
}

func readConformanceRows(t *testing.T, version string) []conformanceRow {
	t.Helper()
	path := filepath.Join(conformanceDir, version, "expected.tsv")
	var rows []conformanceRow
	for i, f := range readTSV(t, path) {
		if len(f) != 13 {
			t.Fatalf("%s: row %d has %d fields, want 13", path, i+1, len(f))
		}
		port, err := strconv.Atoi(f[11])
		if err != nil {
			t.Fatalf("%s: row %d: port %q", path, i+1, f[11])
		}
		r := conformanceRow{test: f[0], subtest: f[1], source: f[2], manifests: strings.Split(f[3], ","),
			policies: splitList(f[4], ","), podLabels: parseLabels(f[5]), nsLabels: parseLabels(f[6]), deleted: map[string]bool{},
			client: f[8], proto: f[9], server: f[10], port: port, connect: f[12] == "true", version: version}
		for _, d := range splitList(f[7], ",") {
			r.deleted[d] = true
		}
		r.line = version + " " + r.source
		r.subject = r.test + ": " + r.subtest
		rows = append(rows, r)
	}
	return rows
}

func splitList(s, sep string) []string {
	if s == "-" {
		return nil
	}
	return strings.Split(s, sep)
}

// parseLabels reads "obj:k=v,k=v;obj:..." as written by extract.go.
func parseLabels(s string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, obj := range splitList(s, ";") {
		name, kvs, _ := strings.Cut(obj, ":")
		m := map[string]string{}
		for _, kv := range splitList(kvs, ",") {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		out[name] = m
	}
	return out
}

func labelKey(m map[string]map[string]string) string {
	var b strings.Builder
	for _, o := range sortedKeys(m) {
		b.WriteString(o + ":" + labelsString(m[o]) + ";")
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

func labelsString(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

// conformanceModel is the analysis of one state of a suite's cluster.
type conformanceModel struct {
	a *Analysis
	g *graph.Graph
}

// loadConformance builds the cluster a row runs in: manifests.yaml, the
// test's manifests, the policies as the test has patched them (replacing
// the objects of the same kind and name), without the objects it has
// deleted, and with the namespace labels it has set.
func loadConformance(t *testing.T, version string, r conformanceRow) *conformanceModel {
	t.Helper()
	var src strings.Builder
	files := append([]string{"base/manifests.yaml"}, r.manifests...)
	files = append(files, r.policies...)
	for _, f := range files {
		data, err := readConformanceFile(version, f)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := template.New(f).Parse(string(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := tmpl.Execute(&src, struct{ HostNetworkPorts []int }{hostNetworkPorts}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		src.WriteString("\n---\n")
	}
	res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(src.String())})
	if len(res.Errors) > 0 {
		t.Fatalf("%s: load: %v", r.line, res.Errors)
	}
	// A patched policy comes last: it replaces the earlier object.
	last := map[string]int{}
	for i, o := range res.Objects {
		last[string(o.Kind)+"/"+o.Namespace+"/"+o.Name] = i
	}
	var objs []*manifest.Object
	for i, o := range res.Objects {
		if last[string(o.Kind)+"/"+o.Namespace+"/"+o.Name] == i && !r.deleted[string(o.Kind)+"/"+o.Namespace+"/"+o.Name] {
			objs = append(objs, o)
		}
	}
	g := graph.Build(objs, config.Mesh{})
	if len(g.Errors) > 0 {
		t.Fatalf("%s: build: %v", r.line, g.Errors)
	}
	for ns, ls := range r.nsLabels {
		n := g.Namespaces[ns]
		if n == nil {
			t.Fatalf("%s: no namespace %s", r.line, ns)
		}
		// SetLabels replaces the labels; the API server adds the name.
		n.Labels = map[string]string{graph.NamespaceNameLabel: ns}
		for k, v := range ls {
			n.Labels[k] = v
		}
	}
	return &conformanceModel{a: Analyze(g), g: g}
}

// readConformanceFile reads a file of a suite by the name its tests give
// it. The suite's Go templates are kept as <name>.tmpl, so that the tests
// and tools that read fixtures/ as manifests skip them.
func readConformanceFile(version, name string) ([]byte, error) {
	path := filepath.Join(conformanceDir, version, filepath.FromSlash(name))
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return os.ReadFile(path + ".tmpl")
	}
	return data, err
}

// pod describes pod ns/name-N of a StatefulSet of the suite: its
// template's labels and ports, the labels the StatefulSet controller adds
// to each pod, and those the test has set.
func (m *conformanceModel) pod(t *testing.T, ref string, extra map[string]map[string]string) Endpoint {
	t.Helper()
	ns, name, _ := strings.Cut(ref, "/")
	i := strings.LastIndexByte(name, '-')
	var sts *graph.Workload
	for _, w := range m.g.WorkloadsIn(ns) {
		if w.Obj.Kind == kinds.StatefulSet && w.Name() == name[:i] {
			sts = w
		}
	}
	if sts == nil {
		t.Fatalf("no StatefulSet for pod %s", ref)
	}
	p := podOf(sts)
	p.Labels = map[string]string{"statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": name[i+1:]}
	for k, v := range sts.Labels {
		p.Labels[k] = v
	}
	for k, v := range extra[ref] {
		p.Labels[k] = v
	}
	return PodEndpoint(p)
}
