package all

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestDepsDeclared holds the registry to docs/incremental.md's rule that
// every graph rule declares what it depends on outside a namespace
// (rules.DepNone when nothing), and local rules nothing.
func TestDepsDeclared(t *testing.T) {
	for _, r := range Rules {
		switch {
		case r.Local && r.Deps != 0:
			t.Errorf("%s is Local, so it reads each object alone, but declares Deps %v", r.ID, r.Deps)
		case !r.Local && r.Deps == 0:
			t.Errorf("%s runs on the whole graph but declares no Deps: copy its row of docs/incremental.md (rules.DepNone when it depends on nothing outside the namespace)", r.ID)
		case r.Deps&rules.DepNone != 0 && r.Deps != rules.DepNone:
			t.Errorf("%s declares Deps %v: DepNone says nothing, and cannot go with other kinds", r.ID, r.Deps)
		case r.Deps&^(rules.DepAll|rules.DepNone) != 0:
			t.Errorf("%s declares Deps %v, with bits of no kind", r.ID, r.Deps)
		}
	}
}

// loadable are the kinds that TestDepsHold can give a partition's graph
// whole: those of rules.Reached, which a --cache run reruns on the
// partitions a change reached (rules/partial.go), and TIME, since the
// check runs at about the same time as the whole run.
const loadable = rules.Reached | rules.DepTime

// TestDepsHold checks the declarations of rules.Rule.Deps (step 2 of
// docs/incremental.md). For each partition of a set of trees (each
// namespace N and the cluster partition), and for each rule whose Deps
// hold only loadable kinds, it builds a graph of N's objects (with the
// Namespace object named N) plus what the rule's kinds reach: the cluster
// objects for CLS, the root namespace for ROOT, the injector webhooks and
// ConfigMaps for INJ, every Namespace object for NS (on trees where every
// namespace is declared, so that they make the whole registry). It runs the
// rule there and compares its findings about N's objects with those of the
// run on the whole tree: severity, message, position, related locations
// and fixes. Rules whose Deps declare other kinds (HOST, REF, PRES…) are
// not run on partitions: those kinds need summaries of other namespaces,
// which later steps add.
//
// It also runs every graph rule that does not declare ORDER on the whole
// tree in reverse input order, which must find the same.
//
// A difference means a declaration (and its row of the table) misses a
// kind, or this test's graph misses something the kinds promise.
func TestDepsHold(t *testing.T) {
	var graphRules, checked []*rules.Rule
	for _, r := range Rules {
		if r.Local {
			continue
		}
		graphRules = append(graphRules, r)
		if r.Deps&^loadable == 0 {
			checked = append(checked, r)
		}
	}
	if len(checked) < 60 {
		t.Fatalf("only %d rules have Deps within %v: the check lost its point", len(checked), loadable)
	}
	for _, tr := range depTrees(t) {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			tr.check(t, graphRules, checked)
		})
	}
}

// depTree is an input of TestDepsHold, read as the command would read it.
type depTree struct {
	name  string
	paths []string
	load  manifest.Options
	mesh  config.Mesh
}

// depTrees lists the trees: the examples, the real-world trees (partial/
// also in closed world), the reach scenarios, every rule fixture and rule
// example, and two generated trees with planted mistakes.
func depTrees(t *testing.T) []*depTree {
	t.Helper()
	root := filepath.Join("..", "..")
	var trees []*depTree
	add := func(name, dir string) *depTree {
		tr := &depTree{name: name, paths: []string{dir}, mesh: config.DefaultMesh()}
		tr.configure(t, dir)
		trees = append(trees, tr)
		return tr
	}
	add("examples", filepath.Join(root, "examples"))
	for _, set := range []string{"realworld", "reach"} {
		dirs, err := os.ReadDir(filepath.Join(root, "fixtures", set))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			if d.IsDir() {
				add(set+"/"+d.Name(), filepath.Join(root, "fixtures", set, d.Name()))
			}
		}
	}
	closed := add("realworld/partial-closed-world", filepath.Join(root, "fixtures", "realworld", "partial"))
	closed.mesh.ClosedWorld = true
	for i, opts := range []gentree.Options{
		{Namespaces: 3, Services: 4, Seed: 1, MistakeRate: 0.5},
		{Namespaces: 4, Services: 3, Seed: 7, MistakeRate: 0.9},
	} {
		dir := t.TempDir()
		if _, err := gentree.Generate(dir, opts); err != nil {
			t.Fatal(err)
		}
		add(fmt.Sprintf("generated-%d", i+1), dir)
	}
	err := ruletest.EachFixture(filepath.Join(root, "fixtures", "rules"), func(id, name string, files map[string][]byte) {
		trees = append(trees, fixtureTree(t, "rules/"+id+"/"+name, files))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		for name, text := range map[string]string{"bad.yaml": r.Bad, "good.yaml": r.Good} {
			trees = append(trees, fixtureTree(t, "examples/"+r.ID+"/"+name, map[string][]byte{name: []byte(text)}))
		}
	}
	return trees
}

