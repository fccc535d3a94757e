package all

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suppress"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	k8syaml "sigs.k8s.io/yaml"
)

// TestMetamorphic checks that findings do not depend on how the same
// configuration is written or laid out in files. Every input the repository
// has (each rule's fixtures and Bad and Good examples, the realworld and
// reach trees, examples/, and the inputs of istioctl's, Gateway API's and
// the network policy conformance tests that load) is linted by every rule,
// suppressions applied as in a real run, and linted again after each
// transformation of metaTransforms. Each keeps what Kubernetes reads (the
// objects, in the same order) and changes only how it is written: documents
// split into files of their own, the files of a directory or of the whole
// tree joined into one, the YAML restyled (block, flow, wide indentation,
// quoted strings, nested keys reordered), a comment that makes the loader
// use its full parser, the top-level keys reordered.
//
// The findings must stay the same, compared by findingKey: rule, severity,
// object, message and related messages with file:line references left
// out, the node each position points at (its path in the object, not its
// line), and the fixes: their descriptions, and whether --fix can apply
// them to the text they were made for (brokenFixes). Where a rule
// legitimately depends on the layout, metaTransform says so, rule by rule.
//
// It lives in rules/all rather than internal/cli because the fixture
// harness's pipeline (rules.Lint, then suppress.Apply) is the command's,
// and the registry is here. It runs every input, without sampling, in
// about 10 s on 2 cores.
func TestMetamorphic(t *testing.T) {
	inputs := metaInputs(t)
	if len(inputs) < 700 {
		t.Fatalf("only %d inputs: the loader lost some", len(inputs))
	}
	var stats metaStats
	t.Cleanup(func() {
		// The subtests have run. Each transformation must have had work
		// to do, or the test lost its point.
		for _, tf := range metaTransforms {
			n, fs := stats.inputs[tf.name], stats.findings[tf.name]
			t.Logf("%s: %d inputs changed, %d findings compared", tf.name, n, fs)
			// Most inputs are one file, which only split and the
			// per-document rewrites change.
			least := 100
			if tf.name == "join" || tf.name == "join-all" {
				least = 30
			}
			if n < least || fs < 3*least {
				t.Errorf("%s changed only %d inputs, with %d findings", tf.name, n, fs)
			}
		}
		for _, d := range dupTransforms {
			n, fs := stats.inputs[d.name], stats.findings[d.name]
			t.Logf("%s: %d inputs duplicated, %d findings compared", d.name, n, fs)
			if n < 700 || fs < 2000 {
				t.Errorf("%s duplicated only %d inputs, with %d findings", d.name, n, fs)
			}
		}
	})
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			in.check(t, &stats)
		})
	}
}

// metaStats counts, by transformation, the inputs it changed and the
// findings compared on them.
type metaStats struct {
	mu               sync.Mutex
	inputs, findings map[string]int
}

func (s *metaStats) add(transform string, findings int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inputs == nil {
		s.inputs, s.findings = map[string]int{}, map[string]int{}
	}
	s.inputs[transform]++
	s.findings[transform] += findings
}

// metaInput is one input tree: its files by slash-separated path, and the
// settings it is linted with.
type metaInput struct {
	name      string
	files     map[string][]byte
	mesh      config.Mesh
	namespace string
	// foreign marks an input that may not load: it is then left out.
	foreign bool
}

// metaTransform rewrites the files of a tree. fn returns nil when it
// changes nothing (a file of one document cannot be split).
type metaTransform struct {
	name string
	fn   func(t *testing.T, files map[string][]byte) map[string][]byte
	// nodesMove is set for a transformation that reorders the entries
	// of nested mappings: the first key of a block mapping, which stands
	// for the mapping (stepsTo), changes, so findings are compared
	// without the nodes they point at.
	nodesMove bool
	// fixMayChange holds, by rule ID, why the transformation may take
	// away or give a fix of the rule's findings, which must otherwise
	// keep or lack one.
	fixMayChange map[string]string
}

// blockOnlyFixes are the rules whose fixes only block style allows: a
// restyle may take them away (block to flow) or give them (flow to block,
// which every restyle but restyle-flow does).
var blockOnlyFixes = map[string]string{
	// moveAnnotationsFix moves each annotation as the line it is written
	// on, from the workload's block annotations to its pod template's
	// block metadata; in a flow mapping there is no line to move.
	"MR720": "moves annotation lines between block mappings",
}

var metaTransforms = []metaTransform{
	{name: "split", fn: func(_ *testing.T, files map[string][]byte) map[string][]byte { return splitFiles(files) }},
	{name: "join", fn: func(_ *testing.T, files map[string][]byte) map[string][]byte { return joinFiles(files) }},
	{name: "join-all", fn: func(_ *testing.T, files map[string][]byte) map[string][]byte { return joinAll(files) }},
	{name: "restyle-block", fixMayChange: blockOnlyFixes, fn: restyleWith(yamlStyle{})},
	{name: "restyle-flow", fixMayChange: blockOnlyFixes, fn: restyleWith(yamlStyle{flow: true})},
	{name: "restyle-wide", fixMayChange: blockOnlyFixes, fn: restyleWith(yamlStyle{wide: true})},
	{name: "restyle-quoted", fixMayChange: blockOnlyFixes, fn: restyleWith(yamlStyle{quote: true})},
	{name: "reorder-nested", nodesMove: true, fixMayChange: blockOnlyFixes, fn: restyleWith(yamlStyle{reverse: true})},
	{name: "full-parser", fn: func(_ *testing.T, files map[string][]byte) map[string][]byte { return fullParser(files) }},
	{name: "reorder-keys", fn: func(t *testing.T, files map[string][]byte) map[string][]byte { return eachDoc(t, files, reorderKeys) }},
}

