package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

var testRule = &rules.Rule{ID: "MR999", Name: "test"}

// finding returns a finding at file:line:col with one fix of the edits.
func finding(file string, line, col int32, edits ...rules.Edit) *rules.Finding {
	return &rules.Finding{
		Rule: testRule, Message: "m",
		Pos:   manifest.Pos{File: file, Loc: manifest.Loc{Line: line, Col: col}},
		Fixes: []rules.Fix{{Message: "fix it", Edits: edits}},
	}
}

// edit replaces line:col..line:end of file, expecting old.
func edit(file string, line, col, end int32, old, text string) rules.Edit {
	return rules.Edit{
		Pos: manifest.Pos{File: file, Loc: manifest.Loc{Line: line, Col: col}},
		End: manifest.Loc{Line: line, Col: end}, Old: old, NewText: text,
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func content(r *Result, name string) string {
	for _, f := range r.Files {
		if f.Name == name {
			return string(f.New)
		}
	}
	return "<not changed>"
}

const mode = `# The mesh policy.
spec:
  mtls:
    mode: PERMISSIVE # keep this comment
  other: 'PERMISSIVE'
  tab:	"x"
  wide: 例え PERMISSIVE
`

func TestPlan(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", mode)
	tests := []struct {
		name     string
		findings []*rules.Finding
		want     string
		skipped  []string
	}{
		{
			name:     "replace, comments kept",
			findings: []*rules.Finding{finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT"))},
			want:     strings.Replace(mode, "mode: PERMISSIVE #", "mode: STRICT     #", 1),
		},
		{
			name:     "quoted value keeps its quotes",
			findings: []*rules.Finding{finding("a.yaml", 5, 10, edit("a.yaml", 5, 10, 22, "PERMISSIVE", "STRICT"))},
			want:     strings.Replace(mode, "'PERMISSIVE'", "'STRICT'", 1),
		},
		{
			name:     "columns are code points",
			findings: []*rules.Finding{finding("a.yaml", 7, 12, edit("a.yaml", 7, 12, 22, "PERMISSIVE", "STRICT"))},
			want:     strings.Replace(mode, "例え PERMISSIVE", "例え STRICT", 1),
		},
		{
			name:     "a tab is one column",
			findings: []*rules.Finding{finding("a.yaml", 6, 8, edit("a.yaml", 6, 8, 11, "x", "y"))},
			want:     strings.Replace(mode, `"x"`, `"y"`, 1),
		},
		{
			name: "overlapping fixes: the first wins",
			findings: []*rules.Finding{
				finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT")),
				finding("a.yaml", 4, 11, edit("a.yaml", 4, 5, 21, "mode: PERMISSIVE", "mode: DISABLE")),
			},
			want:    strings.Replace(mode, "mode: PERMISSIVE #", "mode: STRICT     #", 1),
			skipped: []string{"it overlaps the fix of MR999 at a.yaml:4:11"},
		},
		{
			name: "an insertion inside another edit overlaps it",
			findings: []*rules.Finding{
				finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT")),
				finding("a.yaml", 4, 12, rules.Edit{Pos: manifest.Pos{File: "a.yaml", Loc: manifest.Loc{Line: 4, Col: 12}}, NewText: "x"}),
			},
			want:    strings.Replace(mode, "mode: PERMISSIVE #", "mode: STRICT     #", 1),
			skipped: []string{"it overlaps the fix of MR999"},
		},
		{
			name: "identical edits are made once",
			findings: []*rules.Finding{
				finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT")),
				finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT"), edit("a.yaml", 5, 10, 22, "PERMISSIVE", "STRICT")),
			},
			want: strings.Replace(strings.Replace(mode, "mode: PERMISSIVE #", "mode: STRICT     #", 1), "'PERMISSIVE'", "'STRICT'", 1),
		},
		{
			name: "adjacent edits do not overlap",
			findings: []*rules.Finding{
				finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT")),
				finding("a.yaml", 4, 5, edit("a.yaml", 4, 5, 11, "mode: ", "mTLS: ")),
			},
			want: strings.Replace(mode, "mode: PERMISSIVE #", "mTLS: STRICT     #", 1),
		},
		{
			name:     "the text is not what the rule expected",
			findings: []*rules.Finding{finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "DISABLE", "STRICT"))},
			want:     "<not changed>",
			skipped:  []string{`a.yaml:4:11: the file holds "PERMISSIVE" where "DISABLE" was expected`},
		},
		{
			name:     "a position past the end of the line",
			findings: []*rules.Finding{finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 99, "", "x"))},
			want:     "<not changed>",
			skipped:  []string{"no such position"},
		},
		{
			name:     "the result does not parse",
			findings: []*rules.Finding{finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "[STRICT"))},
			want:     "<not changed>",
			skipped:  []string{"a.yaml would no longer parse"},
		},
		{
			name:     "no such file",
			findings: []*rules.Finding{finding("b.yaml", 1, 1, edit("b.yaml", 1, 1, 2, "x", "y"))},
			want:     "<not changed>",
			skipped:  []string{"no such file"},
		},
		{
			name:     "standard input",
			findings: []*rules.Finding{finding(manifest.StdinName, 1, 1, edit(manifest.StdinName, 1, 1, 2, "x", "y"))},
			want:     "<not changed>",
			skipped:  []string{"standard input cannot be fixed in place"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Plan(tt.findings, Options{Dir: dir})
			if got := content(r, "a.yaml"); got != tt.want {
				t.Errorf("a.yaml:\n%s\nwant:\n%s", got, tt.want)
			}
			if len(r.Skipped) != len(tt.skipped) {
				t.Fatalf("skipped %d fixes, want %d: %+v", len(r.Skipped), len(tt.skipped), r.Skipped)
			}
			for i, s := range r.Skipped {
				if !strings.Contains(s.Reason, tt.skipped[i]) {
					t.Errorf("skipped because %q, want %q", s.Reason, tt.skipped[i])
				}
			}
			if len(r.Applied)+len(r.Skipped) != len(tt.findings) {
				t.Errorf("%d applied and %d skipped of %d", len(r.Applied), len(r.Skipped), len(tt.findings))
			}
		})
	}
}

