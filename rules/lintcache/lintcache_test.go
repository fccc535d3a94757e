package lintcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

// lint lints dir as the command does, with the cache at path when it is
// not empty, and returns what it read and found as text.
func lint(t *testing.T, dir, path string, wrap func(*Cache) rules.FileCache) (string, *Cache) {
	t.Helper()
	opts := rules.LintOptions{Paths: []string{dir}, Mesh: config.DefaultMesh(), Rules: all.Rules}
	var c *Cache
	if path != "" {
		c = Open(path, "test", all.Rules)
		opts.Cache = c
		if wrap != nil {
			opts.Cache = wrap(c)
		}
	}
	res := rules.Lint(opts)
	if len(res.Load.Errors) > 0 || len(res.Internal) > 0 || res.CacheErr != nil {
		t.Fatalf("lint: %d load and %d rule errors; cache: %v", len(res.Load.Errors), len(res.Internal), res.CacheErr)
	}
	var b strings.Builder
	seen := map[any]bool{}
	for _, o := range res.Load.Objects {
		if seen[o] {
			t.Errorf("object %s %s/%s of %s is also another file's", o.Kind, o.Namespace, o.Name, o.File)
		}
		seen[o] = true
		fmt.Fprintf(&b, "%s#%d %s %s %s/%s %v\n", o.File, o.Doc, o.APIVersion, o.Kind, o.Namespace, o.Name, o.Labels)
	}
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "%s %s %s\n", f.Rule.ID, f.Pos, f.Message)
	}
	return b.String(), c
}

// TestCacheSameBytes lints a tree that holds every file twice, in two
// folders: the second file with the bytes of another gets objects of its
// own, named after it, both when the cache has just kept the first one
// and when it read both from the cache file.
func TestCacheSameBytes(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"a", "b"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join("..", "..", "examples", "shop"))); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "x.cache")
	want, _ := lint(t, dir, "", nil)
	for _, run := range []string{"cold", "warm"} {
		got, c := lint(t, dir, path, nil)
		hits, _, misses, ignored := c.Stats()
		t.Logf("%s: %d files from the cache, %d read %s", run, hits, misses, ignored)
		if got != want {
			t.Errorf("%s run: read or found\n%s\nwant\n%s", run, got, want)
		}
	}
}

// TestCacheFileChangedBeforeSave changes the cache file after a run read
// it and before it saves: its shards are then no longer what it read, and
// the run writes them from what it holds, rather than copy them.
func TestCacheFileChangedBeforeSave(t *testing.T) {
	for _, how := range []string{"in place", "replaced"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples"))); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "x.cache")
			lint(t, dir, path, nil)
			// An edit, so that the run saves; the shards of the file's
			// old and new bytes are encoded again, the others copied.
			edited := filepath.Join(dir, "shop", "reviews.yaml")
			old, err := os.ReadFile(edited)
			if err != nil {
				t.Fatal(err)
			}
			now := append(bytes.Clone(old), "# edited\n"...)
			if err := os.WriteFile(edited, now, 0o600); err != nil {
				t.Fatal(err)
			}
			want, _ := lint(t, dir, "", nil)
			damage := func(c *Cache) rules.FileCache {
				return saving{c, func() { zeroShard(t, path, how, sha256.Sum256(old), sha256.Sum256(now)) }}
			}
			if got, _ := lint(t, dir, path, damage); got != want {
				t.Fatalf("the run whose cache file changed found\n%s\nwant\n%s", got, want)
			}
			got, c := lint(t, dir, path, nil)
			hits, _, misses, ignored := c.Stats()
			if ignored != "" || misses != 0 || hits == 0 || got != want {
				t.Errorf("the next run: %d files from the cache, %d read, ignored: %q; output equal: %v", hits, misses, ignored, got == want)
			}
		})
	}
}

// saving is a cache that runs before before saving.
type saving struct {
	*Cache
	before func()
}

func (s saving) Save() error {
	s.before()
	return s.Cache.Save()
}

// zeroShard zeroes the largest shard of the cache file at path that holds
// none of the keys, in place, keeping its modification time, or in a copy
// renamed over it.
func zeroShard(t *testing.T, path, how string, keys ...[32]byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	head := len(magic) + 32 + 8 + 8
	off := head + 8*(shards+1)
	var at, size int
	for i := range shards {
		n := int(binary.BigEndian.Uint64(data[head+8*i:])) //nolint:gosec // G115: a test's file
		skip := false
		for _, k := range keys {
			skip = skip || int(k[0])%shards == i
		}
		if !skip && n > size {
			at, size = off, n
		}
		off += n
	}
	if size == 0 {
		t.Fatal("no shard to damage")
	}
	clear(data[at : at+size])
	switch how {
	case "in place":
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(data[at:at+size], int64(at)); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, time.Time{}, info.ModTime()); err != nil {
			t.Fatal(err)
		}
	case "replaced":
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
}
