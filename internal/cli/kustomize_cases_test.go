package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshlint/meshlint/rules/ruletest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The cases of fixtures/kustomize-cases are small kustomize trees (bases,
// overlays, components, patches of every kind, transformers) with mistakes
// planted in them. Expectations are written where the finding must land:
//
//	weight: 90   # want: MR101@15
//
// that is ruletest's want comment, whose rule IDs carry the column after
// an @. Each case is linted once, as a user would lint the tree: meshlint
// builds the kustomizations that no other one of the case uses (the roots),
// and a want in a file expects one finding for each root whose build reads
// that file. So a want in a base that two overlays share expects two
// findings, one per overlay (fixtures/kustomize-cases/README.md).

type caseFinding struct {
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	Related []struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Message string `json:"message"`
	} `json:"related"`
}

func TestKustomizeCases(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const casesDir = "fixtures/kustomize-cases"
	entries, err := os.ReadDir(filepath.Join(root, casesDir))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(casesDir, e.Name())
		t.Run(e.Name(), func(t *testing.T) { checkKustomizeCase(t, root, dir) })
	}
	if n < 10 {
		t.Errorf("%d cases in %s, want at least 10", n, casesDir)
	}
}

// caseWant is a want with the column of its finding.
type caseWant struct {
	*ruletest.Want
	col  int
	root string // the kustomization whose build expects it
	seen bool
}

func (w *caseWant) String() string {
	return fmt.Sprintf("%s:%d:%d %s (built by %s)", w.File, w.Line, w.col, w.Rule, w.root)
}

func checkKustomizeCase(t *testing.T, root, dir string) {
	roots := kustomizeRoots(t, root, dir)
	if len(roots) == 0 {
		t.Fatalf("%s holds no kustomization", dir)
	}
	var wants []*caseWant
	for _, r := range roots {
		files := map[string]bool{}
		kustomizationFiles(t, root, r, files, map[string]bool{})
		nw := len(wants)
		for _, f := range slices.Sorted(func(yield func(string) bool) {
			for f := range files {
				if !yield(f) {
					return
				}
			}
		}) {
			data, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatal(err)
			}
			ws, err := parseCaseWants(f, data)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range ws {
				w.root = r
			}
			wants = append(wants, ws...)
		}
		if len(wants) == nw {
			t.Errorf("%s: no # want in the files its build reads: plant a mistake", r)
		}
	}

	res := run(t, root, "", "--no-config", "--format", "json", "--fail-on", "none", dir)
	if res.code != ExitClean {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	var out struct {
		Findings []caseFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}

	nodes := map[string]map[[2]int]bool{}
	onNode := func(file string, line, col int) bool {
		if nodes[file] == nil {
			data, err := os.ReadFile(filepath.Join(root, file))
			if err != nil {
				t.Errorf("%s: %v", file, err)
				return false
			}
			nodes[file] = nodePositions(data)
		}
		return nodes[file][[2]int{line, col}]
	}
	for _, f := range out.Findings {
		pos := fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
		if !onNode(f.File, f.Line, f.Column) {
			t.Errorf("%s %s is not at a key or value of %s: %s", pos, f.Rule, f.File, f.Message)
		}
		for _, r := range f.Related {
			if !onNode(r.File, r.Line, r.Column) {
				t.Errorf("%s %s: note %s:%d:%d (%s) is not at a key or value", pos, f.Rule, r.File, r.Line, r.Column, r.Message)
			}
		}
		i := slices.IndexFunc(wants, func(w *caseWant) bool {
			return !w.seen && w.File == f.File && w.Line == f.Line && w.col == f.Column && w.Rule == f.Rule &&
				!slices.ContainsFunc(w.Patterns, func(p *regexp.Regexp) bool { return !p.MatchString(f.Message) })
		})
		if i < 0 {
			t.Errorf("unexpected finding %s %s: %s", pos, f.Rule, f.Message)
			continue
		}
		wants[i].seen = true
	}
	for _, w := range wants {
		if !w.seen {
			t.Errorf("no finding for want %s", w)
		}
	}
}

var wantCol = regexp.MustCompile(`\b(MR\d{3})(@\d+)?`)

// parseCaseWants reads the want comments of a file with ruletest's parser,
// after taking the @column off each rule ID.
func parseCaseWants(file string, data []byte) ([]*caseWant, error) {
	lines := strings.Split(string(data), "\n")
	var cols []int
	for i, line := range lines {
		c := strings.Index(line, "# want:")
		if c < 0 {
			continue
		}
		var err error
		lines[i] = line[:c] + wantCol.ReplaceAllStringFunc(line[c:], func(m string) string {
			id, at, ok := strings.Cut(m, "@")
			if !ok {
				err = fmt.Errorf("%s:%d: %s has no @column", file, i+1, id)
				return m
			}
			col, _ := strconv.Atoi(at)
			cols = append(cols, col)
			return id
		})
		if err != nil {
			return nil, err
		}
	}
	ws, err := ruletest.ParseWants(file, []byte(strings.Join(lines, "\n")))
	if err != nil {
		return nil, err
	}
	if len(ws) != len(cols) {
		return nil, fmt.Errorf("%s: %d wants but %d columns", file, len(ws), len(cols))
	}
	out := make([]*caseWant, len(ws))
	for i, w := range ws {
		out[i] = &caseWant{Want: w, col: cols[i]}
	}
	return out, nil
}

var kustomizationFileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

