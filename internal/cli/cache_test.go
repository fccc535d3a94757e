package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// repoDir returns a folder of the repository, from internal/cli.
func repoDir(t *testing.T, rel string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var cacheStats = regexp.MustCompile(`meshlint: cache: (\d+) files unchanged \((\d+) known by their stat data\), (\d+) read`)

// cachedRun lints dir with the cache in cacheDir and returns the result
// and the number of files taken from the cache and read.
func cachedRun(t *testing.T, dir, cacheDir string, args ...string) (r result, hits, misses string) {
	r, hits, _, misses = statRun(t, dir, cacheDir, args...)
	return r, hits, misses
}

// statRun is cachedRun that also returns the number of files the cache
// knew by their stat data, without reading them.
func statRun(t *testing.T, dir, cacheDir string, args ...string) (r result, hits, unread, misses string) {
	t.Helper()
	r = run(t, dir, "", append([]string{"--cache-dir", cacheDir, "-v"}, args...)...)
	m := cacheStats.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no cache statistics in stderr:\n%s", r.stderr)
	}
	return r, m[1], m[2], m[3]
}

// TestCacheSameOutput checks that a run from a warm cache reports exactly
// what a run without it reports, on trees that draw findings of every
// kind, fixes and suppressions included.
func TestCacheSameOutput(t *testing.T) {
	for _, tree := range []string{"examples", "fixtures/realworld/bookinfo", "fixtures/realworld/platform", "fixtures/rules", "fixtures/reach"} {
		t.Run(tree, func(t *testing.T) {
			dir := repoDir(t, tree)
			cacheDir := t.TempDir()
			for _, format := range []string{"json", "sarif"} {
				plain := run(t, dir, "", "--format", format, ".")
				cold, _, _ := cachedRun(t, dir, cacheDir, "--format", format, ".")
				warm, hits, misses := cachedRun(t, dir, cacheDir, "--format", format, ".")
				if misses != "0" || hits == "0" {
					t.Errorf("warm run: %s files from the cache, %s read; want all from the cache", hits, misses)
				}
				for name, r := range map[string]result{"cold": cold, "warm": warm} {
					if r.code != plain.code || r.stdout != plain.stdout {
						t.Errorf("%s cache, --format %s: exit %d and output differ from the run without cache (exit %d)", name, format, r.code, plain.code)
					}
				}
			}
		})
	}
}

// TestCacheChangedFile edits one file of a cached tree: only that file is
// read again, and the findings are those of the edited tree.
func TestCacheChangedFile(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	copyDir(t, repoDir(t, "examples/shop"), dir)
	cachedRun(t, dir, cacheDir, ".")
	file := filepath.Join(dir, "reviews.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "weight: 20", "weight: 10", 1)
	if edited == string(b) {
		t.Fatal("reviews.yaml has no weight: 20 to edit")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	got, hits, misses := cachedRun(t, dir, cacheDir, "--format", "json", ".")
	if misses != "1" {
		t.Errorf("after editing one file: %s files from the cache, %s read; want 1 read", hits, misses)
	}
	want := run(t, dir, "", "--format", "json", ".")
	if got.stdout != want.stdout || got.code != want.code {
		t.Errorf("findings after the edit differ from a run without cache:\n%s\nwant:\n%s", got.stdout, want.stdout)
	}
	// That run rewrote only the edited file's shard; the cache it left is
	// whole.
	again, _, misses := cachedRun(t, dir, cacheDir, "--format", "json", ".")
	if misses != "0" || again.stdout != want.stdout {
		t.Errorf("the run after the edit: %s files read, output equal: %v", misses, again.stdout == want.stdout)
	}
}

// TestCacheNotTrusted damages the cache file in several ways, and runs
// with other settings: each time the cache is ignored, with a warning for
// damage, and the output is that of a run without it.
func TestCacheNotTrusted(t *testing.T) {
	dir := repoDir(t, "examples")
	want := run(t, dir, "", "--format", "json", ".")
	for _, c := range []struct {
		name   string
		damage func(b []byte) []byte
		args   []string
		warn   string
	}{
		{name: "flipped byte", damage: func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b }, warn: "checksum mismatch"},
		{name: "truncated", damage: func(b []byte) []byte { return b[:len(b)-100] }, warn: "truncated"},
		{name: "not a cache", damage: func([]byte) []byte { return []byte("hello\n") }, warn: "not a meshlint cache file"},
		{name: "empty", damage: func([]byte) []byte { return nil }, warn: "not a meshlint cache file"},
		{name: "other settings", args: []string{"--namespace", "other"}, warn: "with other settings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cacheDir := t.TempDir()
			cachedRun(t, dir, cacheDir, ".")
			files, _ := filepath.Glob(filepath.Join(cacheDir, "*.cache"))
			if len(files) != 1 {
				t.Fatalf("want one cache file, have %v", files)
			}
			if c.damage != nil {
				b, err := os.ReadFile(files[0])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(files[0], c.damage(b), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, hits, _ := cachedRun(t, dir, cacheDir, append(c.args, "--format", "json", ".")...)
			if hits != "0" {
				t.Errorf("%s files came from a cache that should be ignored", hits)
			}
			if !strings.Contains(got.stderr, "cache ignored") || !strings.Contains(got.stderr, c.warn) {
				t.Errorf("no warning naming %q:\n%s", c.warn, got.stderr)
			}
			if c.args == nil && (got.stdout != want.stdout || got.code != want.code) {
				t.Errorf("output from an ignored cache differs from a run without it")
			}
			// The run replaced the bad cache with a good one.
			if _, hits, _ := cachedRun(t, dir, cacheDir, append(c.args, ".")...); hits == "0" {
				t.Errorf("the next run did not use the rewritten cache")
			}
		})
	}
}

// TestCacheStatIndex checks that the cache knows a file that has not
// changed by its stat data, without reading it, once the file has
// settled; and that an edit is still seen when it keeps the file's size
// and modification time.
func TestCacheStatIndex(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	copyDir(t, repoDir(t, "examples/shop"), dir)
	cachedRun(t, dir, cacheDir, ".")
	// The files were written just before that run: an edit in the same
	// timestamp tick would not show in their stat data, so they are read.
	if _, hits, unread, _ := statRun(t, dir, cacheDir, "."); unread != "0" || hits == "0" {
		t.Fatalf("files written just before the cached run: %s known by stat data of %s unchanged; want 0", unread, hits)
	}
	time.Sleep(2100 * time.Millisecond)
	statRun(t, dir, cacheDir, ".") // records them settled
	want := run(t, dir, "", "--format", "json", ".")
	got, hits, unread, misses := statRun(t, dir, cacheDir, "--format", "json", ".")
	if unread != hits || misses != "0" || got.stdout != want.stdout || got.code != want.code {
		t.Fatalf("settled files: %s of %s unchanged known by stat data, %s read, output equal: %v", unread, hits, misses, got.stdout == want.stdout)
	}

	file := filepath.Join(dir, "reviews.yaml")
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "weight: 20", "weight: 10", 1)
	if edited == string(b) || len(edited) != len(b) {
		t.Fatal("reviews.yaml has no weight: 20 to edit")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		// Only the inode change time, which no one can set, shows the edit.
		if err := os.Chtimes(file, info.ModTime(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	want = run(t, dir, "", "--format", "json", ".")
	got, _, _, misses = statRun(t, dir, cacheDir, "--format", "json", ".")
	if misses != "1" || got.stdout != want.stdout || got.code != want.code {
		t.Errorf("after an edit that kept size and modification time: %s files read, want 1; output equal: %v", misses, got.stdout == want.stdout)
	}
}
