package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules/ruletest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestCacheRandomEdits is the oracle that incremental runs will be held to
// (docs/incremental.md, step 1): it edits trees at random, one change at a
// time, and after each change compares a run with --cache against a run
// without it, then runs with the cache again with nothing changed (the
// run that may reuse everything). Whatever the cache keeps or skips, it
// must never change what is reported.
//
// The edits are of three sorts. Every fourth changes only stat data or
// names: a file touched, rewritten unchanged, edited with its size and
// mtime kept, renamed, moved, renamed so that it sorts elsewhere, or two
// files' names swapped (findings of some rules depend on input order).
// Of the others, half aim at what many namespaces depend on
// (docs/incremental.md, section 4): the root namespace, the injection
// setup, certificates, kinds whose mere presence turns rules on,
// NetworkPolicies; the rest move, suffix or swap a value, delete or copy
// a document.
//
// The trees are the examples, three fixture trees, testdata/oracle/hub
// (the injector ConfigMaps, webhooks, certificates and root-namespace
// policies that no other tree has) and a small generated tree with planted
// mistakes (internal/gentree). Half the edits of a tree run while its
// files are new, half once it has settled, when the cache knows files by
// their stat data.
//
// MESHLINT_ORACLE_EDITS sets the number of edits per tree (default 12),
// MESHLINT_ORACLE_SEED the seed (default 1); a failure names both. With
// -v the test logs, per kind of edit, how often it changed the findings;
// MESHLINT_ORACLE_LOG=1 logs every edit.
func TestCacheRandomEdits(t *testing.T) {
	edits, seed := 12, uint64(1)
	if v, err := strconv.Atoi(os.Getenv("MESHLINT_ORACLE_EDITS")); err == nil && v > 0 {
		edits = v
	}
	if v, err := strconv.ParseUint(os.Getenv("MESHLINT_ORACLE_SEED"), 10, 64); err == nil {
		seed = v
	}
	logEdits := os.Getenv("MESHLINT_ORACLE_LOG") != ""
	// A generated tree with planted mistakes: namespaces that look alike,
	// a shared ingress, and a finding of every kind gentree plants.
	generated := t.TempDir()
	if _, err := gentree.Generate(generated, gentree.Options{Namespaces: 3, Services: 4, Seed: int64(seed), MistakeRate: 0.5}); err != nil {
		t.Fatal(err)
	}
	var trees []*oracleTree
	for i, src := range []string{"examples", "fixtures/reach", "fixtures/realworld/platform", "fixtures/realworld/egress", "internal/cli/testdata/oracle/hub", ""} {
		o := &oracleTree{name: strings.ReplaceAll(src, "/", "_"), dir: t.TempDir(), cacheDir: t.TempDir(), rng: rand.New(rand.NewPCG(seed, uint64(i)))}
		if src == "" {
			o.name, src = "generated", generated
		} else {
			src = repoDir(t, src)
		}
		ruletest.WriteTree(t, o.dir, readTree(t, src))
		o.quiet = time.Now()
		trees = append(trees, o)
	}
	// The cache trusts a file's stat data only once the file is older
	// than the previous cached run by the timestamp granularity
	// (manifest.FileStat.Settled). The first half of the edits runs while
	// the trees are new, so that the cache knows files by their content
	// only. Then each tree is left alone until it has settled, and
	// each is linted twice with the cache: the second run may take the
	// whole result of the first (no directory or file changed). The
	// second half of the edits follows, with every file no edit touched
	// known by its stat data.
	pool := certificatePool(t)
	tally := map[string]*editTally{}
	var statKnown, noneParsed, reused, settledRuns, partial, partialChanged, valuesOnly, weighted, weightedChanged int
	for half, steps := range [][2]int{{0, edits / 2}, {edits / 2, edits}} {
		for _, o := range trees {
			t.Run(fmt.Sprintf("%s/edits_%d-%d", o.name, steps[0]+1, steps[1]), func(t *testing.T) {
				if o.failed {
					t.Skip("failed before")
				}
				defer func() { o.failed = t.Failed() }()
				cached := []string{"--cache-dir", o.cacheDir, "-v", "--format", "json", "."}
				plain := []string{"--format", "json", "."}
				if half == 0 {
					run(t, o.dir, "", cached...)
					o.prev = run(t, o.dir, "", plain...)
				} else {
					// The other trees' first halves ran meanwhile.
					time.Sleep(time.Until(o.quiet.Add(2050 * time.Millisecond)))
					settledRuns++
					o.prev = run(t, o.dir, "", plain...)
					for i := range 2 {
						got := run(t, o.dir, "", cached...)
						if got.stdout != o.prev.stdout || got.code != o.prev.code {
							t.Fatalf("seed %d, settled tree, cached run %d: the cached run differs from a run without the cache (exit %d, want %d):\n%s",
								seed, i+1, got.code, o.prev.code, firstDifference(got.stdout, o.prev.stdout))
						}
						took := strings.Contains(got.stderr, "its findings are reported again")
						if took {
							reused++
						}
						if logEdits {
							t.Logf("settled tree, cached run %d took the last run's result: %v", i+1, took)
						}
					}
				}
				for step := steps[0]; step < steps[1]; step++ {
					what, kind := oracleEdit(t, o.rng, o.dir, step, pool)
					// An edit may break the settings (a MeshConfig file the
					// configuration names): both runs then fail alike.
					got := run(t, o.dir, "", cached...)
					want := run(t, o.dir, "", plain...)
					if got.stdout != want.stdout || got.code != want.code {
						t.Fatalf("seed %d, edit %d (%s): the cached run differs from a run without the cache (exit %d, want %d):\n%s",
							seed, step+1, what, got.code, want.code, firstDifference(got.stdout, want.stdout))
					}
					again := run(t, o.dir, "", cached...)
					if again.stdout != want.stdout || again.code != want.code {
						t.Fatalf("seed %d, edit %d (%s): run again with nothing changed, the cached run differs from a run without the cache (exit %d, want %d):\n%s",
							seed, step+1, what, again.code, want.code, firstDifference(again.stdout, want.stdout))
					}
					if m := cacheStats.FindStringSubmatch(again.stderr); m != nil {
						unread, _ := strconv.Atoi(m[2])
						statKnown += unread
						if m[3] == "0" {
							noneParsed++
						}
					}
					changed := want.code != o.prev.code || findingSet(want.stdout) != findingSet(o.prev.stdout)
					if strings.Contains(got.stderr, "changed only in values no graph rule reads") {
						valuesOnly++
					}
					if strings.Contains(got.stderr, "changed only in route weights") {
						weighted++
						if changed {
							weightedChanged++
						}
					}
					if strings.Contains(got.stderr, "graph rules ran on") {
						partial++
						if changed {
							partialChanged++
						}
					}
					if logEdits {
						t.Logf("edit %d [%s] changed the findings: %v: %s", step+1, kind, changed, what)
					}
					tl := tally[kind]
					if tl == nil {
						tl = &editTally{trees: map[string]bool{}}
						tally[kind] = tl
					}
					tl.made++
					tl.trees[o.name] = true
					if changed {
						tl.changed++
					}
					o.prev = want
				}
				o.quiet = time.Now()
			})
		}
	}
	if t.Failed() {
		return
	}
	// The oracle is worth only the paths it takes: say which edits changed
	// the findings at all, and that the stat index was used.
	for _, k := range slices.Sorted(maps.Keys(tally)) {
		tl := tally[k]
		t.Logf("%-22s %3d edits, %3d changed the findings (%s)", k, tl.made, tl.changed, strings.Join(slices.Sorted(maps.Keys(tl.trees)), ", "))
	}
	t.Logf("reruns after an edit: %d files known by their stat data, %d reruns parsed no file; %d runs of a settled tree took the last run's result", statKnown, noneParsed, reused)
	t.Logf("%d cached runs after an edit reran some graph rules on the partitions it reached alone, %d of them with other findings than before the edit", partial, partialChanged)
	if statKnown == 0 && settledRuns > 0 && edits > 1 {
		t.Errorf("no rerun knew a file by its stat data: the oracle did not test the stat index")
	}
	t.Logf("%d cached runs after an edit kept the last run's graph findings, the files having changed only in values no graph rule reads", valuesOnly)
	if valuesOnly == 0 && edits > 1 {
		t.Errorf("no cached run after an edit kept the graph findings for values no graph rule reads: the oracle did not test that path")
	}
	t.Logf("%d cached runs after an edit of route weights ran only the rules that read them, on the partitions of the files, %d of them with other findings than before the edit", weighted, weightedChanged)
	if weightedChanged == 0 && edits > 1 {
		t.Errorf("no cached run after an edit of route weights that changed the findings ran only the rules that read weights: the oracle did not test that path")
	}
	if partialChanged == 0 && edits > 1 {
		t.Errorf("no cached run after an edit that changed the findings reran graph rules on the partitions it reached alone: the oracle did not test rules/partial.go")
	}
}

