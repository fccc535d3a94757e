package bench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
	"github.com/meshlint/meshlint/rules/lintcache"
)

// BenchmarkCache measures runs with the cache (--cache) on a copy of the
// benchmark tree. "unchanged" follows a run over the same tree: it
// reports that run's record again without reading the input. "edited"
// follows an edit of one file: the other files' models come from the
// cache, and the graph rules run again over the whole graph.
func BenchmarkCache(b *testing.B) {
	dir := b.TempDir()
	copyTree(b, tree(b), dir)
	cacheDir := b.TempDir()
	run := func(b *testing.B) (*rules.Result, *lintcache.Cache) {
		c := lintcache.Open(filepath.Join(cacheDir, "bench.cache"), "bench", all.Rules)
		res := rules.Lint(rules.LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: all.Rules, Cache: c})
		if len(res.Load.Errors) > 0 || len(res.Internal) > 0 || res.CacheErr != nil {
			b.Fatalf("lint: %d load and %d rule errors; cache: %v", len(res.Load.Errors), len(res.Internal), res.CacheErr)
		}
		return res, c
	}
	// A file changed less than 2 s before the run that recorded it is not
	// known by its stat data.
	time.Sleep(2100 * time.Millisecond)
	run(b)

	b.Run("unchanged", func(b *testing.B) {
		var res *rules.Result
		m := startMeter(b)
		for b.Loop() {
			var c *lintcache.Cache
			if res, c = run(b); !c.Reused() {
				b.Fatal("the run did not reuse the record of the last one")
			}
		}
		m.report(docs(res.Load), res.Load.Files)
	})
	b.Run("edited", func(b *testing.B) {
		file := filepath.Join(dir, firstYAML(b, dir))
		var res *rules.Result
		m := startMeter(b)
		for b.Loop() {
			f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
			if err == nil {
				_, err = f.WriteString("# edited\n")
				err = errors.Join(err, f.Close())
			}
			if err != nil {
				b.Fatal(err)
			}
			var c *lintcache.Cache
			if res, c = run(b); c.Reused() || res.Graph == nil {
				b.Fatal("the run after an edit reused the last run's findings")
			}
		}
		m.report(docs(res.Load), res.Load.Files)
	})
}

// copyTree copies the files of from into to.
func copyTree(b *testing.B, from, to string) {
	b.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		b.Fatal(err)
	}
}

// firstYAML returns the first YAML file of dir, relative to it.
func firstYAML(b *testing.B, dir string) string {
	b.Helper()
	var first string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && first == "" && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			first, err = filepath.Rel(dir, p)
		}
		return err
	})
	if err != nil || first == "" {
		b.Fatalf("no YAML file in %s: %v", dir, err)
	}
	return first
}