func restyleWith(st yamlStyle) func(t *testing.T, files map[string][]byte) map[string][]byte {
	return func(t *testing.T, files map[string][]byte) map[string][]byte {
		return eachDoc(t, files, func(t *testing.T, doc []byte) ([]byte, bool) { return restyle(t, doc, st) })
	}
}

// metaInputs lists the inputs: every rule fixture, with the settings of
// its "# fixture:" lines, every rule's Bad and Good example, the realworld
// trees (partial/ in closed world too) with their .meshlint.yaml, and the
// examples.
func metaInputs(t *testing.T) []*metaInput {
	t.Helper()
	root := filepath.Join("..", "..")
	var ins []*metaInput
	fixture := func(name string, files map[string][]byte) {
		var all []string
		for _, b := range files {
			all = append(all, string(b))
		}
		opts, err := ruletest.ParseOptions([]byte(strings.Join(all, "\n")), Rules)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ins = append(ins, &metaInput{name: name, files: files, mesh: opts.Mesh, namespace: opts.Namespace})
	}
	err := ruletest.EachFixture(filepath.Join(root, "fixtures", "rules"), func(id, name string, files map[string][]byte) {
		fixture("rules/"+id+"/"+name, files)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		fixture("examples/"+r.ID+"/bad", map[string][]byte{"bad.yaml": []byte(r.Bad)})
		fixture("examples/"+r.ID+"/good", map[string][]byte{"good.yaml": []byte(r.Good)})
	}
	tree := func(name, dir string, closedWorld bool) {
		tr := &depTree{mesh: config.DefaultMesh()}
		tr.configure(t, dir)
		in := &metaInput{name: name, files: map[string][]byte{}, mesh: tr.mesh, namespace: tr.load.Namespace}
		in.mesh.ClosedWorld = in.mesh.ClosedWorld || closedWorld
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && p != dir && strings.HasPrefix(d.Name(), "."):
				return filepath.SkipDir
			case d.IsDir() || !metaManifest(p) || strings.HasPrefix(d.Name(), "."):
				return nil
			case tr.load.Ignore != nil && tr.load.Ignore(p):
				return nil // the MeshConfig, read by configure
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			in.files[filepath.ToSlash(rel)] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
	}
	tree("examples", filepath.Join(root, "examples"), false)
	trees, err := os.ReadDir(filepath.Join(root, "fixtures", "realworld"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range trees {
		if d.IsDir() {
			tree("realworld/"+d.Name(), filepath.Join(root, "fixtures", "realworld", d.Name()), false)
		}
	}
	tree("realworld/partial-closed-world", filepath.Join(root, "fixtures", "realworld", "partial"), true)
	reach, err := os.ReadDir(filepath.Join(root, "fixtures", "reach"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range reach {
		if d.IsDir() {
			tree("reach/"+d.Name(), filepath.Join(root, "fixtures", "reach", d.Name()), false)
		}
	}
	// The inputs copied from other projects' tests, each file alone:
	// YAML as others write it. Some do not load (that is their point);
	// check leaves those out.
	for _, set := range []string{"istioctl/testdata", "gatewayapi-conformance/tests", "istio-gateway-status/testdata", "netpol-conformance"} {
		err := filepath.WalkDir(filepath.Join(root, "fixtures", set), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !metaManifest(p) {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(filepath.Join(root, "fixtures"), p)
			ins = append(ins, &metaInput{name: filepath.ToSlash(rel), files: map[string][]byte{d.Name(): b}, mesh: config.DefaultMesh(), namespace: "default", foreign: true})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ins
}

func metaManifest(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// check lints the input as it is and after each transformation, and
// reports every finding that differs.
func (in *metaInput) check(t *testing.T, stats *metaStats) {
	base, err := in.lint(t, in.files)
	if err != nil {
		if in.foreign {
			return
		}
		t.Fatalf("as written: %v", err)
	}
	for _, tf := range metaTransforms {
		files := tf.fn(t, in.files)
		if files == nil {
			continue
		}
		got, err := in.lint(t, files)
		if err != nil {
			t.Errorf("%s: %v", tf.name, err)
			continue
		}
		stats.add(tf.name, len(base.findings))
		if !slices.Equal(got.objects, base.objects) {
			// A transformation must keep the objects and their order;
			// if it does not, the test is wrong, or the loader is.
			t.Errorf("%s: the objects read differ:\n  as written: %v\n  after:      %v\n%s", tf.name, base.objects, got.objects, dumpTree(files))
			continue
		}
		if diff := multisetDiff(base.keys(tf), got.keys(tf)); diff != "" {
			t.Errorf("%s changes the findings:\n%s\n%s", tf.name, diff, dumpTree(files))
		}
		// Where tf may take a fix away or give one, a fix it gives must
		// still apply; one it does not give may have applied only to the
		// comments a restyle drops.
		for _, f := range got.findings {
			same := func(b metaFinding) bool {
				return b.broken != "" && (b.key == f.key || tf.nodesMove && b.loose == f.loose)
			}
			if f.broken != "" && tf.fixMayChange[f.rule] != "" && !slices.ContainsFunc(base.findings, same) {
				t.Errorf("%s breaks the fix of %s%s\n%s", tf.name, f.key, f.broken, dumpTree(files))
			}
		}
	}
	in.checkDuplicates(t, base, stats)
}

// checkDuplicates lints the input with every document defined twice, in
// two files, after each of dupTransforms, and reports how the findings
// differ from those of the input as written.
//
// The two copies of a document are one object in the cluster (the same
// API group, kind, namespace and name: graph.SameObject): MR017 reports
// the duplication, and no other rule may see the copies as two objects,
// conflicting with each other, counted or named twice. Every other rule
// must report on each copy what it reports on the object as written: each
// finding twice, once per copy of the object it is about (its related
// locations on either copy), with the same message and fixes, and nothing
// else. Every finding is about an object. One about an object the graph
// derives from the input's (the pods of an Experiment step) comes once
// per definition of that object too. A rule that reports a group of
// objects (a namespace, the mesh) once, at one place, reports it once:
// dupOnce. Findings are compared by findingKey, which names an object by
// its identity, not by its file.
func (in *metaInput) checkDuplicates(t *testing.T, base metaRun, stats *metaStats) {
	limits := dupLimitsOf(base)
	if limits["*"] != "" {
		return
	}
	for _, d := range dupTransforms {
		files := d.fn(in.files)
		if files == nil {
			continue
		}
		got, err := in.lint(t, files)
		if err != nil {
			t.Errorf("%s: %v", d.name, err)
			continue
		}
		stats.add(d.name, len(base.findings))
		wantObjs := slices.Concat(base.objects, base.objects)
		gotObjs := slices.Clone(got.objects)
		slices.Sort(wantObjs)
		slices.Sort(gotObjs)
		if !slices.Equal(gotObjs, wantObjs) {
			t.Errorf("%s: the objects read are not each object as written twice:\n  as written: %v\n  after:      %v\n%s", d.name, base.objects, got.objects, dumpTree(files))
			continue
		}
		compared := func(key string) (string, bool) {
			id, _, _ := strings.Cut(key, " ")
			return id, dupExempt[id] == "" && limits[id] == ""
		}
		var want, have []string
		tf := metaTransform{name: d.name, fixMayChange: d.fixMayChange}
		for _, k := range base.keys(tf) {
			if id, ok := compared(k); ok {
				want = append(want, k)
				if dupOnce[id] == "" {
					want = append(want, k)
				}
			}
		}
		for _, k := range got.keys(tf) {
			if _, ok := compared(k); ok {
				have = append(have, k)
			}
		}
		if diff := multisetDiff(want, have); diff != "" {
			t.Errorf("%s changes the findings (\"as written\" lists each finding once per copy of its object):\n%s\n%s", d.name, diff, dumpTree(files))
		}
	}
}

// dupTransforms define every document of a tree twice, in files of
// different names. The objects come in two orders, as two folders linted
// together give them and as a copied file does: which copy a rule meets
// first must not matter.
var dupTransforms = []struct {
	name string
	fn   func(files map[string][]byte) map[string][]byte
	// fixMayChange is metaTransform's.
	fixMayChange map[string]string
}{
	{name: "duplicate-tree", fn: duplicateTree, fixMayChange: map[string]string{
		"MR302": "creates its file where every object of the input is, and a/ and b/ are two directories",
	}},
	{name: "duplicate-files", fn: duplicateFiles},
}

// dupExempt holds, by rule ID, why a rule's findings are not compared
// when every object is defined twice.
var dupExempt = map[string]string{
	"MR017": "reports the objects defined twice",
}

// dupOnce holds, by rule ID, why a rule reports a group of objects once,
// at one place (the first definition of a Namespace, the mesh-wide
// policy, the first workload of a namespace), rather than each object:
// the group is one however often its objects are defined, and each
// finding is expected once, unchanged.
var dupOnce = map[string]string{
	"MR159": "reports each Flagger instance once, at its first definition (a copy is the same controller)",
	"MR302": "reports the mesh once",
	"MR401": "reports each namespace once",
	"MR402": "reports each namespace once",
	"MR411": "reports each namespace once",
	"MR717": "reports each namespace once, at the Namespace the graph holds (the first definition)",
	"MR718": "reports each namespace once, at the Namespace the graph holds (the first definition)",
	"MR730": "reports each namespace once, at the Namespace the graph holds (the first definition)",
}

// dupLimits lists the references resolved to one definition of an object
// for every definition of the object that refers to it, by the kind of
// object of the input that brings them in, and the rules whose findings
// it changes ("*": all of them): the later definitions are not derived,
// attached or checked as the first is. The graph resolves each definition
// to the one it goes with (graph.Counterpart); what is left is a rule
// that does not ask for it. Inputs that hold such a kind are compared
// without those rules.
var dupLimits = []struct {
	kind, rules, why string
}{}

// dupLimitsOf returns, by rule ID ("*" for all), why the duplicated run
// of an input with these objects may differ (dupLimits).
func dupLimitsOf(base metaRun) map[string]string {
	out := map[string]string{}
	for _, l := range dupLimits {
		if !slices.ContainsFunc(base.objects, func(o string) bool { return strings.HasPrefix(o, l.kind+" ") }) {
			continue
		}
		for _, id := range strings.Fields(l.rules) {
			out[id] = l.why
		}
	}
	return out
}

// duplicateTree writes the tree twice, under a/ and under b/: every object
// as written, then every copy. A kustomization is copied with its files,
// and builds the copies.
func duplicateTree(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for name, data := range files {
		out["a/"+name] = data
		out["b/"+name] = data
	}
	return out
}

// duplicateFiles copies each manifest next to it, to a name that follows
// it in the walk (a.yaml, a.yaml-copy.yaml): each file's objects, then
// their copies. A kustomization lists its files by name, and would not
// read the copies.
func duplicateFiles(files map[string][]byte) map[string][]byte {
	if kustomized(files) {
		return nil
	}
	out := map[string][]byte{}
	for name, data := range files {
		out[name] = data
		if metaManifest(name) {
			out[name+"-copy"+path.Ext(name)] = data
		}
	}
	return out
}

// metaRun is what a run found, as compared.
type metaRun struct {
	objects  []string // group/kind namespace/name, in input order
	findings []metaFinding
}

// metaFinding is a finding as compared: findingKey, and its fixes
// (fixText, and what brokenFixes says of them).
type metaFinding struct {
	rule, key, fix, broken string
	// loose is key without the nodes pointed at.
	loose string
}

// keys renders the findings for comparison after transformation tf: with
// their fixes, but where tf may legitimately take them away or give them
// (metaTransform.fixMayChange).
func (r metaRun) keys(tf metaTransform) []string {
	var out []string
	for _, f := range r.findings {
		k := f.key
		if tf.nodesMove {
			k = f.loose
		}
		if f.fix != "" && tf.fixMayChange[f.rule] == "" {
			k += "\n    fix: " + f.fix + f.broken
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// fixText renders the descriptions of a finding's fixes, with the names of
// files left out: a fix that creates a file names it, and it goes where
// the input's files are.
func fixText(f *rules.Finding) string {
	var ms []string
	for _, x := range f.Fixes {
		ms = append(ms, fileName.ReplaceAllString(x.Message, "<file>"))
	}
	return strings.Join(ms, " | ")
}

// brokenFixes plans the fixes of fs as --fix would (internal/fix) and
// returns, for each finding whose fix cannot be applied to the text it
// was computed from, why: an edit at no position of the file, or where
// the file holds other text than the rule expected, or a change after
// which the file does not parse. Such a fix read the layout wrong (a
// column counted for block style in a flow mapping). Fixes skipped for
// other reasons (one overlapping another, a file that exists) are not
// listed: which of two overlapping fixes wins depends on the order of
// the findings, by file and line.
func brokenFixes(fs []*rules.Finding, dir string) map[*rules.Finding]string {
	out := map[*rules.Finding]string{}
	for _, o := range fix.Plan(fs, fix.Options{Dir: dir}).Skipped {
		switch r := o.Reason; {
		case strings.Contains(r, "no such position"):
			out[o.Finding] = " (broken: an edit at no position of the file)"
		case strings.Contains(r, " was expected"):
			out[o.Finding] = " (broken: the file holds other text than the edit expects)"
		case strings.Contains(r, "parse"):
			out[o.Finding] = " (broken: the file would not parse)"
		}
	}
	return out
}

// lint writes files to a directory and lints them with every rule, as
// the command does from that directory.
func (in *metaInput) lint(t *testing.T, files map[string][]byte) (metaRun, error) {
	t.Helper()
	res, dir, err := in.run(t, files)
	if err != nil {
		return metaRun{}, fmt.Errorf("%w\n%s", err, dumpTree(files))
	}
	source := func(file string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return nil
		}
		return b
	}
	fs := suppress.Apply(res.Load.Objects, res.Findings, suppress.Options{Registry: Rules, Ran: Rules, Source: source}).Findings()
	var run metaRun
	for _, o := range res.Load.Objects {
		run.objects = append(run.objects, o.Group+"/"+o.Ref())
	}
	broken := brokenFixes(fs, dir)
	for _, f := range fs {
		run.findings = append(run.findings, metaFinding{rule: f.Rule.ID, key: findingKey(f, res.Load.Objects, true), loose: findingKey(f, res.Load.Objects, false), fix: fixText(f), broken: broken[f]})
	}
	return run, nil
}

// run writes files to a directory and lints them with every rule, as the
// command does from that directory; err tells of any input or rule error.
func (in *metaInput) run(t *testing.T, files map[string][]byte) (res *rules.Result, dir string, err error) {
	t.Helper()
	dir = t.TempDir()
	text := map[string]string{}
	for name, b := range files {
		text[name] = string(b)
	}
	ruletest.WriteTree(t, dir, text)
	res = rules.Lint(rules.LintOptions{
		Paths: []string{"."},
		Load:  manifest.Options{Namespace: in.namespace, Dir: dir},
		Mesh:  in.mesh,
		Rules: Rules,
	})
	if len(res.Load.Errors)+len(res.Graph.Errors)+len(res.Internal) > 0 {
		return nil, dir, fmt.Errorf("lint: %v %v %v", res.Load.Errors, res.Graph.Errors, res.Internal)
	}
	return res, dir, nil
}

// findingKey renders what of a finding must not depend on layout: rule,
// severity, the object reported, the node it points at, the message with
// file and line references left out, the related locations (their node
// and message). The fixes are compared apart (metaFinding.fix): their
// edits say where to write, which moves.
func findingKey(f *rules.Finding, objs []*manifest.Object, nodes bool) string {
	at := func(pos manifest.Pos) string {
		if !nodes {
			return ""
		}
		return " at " + nodeAt(objs, pos)
	}
	var b strings.Builder
	o := f.Object
	fmt.Fprintf(&b, "%s %s %s/%s%s: %s", f.Rule.ID, f.Severity, o.Group, o.Ref(), at(f.Pos), normalizeMessage(f.Message))
	var rel []string
	for _, r := range f.Related {
		rel = append(rel, fmt.Sprintf("\n    related%s: %s", at(r.Pos), normalizeMessage(r.Message)))
	}
	slices.Sort(rel)
	b.WriteString(strings.Join(rel, ""))
	return b.String()
}

// filePos matches a reference to a file of the input with its line and
// column, fileName one with or without them, lineRef a bare line number.
// A message may say where something is, which moves; it must not name
// a file without a position, which a finding has no reason to.
var (
	filePos  = regexp.MustCompile(`[\w./-]*\.(?:ya?ml|json)(?::\d+){1,2}`)
	fileName = regexp.MustCompile(`[\w./-]*\.(?:ya?ml|json)(?::\d+){0,2}`)
	lineRef  = regexp.MustCompile(`\b(lines?) \d+`)
)

func normalizeMessage(msg string) string {
	msg = filePos.ReplaceAllString(msg, "<pos>")
	return lineRef.ReplaceAllString(msg, "$1 <n>")
}

// nodeAt names the node pos points at: the object of the input that holds
// it and the path of the node (a mapping key stands for its entry).
// Without a node starting at pos, it is the deepest node whose text holds
// pos: a finding inside a block scalar (a patch or a MeshConfig embedded
// in a ConfigMap) names the scalar, since a restyle may write the scalar
// quoted on one line, where the rule can only point at its start. A
// position in no object (a file a fix would create) is named by its
// file's base name.
func nodeAt(objs []*manifest.Object, pos manifest.Pos) string {
	line, col := int(pos.Line), int(pos.Col)
	before := func(a, b *yaml.Node) bool { return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column }
	var best *manifest.Object
	var bestRoot *yaml.Node
	for _, o := range objs {
		o = graph.Origin(o)
		if o.File != pos.File {
			continue
		}
		// The last object that starts at or before pos, by line and
		// column: the items of a List written in flow style start on
		// one line.
		root := o.Root()
		if root != nil && !before(&yaml.Node{Line: line, Column: col}, root) && (bestRoot == nil || !before(root, bestRoot)) {
			best, bestRoot = o, root
		}
	}
	if best == nil {
		return "file " + path.Base(filepath.ToSlash(pos.File))
	}
	p := yamlpath.String(stepsTo(bestRoot, line, col))
	if bestRoot.Line == line && bestRoot.Column == col {
		p += objectStart
	}
	return fmt.Sprintf("%s/%s%s", best.Group, best.Ref(), p)
}

// objectStart marks a position at the start of an object, which is that of
// its first key (in block style): a rule reporting the object there, and
// one reporting its first key, point at the same place, which reorder-keys
// gives to another key. multisetDiff sorts them out.
const objectStart = "{object start}"

// stepsTo returns the steps from root to the node at line:col (see
// nodeAt). Of the nodes that start there, it takes the outermost but the
// root, whose start is that of its first key, which reorder-keys
// changes. And since a block mapping starts where its first key does, and
// a flow one at its "{", the first key of a mapping below the root stands
// for the mapping: a rule reporting either points at the same node in
// both styles.
func stepsTo(root *yaml.Node, line, col int) []yamlpath.Step {
	at := func(n *yaml.Node) bool { return n != nil && n.Line == line && n.Column == col }
	steps := yamlpath.Locate(root, line, col)
	exact := false
	for i, s := range steps {
		if i > 0 && (at(s.Key) || at(s.Node)) {
			steps, exact = steps[:i+1], true
			break
		}
	}
	if !exact {
		steps = containing(root, line, col)
	}
	if n := len(steps); exact && n > 2 && steps[n-1].Key != nil && steps[n-1].Key == steps[n-2].Node.Content[0] && at(steps[n-1].Key) {
		steps = steps[:n-1]
	}
	return steps
}

// containing returns the steps to the deepest node that starts at or
// before line:col, taking at each level the last entry or item that does:
// yamlpath.Locate's walk, but for a position past the last node's line
// (inside a block scalar ending the object), which it sees outside the
// object.
func containing(root *yaml.Node, line, col int) []yamlpath.Step {
	before := func(n *yaml.Node) bool { return line < n.Line || line == n.Line && col < n.Column }
	steps := []yamlpath.Step{{Index: -1, Node: root}}
	for n := root; ; {
		switch n.Kind {
		case yaml.MappingNode:
			i := -1
			for j := 0; j+1 < len(n.Content); j += 2 {
				if !before(n.Content[j]) {
					i = j
				}
			}
			if i < 0 {
				return steps
			}
			k, v := n.Content[i], n.Content[i+1]
			steps = append(steps, yamlpath.Step{Key: k, Index: -1, Node: v})
			if before(v) {
				return steps // on the key
			}
			n = v
		case yaml.SequenceNode:
			i := -1
			for j, c := range n.Content {
				if !before(c) {
					i = j
				}
			}
			if i < 0 {
				return steps
			}
			n = n.Content[i]
			steps = append(steps, yamlpath.Step{Index: i, Node: n})
		default:
			return steps
		}
	}
}

// multisetDiff lists the keys only in a and only in b, each as often as it
// is missing. A node marked objectStart matches its path without the mark,
// and, when nothing matches so, any other node marked objectStart of the
// same object: reorder-keys changes the first key, which a report of the
// whole object points at.
func multisetDiff(a, b []string) string {
	count := map[string]int{}
	for _, k := range a {
		count[strings.ReplaceAll(k, objectStart, "")]++
	}
	for _, k := range b {
		count[strings.ReplaceAll(k, objectStart, "")]--
	}
	// The keys left, with their first keys marked objectStart dropped.
	left := map[string]int{}
	for _, k := range a {
		if k0 := strings.ReplaceAll(k, objectStart, ""); count[k0] > 0 {
			count[k0]--
			left[startKey.ReplaceAllString(k, objectStart)]++
		}
	}
	for _, k := range b {
		if k0 := strings.ReplaceAll(k, objectStart, ""); count[k0] < 0 {
			count[k0]++
			left[startKey.ReplaceAllString(k, objectStart)]--
		}
	}
	var out []string
	for k, n := range left {
		for ; n > 0; n-- {
			out = append(out, "  only as written: "+k)
		}
		for ; n < 0; n++ {
			out = append(out, "  only after:      "+k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// startKey matches the first key of an object marked objectStart.
var startKey = regexp.MustCompile(`(?:\.[\w-]+|\["(?:[^"\\]|\\.)*"\])` + regexp.QuoteMeta(objectStart))

// dumpTree renders files for a failure message.
func dumpTree(files map[string][]byte) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&b, "-- %s --\n%s", name, files[name])
		if !bytes.HasSuffix(files[name], []byte("\n")) {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// ----- documents -----

// isSeparator reports whether line starts a document ("---" alone, or
// followed by a space), as the loader reads it.
func isSeparator(line []byte) bool {
	line = bytes.TrimRight(line, " \t\r\n")
	return bytes.Equal(line, []byte("---")) || bytes.HasPrefix(line, []byte("--- ")) || bytes.HasPrefix(line, []byte("---\t"))
}

// lines splits data into lines, each with its "\n" (the last may lack it).
func lines(data []byte) [][]byte {
	return bytes.SplitAfter(data, []byte("\n"))
}

// splitDocs cuts a file into the texts of its documents: every one but the
// first starts with its "---" line, and a text holding nothing but blank
// lines and comments is merged into the next document (the last into the
// one before), where YAML reads its comments too. Joined, they give back
// data.
func splitDocs(data []byte) [][]byte {
	var raw [][]byte
	var cur []byte
	for _, l := range lines(data) {
		if len(l) == 0 {
			continue
		}
		if isSeparator(l) && len(cur) > 0 {
			raw = append(raw, cur)
			cur = nil
		}
		cur = append(cur, l...)
	}
	if len(cur) > 0 {
		raw = append(raw, cur)
	}
	var docs [][]byte
	var pending []byte
	for _, d := range raw {
		pending = append(pending, d...)
		if hasContent(d) {
			docs = append(docs, pending)
			pending = nil
		}
	}
	if len(pending) > 0 {
		if len(docs) == 0 {
			return [][]byte{pending}
		}
		docs[len(docs)-1] = append(docs[len(docs)-1], pending...)
	}
	return docs
}

// hasContent reports whether a document's text holds more than blank
// lines, comments and its separator.
func hasContent(doc []byte) bool {
	for _, l := range lines(doc) {
		s := bytes.TrimSpace(l)
		if len(s) > 0 && s[0] != '#' && !isSeparator(l) {
			return true
		}
	}
	return false
}

// ----- split and join -----

// kustomized reports whether the tree holds a kustomization: its file
// lists resources by name, so the files' layout is its input, and neither
// split nor join applies to the tree.
func kustomized(files map[string][]byte) bool {
	for name := range files {
		switch path.Base(name) {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			return true
		}
	}
	return false
}

// splitFiles moves each document of a multi-document file into a file of
// its own: a.yaml becomes a.yaml-000.yaml, a.yaml-001.yaml… Those names
// start with the file's name, so that they take its place in the walk
// (sorted by name) whatever its siblings are called.
func splitFiles(files map[string][]byte) map[string][]byte {
	if kustomized(files) {
		return nil
	}
	out := map[string][]byte{}
	changed := false
	for name, data := range files {
		docs := splitDocs(data)
		if len(docs) < 2 || !metaManifest(name) {
			out[name] = data
			continue
		}
		changed = true
		for i, d := range docs {
			out[fmt.Sprintf("%s-%03d%s", name, i, path.Ext(name))] = d
		}
	}
	if !changed {
		return nil
	}
	return out
}

// joinFiles concatenates the manifests of each directory into one
// multi-document file, in walk order. A subdirectory between two files in
// the walk (sorted by name) ends a run of files, so that the objects keep
// their input order, which some rules read (DepOrder: MR017 reports the
// later copies); each run is written to the name of its first file,
// whose place in the walk it keeps.
func joinFiles(files map[string][]byte) map[string][]byte {
	if kustomized(files) {
		return nil
	}
	entries := dirEntries(files)
	out := map[string][]byte{}
	changed := false
	for _, es := range entries {
		var run []string
		flush := func() {
			if len(run) > 1 {
				changed = true
			}
			if len(run) > 0 {
				out[run[0]] = joinDocs(files, run)
			}
			run = nil
		}
		for _, e := range es {
			_, isFile := files[e]
			switch {
			case !isFile:
				flush()
			case !metaManifest(e) || path.Ext(e) == ".json":
				// JSON is read as YAML, but a file named .json would
				// not hold YAML documents: leave it alone.
				flush()
				out[e] = files[e]
			default:
				run = append(run, e)
			}
		}
		flush()
	}
	if !changed {
		return nil
	}
	return out
}

// joinAll concatenates every manifest of the tree into one file, all.yaml
// at its root, in walk order: the objects keep their order, but the
// directories are gone.
func joinAll(files map[string][]byte) map[string][]byte {
	if kustomized(files) || len(files) < 2 {
		return nil
	}
	for name := range files {
		if !metaManifest(name) || path.Ext(name) == ".json" {
			return nil
		}
	}
	return map[string][]byte{"all.yaml": joinDocs(files, walkOrder(files))}
}

// dirEntries returns the entries of each directory of the tree (its files
// and subdirectories, by slash-separated path), sorted by name as the
// loader walks them.
func dirEntries(files map[string][]byte) map[string][]string {
	entries := map[string][]string{}
	for name := range files {
		for p := name; p != "."; p = path.Dir(p) {
			if d := path.Dir(p); !slices.Contains(entries[d], p) {
				entries[d] = append(entries[d], p)
			}
		}
	}
	for _, es := range entries {
		slices.SortFunc(es, func(a, b string) int { return strings.Compare(path.Base(a), path.Base(b)) })
	}
	return entries
}

// walkOrder lists the files as the loader walks them: the entries of each
// directory sorted by name, a subdirectory read where it sorts.
func walkOrder(files map[string][]byte) []string {
	entries := dirEntries(files)
	var out []string
	var walk func(dir string)
	walk = func(dir string) {
		for _, e := range entries[dir] {
			if _, ok := files[e]; ok {
				out = append(out, e)
			} else {
				walk(e)
			}
		}
	}
	walk(".")
	return out
}

// joinDocs concatenates the files named, each starting a new document.
func joinDocs(files map[string][]byte, names []string) []byte {
	var b []byte
	for i, name := range names {
		data := files[name]
		if i > 0 {
			data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM only starts a stream
			if len(b) > 0 && b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
			b = append(b, "---\n"...)
		}
		b = append(b, data...)
	}
	return b
}

// fullParser adds to each manifest a comment that mentions "meshlint:"
// without being a directive. The loader reads a file without that word
// with its fast parser (internal/yamlfast), and one with it with yaml.v3,
// which keeps comments for the suppressions: both must read the same.
func fullParser(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	changed := false
	for name, data := range files {
		out[name] = data
		if !metaManifest(name) || path.Ext(name) == ".json" || bytes.Contains(data, []byte("meshlint:")) {
			continue
		}
		b := slices.Clip(data)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, '\n')
		}
		out[name], changed = append(b, "# read by yaml.v3, since this comment says meshlint: (no directive)\n"...), true
	}
	if !changed {
		return nil
	}
	return out
}

// ----- per-document rewrites -----

// eachDoc rewrites every document of every manifest with fn, which
// returns false to leave one as written. It returns nil when nothing
// changed.
func eachDoc(t *testing.T, files map[string][]byte, fn func(t *testing.T, doc []byte) ([]byte, bool)) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	changed := false
	for name, data := range files {
		out[name] = data
		if !metaManifest(name) || path.Ext(name) == ".json" || strings.HasPrefix(path.Base(name), "kustomization.") {
			continue
		}
		var b []byte
		for _, d := range splitDocs(data) {
			if nd, ok := fn(t, d); ok && !bytes.Equal(nd, d) {
				d, changed = nd, true
			}
			if len(b) > 0 && b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
			b = append(b, d...)
		}
		out[name] = b
	}
	if !changed {
		return nil
	}
	return out
}

var wantComment = regexp.MustCompile(`(?m)[ \t]*#\s*want:.*$`)

// decodeDoc decodes the one document of a text; ok is false when it does
// not parse or holds no object.
func decodeDoc(text []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil || len(doc.Content) == 0 {
		return nil, false
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, false
	}
	return &doc, true
}

// restyleSafe reports whether a document can be re-serialised without
// changing what it means: no anchor, alias or merge key (an alias shares
// its anchor's node, which findings point at, and a merge key's meaning
// depends on the order of keys, which reorder-nested changes), no scalar
// that is a boolean to Kubernetes's YAML 1.1 and a string to yaml.v3
// (plain on, yes…: the encoder quotes it, which makes it a string to
// Kubernetes too), no duplicate key (which copy wins is what some rules
// check, and the encoder would write both).
func restyleSafe(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return false
	}
	if _, ok := yamlpath.YAML11Bool(n); ok {
		return false
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if yamlpath.IsMerge(k) || k.Kind != yaml.ScalarNode || seen[k.Value] {
				return false
			}
			seen[k.Value] = true
		}
	}
	for _, c := range n.Content {
		if !restyleSafe(c) {
			return false
		}
	}
	return true
}

// k8sMeaning returns a document as Kubernetes reads it: the JSON that
// sigs.k8s.io/yaml makes of it (YAML 1.1 scalars, mapping keys sorted).
// ok is false when it does not read it, or finds a duplicate key.
func k8sMeaning(doc []byte) (string, bool) {
	j, err := k8syaml.YAMLToJSONStrict(doc)
	return string(j), err == nil
}

// yamlStyle is how restyle writes a document.
type yamlStyle struct {
	// flow writes every collection below the top-level mapping in flow
	// style; else every collection is in block style.
	flow bool
	// quote writes every string scalar, keys included, double-quoted.
	quote bool
	// wide indents by 4, and sequences within their mapping (kyaml's
	// "wide" style), rather than by 2 with "- " under the key.
	wide bool
	// reverse writes the entries of every mapping in reverse order,
	// which Kubernetes does not read (JSON objects are unordered): a
	// message that lists entries as written would change.
	reverse bool
}

// restyle re-serialises a document with kyaml's encoder in style st.
// Comments are dropped, "# want:" ones first; a document with a
// "meshlint:" comment is left as written, since a directive covers the
// node of its line, and a restyle moves lines. The new text must mean to
// Kubernetes what the old one did (k8sMeaning), or the test is wrong.
func restyle(t *testing.T, doc []byte, st yamlStyle) ([]byte, bool) {
	t.Helper()
	text := wantComment.ReplaceAll(doc, nil)
	if bytes.Contains(text, []byte("meshlint:")) {
		return nil, false
	}
	meaning, ok := k8sMeaning(text)
	if !ok {
		return nil, false
	}
	n, ok := decodeDoc(text)
	if !ok || !restyleSafe(n) {
		return nil, false
	}
	var set func(n *yaml.Node, depth int)
	set = func(n *yaml.Node, depth int) {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		switch {
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Style == 0:
			// An empty value: in a flow collection, the encoder would
			// write it '', a string.
			n.Value = "null"
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && st.quote:
			n.Style = yaml.DoubleQuotedStyle
		case n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode:
			if n.Kind == yaml.MappingNode && st.reverse {
				var c []*yaml.Node
				for i := len(n.Content) - 2; i >= 0; i -= 2 {
					c = append(c, n.Content[i], n.Content[i+1])
				}
				n.Content = c
			}
			n.Style = 0
			if st.flow && depth > 1 {
				n.Style = yaml.FlowStyle
			}
		}
		for _, c := range n.Content {
			set(c, depth+1)
		}
	}
	set(n, 0)
	var b bytes.Buffer
	if isSeparator(lines(doc)[0]) {
		b.WriteString("---\n")
	}
	enc := yaml.NewEncoder(&b)
	if st.wide {
		enc = yaml.NewEncoderWithOptions(&b, &yaml.EncoderOptions{SeqIndent: yaml.WideSequenceStyle})
		enc.SetIndent(4)
	}
	if err := enc.Encode(n); err != nil {
		t.Errorf("restyle: %v", err)
		return nil, false
	}
	out := b.Bytes()
	if after, ok := k8sMeaning(out); !ok || after != meaning {
		t.Errorf("restyle changed the meaning of the document:\n%s\ninto\n%s", doc, out)
		return nil, false
	}
	return out, true
}

// reorderKeys writes the top-level keys of a block mapping document in
// reverse order (spec first, apiVersion last), moving the lines of each
// entry with the comment lines directly above it. The lines above the
// first key stay on top and those after the last entry at the bottom, so
// that a directive written there still covers, or does not cover, the
// whole object. Left as written: a document whose first line carries a
// "meshlint:" comment (it covers the whole object only there), and one
// whose new first entry has one above it (it would come to cover the whole
// object).
func reorderKeys(_ *testing.T, doc []byte) ([]byte, bool) {
	ls := lines(doc)
	if len(ls) > 0 && len(ls[len(ls)-1]) == 0 {
		ls = ls[:len(ls)-1]
	}
	var keys []int
	for i, l := range ls {
		if len(l) == 0 || isSeparator(l) {
			continue
		}
		switch l[0] {
		case ' ', '\t', '#', '-', '\n', '\r':
		case '{', '[', '?', '%', '.', '&', '!', '*', '|', '>':
			return nil, false // not a plain block mapping
		default:
			keys = append(keys, i)
		}
	}
	if len(keys) < 2 || bytes.Contains(commentOf(ls[keys[0]]), []byte("meshlint:")) {
		return nil, false
	}
	blank := func(l []byte) bool { return len(bytes.TrimSpace(l)) == 0 }
	colComment := func(l []byte) bool { return len(l) > 0 && l[0] == '#' }
	// starts[i] is the first line of entry i: its key, or the comment
	// lines right above it.
	starts := make([]int, len(keys))
	starts[0] = keys[0]
	for i := 1; i < len(keys); i++ {
		s := keys[i]
		for s-1 > keys[i-1] && colComment(ls[s-1]) {
			s--
		}
		starts[i] = s
	}
	end := len(ls) // the trailer: blank and comment lines after the last entry
	for end-1 > keys[len(keys)-1] && (blank(ls[end-1]) || colComment(ls[end-1])) {
		end--
	}
	last := len(keys) - 1
	for _, l := range ls[starts[last] : keys[last]+1] {
		if bytes.Contains(l, []byte("meshlint:")) {
			return nil, false
		}
	}
	var b []byte
	add := func(part [][]byte) {
		for _, l := range part {
			if len(b) > 0 && b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
			b = append(b, l...)
		}
	}
	add(ls[:starts[0]])
	for i := last; i >= 0; i-- {
		stop := end
		if i < last {
			stop = starts[i+1]
		}
		add(ls[starts[i]:stop])
	}
	add(ls[end:])
	before, ok1 := k8sMeaning(doc)
	after, ok2 := k8sMeaning(b)
	if !ok1 || !ok2 || before != after {
		// Not a block mapping whose entries start at column 0 (a flow
		// collection continued on lines of its own), or one with
		// duplicate keys.
		return nil, false
	}
	return b, true
}

// commentOf returns the comment a line ends with, if any (roughly: a "#"
// after a space).
func commentOf(l []byte) []byte {
	if i := bytes.Index(l, []byte(" #")); i >= 0 {
		return l[i:]
	}
	return nil
}