func kustomizationFile(root, dir string) string {
	for _, n := range kustomizationFileNames {
		if st, err := os.Stat(filepath.Join(root, dir, n)); err == nil && st.Mode().IsRegular() {
			return filepath.Join(dir, n)
		}
	}
	return ""
}

// kustomizeRoots returns the kustomization directories of dir that meshlint
// builds: the first on each branch of the walk, less those another one uses.
func kustomizeRoots(t *testing.T, root, dir string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if kustomizationFile(root, rel) != "" {
			found = append(found, rel)
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, k := range found {
		dirs := map[string]bool{}
		kustomizationFiles(t, root, k, map[string]bool{}, dirs)
		for d := range dirs {
			if d != k {
				used[d] = true
			}
		}
	}
	var roots []string
	for _, k := range found {
		if !used[k] {
			roots = append(roots, k)
		}
	}
	return roots
}

type kustGenerator struct {
	Files []string `yaml:"files"`
	Envs  []string `yaml:"envs"`
}

// kustomizationFiles adds to files every file the build of the
// kustomization in dir reads, and to dirs every kustomization directory it
// uses, dir included.
func kustomizationFiles(t *testing.T, root, dir string, files, dirs map[string]bool) {
	t.Helper()
	if dirs[dir] {
		return
	}
	dirs[dir] = true
	kf := kustomizationFile(root, dir)
	if kf == "" {
		t.Fatalf("%s: no kustomization file", dir)
	}
	files[kf] = true
	data, err := os.ReadFile(filepath.Join(root, kf))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources             []string `yaml:"resources"`
		Bases                 []string `yaml:"bases"`
		Components            []string `yaml:"components"`
		PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
		Patches               []struct {
			Path string `yaml:"path"`
		} `yaml:"patches"`
		PatchesJSON6902 []struct {
			Path string `yaml:"path"`
		} `yaml:"patchesJson6902"`
		ConfigMapGenerator []kustGenerator `yaml:"configMapGenerator"`
		SecretGenerator    []kustGenerator `yaml:"secretGenerator"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatalf("%s: %v", kf, err)
	}
	add := func(p string) {
		if p == "" || strings.Contains(p, "\n") {
			return // an inline patch
		}
		if _, after, ok := strings.Cut(p, "="); ok {
			p = after // configMapGenerator files: key=path
		}
		rel := filepath.Join(dir, p)
		if st, err := os.Stat(filepath.Join(root, rel)); err == nil && st.IsDir() {
			kustomizationFiles(t, root, rel, files, dirs)
			return
		}
		files[rel] = true
	}
	for _, p := range slices.Concat(k.Resources, k.Bases, k.Components, k.PatchesStrategicMerge) {
		add(p)
	}
	for _, p := range slices.Concat(k.Patches, k.PatchesJSON6902) {
		add(p.Path)
	}
	for _, g := range slices.Concat(k.ConfigMapGenerator, k.SecretGenerator) {
		for _, p := range slices.Concat(g.Files, g.Envs) {
			add(p)
		}
	}
}

// nodePositions returns the line:col of every key and value of a YAML
// file, and of the YAML written in its block scalars and in its flow
// sequences written on one line in a string (inline patches), and where the
// value of a configMapGenerator literal (key=value) starts.
func nodePositions(data []byte) map[[2]int]bool {
	out := map[[2]int]bool{}
	lines := strings.Split(string(data), "\n")
	var walk func(n *yaml.Node, dl, dc int)
	walk = func(n *yaml.Node, dl, dc int) {
		if n.Kind != yaml.DocumentNode {
			out[[2]int{n.Line + dl, n.Column + dc}] = true
		}
		// The value of a generator's "key=value" literal.
		if k, _, ok := strings.Cut(n.Value, "="); ok && n.Kind == yaml.ScalarNode && n.Style == 0 && !strings.Contains(n.Value, "\n") {
			out[[2]int{n.Line + dl, n.Column + dc + utf8.RuneCountInString(k) + 1}] = true
		}
		if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && n.Line+dl < len(lines) {
			// The block's text starts on the next line, at the
			// indentation of its first non-blank line.
			first := n.Line + dl // 0-based index of that line
			for first < len(lines) && strings.TrimSpace(lines[first]) == "" {
				first++
			}
			if first < len(lines) {
				indent := len(lines[first]) - len(strings.TrimLeft(lines[first], " "))
				for _, d := range yamlDocs(n.Value) {
					walk(d, n.Line+dl, indent)
				}
			}
		}
		// A patch on one line, quoted without escapes: its columns.
		if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && strings.HasPrefix(n.Value, "[") && n.Line+dl <= len(lines) {
			start := n.Column + dc - 1
			if n.Style != 0 {
				start++
			}
			if line := []rune(lines[n.Line+dl-1]); start+len([]rune(n.Value)) <= len(line) && string(line[start:start+len([]rune(n.Value))]) == n.Value {
				for _, d := range yamlDocs(n.Value) {
					walk(d, n.Line+dl-1, start)
				}
			}
		}
		for _, c := range n.Content {
			walk(c, dl, dc)
		}
	}
	for _, d := range yamlDocs(string(data)) {
		walk(d, 0, 0)
	}
	return out
}

func yamlDocs(s string) []*yaml.Node {
	dec := yaml.NewDecoder(strings.NewReader(s))
	var docs []*yaml.Node
	for {
		var d yaml.Node
		if dec.Decode(&d) != nil {
			return docs
		}
		docs = append(docs, &d)
	}
}
