package lintcache

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWriteFileFails checks that a file whose content cannot be written
// whole is not written at all, and that the failure is returned: a cache
// file or run record cut short would be read as damaged, at best.
func TestWriteFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.cache.run")
	c := &Cache{path: path}
	boom := errors.New("boom")
	err := c.writeFile(path, func(w io.Writer) error {
		if _, err := w.Write([]byte("half")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("writeFile returned %v, want the writer's error", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed write left %s (stat: %v)", path, err)
	}
	if err := c.writeFile(path, func(w io.Writer) error { _, err := w.Write([]byte("whole")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "whole" {
		t.Errorf("read %q, %v; want what was written", b, err)
	}
}

// TestSweepTemps checks that the temporary files of killed runs are
// removed, and that one a run may still be writing is not, nor what is no
// temporary file: a folder or a symlink so named, another folder's. The
// cache folder's name holds glob characters, which name another folder as
// a pattern ("cache[1]" matches "cache1").
func TestSweepTemps(t *testing.T) {
	parent := t.TempDir()
	dir, other := filepath.Join(parent, "cache[1]"), filepath.Join(parent, "cache1")
	now := time.Now()
	old := now.Add(-2 * staleTemp)
	files := map[string]time.Time{
		filepath.Join(dir, ".meshlint-cache-old"):    old,
		filepath.Join(dir, ".meshlint-cache-fresh"):  now.Add(-time.Minute),
		filepath.Join(dir, "not-a-temp-file"):        old,
		filepath.Join(dir, ".meshlint-cache-old.ok"): old,
		filepath.Join(other, ".meshlint-cache-old"):  old,
	}
	for _, d := range []string{dir, other, filepath.Join(dir, ".meshlint-cache-dir")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for p, mtime := range files {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, ".meshlint-cache-link")
	if err := os.Symlink(filepath.Join(dir, "not-a-temp-file"), link); err != nil {
		t.Fatal(err)
	}
	files[link] = old
	if err := os.Chtimes(filepath.Join(dir, ".meshlint-cache-dir"), old, old); err != nil {
		t.Fatal(err)
	}
	files[filepath.Join(dir, ".meshlint-cache-dir")] = old
	sweepTemps(dir, now)
	for p := range files {
		_, err := os.Lstat(p)
		gone := os.IsNotExist(err)
		name, _ := filepath.Rel(parent, p)
		if want := name == filepath.Join("cache[1]", ".meshlint-cache-old") || name == filepath.Join("cache[1]", ".meshlint-cache-old.ok"); gone != want {
			t.Errorf("%s: removed %v, want %v", name, gone, want)
		}
	}
}