// oracleTree is one tree the oracle edits, and what it keeps between the
// halves of its edits.
type oracleTree struct {
	name, dir, cacheDir string
	rng                 *rand.Rand
	prev                result    // the last run without the cache
	quiet               time.Time // when a file was last written
	failed              bool
}

// editTally counts the edits of one kind, and those that changed the
// findings of the run without the cache.
type editTally struct {
	made, changed int
	trees         map[string]bool
}

// findingSet is what a JSON report finds, without positions: an edit
// that only moves lines changes positions, not findings.
func findingSet(out string) string {
	var r struct {
		Findings []struct {
			Rule, Message string
			Object        *struct{ Kind, Namespace, Name string }
		}
	}
	if json.Unmarshal([]byte(out), &r) != nil {
		return out
	}
	var fs []string
	for _, f := range r.Findings {
		s := f.Rule + " " + f.Message
		if f.Object != nil {
			s += fmt.Sprintf(" (%s %s/%s)", f.Object.Kind, f.Object.Namespace, f.Object.Name)
		}
		fs = append(fs, s)
	}
	slices.Sort(fs)
	return strings.Join(fs, "\n")
}

// oracleEdit makes the edit of step: every fourth one touches only stat
// data or names; of the others half are aimed at shared inputs, when the
// tree has some, and the rest random. It says what it did, and its kind.
func oracleEdit(t *testing.T, rng *rand.Rand, dir string, step int, pool []pemSecret) (what, kind string) {
	t.Helper()
	if step%4 == 3 {
		return statEdit(t, rng, dir)
	}
	if step%4 == 1 && rng.IntN(2) == 0 {
		weights := rng.IntN(2) == 0
		if what := valuesEdit(t, rng, dir, weights); what != "" {
			return what, map[bool]string{false: "unread values", true: "route weights"}[weights]
		}
	}
	if rng.IntN(2) == 0 {
		e := newEditor(t, rng, dir, pool)
		for _, i := range rng.Perm(len(targetedEdits)) {
			if what := targetedEdits[i].edit(e); what != "" {
				return what, targetedEdits[i].name
			}
		}
	}
	return randomEdit(t, rng, dir), "random"
}

// valuesEdit changes values of a file that no graph rule reads
// (graph.UnreadValues): an image tag, replicas, arguments; with weights,
// in a file with route weights (graph.WeightValues), those too. It writes
// the file in place, or a new one renamed over it, as sed -i and many
// editors save; "" when no file has such values.
func valuesEdit(t *testing.T, rng *rand.Rand, dir string, weights bool) string {
	t.Helper()
	files, tree := editableFiles(t, dir)
	var spans []graph.Span
	var name string
	isWeight := map[*yaml.Node]bool{}
	for _, i := range rng.Perm(len(files)) {
		name = files[i]
		manifest.Load([]string{name}, manifest.Options{Dir: dir, PerFile: func(f *manifest.File) []*manifest.Error {
			if !weights {
				spans = graph.UnreadSpans(f)
				return nil
			}
			for _, o := range f.Objects {
				ws, _ := graph.WeightValues(o)
				for _, n := range ws {
					isWeight[n] = true
				}
			}
			if len(isWeight) > 0 {
				spans = graph.WeightSpans(f)
			}
			return nil
		}})
		if len(spans) > 0 {
			break
		}
	}
	if len(spans) == 0 {
		return ""
	}
	data := tree[name]
	var b strings.Builder
	at, n := 0, 0
	for _, sp := range spans {
		b.WriteString(data[at:sp.From])
		v := sp.Node.Value
		switch {
		case isWeight[sp.Node] && sp.Signed && rng.IntN(4) > 0:
			// Mostly of the same sign, which the digest keeps.
			n++
			if w, err := strconv.Atoi(v); err == nil && w > 0 {
				v = strconv.Itoa(rng.IntN(120) + 1)
			}
		case isWeight[sp.Node]:
			// Any weight: 0, negative, over 100.
			n++
			v = strconv.Itoa(rng.IntN(130) - 10)
		case n == 0 && !weights || rng.IntN(3) == 0:
			n++
			if sp.Node.Tag == "!!int" {
				v = strconv.Itoa(rng.IntN(9) + 1)
			} else {
				v = fmt.Sprintf("%s-%d", strings.TrimRight(v, "0123456789-"), rng.IntN(100))
			}
		}
		b.WriteString(v)
		at = sp.To
	}
	b.WriteString(data[at:])
	p := filepath.Join(dir, filepath.FromSlash(name))
	how := "in place"
	if rng.IntN(2) == 0 {
		writeOracleFile(t, p, b.String())
	} else {
		how = "renamed over it"
		writeOracleFile(t, p+".new", b.String())
		if err := os.Rename(p+".new", p); err != nil {
			t.Fatal(err)
		}
	}
	return fmt.Sprintf("changed %d values no graph rule reads or weights in %s (%s)", n, name, how)
}

// scalarLine matches a "key: value" line whose value is a plain scalar.
var scalarLine = regexp.MustCompile(`^(\s*(?:- )?[\w./-]+: )([\w./-]+)(\s*(?:#.*)?)$`)

