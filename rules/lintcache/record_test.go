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
// removed, and that one a run may still be writing is not.
func TestSweepTemps(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	files := map[string]time.Time{
		".meshlint-cache-old":    now.Add(-2 * staleTemp),
		".meshlint-cache-fresh":  now.Add(-time.Minute),
		"not-a-temp-file":        now.Add(-2 * staleTemp),
		".meshlint-cache-old.ok": now.Add(-2 * staleTemp),
	}
	for name, mtime := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	sweepTemps(dir, now)
	for name := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		gone := os.IsNotExist(err)
		if want := name == ".meshlint-cache-old" || name == ".meshlint-cache-old.ok"; gone != want {
			t.Errorf("%s: removed %v, want %v", name, gone, want)
		}
	}
}
