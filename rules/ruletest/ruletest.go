// Package ruletest runs a rule over fixture files whose expectations are
// written inline, in the style of go/analysis's analysistest:
//
//	subset: canary   # want: MR102 `subset "canary"`
//
// A finding that no want matches fails the test, and so does a want that
// no finding matches. Files named fire-* must hold at least one want and
// quiet-* none. A .txtar archive holds a multi-file case; its files are
// loaded together. A comment line "# fixture: closed-world
// root-namespace=NS namespace=NS auto-mtls=false also=ID[,ID]
// providers=NAME:TYPE[,NAME:TYPE] default-access-log=NAME
// scope-gateway-to-namespace flagger-mesh-provider=PROVIDER
// flagger-selector-labels=LABEL[,LABEL] kubernetes-version=1.N" sets the run's options; also= runs more rules
// beside the one under test, providers=
// stands for a MeshConfig with these extensionProviders,
// scope-gateway-to-namespace for istiod's PILOT_SCOPE_GATEWAY_TO_NAMESPACE
// (the configuration file's mesh.scope-gateway-to-namespace), and
// flagger-mesh-provider and flagger-selector-labels for Flagger's flags
// (the configuration file's flagger section), and kubernetes-version for
// the release of the API server (kubernetes.version).
//
// Suppressions are applied after the rules run, as in a real run
// (internal/suppress): a finding covered by "# meshlint:ignore" is not
// reported, and the directives' own problems are reported as MR901. So wants
// may name the rule under test, the rules of also= and MR901, and every
// fixture checks suppression as well as the rule.
package ruletest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suppress"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/meta"
	"golang.org/x/tools/txtar"
)

// Want is one expectation: a finding of Rule on File:Line whose message
// matches every pattern.
type Want struct {
	File     string
	Line     int
	Rule     string
	Patterns []*regexp.Regexp
	matched  bool
}

func (w *Want) String() string {
	var ps []string
	for _, p := range w.Patterns {
		ps = append(ps, strconv.Quote(p.String()))
	}
	return strings.TrimSpace(fmt.Sprintf("%s:%d: %s %s", w.File, w.Line, w.Rule, strings.Join(ps, " ")))
}

var (
	wantComment = regexp.MustCompile(`#\s*want:\s*(.*)$`)
	ruleToken   = regexp.MustCompile(`^MR\d{3}$`)
)

// ParseWants reads the # want: comments of a file.
func ParseWants(file string, data []byte) ([]*Want, error) {
	var wants []*Want
	for i, line := range strings.Split(string(data), "\n") {
		m := wantComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rest := strings.TrimSpace(m[1])
		var cur *Want
		for rest != "" {
			if rest[0] == '"' || rest[0] == '`' {
				q, err := strconv.QuotedPrefix(rest)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: bad quoted pattern: %w", file, i+1, err)
				}
				s, _ := strconv.Unquote(q)
				re, err := regexp.Compile(s)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: bad pattern: %w", file, i+1, err)
				}
				if cur == nil {
					return nil, fmt.Errorf("%s:%d: pattern before a rule ID", file, i+1)
				}
				cur.Patterns = append(cur.Patterns, re)
				rest = strings.TrimSpace(rest[len(q):])
				continue
			}
			tok, after, _ := strings.Cut(rest, " ")
			if !ruleToken.MatchString(tok) {
				return nil, fmt.Errorf("%s:%d: %q is not a rule ID", file, i+1, tok)
			}
			cur = &Want{File: file, Line: i + 1, Rule: tok}
			wants = append(wants, cur)
			rest = strings.TrimSpace(after)
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: want without a rule ID", file, i+1)
		}
	}
	return wants, nil
}

// Options are the run settings a fixture may ask for.
type Options struct {
	Mesh      config.Mesh
	Namespace string
	// Also are rules run beside the one under test.
	Also []*rules.Rule
	// Registry resolves the rule IDs and names of also= and of suppression
	// directives; without it, directives naming other rules are passed over.
	Registry []*rules.Rule
}

