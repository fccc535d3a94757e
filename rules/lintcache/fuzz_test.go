package lintcache

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
)

// FuzzCacheFile gives a run over a small settled tree arbitrary bytes as
// its cache file and as its run record: whatever they hold, the run must
// not panic, and must find what a run without a cache finds. The seeds
// are the files a run wrote, alone, together, cut short and with a byte
// changed; the first of them are reused whole (the tree has settled), and
// must then be right rather than rejected.
func FuzzCacheFile(f *testing.F) {
	dir := f.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "shop"))); err != nil {
		f.Fatal(err)
	}
	settle()
	want, _ := lint(f, dir, "", nil)
	want = reported(want)
	path := filepath.Join(f.TempDir(), "x.cache")
	lint(f, dir, path, nil)
	cache, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	record, err := os.ReadFile(path + ".run")
	if err != nil {
		f.Fatal(err)
	}
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x10
		return b
	}
	// at is where s is in b: a byte changed there (in a finding's
	// message, an object's name) still decodes, and only a checksum
	// tells.
	at := func(b []byte, s string) int {
		i := bytes.Index(b, []byte(s))
		if i < 0 {
			f.Fatalf("no %q in a file of %d bytes", s, len(b))
		}
		return i
	}
	valid := record
	f.Add(cache, record)
	f.Add(cache, []byte(nil))
	f.Add([]byte(nil), record)
	f.Add(cache[:len(cache)/2], record[:len(record)-1])
	f.Add(flip(cache, headSize+1), flip(record, len(runMagic)+1))
	f.Add(flip(cache, len(cache)-1), flip(record, len(record)-40))
	f.Add([]byte(magic), []byte(runMagic))
	f.Add(cache, flip(record, at(record, "add up to 110")))
	f.Add(flip(cache, at(cache, "reviews-v2")+9), []byte(nil))
	f.Fuzz(func(t *testing.T, cache, record []byte) {
		path := filepath.Join(t.TempDir(), "x.cache")
		if err := os.WriteFile(path, cache, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".run", record, 0o600); err != nil {
			t.Fatal(err)
		}
		got, c := lint(t, dir, path, nil)
		if reported(got) != want {
			t.Errorf("with a fuzzed cache file (%d bytes) and run record (%d bytes), found\n%s\nwant\n%s", len(cache), len(record), got, want)
		}
		if bytes.Equal(record, valid) && !c.Reused() {
			t.Error("the record a run wrote was not reused")
		}
	})
}

// FuzzWire reads arbitrary bytes as the head of a run record, the index
// of a cache file and what a run read, which a checksum guards on disk:
// whatever they hold, reading them must not panic, nor allocate more than
// a few times their size, and what reads back must be written and read
// back the same.
func FuzzWire(f *testing.F) {
	var head, index, input bytes.Buffer
	files := map[string]indexEntry{"a.yaml": {Hash: [32]byte{1}}, "b/c.yaml": {}}
	if err := writeHead(&head, &recordHead{Key: "k", Files: files, Dirs: map[string]manifest.FileStat{".": {Size: 3}}}); err != nil {
		f.Fatal(err)
	}
	if err := writeIndex(&index, files); err != nil {
		f.Fatal(err)
	}
	if err := writeInput(&input, inputOf()); err != nil {
		f.Fatal(err)
	}
	f.Add(head.Bytes())
	f.Add(index.Bytes())
	f.Add(input.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h, hok := readHead(b)
		ix, iok := readIndex(b)
		in := readInput(b)
		runtime.ReadMemStats(&after)
		// The slack covers the small maps and slices any read makes.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10+32*uint64(len(b)) {
			t.Errorf("%d bytes allocated to read %d", alloc, len(b))
		}
		if hok {
			var w bytes.Buffer
			if err := writeHead(&w, &h); err != nil {
				t.Fatal(err)
			}
			again, ok := readHead(w.Bytes())
			// A time may be read in another location than it was.
			if ok && again.Since.Equal(h.Since) && again.Until.Equal(h.Until) {
				again.Since, again.Until = h.Since, h.Until
			}
			if !ok || !reflect.DeepEqual(again, h) {
				t.Errorf("a head read back as %+v, written and read again as %+v (%v)", h, again, ok)
			}
		}
		if iok {
			var w bytes.Buffer
			if err := writeIndex(&w, ix); err != nil {
				t.Fatal(err)
			}
			if again, ok := readIndex(w.Bytes()); !ok || !reflect.DeepEqual(again, ix) {
				t.Errorf("an index read back as %v, written and read again as %v (%v)", ix, again, ok)
			}
		}
		if in != nil {
			in.Objects.objects(manifest.Options{}, false) // must not panic
		}
	})
}
