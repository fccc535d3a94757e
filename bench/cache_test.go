package bench

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
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
// reports that run's record again without reading the input. "values"
// follows a new image tag in one file: it reads that file again with the
// local rules and keeps every graph finding of the last run; "release"
// follows a new helm.sh/chart on the pods of one file, alike. "weights"
// follows a canary's weights moved in one file: it also runs the rules
// that read weights on that file's namespace. "many" follows an edit of
// 300 files, in every shard of the cache file: it is not read but
// written anew. "edited" follows an edit of one file that the graph
// reads: the other files' models come from the cache, and the graph rules
// run again over the whole graph.
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
	// An image tag, then a canary's weights: the edits the cache
	// handles without the graph (graph.UnreadValues), and with the rules
	// that read weights alone, on the file's namespace (rules.WeightReaders).
	for _, edit := range []struct {
		name string
		re   *regexp.Regexp
		to   [2]string
		took func(*lintcache.Cache) bool
		// at and setup, when set, pick the file instead of re, and what
		// its first match of at becomes before the run the edits follow.
		at    *regexp.Regexp
		setup string
	}{
		{name: "values", re: regexp.MustCompile(`(image: [^\s:]+:)\S+`), to: [2]string{"${1}1.0.1", "${1}1.10.0-rc.1"},
			took: func(c *lintcache.Cache) bool { return c.ValuesOnly() == 1 }},
		// A chart's release: the label of the pods no selector names
		// (graph.ReleaseLabel), added to a pod template first.
		{name: "release", re: regexp.MustCompile(`(helm\.sh/chart: )\S+`), to: [2]string{"${1}bench-1.0.1", "${1}bench-1.10.0"},
			took: func(c *lintcache.Cache) bool { return c.ValuesOnly() == 1 },
			at:   regexp.MustCompile(`\n    metadata:\n      labels:\n`), setup: "\n    metadata:\n      labels:\n        helm.sh/chart: bench-1.0.0\n"},
		{name: "weights", re: regexp.MustCompile(`weight: (\d+)\n((?s:.*?))weight: (\d+)\n`), to: [2]string{"weight: 80\n${2}weight: 20\n", "weight: 70\n${2}weight: 30\n"},
			took: func(c *lintcache.Cache) bool { files, _ := c.Weighted(); return files == 1 }},
	} {
		b.Run(edit.name, func(b *testing.B) {
			pick := edit.re
			if edit.at != nil {
				pick = edit.at
			}
			file := filepath.Join(dir, firstMatch(b, dir, pick))
			data, err := os.ReadFile(file)
			if err != nil {
				b.Fatal(err)
			}
			if edit.at != nil {
				at := edit.at.FindIndex(data)
				data = append(data[:at[0]:at[0]], append([]byte(edit.setup), data[at[1]:]...)...)
				if err := os.WriteFile(file, data, 0o600); err != nil {
					b.Fatal(err)
				}
				run(b)
			}
			var res *rules.Result
			m := startMeter(b)
			i := 0
			for b.Loop() {
				i++
				if err := os.WriteFile(file, edit.re.ReplaceAll(data, []byte(edit.to[i%2])), 0o600); err != nil {
					b.Fatal(err)
				}
				var c *lintcache.Cache
				if res, c = run(b); !c.Reused() || !edit.took(c) {
					b.Fatalf("the run after the edit of %s did not take the %s path", file, edit.name)
				}
			}
			m.report(docs(res.Load), res.Load.Files)
		})
	}
	b.Run("many", func(b *testing.B) {
		var files []string
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && len(files) < 300 {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		var res *rules.Result
		m := startMeter(b)
		for b.Loop() {
			for _, file := range files {
				appendComment(b, file)
			}
			var c *lintcache.Cache
			if res, c = run(b); c.Rebuilt() == "" {
				b.Fatalf("%d files changed, and the cache file was read", len(files))
			}
		}
		m.report(docs(res.Load), res.Load.Files)
	})
	b.Run("edited", func(b *testing.B) {
		file := filepath.Join(dir, firstYAML(b, dir))
		var res *rules.Result
		m := startMeter(b)
		for b.Loop() {
			appendComment(b, file)
			var c *lintcache.Cache
			if res, c = run(b); c.Reused() || res.Graph == nil {
				b.Fatal("the run after an edit reused the last run's findings")
			}
		}
		m.report(docs(res.Load), res.Load.Files)
	})
}

// appendComment appends a comment to file: an edit the graph reads (its
// bytes, so its positions, are no longer those of the cache).
func appendComment(b *testing.B, file string) {
	b.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString("# edited\n")
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		b.Fatal(err)
	}
}

// copyTree copies the files of from into to.
func copyTree(b *testing.B, from, to string) {
	b.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		b.Fatal(err)
	}
}

// firstMatch returns the first YAML file of dir whose bytes re matches,
// relative to dir.
func firstMatch(b *testing.B, dir string, re *regexp.Regexp) string {
	b.Helper()
	var first string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || first != "" || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && re.Match(data) {
			first, err = filepath.Rel(dir, p)
		}
		return err
	})
	if err != nil || first == "" {
		b.Fatalf("no YAML file in %s that %s matches: %v", dir, re, err)
	}
	return first
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