// editableFiles returns the YAML files of dir that edits may change, sorted.
// Dot files are left alone: .meshlint.yaml would move the settings file
// out of reach.
func editableFiles(t *testing.T, dir string) (names []string, data map[string]string) {
	t.Helper()
	data = map[string]string{}
	for name, d := range readTree(t, dir) {
		if !strings.HasSuffix(name, ".yaml") || strings.HasPrefix(path.Base(name), ".") {
			continue
		}
		names = append(names, name)
		data[name] = d
	}
	slices.Sort(names)
	return names, data
}

func writeOracleFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// randomEdit makes one random change to a YAML file of dir and says what
// it did: a value changed (a number moved by one, which keeps most sizes;
// a name given a suffix; or a value swapped for another of the tree, which
// can make a selector, host or reference match something else), a
// document deleted, a document copied under a new name into a new file, or
// a file rewritten unchanged (new stat data, same content).
func randomEdit(t *testing.T, rng *rand.Rand, dir string) string {
	t.Helper()
	files, tree := editableFiles(t, dir)
	var values []string
	for _, name := range files {
		for _, l := range strings.Split(tree[name], "\n") {
			if m := scalarLine.FindStringSubmatch(l); m != nil {
				values = append(values, m[2])
			}
		}
	}
	slices.Sort(values)
	name := files[rng.IntN(len(files))]
	path := filepath.Join(dir, filepath.FromSlash(name))
	data := tree[name]
	docs := strings.Split(data, "\n---\n")
	switch k := rng.IntN(10); {
	case k < 6:
		lines := strings.Split(data, "\n")
		var at []int
		for i, l := range lines {
			if scalarLine.MatchString(l) && !strings.Contains(l, "apiVersion:") && !strings.Contains(l, "kind:") {
				at = append(at, i)
			}
		}
		if len(at) == 0 {
			writeOracleFile(t, path, data)
			return "rewrote " + name + " unchanged"
		}
		i := at[rng.IntN(len(at))]
		m := scalarLine.FindStringSubmatch(lines[i])
		v := m[2]
		if n, err := strconv.Atoi(v); err == nil {
			v = strconv.Itoa(n + 1)
		} else if rng.IntN(2) == 0 {
			v += "x"
		} else {
			v = values[rng.IntN(len(values))]
		}
		lines[i] = m[1] + v + m[3]
		writeOracleFile(t, path, strings.Join(lines, "\n"))
		return fmt.Sprintf("%s:%d: %s -> %s", name, i+1, m[2], v)
	case k < 7 && len(docs) > 1:
		i := rng.IntN(len(docs))
		writeOracleFile(t, path, strings.Join(slices.Delete(docs, i, i+1), "\n---\n"))
		return fmt.Sprintf("deleted document %d of %s", i+1, name)
	case k < 9:
		doc := docs[rng.IntN(len(docs))]
		copyName := fmt.Sprintf("copy-%d.yaml", rng.IntN(1000))
		writeOracleFile(t, filepath.Join(filepath.Dir(path), copyName), regexp.MustCompile(`(?m)^(  name: )(\S+)`).ReplaceAllString(doc, "${1}${2}-copy"))
		return fmt.Sprintf("copied a document of %s to %s", name, copyName)
	}
	writeOracleFile(t, path, data)
	return "rewrote " + name + " unchanged"
}

// statEdit changes a file's stat data or name and not its content, or
// its content and not its size or modification time: the cache must see
// the edit, and a rename or a new order must come out as a run without
// the cache reports it.
func statEdit(t *testing.T, rng *rand.Rand, dir string) (what, kind string) {
	t.Helper()
	files, tree := editableFiles(t, dir)
	// The MeshConfig the settings name stays where they look for it.
	if mc := meshConfigFile(dir); mc != "" {
		files = slices.DeleteFunc(files, func(f string) bool { return f == mc })
	}
	name := files[rng.IntN(len(files))]
	p := filepath.Join(dir, filepath.FromSlash(name))
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	rename := func(from, to string) {
		if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	// free returns a name like want that no file has.
	free := func(want string) string {
		for i := 2; ; i++ {
			if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(want))); os.IsNotExist(err) {
				return want
			}
			want = strings.TrimSuffix(want, ".yaml") + "-" + strconv.Itoa(i) + ".yaml"
		}
	}
	switch rng.IntN(7) {
	case 0:
		now := time.Now()
		if err := os.Chtimes(p, now, now); err != nil {
			t.Fatal(err)
		}
		return "touched " + name, "stat: touch"
	case 1:
		writeOracleFile(t, p, tree[name])
		return "rewrote " + name + " unchanged", "stat: rewrite"
	case 2:
		// Only the inode change time shows this edit.
		lines := strings.Split(tree[name], "\n")
		var at []int
		for i, l := range lines {
			if m := scalarLine.FindStringSubmatch(l); m != nil && !strings.Contains(l, "apiVersion:") && !strings.Contains(l, "kind:") {
				at = append(at, i)
			}
		}
		if len(at) == 0 {
			break
		}
		i := at[rng.IntN(len(at))]
		m := scalarLine.FindStringSubmatch(lines[i])
		v := []byte(m[2])
		switch c := v[len(v)-1]; {
		case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
			v[len(v)-1] = c + 1
		default:
			v[len(v)-1] = '0'
		}
		lines[i] = m[1] + string(v) + m[3]
		writeOracleFile(t, p, strings.Join(lines, "\n"))
		if err := os.Chtimes(p, info.ModTime(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s:%d: %s -> %s, same size, modification time restored", name, i+1, m[2], v), "stat: same size+mtime"
	case 3:
		to := free(strings.TrimSuffix(name, ".yaml") + "-renamed.yaml")
		rename(p, filepath.Join(dir, filepath.FromSlash(to)))
		return "renamed " + name + " to " + to, "stat: rename"
	case 4:
		prefix := "00-"
		if rng.IntN(2) == 0 {
			prefix = "zz-"
		}
		to := free(path.Join(path.Dir(name), prefix+path.Base(name)))
		rename(p, filepath.Join(dir, filepath.FromSlash(to)))
		return "renamed " + name + " to " + to + " (another place in input order)", "stat: reorder"
	case 5:
		if len(files) < 2 {
			break
		}
		other := files[rng.IntN(len(files))]
		if other == name {
			break
		}
		q := filepath.Join(dir, filepath.FromSlash(other))
		tmp := p + ".swap"
		rename(p, tmp)
		rename(q, p)
		rename(tmp, q)
		return "swapped the names of " + name + " and " + other, "stat: swap names"
	case 6:
		var dirs []string
		for _, f := range files {
			if d := path.Dir(f); d != path.Dir(name) && !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
		if len(dirs) == 0 {
			break
		}
		to := free(path.Join(dirs[rng.IntN(len(dirs))], path.Base(name)))
		rename(p, filepath.Join(dir, filepath.FromSlash(to)))
		return "moved " + name + " to " + to, "stat: move"
	}
	writeOracleFile(t, p, tree[name])
	return "rewrote " + name + " unchanged", "stat: rewrite"
}

// meshConfigFile returns the MeshConfig that dir's .meshlint.yaml names,
// relative to dir, or "".
func meshConfigFile(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, ".meshlint.yaml"))
	if err != nil {
		return ""
	}
	if m := regexp.MustCompile(`(?m)^mesh-config:\s*(\S+)`).FindSubmatch(b); m != nil {
		return path.Clean(string(m[1]))
	}
	return ""
}