// ParseOptions reads the "# fixture:" lines of a fixture's files (data
// joined); registry resolves the rules of also=. An unknown option is an
// error, so that a new one cannot be missed by a test that reads them.
func ParseOptions(data []byte, registry []*rules.Rule) (Options, error) {
	o := Options{Mesh: config.DefaultMesh(), Namespace: "default", Registry: registry}
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# fixture:")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(rest) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "closed-world":
				o.Mesh.ClosedWorld = true
			case "root-namespace":
				o.Mesh.RootNamespace = v
			case "namespace":
				o.Namespace = v
			case "auto-mtls":
				o.Mesh.DisableAutoMTLS = v == "false"
			case "providers":
				s := config.MeshSettings{FromMeshConfig: true}
				for _, p := range strings.Split(v, ",") {
					name, typ, _ := strings.Cut(p, ":")
					s.ExtensionProviders = append(s.ExtensionProviders, config.ExtensionProvider{Name: name, Type: typ})
				}
				s.Apply(&o.Mesh)
			case "default-access-log":
				o.Mesh.DefaultProviders.AccessLogging = strings.Split(v, ",")
			case "scope-gateway-to-namespace":
				o.Mesh.ScopeGatewayToNamespace = true
			case "flagger-mesh-provider":
				if !config.FlaggerProviderKnown(v) {
					return o, fmt.Errorf("flagger-mesh-provider=%s: Flagger knows no such mesh provider", v)
				}
				o.Mesh.FlaggerMeshProvider = v
			case "flagger-selector-labels":
				o.Mesh.FlaggerSelectorLabels = strings.Split(v, ",")
			case "kubernetes-version":
				minor, err := config.ParseKubernetesVersion(v)
				if err != nil {
					return o, fmt.Errorf("kubernetes-version=%s: %w", v, err)
				}
				o.Mesh.KubernetesMinor = minor
			case "also":
				for _, id := range strings.Split(v, ",") {
					r := rules.Find(registry, id)
					if r == nil {
						return o, fmt.Errorf("also=%s: no such rule in the registry given to ruletest", id)
					}
					o.Also = append(o.Also, r)
				}
			default:
				return o, fmt.Errorf("unknown fixture option %q", k)
			}
		}
	}
	return o, nil
}

// Lint loads the files in dir, runs rule r (and opts.Also) on them and
// applies the suppressions written in them. It returns the findings left,
// with MR901 findings about the directives.
func Lint(dir string, r *rules.Rule, opts Options) ([]*rules.Finding, error) {
	// The command's own pipeline: local rules run per file, and the nodes
	// are dropped before the other rules and the suppressions run.
	ran := ranRules(r, opts)
	res := rules.Lint(rules.LintOptions{Paths: []string{dir}, Load: manifest.Options{Namespace: opts.Namespace}, Mesh: opts.Mesh, Rules: ran})
	if len(res.Load.Errors) > 0 {
		return nil, fmt.Errorf("fixture does not load: %w", res.Load.Errors[0])
	}
	if len(res.Graph.Errors) > 0 {
		return nil, fmt.Errorf("fixture does not decode: %w", res.Graph.Errors[0])
	}
	if len(res.Internal) > 0 {
		return nil, res.Internal[0]
	}
	// Source lets MR901 findings carry their fixes, as in a real run.
	source := func(file string) []byte {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil
		}
		return b
	}
	return suppress.Apply(res.Load.Objects, res.Findings, suppress.Options{Registry: opts.Registry, Ran: ran, Source: source}).Findings(), nil
}

// ranRules lists the rules a fixture runs: r, the rules of also=, and
// MR901, whose findings come from the suppression pass.
func ranRules(r *rules.Rule, opts Options) []*rules.Rule {
	ran := []*rules.Rule{r}
	for _, x := range slices.Concat(opts.Also, []*rules.Rule{meta.SuppressionInvalid}) {
		if !slices.Contains(ran, x) {
			ran = append(ran, x)
		}
	}
	return ran
}