// configure reads the tree's .meshlint.yaml, if it has one, as the command
// does: its MeshConfig and settings, its namespace, and the files it
// leaves out (the MeshConfig file among them).
func (tr *depTree) configure(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, config.Names[0])
	if _, err := os.Stat(path); err != nil {
		return
	}
	cfg, err := config.ReadFile(path, "")
	if err != nil {
		t.Fatal(err)
	}
	var meshFile string
	if cfg.MeshConfig != "" {
		s, err := config.ReadMeshConfig(cfg.MeshConfig, "")
		if err != nil {
			t.Fatal(err)
		}
		s.Apply(&tr.mesh)
		meshFile = cfg.MeshConfig
	}
	cfg.Mesh.Apply(&tr.mesh)
	if cfg.ClosedWorld != nil {
		tr.mesh.ClosedWorld = *cfg.ClosedWorld
	}
	tr.load.Namespace = cfg.Namespace
	tr.load.Ignore = func(p string) bool {
		abs, err := filepath.Abs(p)
		return err == nil && (abs == meshFile || cfg.Ignored(abs))
	}
}

// fixtureTree writes the files of a rule fixture or example to a directory
// and reads its "# fixture:" options: those that change what is read (the
// mesh settings and the default namespace) matter here.
func fixtureTree(t *testing.T, name string, files map[string][]byte) *depTree {
	t.Helper()
	dir := t.TempDir()
	text := map[string]string{}
	var all []string
	for n, b := range files {
		text[n] = string(b)
		all = append(all, string(b))
	}
	ruletest.WriteTree(t, dir, text)
	tr := &depTree{name: name, paths: []string{dir}, mesh: config.DefaultMesh()}
	opts, err := ruletest.ParseOptions([]byte(strings.Join(all, "\n")), Rules)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tr.mesh, tr.load.Namespace = opts.Mesh, opts.Namespace
	return tr
}

// check runs graphRules on the whole tree, then the rules of checked on
// the graphs of each partition, and the rules that do not declare DepOrder
// on the whole tree in reverse input order, and reports every difference.
func (tr *depTree) check(t *testing.T, graphRules, checked []*rules.Rule) {
	res := manifest.Load(tr.paths, tr.load)
	objs := res.Objects
	if len(objs) == 0 {
		t.Fatalf("%s: no object read (%v)", tr.name, res.Errors)
	}
	// The objects keep their nodes (no Prepare, no DropNodes): each Build
	// decodes them anew, so that no graph shares a decoded spec with
	// another.
	full, errs := rules.Run(graph.Build(objs, tr.mesh), graphRules, nil)
	if len(errs) > 0 {
		t.Fatalf("%s: whole tree: %v", tr.name, errs[0])
	}

	// ORDER: a rule that does not declare it finds the same in any
	// input order.
	var unordered []*rules.Rule
	for _, r := range graphRules {
		if r.Deps&rules.DepOrder == 0 {
			unordered = append(unordered, r)
		}
	}
	reversed := slices.Clone(objs)
	slices.Reverse(reversed)
	tr.run(t, "the whole tree in reverse input order", reversed, full, unordered, func(*manifest.Object) bool { return true })

	root := tr.mesh.Complete().RootNamespace
	parts := []string{rules.ClusterPartition}
	declared := map[string]bool{}
	for _, o := range objs {
		if p := rules.Partition(o); !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
		if o.Kind == kinds.Namespace && o.Group == kinds.GroupCore {
			declared[o.Name] = true
		}
	}
	// When every namespace the graph knows is declared, the Namespace
	// objects hold the whole registry (NS).
	wholeRegistry := true
	for _, o := range objs {
		if o.Namespace != "" && !declared[o.Namespace] {
			wholeRegistry = false
		}
	}
	// The rules by the kinds that decide their graph.
	const reach = rules.DepNS | rules.DepCLS | rules.DepROOT | rules.DepINJ
	byReach := map[rules.Dep][]*rules.Rule{}
	var reaches []rules.Dep
	for _, r := range checked {
		d := r.Deps & reach
		if d&rules.DepNS != 0 && !wholeRegistry {
			continue
		}
		if byReach[d] == nil {
			reaches = append(reaches, d)
		}
		byReach[d] = append(byReach[d], r)
	}
	for _, part := range parts {
		name := "namespace " + part
		if part == rules.ClusterPartition {
			name = "the cluster partition"
		}
		for _, d := range reaches {
			keep := func(o *manifest.Object) bool { return rules.Partition(o) == part || d.Reaches(o, root) }
			in := func(o *manifest.Object) bool { return rules.Partition(o) == part }
			where := name + " alone"
			if d != 0 {
				where = fmt.Sprintf("%s plus %v", name, d)
			}
			tr.run(t, where, filter(objs, keep), full, byReach[d], in)
		}
	}
}