// rootNamespace returns the mesh's root namespace as dir's settings name
// it.
func rootNamespace(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, ".meshlint.yaml"))
	if err != nil {
		return "istio-system"
	}
	if m := regexp.MustCompile(`(?m)^\s+root-namespace:\s*(\S+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	if mc := meshConfigFile(dir); mc != "" {
		b, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(mc)))
		if m := regexp.MustCompile(`(?m)^\s*(?:rootNamespace|root_namespace):\s*(\S+)`).FindSubmatch(b); m != nil {
			return string(m[1])
		}
	}
	return "istio-system"
}

// An editor edits the documents of a tree as YAML nodes. Only the
// documents it changes are written again; the others keep their bytes.
type editor struct {
	t    *testing.T
	rng  *rand.Rand
	dir  string
	root string
	pool []pemSecret
	// texts holds the documents of each file, split as randomEdit splits.
	texts map[string][]string
	docs  []*ydoc
}

// ydoc is one document of a tree.
type ydoc struct {
	file                           string
	index                          int
	doc                            *yaml.Node // the document node: comments stay
	n                              *yaml.Node // its mapping
	apiVersion, kind, name, namesp string
}

func newEditor(t *testing.T, rng *rand.Rand, dir string, pool []pemSecret) *editor {
	t.Helper()
	e := &editor{t: t, rng: rng, dir: dir, root: rootNamespace(dir), pool: pool, texts: map[string][]string{}}
	files, tree := editableFiles(t, dir)
	for _, name := range files {
		texts := strings.Split(tree[name], "\n---\n")
		e.texts[name] = texts
		for i, text := range texts {
			var doc yaml.Node
			if yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
				continue
			}
			n := doc.Content[0]
			e.docs = append(e.docs, &ydoc{file: name, index: i, doc: &doc, n: n,
				apiVersion: yValue(n, "apiVersion"), kind: yValue(n, "kind"),
				name: yValue(n, "metadata", "name"), namesp: yValue(n, "metadata", "namespace")})
		}
	}
	return e
}

// of returns the documents of one of the kinds, in namespace ns unless
// ns is "*".
func (e *editor) of(ns string, kinds ...string) []*ydoc {
	var out []*ydoc
	for _, d := range e.docs {
		if slices.Contains(kinds, d.kind) && (ns == "*" || d.namesp == ns) {
			out = append(out, d)
		}
	}
	return out
}

func pickOne[T any](rng *rand.Rand, s []T) (T, bool) {
	var zero T
	if len(s) == 0 {
		return zero, false
	}
	return s[rng.IntN(len(s))], true
}

// other picks one of the choices other than cur.
func (e *editor) other(cur string, choices ...string) string {
	choices = slices.DeleteFunc(slices.Clone(choices), func(c string) bool { return c == cur })
	c, _ := pickOne(e.rng, choices)
	return c
}

// save writes d's file with d as its nodes say.
func (e *editor) save(d *ydoc) {
	b, err := yaml.Marshal(d.doc)
	if err != nil {
		e.t.Fatal(err)
	}
	e.texts[d.file][d.index] = strings.TrimSuffix(string(b), "\n")
	writeOracleFile(e.t, filepath.Join(e.dir, filepath.FromSlash(d.file)), strings.TrimRight(strings.Join(e.texts[d.file], "\n---\n"), "\n")+"\n")
}

// remove deletes documents, and a file left with none.
func (e *editor) remove(ds ...*ydoc) {
	gone := map[string][]int{}
	for _, d := range ds {
		gone[d.file] = append(gone[d.file], d.index)
	}
	for file, idx := range gone {
		var keep []string
		for i, text := range e.texts[file] {
			if !slices.Contains(idx, i) {
				keep = append(keep, text)
			}
		}
		p := filepath.Join(e.dir, filepath.FromSlash(file))
		if len(keep) == 0 {
			if err := os.Remove(p); err != nil {
				e.t.Fatal(err)
			}
			continue
		}
		writeOracleFile(e.t, p, strings.Join(keep, "\n---\n"))
	}
	e.docs = slices.DeleteFunc(e.docs, func(d *ydoc) bool { return slices.Contains(ds, d) })
}

// add writes a new file with text next to the files of namespace ns, or
// at the top of the tree, and returns its name.
func (e *editor) add(ns, what, text string) string {
	where := "."
	for _, d := range e.docs {
		if d.namesp == ns || d.kind == "Namespace" && d.name == ns {
			where = path.Dir(d.file)
			break
		}
	}
	name := path.Join(where, fmt.Sprintf("oracle-%s-%d.yaml", what, e.rng.IntN(1000)))
	writeOracleFile(e.t, filepath.Join(e.dir, filepath.FromSlash(name)), text)
	return name
}

// namespaces returns the namespaces the tree names.
func (e *editor) namespaces() []string {
	var out []string
	for _, d := range e.docs {
		ns := d.namesp
		if d.kind == "Namespace" {
			ns = d.name
		}
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out
}

var oracleWorkloadKinds = []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "Rollout"}

// podMeta returns the metadata of the pods of workload d.
func podMeta(d *ydoc) *yaml.Node {
	switch d.kind {
	case "Pod":
		return yMapAt(d.n, "metadata")
	case "CronJob":
		return yMapAt(d.n, "spec", "jobTemplate", "spec", "template", "metadata")
	}
	return yMapAt(d.n, "spec", "template", "metadata")
}

// podLabels returns the labels of the tree's pods, as "key=value".
func (e *editor) podLabels() []string {
	var out []string
	for _, d := range e.of("*", oracleWorkloadKinds...) {
		ls := yField(podMeta(d), "labels")
		for i := 0; ls != nil && ls.Kind == yaml.MappingNode && i+1 < len(ls.Content); i += 2 {
			if l := ls.Content[i].Value + "=" + ls.Content[i+1].Value; !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// labelMap makes a matchLabels mapping of "key=value".
func labelMap(l string) *yaml.Node {
	k, v, _ := strings.Cut(l, "=")
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{yStr(k), yStr(v)}}
}

// setLabel sets key of mapping m to one of values other than its
// current one; "" deletes it. It says what it did.
func (e *editor) setLabel(m *yaml.Node, key string, values ...string) string {
	cur := yValue(m, key)
	v := e.other(cur, values...)
	if v == "" {
		yDel(m, key)
		return fmt.Sprintf("%s=%s deleted", key, cur)
	}
	ySet(m, key, yStr(v))
	return fmt.Sprintf("%s: %q -> %q", key, cur, v)
}

// A targeted edit changes what many namespaces depend on, and says what
// it did, or returns "" when the tree has nothing of the kind. The edits
// that only testdata/oracle/hub has the objects for are listed twice, to
// be drawn as often as the others.
var targetedEdits = []struct {
	name string
	edit func(*editor) string
}{
	{"root: PA mode", (*editor).rootPeerAuthMode},
	{"root: delete", (*editor).rootDelete},
	{"root: add", (*editor).rootAdd},
	{"root: selector", (*editor).rootSelector},
	{"root: switch", (*editor).rootSwitch},
	{"root: switch", (*editor).rootSwitch},
	{"inject: namespace", (*editor).namespaceInjection},
	{"inject: pod", (*editor).podInjection},
	{"inject: configmap", (*editor).injectorConfigMap},
	{"inject: configmap", (*editor).injectorConfigMap},
	{"inject: webhook", (*editor).webhookSelector},
	{"inject: webhook", (*editor).webhookSelector},
	{"cert: swap", (*editor).certificateSwap},
	{"cert: swap", (*editor).certificateSwap},
	{"cert: add/delete", (*editor).credentialSecret},
	{"presence", (*editor).presence},
	{"netpol", (*editor).networkPolicy},
	{"netpol: release label", (*editor).releaseSelector},
	{"netpol: release label", (*editor).releaseSelector},
}

// rootPeerAuthMode changes the mode of a root-namespace PeerAuthentication.
func (e *editor) rootPeerAuthMode() string {
	d, ok := pickOne(e.rng, e.of(e.root, "PeerAuthentication"))
	if !ok {
		return ""
	}
	what := e.setLabel(yMapAt(d.n, "spec", "mtls"), "mode", "STRICT", "PERMISSIVE", "DISABLE", "UNSET")
	e.save(d)
	return fmt.Sprintf("%s: PeerAuthentication %s/%s mode %s", d.file, d.namesp, d.name, what)
}

var oracleRootKinds = []string{"PeerAuthentication", "DestinationRule", "AuthorizationPolicy", "RequestAuthentication", "Sidecar"}

// rootDelete deletes a policy of the root namespace.
func (e *editor) rootDelete() string {
	d, ok := pickOne(e.rng, e.of(e.root, oracleRootKinds...))
	if !ok {
		return ""
	}
	e.remove(d)
	return fmt.Sprintf("%s: deleted %s %s/%s", d.file, d.kind, d.namesp, d.name)
}

// rootAdd adds a DestinationRule, AuthorizationPolicy or
// PeerAuthentication to the root namespace.
func (e *editor) rootAdd() string {
	ns, root, n := e.namespaces(), e.root, e.rng.IntN(1000)
	var text string
	switch e.rng.IntN(3) {
	case 0:
		host := e.other("", "*.local", "*.svc.cluster.local")
		if s, ok := pickOne(e.rng, ns); ok && e.rng.IntN(2) == 0 {
			host = "*." + s + ".svc.cluster.local"
		}
		text = fmt.Sprintf("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: oracle-%d\n  namespace: %s\nspec:\n  host: %q\n  trafficPolicy:\n    tls:\n      mode: %s\n",
			n, root, host, e.other("", "ISTIO_MUTUAL", "DISABLE", "SIMPLE"))
	case 1:
		text = fmt.Sprintf("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: oracle-%d\n  namespace: %s\nspec:\n", n, root)
		if l, ok := pickOne(e.rng, e.podLabels()); ok && e.rng.IntN(2) == 0 {
			k, v, _ := strings.Cut(l, "=")
			text += fmt.Sprintf("  selector:\n    matchLabels:\n      %s: %q\n", k, v)
		}
		text += "  action: " + e.other("", "ALLOW", "DENY") + "\n"
		if s, ok := pickOne(e.rng, ns); ok && e.rng.IntN(3) > 0 {
			text += fmt.Sprintf("  rules:\n  - from:\n    - source:\n        namespaces: [%q]\n", s)
		}
	default:
		text = fmt.Sprintf("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: oracle-%d\n  namespace: %s\nspec:\n", n, root)
		if l, ok := pickOne(e.rng, e.podLabels()); ok && e.rng.IntN(2) == 0 {
			k, v, _ := strings.Cut(l, "=")
			text += fmt.Sprintf("  selector:\n    matchLabels:\n      %s: %q\n", k, v)
		}
		text += "  mtls:\n    mode: " + e.other("", "STRICT", "PERMISSIVE", "DISABLE") + "\n"
	}
	name := e.add(root, "root", text)
	return fmt.Sprintf("added %s to the root namespace %s:\n%s", name, root, text)
}

// rootSelector changes, adds or deletes the workload selector of a
// root-namespace policy, which then applies to other pods of every
// namespace.
func (e *editor) rootSelector() string {
	d, ok := pickOne(e.rng, e.of(e.root, oracleRootKinds...))
	if !ok {
		return ""
	}
	key, inner := "selector", "matchLabels"
	switch d.kind {
	case "DestinationRule":
		key = "workloadSelector"
	case "Sidecar":
		key, inner = "workloadSelector", "labels"
	}
	spec := yMapAt(d.n, "spec")
	l, ok := pickOne(e.rng, e.podLabels())
	var what string
	switch {
	case yField(spec, key) != nil && (!ok || e.rng.IntN(3) == 0):
		yDel(spec, key)
		what = "deleted " + key
	case ok:
		ySet(yMapAt(spec, key), inner, labelMap(l))
		what = key + " " + l
	default:
		return ""
	}
	e.save(d)
	return fmt.Sprintf("%s: %s %s/%s %s", d.file, d.kind, d.namesp, d.name, what)
}

// rootSwitch names another root namespace in the MeshConfig the settings
// read, where they read one that names it.
func (e *editor) rootSwitch() string {
	mc := meshConfigFile(e.dir)
	if mc == "" {
		return ""
	}
	p := filepath.Join(e.dir, filepath.FromSlash(mc))
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	re := regexp.MustCompile(`(?m)^(\s*rootNamespace:\s*)(\S+)`)
	m := re.FindSubmatch(b)
	if m == nil {
		return ""
	}
	to := e.other(string(m[2]), append(e.namespaces(), "istio-system")...)
	writeOracleFile(e.t, p, re.ReplaceAllString(string(b), "${1}"+to))
	return fmt.Sprintf("%s: rootNamespace %s -> %s", mc, m[2], to)
}

// namespaceInjection changes a Namespace's injection labels.
func (e *editor) namespaceInjection() string {
	d, ok := pickOne(e.rng, e.of("*", "Namespace"))
	if !ok {
		return ""
	}
	labels := yMapAt(d.n, "metadata", "labels")
	var what string
	switch e.rng.IntN(5) {
	case 0, 1:
		what = e.setLabel(labels, "istio-injection", "enabled", "disabled", "")
	case 2, 3:
		what = e.setLabel(labels, "istio.io/rev", "default", "canary", "")
	default:
		what = e.setLabel(labels, "istio.io/dataplane-mode", "ambient", "")
	}
	e.save(d)
	return fmt.Sprintf("%s: Namespace %s %s", d.file, d.name, what)
}

// podInjection changes the injection label or annotation of a pod
// template.
func (e *editor) podInjection() string {
	d, ok := pickOne(e.rng, e.of("*", oracleWorkloadKinds...))
	if !ok {
		return ""
	}
	meta := podMeta(d)
	var what string
	switch e.rng.IntN(5) {
	case 0, 1:
		what = "label " + e.setLabel(yMapAt(meta, "labels"), "sidecar.istio.io/inject", "true", "false", "")
	case 2, 3:
		what = "annotation " + e.setLabel(yMapAt(meta, "annotations"), "sidecar.istio.io/inject", "true", "false", "")
	default:
		what = "label " + e.setLabel(yMapAt(meta, "labels"), "istio.io/rev", "default", "canary", "")
	}
	e.save(d)
	return fmt.Sprintf("%s: pods of %s %s/%s %s", d.file, d.kind, d.namesp, d.name, what)
}

// injectorConfigMap changes an injector ConfigMap's policy, selectors,
// namespaces-by-default value, or name (and so its revision).
func (e *editor) injectorConfigMap() string {
	d, ok := pickOne(e.rng, slices.DeleteFunc(e.of("*", "ConfigMap"), func(d *ydoc) bool {
		return !strings.HasPrefix(d.name, "istio-sidecar-injector")
	}))
	if !ok {
		return ""
	}
	var what string
	switch e.rng.IntN(5) {
	case 0, 1:
		what = e.embedded(d, "config", func(c *yaml.Node) string { return e.setLabel(c, "policy", "enabled", "disabled") })
	case 2:
		key := e.other("", "neverInjectSelector", "alwaysInjectSelector")
		what = e.embedded(d, "config", func(c *yaml.Node) string {
			if l, ok := pickOne(e.rng, e.podLabels()); ok && (yField(c, key) == nil || e.rng.IntN(2) == 0) {
				ySet(c, key, &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{
					{Kind: yaml.MappingNode, Content: []*yaml.Node{yStr("matchLabels"), labelMap(l)}}}})
				return key + " " + l
			}
			yDel(c, key)
			return key + " deleted"
		})
	case 3:
		what = e.embedded(d, "values", func(v *yaml.Node) string {
			w := yMapAt(v, "sidecarInjectorWebhook")
			cur := yValue(w, "enableNamespacesByDefault")
			to := e.other(cur, "true", "false")
			ySet(w, "enableNamespacesByDefault", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: to})
			return fmt.Sprintf("values enableNamespacesByDefault %q -> %s", cur, to)
		})
	default:
		to := e.other(d.name, "istio-sidecar-injector", "istio-sidecar-injector-canary", "istio-sidecar-injector-stable")
		ySet(yMapAt(d.n, "metadata"), "name", yStr(to))
		what = "renamed to " + to
	}
	e.save(d)
	return fmt.Sprintf("%s: injector ConfigMap %s/%s %s", d.file, d.namesp, d.name, what)
}

// embedded edits the YAML (or JSON) document held in data.key of
// ConfigMap d.
func (e *editor) embedded(d *ydoc, key string, edit func(*yaml.Node) string) string {
	v := yMapAt(d.n, "data")
	s := yField(v, key)
	var doc yaml.Node
	if s == nil || yaml.Unmarshal([]byte(s.Value), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	what := edit(doc.Content[0])
	b, err := yaml.Marshal(&doc)
	if err != nil {
		e.t.Fatal(err)
	}
	n := yStr(strings.TrimSuffix(string(b), "\n"))
	n.Style = yaml.LiteralStyle
	ySet(v, key, n)
	return what
}

// webhookSelector changes a value or an operator of an injector
// webhook's namespace or object selector, or its configuration's
// revision label.
func (e *editor) webhookSelector() string {
	var sites []*yaml.Node
	var where []string
	for _, d := range e.of("*", "MutatingWebhookConfiguration") {
		if rev := yField(d.n, "metadata", "labels", "istio.io/rev"); rev != nil {
			sites, where = append(sites, rev), append(where, d.file+": "+d.name+" label istio.io/rev")
		}
		hooks := yField(d.n, "webhooks")
		for _, h := range yItems(hooks) {
			for _, sel := range []string{"namespaceSelector", "objectSelector"} {
				s := yField(h, sel)
				for _, x := range yItems(yField(s, "matchExpressions")) {
					if op := yField(x, "operator"); op != nil {
						sites, where = append(sites, op), append(where, fmt.Sprintf("%s: %s %s %s operator", d.file, yValue(h, "name"), sel, yValue(x, "key")))
					}
					for _, v := range yItems(yField(x, "values")) {
						sites, where = append(sites, v), append(where, fmt.Sprintf("%s: %s %s %s value", d.file, yValue(h, "name"), sel, yValue(x, "key")))
					}
				}
				ml := yField(s, "matchLabels")
				for i := 1; ml != nil && i < len(ml.Content); i += 2 {
					sites, where = append(sites, ml.Content[i]), append(where, fmt.Sprintf("%s: %s %s %s", d.file, yValue(h, "name"), sel, ml.Content[i-1].Value))
				}
			}
		}
	}
	if len(sites) == 0 {
		return ""
	}
	i := e.rng.IntN(len(sites))
	n, cur := sites[i], sites[i].Value
	switch cur {
	case "In", "NotIn":
		n.Value = e.other(cur, "In", "NotIn")
	case "Exists", "DoesNotExist":
		n.Value = e.other(cur, "Exists", "DoesNotExist")
	default:
		n.Value = e.other(cur, "enabled", "disabled", "true", "false", "default", "canary")
	}
	n.Tag, n.Style = "!!str", 0
	for _, d := range e.of("*", "MutatingWebhookConfiguration") {
		e.save(d) // the node changed is in one of them
	}
	return fmt.Sprintf("%s: %q -> %q", where[i], cur, n.Value)
}

// oracleCertKeys are the keys of Secrets that hold certificates and keys.
var oracleCertKeys = []string{"tls.crt", "tls.key", "ca.crt", "cert", "key", "cacert"}

func isKeyName(k string) bool { return k == "tls.key" || k == "key" }

// A pemSecret is what a Secret holds of certificates, decoded, and
// where it comes from.
type pemSecret struct {
	src    string
	values map[string]string
}

// certificatePool reads the certificates and keys of the rule fixtures
// about credentials: valid, expired, not yet valid, with other names,
// mismatched pairs; and one value that is no certificate at all.
func certificatePool(t *testing.T) []pemSecret {
	t.Helper()
	pool := []pemSecret{{src: "a value that is no PEM", values: map[string]string{"tls.crt": "not a certificate\n", "tls.key": "not a key\n"}}}
	var files []string
	for _, id := range []string{"MR213", "MR216", "MR614", "MR618", "MR622"} {
		fs, err := filepath.Glob(filepath.Join(repoDir(t, "fixtures/rules/"+id), "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repoDir(t, "."), f)
		for _, text := range strings.Split(string(b), "\n---\n") {
			var doc yaml.Node
			if yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) == 0 {
				continue
			}
			if s := secretValues(doc.Content[0]); len(s) > 0 {
				pool = append(pool, pemSecret{src: fmt.Sprintf("Secret %s of %s", yValue(doc.Content[0], "metadata", "name"), filepath.ToSlash(rel)), values: s})
			}
		}
	}
	if len(pool) < 10 {
		t.Fatalf("only %d Secrets with certificates in the rule fixtures", len(pool)-1)
	}
	return pool
}

// secretValues returns the PEM values of a Secret's certificate keys,
// decoded.
func secretValues(n *yaml.Node) map[string]string {
	if yValue(n, "kind") != "Secret" {
		return nil
	}
	out := map[string]string{}
	for _, section := range []string{"data", "stringData"} {
		m := yField(n, section)
		for i := 0; m != nil && m.Kind == yaml.MappingNode && i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i].Value, m.Content[i+1].Value
			if !slices.Contains(oracleCertKeys, k) {
				continue
			}
			if section == "data" {
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					continue
				}
				v = string(b)
			}
			if strings.Contains(v, "-----BEGIN") {
				out[k] = v
			}
		}
	}
	return out
}

// certificateSwap replaces a certificate, key or CA bundle of a Secret
// with one of another Secret of the tree or of the pool, or deletes it.
func (e *editor) certificateSwap() string {
	type site struct {
		d            *ydoc
		section, key string
	}
	var sites []site
	var tree []pemSecret
	for _, d := range e.of("*", "Secret") {
		for _, section := range []string{"data", "stringData"} {
			m := yField(d.n, section)
			for i := 0; m != nil && m.Kind == yaml.MappingNode && i+1 < len(m.Content); i += 2 {
				if slices.Contains(oracleCertKeys, m.Content[i].Value) {
					sites = append(sites, site{d, section, m.Content[i].Value})
				}
			}
		}
		if v := secretValues(d.n); len(v) > 0 {
			tree = append(tree, pemSecret{src: fmt.Sprintf("Secret %s/%s of the tree", d.namesp, d.name), values: v})
		}
	}
	s, ok := pickOne(e.rng, sites)
	if !ok {
		return ""
	}
	m := yField(s.d.n, s.section)
	if e.rng.IntN(6) == 0 {
		yDel(m, s.key)
		e.save(s.d)
		return fmt.Sprintf("%s: deleted %s of Secret %s/%s", s.d.file, s.key, s.d.namesp, s.d.name)
	}
	var from []string
	var values []string
	for _, p := range append(tree, e.pool...) {
		for k, v := range p.values {
			if isKeyName(k) == isKeyName(s.key) {
				from, values = append(from, k+" of "+p.src), append(values, v)
			}
		}
	}
	// Map order must not choose.
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(from[a], from[b]) })
	i := idx[e.rng.IntN(len(idx))]
	v := values[i]
	n := yStr(v)
	if s.section == "data" {
		n = yStr(base64.StdEncoding.EncodeToString([]byte(v)))
	} else {
		n.Style = yaml.LiteralStyle
	}
	ySet(m, s.key, n)
	e.save(s.d)
	return fmt.Sprintf("%s: %s of Secret %s/%s <- %s", s.d.file, s.key, s.d.namesp, s.d.name, from[i])
}

// credentialSecret adds a Secret that a Gateway's credentialName or a
// listener's certificateRef names, with a pair of the pool (or two halves
// of different pairs), or deletes the Secret when the tree has it.
func (e *editor) credentialSecret() string {
	type ref struct{ ns, name, by string }
	var refs []ref
	for _, d := range e.of("*", "Gateway") {
		if strings.HasPrefix(d.apiVersion, "networking.istio.io") {
			for _, s := range yItems(yField(d.n, "spec", "servers")) {
				if c := yValue(s, "tls", "credentialName"); c != "" {
					ns := d.namesp
					// The credential is read in the namespace of the
					// gateway's pods; the Gateway's is a guess.
					if w, ok := pickOne(e.rng, e.selected(yField(d.n, "spec", "selector"))); ok {
						ns = w.namesp
					}
					refs = append(refs, ref{ns, c, "credentialName of Gateway " + d.namesp + "/" + d.name})
				}
			}
			continue
		}
		for _, l := range yItems(yField(d.n, "spec", "listeners")) {
			for _, c := range yItems(yField(l, "tls", "certificateRefs")) {
				ns := yValue(c, "namespace")
				if ns == "" {
					ns = d.namesp
				}
				refs = append(refs, ref{ns, yValue(c, "name"), "certificateRef of Gateway " + d.namesp + "/" + d.name})
			}
		}
	}
	r, ok := pickOne(e.rng, refs)
	if !ok || r.name == "" {
		return ""
	}
	for _, d := range e.of("*", "Secret") {
		if d.name == r.name && (d.namesp == r.ns || d.namesp == "") {
			e.remove(d)
			return fmt.Sprintf("%s: deleted Secret %s/%s, the %s", d.file, d.namesp, d.name, r.by)
		}
	}
	var pairs []pemSecret
	for _, p := range e.pool {
		if p.values["tls.crt"] != "" && p.values["tls.key"] != "" {
			pairs = append(pairs, p)
		}
	}
	crt, _ := pickOne(e.rng, pairs)
	key := crt
	if e.rng.IntN(3) == 0 {
		key, _ = pickOne(e.rng, pairs)
	}
	text := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\ntype: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n",
		r.name, r.ns, base64.StdEncoding.EncodeToString([]byte(crt.values["tls.crt"])), base64.StdEncoding.EncodeToString([]byte(key.values["tls.key"])))
	name := e.add(r.ns, "secret", text)
	return fmt.Sprintf("added %s: Secret %s/%s, the %s, with tls.crt of %s and tls.key of %s", name, r.ns, r.name, r.by, crt.src, key.src)
}

// selected returns the workloads whose pods a label selector (a plain
// mapping, as an Istio Gateway's) selects.
func (e *editor) selected(sel *yaml.Node) []*ydoc {
	var out []*ydoc
	if sel == nil || sel.Kind != yaml.MappingNode || len(sel.Content) == 0 {
		return nil
	}
	for _, d := range e.of("*", oracleWorkloadKinds...) {
		ls := yField(podMeta(d), "labels")
		all := true
		for i := 0; i+1 < len(sel.Content); i += 2 {
			all = all && yValue(ls, sel.Content[i].Value) == sel.Content[i+1].Value
		}
		if all {
			out = append(out, d)
		}
	}
	return out
}

// presence adds the first object of a kind that turns rules on by being
// in the input anywhere, or deletes every object of it.
func (e *editor) presence() string {
	kind := e.other("", "ServiceEntry", "AuthorizationPolicy", "GatewayClass", "Namespace")
	if ds := e.of("*", kind); len(ds) > 0 {
		e.remove(ds...)
		return fmt.Sprintf("deleted the %d %s objects", len(ds), kind)
	}
	ns, _ := pickOne(e.rng, e.namespaces())
	if ns == "" {
		ns = "default"
	}
	n := e.rng.IntN(1000)
	var text string
	switch kind {
	case "ServiceEntry":
		text = fmt.Sprintf("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: oracle-%d\n  namespace: %s\nspec:\n  hosts: [api.partner.example.com]\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports:\n  - {number: 443, name: tls, protocol: TLS}\n", n, ns)
	case "AuthorizationPolicy":
		text = fmt.Sprintf("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: oracle-%d\n  namespace: %s\nspec:\n  action: ALLOW\n  rules:\n  - from:\n    - source:\n        namespaces: [%q]\n", n, ns, e.other("", e.namespaces()...))
	case "GatewayClass":
		class := "istio"
		for _, d := range e.of("*", "Gateway") {
			if c := yValue(d.n, "spec", "gatewayClassName"); c != "" {
				class = c
			}
		}
		text = fmt.Sprintf("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: %s\nspec:\n  controllerName: istio.io/gateway-controller\n", class)
	default:
		text = fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns)
		if e.rng.IntN(2) == 0 {
			text += "  labels: {istio-injection: enabled}\n"
		}
	}
	name := e.add(ns, "presence", text)
	return fmt.Sprintf("added %s, the only %s:\n%s", name, kind, text)
}

// networkPolicy changes the selectors or policy types of a
// NetworkPolicy, deletes a default deny, or adds one.
func (e *editor) networkPolicy() string {
	nps := slices.DeleteFunc(e.of("*", "NetworkPolicy"), func(d *ydoc) bool {
		return !strings.HasPrefix(d.apiVersion, "networking.k8s.io")
	})
	d, ok := pickOne(e.rng, nps)
	if !ok {
		return ""
	}
	spec := yMapAt(d.n, "spec")
	var what string
	switch e.rng.IntN(5) {
	case 0:
		sel := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		what = "podSelector {}"
		if l, ok := pickOne(e.rng, e.podLabels()); ok && e.rng.IntN(3) > 0 {
			sel = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{yStr("matchLabels"), labelMap(l)}}
			what = "podSelector " + l
		}
		ySet(spec, "podSelector", sel)
	case 1:
		var sels []*yaml.Node
		for _, dir := range [][2]string{{"ingress", "from"}, {"egress", "to"}} {
			for _, r := range yItems(yField(spec, dir[0])) {
				for _, peer := range yItems(yField(r, dir[1])) {
					if s := yField(peer, "namespaceSelector"); s != nil {
						sels = append(sels, s)
					}
				}
			}
		}
		s, ok := pickOne(e.rng, sels)
		if !ok {
			return ""
		}
		ns := e.other("", e.namespaces()...)
		s.Kind, s.Style, s.Tag, s.Value = yaml.MappingNode, 0, "", ""
		s.Content = []*yaml.Node{yStr("matchLabels"), labelMap("kubernetes.io/metadata.name=" + ns)}
		what = "a namespaceSelector now selects " + ns
		if e.rng.IntN(4) == 0 {
			s.Content, s.Style = nil, yaml.FlowStyle
			what = "a namespaceSelector now selects every namespace"
		}
	case 2:
		types := e.other(yValue(spec, "policyTypes"), "[Ingress]", "[Egress]", "[Ingress, Egress]", "")
		if types == "" {
			yDel(spec, "policyTypes")
			what = "policyTypes deleted"
		} else {
			ySet(spec, "policyTypes", yNode(types))
			what = "policyTypes " + types
		}
	case 3:
		var denies []*ydoc
		for _, x := range nps {
			sel := yField(x.n, "spec", "podSelector")
			if (sel == nil || len(sel.Content) == 0) && yField(x.n, "spec", "ingress") == nil && yField(x.n, "spec", "egress") == nil {
				denies = append(denies, x)
			}
		}
		if x, ok := pickOne(e.rng, denies); ok {
			d = x
		}
		e.remove(d)
		return fmt.Sprintf("%s: deleted NetworkPolicy %s/%s", d.file, d.namesp, d.name)
	default:
		ns := e.other("", e.namespaces()...)
		text := fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: oracle-deny-%d\n  namespace: %s\nspec:\n  podSelector: {}\n  policyTypes: %s\n",
			e.rng.IntN(1000), ns, e.other("", "[Ingress]", "[Egress]", "[Ingress, Egress]"))
		name := e.add(ns, "netpol", text)
		return fmt.Sprintf("added %s:\n%s", name, text)
	}
	e.save(d)
	return fmt.Sprintf("%s: NetworkPolicy %s/%s %s", d.file, d.namesp, d.name, what)
}

// releaseSelector has a NetworkPolicy select pods by a release label
// (graph.ReleaseLabel) that some pods have: the graph then reads the
// values of the label, and the cache may no longer count an edit of them
// as unread (graph.NamesRelease).
func (e *editor) releaseSelector() string {
	var release []string
	for _, l := range e.podLabels() {
		if k, _, _ := strings.Cut(l, "="); graph.ReleaseLabel(k) {
			release = append(release, l)
		}
	}
	l, ok := pickOne(e.rng, release)
	if !ok {
		return ""
	}
	d, ok := pickOne(e.rng, slices.DeleteFunc(e.of("*", "NetworkPolicy"), func(d *ydoc) bool {
		return !strings.HasPrefix(d.apiVersion, "networking.k8s.io")
	}))
	if !ok {
		return ""
	}
	ySet(yMapAt(d.n, "spec"), "podSelector", &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{yStr("matchLabels"), labelMap(l)}})
	e.save(d)
	return fmt.Sprintf("%s: NetworkPolicy %s/%s podSelector %s", d.file, d.namesp, d.name, l)
}

// YAML node helpers.

// yField returns the node at keys below mapping n, or nil.
func yField(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// yValue returns the scalar at keys below n, or "" (also for a sequence:
// then its flow form, as "[Ingress, Egress]").
func yValue(n *yaml.Node, keys ...string) string {
	v := yField(n, keys...)
	switch {
	case v == nil:
		return ""
	case v.Kind == yaml.SequenceNode:
		var s []string
		for _, x := range v.Content {
			s = append(s, x.Value)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return v.Value
}

// yItems returns the items of a sequence node.
func yItems(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// yMapAt returns the mapping at keys below n, making it (and replacing
// what is not a mapping) where there is none.
func yMapAt(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		next := yField(n, k)
		if next == nil || next.Kind != yaml.MappingNode {
			next = &yaml.Node{Kind: yaml.MappingNode}
			ySet(n, k, next)
		}
		n = next
	}
	return n
}

func ySet(n *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content[i+1] = v
			return
		}
	}
	n.Content = append(n.Content, yStr(key), v)
}

func yDel(n *yaml.Node, key string) {
	for i := 0; n != nil && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = slices.Delete(n.Content, i, i+2)
			return
		}
	}
}

// yStr makes a string scalar; the encoder quotes it where YAML would read
// another type ("true", "8080").
func yStr(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// yNode parses a YAML snippet.
func yNode(s string) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil || len(doc.Content) == 0 {
		panic(fmt.Sprintf("yNode(%q): %v", s, err))
	}
	return doc.Content[0]
}

// firstDifference shows where two outputs part.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  cached:   %s\n  uncached: %s", i+1, a, b)
		}
	}
	return "(equal)"
}
