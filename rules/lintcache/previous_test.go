package lintcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

// previousSpy passes a cache through, keeping what Previous returned.
type previousSpy struct {
	*Cache
	prev *rules.Previous
}

func (s *previousSpy) Previous(key string, objs []*manifest.Object, now time.Time) (*rules.Previous, bool) {
	prev, ok := s.Cache.Previous(key, objs, now)
	if ok {
		s.prev = prev
	}
	return prev, ok
}

// TestCachePrevious edits one file of a generated tree with planted
// mistakes, and checks what Previous says of the last run: the file
// changed, its objects gone, the findings about every other object kept
// with this run's objects; and that the run that reruns some graph rules
// on the edited namespace alone finds what a run without the cache finds.
func TestCachePrevious(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := gentree.Generate(dir, gentree.Options{Namespaces: 2, Services: 3, Seed: 3, MistakeRate: 0.9}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.cache")
	lint(t, dir, path, nil)
	old := rules.Lint(rules.LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: all.Rules})

	// A Service of the first application namespace gets another label.
	var edited string
	for _, o := range old.Load.Objects {
		if o.Kind == "Service" && o.Namespace != "istio-system" && o.Namespace != "istio-ingress" && edited == "" {
			edited = o.File
		}
	}
	orig, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	// An annotation Istio does not know, which MR719 (no dependency
	// outside the namespace) reports, then the file as it was: the
	// finding comes with the edit and goes with it.
	const at = "kind: Deployment\nmetadata:\n"
	annotated := strings.Replace(string(orig), at, at+"  annotations:\n    sidecar.istio.io/injectt: \"true\"\n", 1)
	if annotated == string(orig) {
		t.Fatalf("%s: no Deployment", edited)
	}
	for i, text := range []string{annotated, string(orig)} {
		if err := os.WriteFile(edited, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		checkPrevious(t, dir, path, edited, old, i == 0)
		old = rules.Lint(rules.LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: all.Rules})
	}
}

// checkPrevious runs the cache over dir after the file edited changed
// since a run that found old; annotated says whether the edit added an
// unknown annotation.
func checkPrevious(t *testing.T, dir, path, edited string, old *rules.Result, annotated bool) {
	t.Helper()
	spy := &previousSpy{Cache: Open(path, "test", all.Rules)}
	got := rules.Lint(rules.LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: all.Rules, Cache: spy})
	want, _ := lint(t, dir, "", nil)
	if got.CacheErr != nil || len(got.Internal) > 0 {
		t.Fatalf("cached run: %v %v", got.CacheErr, got.Internal)
	}
	prev := spy.prev
	if prev == nil {
		t.Fatal("Previous did not supply the last run")
	}
	if len(prev.Changed) != 1 || !prev.Changed[edited] {
		t.Errorf("changed files %v, want only %s", prev.Changed, edited)
	}
	gone := 0
	for _, o := range old.Load.Objects {
		if o.File == edited {
			gone++
		}
	}
	if len(prev.Gone) != gone {
		t.Errorf("%d objects gone, want the %d of %s", len(prev.Gone), gone, edited)
	}
	for _, o := range prev.Gone {
		if o.File != edited {
			t.Errorf("object %s of %s is gone, but its file did not change", o.Ref(), o.File)
		}
	}
	ours := map[*manifest.Object]bool{}
	for _, o := range got.Load.Objects {
		ours[o] = true
	}
	kept := 0
	for _, f := range old.Findings {
		if !f.Rule.Local && graph.Origin(f.Object).File != edited {
			kept++
		}
	}
	if len(prev.Findings) != kept {
		t.Errorf("%d findings of the last run kept, want %d", len(prev.Findings), kept)
	}
	for _, f := range prev.Findings {
		if o := graph.Origin(f.Object); !ours[o] || o.File == edited {
			t.Errorf("finding %s %s is about %s of %s, not an object of this run's unchanged files", f.Rule.ID, f.Pos, o.Ref(), o.File)
		}
	}
	if got.Rerun == 0 || got.Partitions != 1 {
		t.Errorf("%d graph rules rerun on %d partitions, want some on the edited namespace", got.Rerun, got.Partitions)
	}
	if s := render(t, got); s != want {
		t.Errorf("the run that reran rules on the edited namespace found\n%s\nwant\n%s", s, want)
	}
	if strings.Contains(want, "injectt") != annotated {
		t.Errorf("the edit did not change the findings (MR719 on the annotation: %v): the test lost its point", !annotated)
	}
}
