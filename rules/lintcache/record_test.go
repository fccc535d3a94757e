package lintcache

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
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