// filter returns the objects keep selects, in input order (ORDER).
func filter(objs []*manifest.Object, keep func(*manifest.Object) bool) []*manifest.Object {
	var out []*manifest.Object
	for _, o := range objs {
		if keep(o) {
			out = append(out, o)
		}
	}
	return out
}

// run runs rs on a graph of objs and compares their findings about the
// objects in selects with those of the whole run, full.
func (tr *depTree) run(t *testing.T, where string, objs []*manifest.Object, full []*rules.Finding, rs []*rules.Rule, in func(*manifest.Object) bool) {
	t.Helper()
	got, errs := rules.Run(graph.Build(objs, tr.mesh), rs, nil)
	for _, err := range errs {
		t.Errorf("%s, %s: %v", tr.name, where, err)
	}
	byRule := func(fs []*rules.Finding) map[*rules.Rule][]string {
		out := map[*rules.Rule][]string{}
		for _, f := range fs {
			if in(f.Object) && slices.Contains(rs, f.Rule) {
				out[f.Rule] = append(out[f.Rule], describe(f))
			}
		}
		return out
	}
	want, have := byRule(full), byRule(got)
	for _, r := range rs {
		w, h := want[r], have[r]
		if slices.Equal(w, h) {
			continue
		}
		var diff []string
		for _, s := range w {
			if !slices.Contains(h, s) {
				diff = append(diff, "  only in the whole run: "+s)
			}
		}
		for _, s := range h {
			if !slices.Contains(w, s) {
				diff = append(diff, "  only in this run: "+s)
			}
		}
		if len(diff) == 0 {
			diff = append(diff, fmt.Sprintf("  the same findings, %d and %d times", len(w), len(h)))
		}
		t.Errorf("%s, %s: %s (Deps %v) finds otherwise than on the whole tree:\n%s", tr.name, where, r.ID, r.Deps, strings.Join(diff, "\n"))
	}
}

// describe renders everything of a finding that a cached run must
// reproduce.
func describe(f *rules.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %s", f.Pos, f.Severity, f.Rule.ID, f.Message)
	for _, r := range f.Related {
		fmt.Fprintf(&b, "\n    related %s: %s", r.Pos, r.Message)
	}
	for _, x := range f.Fixes {
		fmt.Fprintf(&b, "\n    fix %q", x.Message)
		for _, e := range x.Edits {
			fmt.Fprintf(&b, "\n      edit %s-%d:%d %q (was %q)", e.Pos, e.End.Line, e.End.Col, e.NewText, e.Old)
		}
		for _, n := range x.NewFiles {
			fmt.Fprintf(&b, "\n      new file %s:\n%s", n.Path, n.Content)
		}
	}
	return b.String()
}

// TestDepsMatchDoc holds each graph rule's Deps to its row of the table of
// docs/incremental.md, section 2 (column "Depends outside N on": kinds,
// those of a fix or message only in parentheses, TIME and ORDER; "—" for
// DepNone, "all" for DepAll), so that the two cannot drift apart.
func TestDepsMatchDoc(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "incremental.md"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]rules.Dep{}
	for i, name := range strings.Split(rules.DepAll.String(), "|") {
		byName[name] = rules.DepNS << i
	}
	row := regexp.MustCompile(`(?m)^\| (MR\d{3}) \| [a-z0-9-]+ \|[^|\n]*\|[^|\n]*\| ([^|\n]*) \|`)
	doc := map[string]rules.Dep{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		var d rules.Dep
		for _, tok := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(m[2])) {
			switch {
			case tok == "—":
				d |= rules.DepNone
			case tok == "all":
				d |= rules.DepAll
			case byName[tok] != 0:
				d |= byName[tok]
			default:
				t.Errorf("docs/incremental.md, row of %s: %q is no kind", m[1], tok)
			}
		}
		doc[m[1]] = d
	}
	for _, r := range Rules {
		d, ok := doc[r.ID]
		switch {
		case r.Local && ok:
			t.Errorf("%s is Local, but docs/incremental.md has a row for it", r.ID)
		case !r.Local && !ok:
			t.Errorf("%s has no row in docs/incremental.md, section 2", r.ID)
		case !r.Local && d != r.Deps:
			t.Errorf("%s declares Deps %v, but its row in docs/incremental.md says %v", r.ID, r.Deps, d)
		}
	}
}