// TestPlanExcludesOnlyTheBadFix checks that a fix whose result would not
// parse is dropped alone: a fix of another file still applies.
func TestPlanExcludesOnlyTheBadFix(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", mode)
	writeFile(t, dir, "b.yaml", "weight: 90\n")
	r := Plan([]*rules.Finding{
		finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "{STRICT")),
		finding("b.yaml", 1, 9, edit("b.yaml", 1, 9, 11, "90", "100")),
	}, Options{Dir: dir})
	if len(r.Applied) != 1 || len(r.Skipped) != 1 || content(r, "b.yaml") != "weight: 100\n" || content(r, "a.yaml") != "<not changed>" {
		t.Errorf("applied %d, skipped %d, files %+v", len(r.Applied), len(r.Skipped), r.Files)
	}
}

func TestPlanStdin(t *testing.T) {
	r := Plan([]*rules.Finding{finding(manifest.StdinName, 1, 9, edit(manifest.StdinName, 1, 9, 11, "90", "100"))},
		Options{Stdin: []byte("weight: 90\n")})
	if content(r, manifest.StdinName) != "weight: 100\n" {
		t.Errorf("stdin not fixed for a diff: %+v", r)
	}
	if errs := r.Write(Options{}); len(errs) != 1 {
		t.Errorf("Write wrote standard input: %v", errs)
	}
}

func TestNewFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "exists.yaml", "a: 1\n")
	if err := os.Mkdir(filepath.Join(dir, "kust"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "kust/kustomization.yaml", "resources: []\n")
	create := func(path, content string) *rules.Finding {
		return &rules.Finding{Rule: testRule, Fixes: []rules.Fix{{Message: "create", NewFiles: []rules.NewFile{{Path: path, Content: content}}}}}
	}
	tests := []struct {
		name    string
		fs      []*rules.Finding
		files   int
		skipped []string
	}{
		{"new", []*rules.Finding{create("new.yaml", "a: 1\n")}, 1, nil},
		{"never overwrite", []*rules.Finding{create("exists.yaml", "a: 2\n")}, 0, []string{"exists.yaml exists"}},
		{"no directory", []*rules.Finding{create("nodir/new.yaml", "a: 1\n")}, 0, []string{"directory nodir does not exist"}},
		{"kustomization", []*rules.Finding{create("kust/new.yaml", "a: 1\n")}, 0, []string{"holds a kustomization"}},
		{"same file twice", []*rules.Finding{create("new.yaml", "a: 1\n"), create("new.yaml", "a: 1\n")}, 1, nil},
		{"same name, other content", []*rules.Finding{create("new.yaml", "a: 1\n"), create("new.yaml", "a: 2\n")}, 1, []string{"another fix creates new.yaml"}},
		{"does not parse", []*rules.Finding{create("new.yaml", "a: [\n")}, 0, []string{"would not parse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Plan(tt.fs, Options{Dir: dir})
			if len(r.Files) != tt.files {
				t.Errorf("%d files, want %d", len(r.Files), tt.files)
			}
			if len(r.Skipped) != len(tt.skipped) {
				t.Fatalf("skipped %+v, want %q", r.Skipped, tt.skipped)
			}
			for i, s := range r.Skipped {
				if !strings.Contains(s.Reason, tt.skipped[i]) {
					t.Errorf("skipped because %q, want %q", s.Reason, tt.skipped[i])
				}
			}
		})
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", mode)
	if err := os.Chmod(filepath.Join(dir, "a.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := []*rules.Finding{
		finding("a.yaml", 4, 11, edit("a.yaml", 4, 11, 21, "PERMISSIVE", "STRICT")),
		{Rule: testRule, Fixes: []rules.Fix{{Message: "create", NewFiles: []rules.NewFile{{Path: "new.yaml", Content: "b: 2\n"}}}}},
	}
	r := Plan(fs, Options{Dir: dir})
	if errs := r.Write(Options{Dir: dir}); len(errs) > 0 {
		t.Fatal(errs)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "a.yaml"))
	if string(got) != strings.Replace(mode, "mode: PERMISSIVE #", "mode: STRICT     #", 1) {
		t.Errorf("a.yaml:\n%s", got)
	}
	if st, _ := os.Stat(filepath.Join(dir, "a.yaml")); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "new.yaml")); string(got) != "b: 2\n" {
		t.Errorf("new.yaml: %q", got)
	}
	// A second write finds the files changed and created: it writes nothing.
	if errs := r.Write(Options{Dir: dir}); len(errs) != 2 {
		t.Errorf("second write: %v", errs)
	}
}

func TestOffset(t *testing.T) {
	data := []byte("ab\né😀x\n\nlast")
	tests := []struct {
		line, col, want int
		ok              bool
	}{
		{1, 1, 0, true}, {1, 3, 2, true}, {1, 4, 0, false},
		{2, 2, 5, true}, {2, 3, 9, true}, {2, 4, 10, true},
		{3, 1, 11, true}, {3, 2, 0, false},
		{4, 5, 16, true}, {4, 6, 0, false}, {5, 1, 0, false}, {0, 1, 0, false},
	}
	for _, tt := range tests {
		got, ok := offset(data, tt.line, tt.col)
		if got != tt.want || ok != tt.ok {
			t.Errorf("offset(%d:%d) = %d, %v; want %d, %v", tt.line, tt.col, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPlanAliasedEdits checks that one fix may reach a node twice (a YAML
// alias) with the same edit, but not with two different ones.
func TestPlanAliasedEdits(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.yaml", "weight: 90\n")
	same := finding("b.yaml", 1, 9, edit("b.yaml", 1, 9, 11, "90", "50"), edit("b.yaml", 1, 9, 11, "90", "50"))
	if r := Plan([]*rules.Finding{same}, Options{Dir: dir}); content(r, "b.yaml") != "weight: 50\n" {
		t.Errorf("identical edits: %+v", r.Skipped)
	}
	differ := finding("b.yaml", 1, 9, edit("b.yaml", 1, 9, 11, "90", "34"), edit("b.yaml", 1, 9, 11, "90", "33"))
	if r := Plan([]*rules.Finding{differ}, Options{Dir: dir}); len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0].Reason, "overlap each other") {
		t.Errorf("different edits of one node: %+v", r)
	}
}