// EachFixture calls fn with every rule fixture under dir (a
// fixtures/rules folder: one folder per rule ID), in name order: the rule
// ID, the fixture's file name, and its files (Files).
func EachFixture(dir string, fn func(id, name string, files map[string][]byte)) error {
	ids, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, id := range ids {
		entries, err := os.ReadDir(filepath.Join(dir, id.Name()))
		if err != nil {
			return err
		}
		for _, e := range entries {
			files, err := Files(filepath.Join(dir, id.Name(), e.Name()))
			if err != nil {
				return err
			}
			fn(id.Name(), e.Name(), files)
		}
	}
	return nil
}

// Files returns the files of a fixture: the file itself, or the members of
// a txtar archive.
func Files(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if filepath.Ext(path) != ".txtar" {
		return map[string][]byte{filepath.Base(path): data}, nil
	}
	ar := txtar.Parse(data)
	out := map[string][]byte{}
	for _, f := range ar.Files {
		out[f.Name] = f.Data
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: empty archive", path)
	}
	return out, nil
}

// Check runs rule r over the fixture at path and reports every mismatch
// between findings and wants. registry, when given, resolves the rules
// that also= and suppression directives name.
func Check(t *testing.T, r *rules.Rule, path string, registry ...*rules.Rule) (fixed bool) {
	t.Helper()
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var wants []*Want
	var optText []byte
	for name, data := range files {
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil { //nolint:gosec // G301: a directory under the test's t.TempDir()
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ws, err := ParseWants(dst, data)
		if err != nil {
			t.Fatal(err)
		}
		wants = append(wants, ws...)
		optText = append(optText, data...)
	}
	opts, err := ParseOptions(optText, registry)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ran := ranRules(r, opts)
	base := filepath.Base(path)
	switch {
	case strings.HasPrefix(base, "fire-") && len(wants) == 0:
		t.Fatalf("%s: a fire- fixture needs at least one # want", path)
	case strings.HasPrefix(base, "quiet-") && len(wants) > 0:
		t.Fatalf("%s: a quiet- fixture must not hold # want", path)
	}
	for _, w := range wants {
		if !slices.ContainsFunc(ran, func(x *rules.Rule) bool { return x.ID == w.Rule }) {
			t.Fatalf("%s: want names %s, which does not run in %s's fixture (see also=)", w, w.Rule, r.ID)
		}
	}
	fs, err := Lint(dir, r, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, f := range fs {
		if !match(wants, f) {
			t.Errorf("%s: unexpected finding at %s: %s %s", base, rel(dir, f.Pos), f.Rule.ID, f.Message)
		}
		fixed = fixed || f.Rule == r && len(f.Fixes) > 0
	}
	for _, w := range wants {
		if !w.matched {
			t.Errorf("%s: no finding matched want at %s", base, rel(dir, manifest.Pos{File: w.File})+w.String()[len(w.File):])
		}
	}
	return fixed
}

func match(wants []*Want, f *rules.Finding) bool {
	for _, w := range wants {
		if w.matched || w.File != f.Pos.File || w.Line != int(f.Pos.Line) || w.Rule != f.Rule.ID {
			continue
		}
		ok := true
		for _, p := range w.Patterns {
			if !p.MatchString(f.Message) {
				ok = false
				break
			}
		}
		if ok {
			w.matched = true
			return true
		}
	}
	return false
}

func rel(dir string, p manifest.Pos) string {
	if r, err := filepath.Rel(dir, p.File); err == nil {
		p.File = r
	}
	return p.String()
}

// Run checks every fixture of rule r in dir (fixtures/rules/<ID>) and the
// rule's Bad and Good examples. registry, when given (rules/all.Rules),
// resolves the rules that also= and suppression directives name.
func Run(t *testing.T, r *rules.Rule, dir string, registry ...*rules.Rule) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("rule %s has no fixtures: %v", r.ID, err)
	}
	var fire, quiet int
	var names []string
	fixed := false
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case strings.HasPrefix(name, "fire-"):
			fire++
		case strings.HasPrefix(name, "quiet-"):
			quiet++
		default:
			t.Errorf("%s/%s: fixture names start with fire- or quiet-", dir, name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			if Check(t, r, filepath.Join(dir, name), registry...) {
				fixed = true
			}
		})
	}
	if fire == 0 || quiet == 0 {
		t.Errorf("rule %s needs fire- and quiet- fixtures (has %d and %d)", r.ID, fire, quiet)
	}
	switch {
	case fixed && r.Fix == "":
		t.Errorf("rule %s gives fixes in its fixtures, but its Fix metadata is empty: say what --fix does", r.ID)
	case !fixed && r.Fix != "":
		t.Errorf("rule %s says --fix %s, but no finding of its fixtures carries a fix: add a fixture that shows one", r.ID, r.Fix)
	}
	t.Run("examples", func(t *testing.T) { CheckExamples(t, r, registry...) })
}

