package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/rules/ruletest"
	"golang.org/x/tools/txtar"
)

// The autofix goldens are fixtures/fix/<case>.txtar archives:
//
//	description; "args: FLAGS" adds lint flags; each "stderr: TEXT" line
//	must appear in the --fix run's stderr
//	-- input/<path> -- the files linted
//	-- want/<path> --  a file after --fix (a new one, or a changed input)
//	-- want.diff --    what --diff prints
//
// Inputs without a want file must come out unchanged. Run with -update to
// rewrite the want sections from the current output, then review them.

var update = flag.Bool("update", false, "rewrite the want sections of fixtures/fix from the current output")

type jsonFinding struct {
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Message     string `json:"message"`
	Fingerprint string `json:"fingerprint"`
	Fixes       []struct {
		Message string `json:"message"`
	} `json:"fixes"`
}

func (f jsonFinding) pos() string { return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column) }

func findingsOf(t *testing.T, r result) []jsonFinding {
	t.Helper()
	var doc struct {
		Findings []jsonFinding `json:"findings"`
		Errors   []struct {
			File, Message string
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	if len(doc.Errors) > 0 {
		t.Fatalf("input errors: %+v", doc.Errors)
	}
	return doc.Findings
}

// readTree returns every file under dir, by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixCase is one archive of fixtures/fix.
type fixCase struct {
	ar     *txtar.Archive
	args   []string
	stderr []string
	input  map[string]string
	want   map[string]string
	diff   string
}

func readFixCase(t *testing.T, file string) *fixCase {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &fixCase{ar: ar, input: map[string]string{}, want: map[string]string{}}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		if v, ok := strings.CutPrefix(line, "args:"); ok {
			c.args = append(c.args, strings.Fields(v)...)
		}
		if v, ok := strings.CutPrefix(line, "stderr:"); ok {
			c.stderr = append(c.stderr, strings.TrimSpace(v))
		}
	}
	for _, f := range ar.Files {
		switch {
		case strings.HasPrefix(f.Name, "input/"):
			c.input[strings.TrimPrefix(f.Name, "input/")] = string(f.Data)
		case strings.HasPrefix(f.Name, "want/"):
			c.want[strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
		case f.Name == "want.diff":
			c.diff = string(f.Data)
		default:
			t.Fatalf("%s: unknown section %q", file, f.Name)
		}
	}
	if len(c.input) == 0 {
		t.Fatalf("%s: no input files", file)
	}
	return c
}

// TestFixGolden runs --diff and --fix over each case on a temporary copy,
// compares the output and every file with the goldens, and lints the
// result again: no finding whose fix was applied may be reported, and the
// report of --fix must be the one a fresh run gives.
func TestFixGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "fix", "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no fixtures/fix cases: %v", err)
	}
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			c := readFixCase(t, file)
			dir := t.TempDir()
			ruletest.WriteTree(t, dir, c.input)
			lint := func(extra ...string) result {
				return run(t, dir, "", append(append(append([]string{}, c.args...), "--format", "json", "--fail-on", "none"), append(extra, ".")...)...)
			}

			before := lint()
			if before.code != ExitClean {
				t.Fatalf("lint: exit %d\n%s", before.code, before.stderr)
			}

			d := run(t, dir, "", append(append([]string{}, c.args...), "--diff", ".")...)
			if d.code == ExitError {
				t.Fatalf("--diff: exit %d\n%s", d.code, d.stderr)
			}
			if got := readTree(t, dir); !equalTrees(got, c.input) {
				t.Fatal("--diff changed files")
			}

			fixed := lint("--fix")
			if fixed.code != ExitClean {
				t.Fatalf("--fix: exit %d\n%s", fixed.code, fixed.stderr)
			}
			if !strings.Contains(fixed.stderr, "meshlint: applied ") {
				t.Errorf("--fix applied nothing:\n%s", fixed.stderr)
			}
			for _, s := range c.stderr {
				if !strings.Contains(fixed.stderr, s) {
					t.Errorf("--fix stderr lacks %q:\n%s", s, fixed.stderr)
				}
			}
			got := readTree(t, dir)

			if *update {
				updateFixCase(t, file, c, got, d.stdout)
				return
			}
			if d.stdout != c.diff {
				t.Errorf("--diff output:\n%s\nwant:\n%s", d.stdout, c.diff)
			}
			want := map[string]string{}
			for name, data := range c.input {
				want[name] = data
			}
			for name, data := range c.want {
				want[name] = data
			}
			for _, name := range sortedKeys(got, want) {
				switch g, w := got[name], want[name]; {
				case g != w && w == "":
					t.Errorf("--fix wrote %s, which no want file expects:\n%s", name, g)
				case g != w:
					t.Errorf("%s after --fix:\n%s\nwant:\n%s", name, g, w)
				}
			}

			// A fresh run on the fixed files reports what --fix reported.
			after := lint()
			fa, ff := findingsOf(t, after), findingsOf(t, fixed)
			if fmt.Sprint(fa) != fmt.Sprint(ff) {
				t.Errorf("--fix reported\n%v\na fresh run reports\n%v", ff, fa)
			}
			// None of the findings whose fix was applied is reported.
			remaining := map[string]jsonFinding{}
			for _, f := range fa {
				remaining[f.Rule+" "+f.Fingerprint] = f
			}
			for _, f := range findingsOf(t, before) {
				if len(f.Fixes) == 0 || strings.Contains(fixed.stderr, f.pos()+": "+f.Rule+" fix not applied") {
					continue
				}
				if r, ok := remaining[f.Rule+" "+f.Fingerprint]; ok {
					t.Errorf("fixed finding still reported: %s %s: %s", r.pos(), r.Rule, r.Message)
				}
			}
		})
	}
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sortedKeys(ms ...map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// updateFixCase rewrites the want sections of a case from the files after
// --fix and the --diff output.
func updateFixCase(t *testing.T, file string, c *fixCase, got map[string]string, diff string) {
	t.Helper()
	ar := &txtar.Archive{Comment: c.ar.Comment}
	for _, f := range c.ar.Files {
		if strings.HasPrefix(f.Name, "input/") {
			ar.Files = append(ar.Files, f)
		}
	}
	for _, name := range sortedKeys(got) {
		if got[name] != c.input[name] {
			ar.Files = append(ar.Files, txtar.File{Name: "want/" + name, Data: []byte(got[name])})
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: "want.diff", Data: []byte(diff)})
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFixStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata(t), "weights", "canary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, testdata(t), string(data), "--fix", "-")
	if r.code != ExitError || !strings.Contains(r.stderr, "--fix cannot rewrite standard input") {
		t.Errorf("--fix -: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, testdata(t), string(data), "--diff", "--fail-on", "none", "-")
	if r.code != ExitClean || !strings.HasPrefix(r.stdout, "--- <stdin>\n+++ <stdin>\n@@ ") {
		t.Errorf("--diff -: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestFixCreatedFileOutsidePaths checks that a file a fix creates is linted
// again with the input when the paths named only files: the re-run then
// does not report the finding the new file fixes.
func TestFixCreatedFileOutsidePaths(t *testing.T) {
	dir := t.TempDir()
	ruletest.WriteTree(t, dir, map[string]string{"shop/app.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers: [{name: web, image: web:1}]
`})
	r := run(t, dir, "", "--fix", "--enable", "MR401", "--format", "json", "shop/app.yaml")
	if r.code != ExitClean {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "shop", "default-deny-ingress.yaml")); err != nil {
		t.Fatal(err)
	}
	if fs := findingsOf(t, r); len(fs) > 0 {
		t.Errorf("still reported after --fix: %+v", fs)
	}
	if !strings.Contains(r.stderr, "applied 1 fix to 1 file (1 new)") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestCovered(t *testing.T) {
	for _, tt := range []struct {
		paths []string
		file  string
		want  bool
	}{
		{[]string{"."}, "shop/a.yaml", true},
		{[]string{"shop"}, "shop/a.yaml", true},
		{[]string{"shop/"}, "shop/a.yaml", true},
		{[]string{"sh"}, "shop/a.yaml", false},
		{[]string{"shop/b.yaml"}, "shop/a.yaml", false},
		{[]string{"-"}, "a.yaml", false},
		{[]string{"/work"}, "/work/a.yaml", true},
		{[]string{"/"}, "/work/a.yaml", true},
	} {
		if got := covered("/work", tt.paths, tt.file); got != tt.want {
			t.Errorf("covered(%v, %s) = %v", tt.paths, tt.file, got)
		}
	}
}

// TestFixExamples runs --fix with every rule over a copy of the example
// tree: the planted mistakes that have a fix disappear, and the fixes bring
// no new finding.
func TestFixExamples(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "examples")
	files := map[string]string{}
	for _, sub := range []string{"mesh", "payments", "shop"} {
		entries, err := os.ReadDir(filepath.Join(src, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(src, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[sub+"/"+e.Name()] = string(b)
		}
	}
	ruletest.WriteTree(t, dir, files)
	before := findingsOf(t, run(t, dir, "", "--format", "json", "."))
	r := run(t, dir, "", "--fix", "--format", "json", ".")
	if r.code == ExitError {
		t.Fatalf("--fix: exit %d\n%s", r.code, r.stderr)
	}
	after := findingsOf(t, r)
	had := map[string]bool{}
	for _, f := range before {
		had[f.Rule+" "+f.Fingerprint] = true
	}
	for _, f := range after {
		if !had[f.Rule+" "+f.Fingerprint] {
			t.Errorf("new finding after --fix: %s %s: %s", f.pos(), f.Rule, f.Message)
		}
		if len(f.Fixes) > 0 {
			t.Errorf("finding with a fix left after --fix: %s %s: %s", f.pos(), f.Rule, f.Message)
		}
		switch f.Rule {
		case "MR101", "MR201", "MR301", "MR401", "MR402":
			t.Errorf("planted %s mistake not fixed: %s: %s", f.Rule, f.pos(), f.Message)
		}
	}
	if len(after) == 0 || len(after) >= len(before) {
		t.Errorf("%d findings before --fix, %d after", len(before), len(after))
	}
}
