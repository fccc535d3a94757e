package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// service returns a file of n Services of namespace ns, named after it.
func service(ns string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s-%d\n  namespace: %s\nspec:\n  ports:\n  - port: %d\n", ns, i, ns, 80+i)
	}
	return b.String()
}

// TestWorkerBuffer checks that a loader worker reads file after file into
// one buffer, and that nothing read from a file shares it: the objects,
// their kept nodes and what PerFile was given of an earlier file are
// untouched by the next one read over the same memory. A file too large
// for the buffer to be worth keeping leaves none behind.
func TestWorkerBuffer(t *testing.T) {
	dir := t.TempDir()
	contents := []string{
		service("alpha-long-namespace", 3),
		service("b", 1),     // shorter: read over the start of the first
		service("c", 40),    // longer: the buffer grows
		service("d", 1),     // shorter again: the grown buffer is reused
		service("e", 12000), // over maxKeptBuffer: not kept
		service("f", 1),
	}
	if len(contents[4]) <= maxKeptBuffer {
		t.Fatalf("the large file has %d bytes, not more than %d", len(contents[4]), maxKeptBuffer)
	}
	for _, dropNodes := range []bool{false, true} {
		t.Run(fmt.Sprint("DropNodes=", dropNodes), func(t *testing.T) {
			w := new(worker)
			var results []*fileResult
			var seen [][]byte // what PerFile was given, copied
			for i, c := range contents {
				p := filepath.Join(dir, fmt.Sprintf("%d.yaml", i))
				if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
					t.Fatal(err)
				}
				opts := Options{Namespace: "default", MaxFileSize: DefaultMaxFileSize, DropNodes: dropNodes, PerFile: func(f *File) []*Error {
					seen = append(seen, bytes.Clone(f.Data))
					return nil
				}}
				before := w.buf
				fr := loadFile(p, opts, w)
				if len(fr.errors) > 0 {
					t.Fatalf("%s: %v", p, fr.errors)
				}
				results = append(results, fr)
				switch {
				case len(c) > maxKeptBuffer:
					if w.buf != nil {
						t.Errorf("file %d (%d bytes): the worker kept a buffer of %d bytes", i, len(c), cap(w.buf))
					}
				case cap(w.buf) < len(c):
					t.Errorf("file %d (%d bytes): the worker kept a buffer of %d bytes", i, len(c), cap(w.buf))
				case cap(before) > len(c) && &w.buf[:1][0] != &before[:1][0]:
					t.Errorf("file %d (%d bytes): a buffer of %d bytes was not reused", i, len(c), cap(before))
				}
			}
			// A file refused unread leaves the buffer as it was.
			kept := w.buf
			if fr := loadFile(filepath.Join(dir, "2.yaml"), Options{Namespace: "default", MaxFileSize: 100}, w); len(fr.errors) != 1 {
				t.Errorf("a file over the limit: %v, want its error", fr.errors)
			}
			if cap(kept) == 0 || cap(w.buf) != cap(kept) {
				t.Errorf("a file refused unread left a buffer of %d bytes, not the %d it had", cap(w.buf), cap(kept))
			}
			for i, c := range contents {
				if string(seen[i]) != c {
					t.Errorf("file %d: PerFile was given other bytes than the file's", i)
				}
				want := strings.Count(c, "kind: Service")
				if got := len(results[i].objects); got != want {
					t.Fatalf("file %d: %d objects, want %d", i, got, want)
				}
				ns, _, _ := strings.Cut(c[strings.Index(c, "namespace: ")+len("namespace: "):], "\n")
				for k, o := range results[i].objects {
					if name := fmt.Sprintf("%s-%d", ns, k); o.Name != name || o.Namespace != ns {
						t.Errorf("file %d: object %d is %s/%s after the next files were read, want %s/%s", i, k, o.Namespace, o.Name, ns, name)
					}
					if o.Node != nil {
						if got := o.Node.Content[5].Content[1].Value; got != o.Name {
							t.Errorf("file %d: the kept node of %s reads %q", i, o.Name, got)
						}
					}
				}
			}
		})
	}
}

// TestReadFileInto checks that a file read into a larger buffer is read
// whole into its memory, and into new memory when it does not fit.
func TestReadFileInto(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.yaml")
	data := bytes.Repeat([]byte("a: b\n"), 200)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7, 4096)
	got, err := readFileInto(buf, p, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes (%v), want the %d of the file", len(got), err, len(data))
	}
	if &got[0] != &buf[0] {
		t.Error("the file was not read into the buffer")
	}
	small := make([]byte, 0, 10)
	got, err = readFileInto(small, p, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes (%v), want the %d of the file", len(got), err, len(data))
	}
	if _, err := readFileInto(buf, p, int64(len(data)-1)); !errors.Is(err, errTooLarge) {
		t.Errorf("a file over the limit: %v, want errTooLarge", err)
	}
}
