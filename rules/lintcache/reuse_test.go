package lintcache

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// labels ends a line of an object in what lint returns: a reused record
// keeps what the report reads of an object, and that is not its labels.
var labels = regexp.MustCompile(`(?m) map\[.*\]$`)

// reported is what lint returns but the objects' labels.
func reported(s string) string { return labels.ReplaceAllString(s, "") }

// settle waits until files written just now have settled
// (manifest.FileStat.Settled): their inode change time cannot be set
// back, so only the clock can make a record trust them.
func settle() { time.Sleep(2100 * time.Millisecond) }

// TestCacheRecordKustomization edits, in place, a kustomization whose
// build held no object: the edit changes no directory, and the files of a
// build are not in the record's stat data, so the record must not be
// reused by stat data alone, or the run reports the input as it was.
func TestCacheRecordKustomization(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		// In place: O_TRUNC keeps the inode, and the directory's entries.
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	kustomization := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [%s]\n"
	write("a.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  namespace: shop\nspec:\n  ports: [{port: 80, name: http}]\n")
	write("k/kustomization.yaml", fmt.Sprintf(kustomization, ""))
	write("k/vs.yaml", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: shop\n"+
		"spec:\n  hosts: [r]\n  http:\n  - route:\n    - destination:\n        host: nosuch\n")
	settle()
	path := filepath.Join(t.TempDir(), "x.cache")
	lint(t, dir, path, nil)
	lint(t, dir, path, nil)
	write("k/kustomization.yaml", fmt.Sprintf(kustomization, "vs.yaml"))
	want, _ := lint(t, dir, "", nil)
	got, c := lint(t, dir, path, nil)
	if got != want {
		t.Errorf("after the kustomization was edited in place (reused: %v), found\n%s\nwant\n%s", c.Reused(), got, want)
	}
}

// TestCacheRecordTouched touches a file of a settled tree, its bytes the
// same: the run reads that file alone, and reports the record again, for
// a caller that leaves manifest.Options.MaxFileSize at its default (0)
// as for the command, which sets it.
func TestCacheRecordTouched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "shop"))); err != nil {
		t.Fatal(err)
	}
	settle()
	path := filepath.Join(t.TempDir(), "x.cache")
	want, _ := lint(t, dir, "", nil)
	lint(t, dir, path, nil)
	now := time.Now()
	if err := os.Chtimes(filepath.Join(dir, "reviews.yaml"), now, now); err != nil {
		t.Fatal(err)
	}
	got, c := lint(t, dir, path, nil)
	hits, unread, misses, ignored := c.Stats()
	if got, want := reported(got), reported(want); got != want {
		t.Errorf("after a file was touched, found\n%s\nwant\n%s", got, want)
	}
	if !c.Reused() || hits-unread != 1 || misses != 0 || ignored != "" {
		t.Errorf("after a file was touched: reused %v, %d files from the record, %d of them read, %d parsed, ignored %q; want the record reused, 1 file read",
			c.Reused(), hits, hits-unread, misses, ignored)
	}
}

// TestCacheWrittenAhead reads a cache file that says it was written an
// hour from now, by a clock since set back: the stat data it holds were
// deemed settled by that clock, so every file is read and hashed again,
// as a run record made then is not reused (recordHead.holds).
func TestCacheWrittenAhead(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "shop"))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.cache")
	want, _ := lint(t, dir, "", nil)
	lint(t, dir, path, nil)
	if err := os.Remove(path + ".run"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint64(b[headSize-8:], uint64(time.Now().Add(time.Hour).UnixNano())) //nolint:gosec // G115: a time after 1970
	// The head is under the checksum that ends the file, with the trailer.
	h := sha256.New()
	h.Write(b[:headSize])
	h.Write(b[len(b)-sha256.Size-8-sectionSize*(shards+1) : len(b)-sha256.Size])
	h.Sum(b[:len(b)-sha256.Size])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, c := lint(t, dir, path, nil)
	hits, unread, misses, ignored := c.Stats()
	if got != want || ignored != "" || misses != 0 || hits == 0 || unread != 0 {
		t.Errorf("a cache written ahead of the clock: %d files from it, %d of them by their stat data, %d parsed, ignored %q; output equal: %v; want every file read and found in the cache",
			hits, unread, misses, ignored, got == want)
	}
}
