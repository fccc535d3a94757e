package lintcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/gentree"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

// lint lints dir as the command does, with the cache at path when it is
// not empty, and returns what it read and found as text.
func lint(t testing.TB, dir, path string, wrap func(*Cache) rules.FileCache) (string, *Cache) {
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
	return render(t, res), c
}

// modelOnly wraps a cache so that it never takes the last run whole
// (Reuse): the run reads the cache file, which the test is about, even
// when no file changed since, or only values no graph rule reads.
func modelOnly(c *Cache) rules.FileCache { return noReuse{c} }

type noReuse struct{ *Cache }

func (noReuse) Reuse(string, []string, manifest.Options, time.Time, rules.Reread) (*manifest.Result, []*rules.Finding, bool, error) {
	return nil, nil, false, nil
}

// render is what lint returns of a run: its objects and findings.
func render(t testing.TB, res *rules.Result) string {
	t.Helper()
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
	return b.String()
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
		got, c := lint(t, dir, path, modelOnly)
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
				return saving{c, func() {
					// The shard of the edited file is written again, not
					// copied: damage another.
					c.mu.Lock()
					_, ok := c.newIndex[edited]
					c.mu.Unlock()
					if !ok {
						t.Fatalf("the run read no file %s", edited)
					}
					zeroShard(t, path, how, edited)
				}}
			}
			if got, _ := lint(t, dir, path, damage); got != want {
				t.Fatalf("the run whose cache file changed found\n%s\nwant\n%s", got, want)
			}
			got, c := lint(t, dir, path, modelOnly)
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
// none of the files named, in place, keeping its modification time, or in
// a copy renamed over it.
func zeroShard(t *testing.T, path, how string, names ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// The sections follow the head; the trailer that ends the file,
	// before its SHA-256, gives their lengths.
	trailer := data[len(data)-sha256.Size-8-sectionSize*(shards+1):]
	off := headSize
	var at, size int
	for i := range shards {
		n := int(binary.BigEndian.Uint64(trailer[sectionSize*i:])) //nolint:gosec // G115: a test's file
		skip := false
		for _, name := range names {
			skip = skip || shardOf(name, [32]byte{}, shards) == i
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

// TestCacheFileChangedWhileRead changes the cache file after its trailer
// was checked and before any of its sections is read (the seam
// sectionsRead). Changed in place, a section no longer has the SHA-256
// the trailer names: the cache is ignored with a warning, the run finds
// what a run without it finds, and the next run uses the file it wrote
// instead. Replaced by another file, the run still reads the one it
// opened, and finds the same.
func TestCacheFileChangedWhileRead(t *testing.T) {
	for _, how := range []string{"in place", "replaced"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples"))); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "x.cache")
			want, _ := lint(t, dir, "", nil)
			lint(t, dir, path, nil)
			// Without the run record, the next run reads the cache file.
			if err := os.Remove(path + ".run"); err != nil {
				t.Fatal(err)
			}
			called := false
			damage := func(c *Cache) rules.FileCache {
				c.sectionsRead = func() {
					called = true
					zeroShard(t, path, how)
				}
				return c
			}
			got, c := lint(t, dir, path, damage)
			hits, _, misses, ignored := c.Stats()
			if !called {
				t.Fatal("the run did not read the cache file")
			}
			if got != want {
				t.Errorf("the run whose cache file changed found\n%s\nwant\n%s", got, want)
			}
			if how == "in place" {
				if !strings.Contains(ignored, "checksum mismatch") || hits != 0 {
					t.Errorf("%d files from a cache changed in place, %d read; ignored: %q", hits, misses, ignored)
				}
				got, c = lint(t, dir, path, modelOnly)
				hits, _, misses, ignored = c.Stats()
				if ignored != "" || misses != 0 || got != want {
					t.Errorf("the next run: %d files from the cache, %d read, ignored: %q; output equal: %v", hits, misses, ignored, got == want)
				}
			} else if ignored != "" || misses != 0 {
				t.Errorf("%d files from the cache file opened, %d read; ignored: %q", hits, misses, ignored)
			}
		})
	}
}

// TestCacheTrailer damages the trailer of a cache file, and in all but
// one case makes its checksum match again, as only a broken writer
// would: each time the file is ignored, with a warning that says why,
// and a run without a cache is what is found.
func TestCacheTrailer(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "shop")
	want, _ := lint(t, dir, "", nil)
	// at returns the offset of the trailer's record of section i in a
	// file of n bytes; count that of the number of shards.
	at := func(n, i int) int { return n - sha256.Size - 8 - sectionSize*(shards+1) + sectionSize*i }
	count := func(n int) int { return n - sha256.Size - 8 }
	add := func(b []byte, off int, delta int64) {
		binary.BigEndian.PutUint64(b[off:], uint64(int64(binary.BigEndian.Uint64(b[off:]))+delta)) //nolint:gosec // G115: a test's file
	}
	// full is the first shard that is not empty: a few files leave most
	// empty.
	full := func(b []byte) int {
		for i := range shards {
			if binary.BigEndian.Uint64(b[at(len(b), i):]) > 0 {
				return i
			}
		}
		t.Fatal("every shard is empty")
		return 0
	}
	for _, c := range []struct {
		name   string
		damage func(b []byte) []byte
		rehash bool
		warn   string
	}{
		{name: "cut short", damage: func(b []byte) []byte { return b[:len(b)-1] }, warn: "checksum mismatch, or truncated"},
		{name: "trailer byte", damage: func(b []byte) []byte { b[at(len(b), 3)+20] ^= 1; return b }, warn: "checksum mismatch, or truncated"},
		{name: "shard longer", damage: func(b []byte) []byte { add(b, at(len(b), full(b)), 1); return b }, rehash: true, warn: "bad section length"},
		{name: "shard shorter", damage: func(b []byte) []byte { add(b, at(len(b), full(b)), -1); return b }, rehash: true, warn: "bad section length"},
		{name: "shard too long", damage: func(b []byte) []byte { add(b, at(len(b), 0), 1<<40); return b }, rehash: true, warn: "bad section length"},
		{name: "index longer", damage: func(b []byte) []byte { add(b, at(len(b), shards), 1); return b }, rehash: true, warn: "bad section length"},
		{name: "shard count", damage: func(b []byte) []byte { add(b, count(len(b)), 1); return b }, rehash: true, warn: "checksum mismatch, or truncated"},
		{name: "shard hash", damage: func(b []byte) []byte { b[at(len(b), full(b))+8] ^= 1; return b }, rehash: true, warn: "checksum mismatch in a section"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.cache")
			lint(t, dir, path, nil)
			if err := os.Remove(path + ".run"); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b = c.damage(b)
			if c.rehash {
				h := sha256.New()
				h.Write(b[:headSize])
				h.Write(b[at(len(b), 0) : len(b)-sha256.Size])
				h.Sum(b[:len(b)-sha256.Size])
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			got, cache := lint(t, dir, path, nil)
			hits, _, _, ignored := cache.Stats()
			if !strings.Contains(ignored, c.warn) || hits != 0 {
				t.Errorf("%d files from the damaged cache; ignored: %q, want %q", hits, ignored, c.warn)
			}
			if got != want {
				t.Errorf("found\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestInOrder checks that inOrder puts every section in order, however
// late the goroutines make them, holds no more than the number of
// goroutines at once, and stops at the first failure, which it returns.
func TestInOrder(t *testing.T) {
	const n, workers = 40, 3
	for _, fail := range []int{-1, 0, 17, n - 1} {
		var mu sync.Mutex
		var put []int
		held, most := 0, 0
		boom := errors.New("boom")
		makeSection := func(i int, buf []byte) ([]byte, [sha256.Size]byte, error) {
			mu.Lock()
			held++
			most = max(most, held)
			mu.Unlock()
			// The later sections are made first, most often.
			time.Sleep(time.Duration((i*7)%5) * time.Millisecond)
			if i == fail {
				return nil, [sha256.Size]byte{}, boom
			}
			return append(buf[:0], byte(i)), sha256.Sum256([]byte{byte(i)}), nil
		}
		err := inOrder(n, workers, makeSection, func(b []byte, sum [sha256.Size]byte) error {
			mu.Lock()
			defer mu.Unlock()
			held--
			if len(b) != 1 || sum != sha256.Sum256(b) {
				t.Errorf("put %v with another section's sum", b)
			}
			put = append(put, int(b[0]))
			return nil
		})
		want := n
		if fail >= 0 {
			want = fail
		}
		if fail >= 0 && !errors.Is(err, boom) || fail < 0 && err != nil {
			t.Errorf("failing at %d: inOrder returned %v", fail, err)
		}
		if len(put) != want || !slices.IsSorted(put) || len(put) > 0 && put[len(put)-1] != want-1 {
			t.Errorf("failing at %d: put %v, want 0 to %d in order", fail, put, want-1)
		}
		if most > workers {
			t.Errorf("failing at %d: %d sections made and not put at once, want at most %d", fail, most, workers)
		}
	}
}

// sectionSums returns the SHA-256 of each section of the cache file at
// path, as its trailer says.
func sectionSums(t *testing.T, path string) [][sha256.Size]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	trailer := b[len(b)-sha256.Size-8-sectionSize*(shards+1):]
	sums := make([][sha256.Size]byte, shards+1)
	for i := range sums {
		copy(sums[i][:], trailer[sectionSize*i+8:])
	}
	return sums
}

// TestCacheEditWritesOneShard edits a file of a cached tree: the run
// after it writes the edited file's shard (and the index) again, and
// copies the others, which hold the same bytes. Shards follow file
// names, not content, so that the old and the new bytes of a file are in
// the same shard.
func TestCacheEditWritesOneShard(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples"))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.cache")
	lint(t, dir, path, nil)
	before := sectionSums(t, path)
	edited := filepath.Join(dir, "shop", "reviews.yaml")
	f, err := os.OpenFile(edited, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("# edited\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, c := lint(t, dir, path, nil)
	if _, _, misses, _ := c.Stats(); misses != 1 {
		t.Fatalf("%d files read after an edit, want 1", misses)
	}
	after := sectionSums(t, path)
	want := shardOf(edited, [32]byte{}, shards)
	for i := range shards {
		if changed := before[i] != after[i]; changed != (i == want) {
			t.Errorf("shard %d changed: %v; the edited file's is %d", i, changed, want)
		}
	}
}

// TestCacheRebuild changes files in seven shards of eight or more: the run does
// not read the cache file but writes it anew (rebuildFor), finds what a run
// without the cache finds, and the next run reads the new file.
func TestCacheRebuild(t *testing.T) {
	dir := t.TempDir()
	if _, err := gentree.Generate(dir, gentree.Options{Namespaces: 3, Services: 60, Seed: 1, MistakeRate: 0.2}); err != nil {
		t.Fatal(err)
	}
	var files []string
	in := map[int]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
			in[shardOf(p, [32]byte{}, shards)] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if 8*len(in) < 7*shards {
		t.Fatalf("the tree's %d files are in %d shards: too few for the test", len(files), len(in))
	}
	// Files changed just before a run are not known by their stat data,
	// and the run record is not used then.
	time.Sleep(2100 * time.Millisecond)
	path := filepath.Join(t.TempDir(), "x.cache")
	if _, c := lint(t, dir, path, nil); c.Rebuilt() != "" {
		t.Fatalf("a first run: %s", c.Rebuilt())
	}
	edit := func(name string) {
		t.Helper()
		f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString("# edited\n")
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Edited, then edited again beside a new file (a folder changed:
	// the check of the stat data stops early).
	for _, added := range []bool{false, true} {
		for _, name := range files {
			edit(name)
		}
		if added {
			if err := os.WriteFile(filepath.Join(dir, "added.yaml"), []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: added, namespace: default}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		got, c := lint(t, dir, path, nil)
		if c.Rebuilt() == "" {
			t.Fatalf("%d files changed, in every shard (a file added: %v): the cache file was read", len(files), added)
		}
		if want, _ := lint(t, dir, "", nil); got != want {
			t.Errorf("the run that wrote the cache anew (a file added: %v) found other than a run without it:\n%s\nwant:\n%s", added, got, want)
		}
		if hits, _, _, _ := c.Stats(); hits != 0 {
			t.Errorf("%d files from the cache file, which was not read", hits)
		}
	}
	files = append(files, filepath.Join(dir, "added.yaml"))
	edit(files[0])
	_, c := lint(t, dir, path, nil)
	if hits, _, misses, _ := c.Stats(); c.Rebuilt() != "" || hits != len(files)-1 || misses != 1 {
		t.Errorf("after one more edit: %d files from the cache, %d read (want %d and 1); written anew: %q", hits, misses, len(files)-1, c.Rebuilt())
	}
}