// CheckExamples runs the rule's Bad example, which must produce a finding
// of r, and its Good example, which must produce no finding at all
// (suppressions applied).
func CheckExamples(t *testing.T, r *rules.Rule, registry ...*rules.Rule) {
	t.Helper()
	for _, ex := range []struct {
		name string
		text string
		fire bool
	}{{"bad.yaml", r.Bad, true}, {"good.yaml", r.Good, false}} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ex.name), []byte(ex.text), 0o644); err != nil {
			t.Fatal(err)
		}
		opts, err := ParseOptions([]byte(ex.text), registry)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := Lint(dir, r, opts)
		if err != nil {
			t.Fatalf("%s example: %v", ex.name, err)
		}
		if ex.fire && !slices.ContainsFunc(fs, func(f *rules.Finding) bool { return f.Rule == r }) {
			t.Errorf("%s: the Bad example produces no finding", r.ID)
		}
		if !ex.fire {
			for _, f := range fs {
				t.Errorf("%s: the Good example produces %s: %s %s", r.ID, rel(dir, f.Pos), f.Rule.ID, f.Message)
			}
		}
	}
}

// Severities lints paths with r alone and checks that, for each message
// fragment of want, some finding's message holds it with that severity.
// It tests rules whose findings differ in severity, which want comments do
// not state.
func Severities(t *testing.T, r *rules.Rule, paths []string, want map[string]rules.Severity) {
	t.Helper()
	res := rules.Lint(rules.LintOptions{Paths: paths, Mesh: config.DefaultMesh(), Rules: []*rules.Rule{r}})
	want = maps.Clone(want)
	for _, f := range res.Findings {
		for text, sev := range want {
			if strings.Contains(f.Message, text) {
				if f.Severity != sev {
					t.Errorf("%s: severity %s, want %s", f.Message, f.Severity, sev)
				}
				delete(want, text)
			}
		}
	}
	for text := range want {
		t.Errorf("no %s finding says %q", r.ID, text)
	}
}

// WriteTree writes files, named by slash-separated paths relative to dir,
// creating their directories.
func WriteTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// LintTree writes files to a temporary directory and lints it with rs, as
// the command does from that directory (paths relative to it), or lints
// stdin when files is empty. A problem loading or decoding the input, or a
// failing rule, fails the test.
func LintTree(t *testing.T, files map[string]string, stdin string, mesh config.Mesh, rs ...*rules.Rule) []*rules.Finding {
	t.Helper()
	dir := t.TempDir()
	WriteTree(t, dir, files)
	paths := []string{"."}
	if len(files) == 0 {
		paths = []string{"-"}
	}
	res := rules.Lint(rules.LintOptions{
		Paths: paths,
		Load:  manifest.Options{Namespace: "default", Dir: dir, Stdin: strings.NewReader(stdin)},
		Mesh:  mesh,
		Rules: rs,
	})
	if len(res.Load.Errors)+len(res.Graph.Errors)+len(res.Internal) > 0 {
		t.Fatalf("lint: %v %v %v", res.Load.Errors, res.Graph.Errors, res.Internal)
	}
	return res.Findings
}
