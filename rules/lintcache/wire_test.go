package lintcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"github.com/meshlint/meshlint/internal/graph"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// inputOf is what the loader read, for TestInputRoundTrip: objects whose
// words repeat within a file and across files, and are empty in some
// columns and not in others.
func inputOf() *manifest.Result {
	loc := func(l, c int32) manifest.Loc { return manifest.Loc{Line: l, Col: c, EndCol: c + 5} }
	return &manifest.Result{
		Files:      3,
		Unmodelled: map[string]int{"example.com/v1/Widget": 2, "v1/ConfigMap": 1},
		Skipped:    []string{"a/too-large.yaml"},
		Ignored:    []string{"b/", "c.yaml"},
		Objects: []*manifest.Object{
			{File: "a.yaml", APIVersion: "v1", Kind: kinds.Kind("Service"), Name: "web", Namespace: "shop", NamespaceSet: true,
				Doc: 0, KindLoc: loc(2, 7), NameLoc: loc(4, 9)},
			{File: "a.yaml", APIVersion: "apps/v1", Group: "apps", Kind: kinds.Kind("Deployment"), Name: "web", Namespace: "shop",
				Annotations: map[string]string{"sidecar.istio.io/inject": "true", "": "empty key"}, Doc: 1, KindLoc: loc(12, 7), NameLoc: loc(14, 9)},
			{File: "b.yaml", APIVersion: "v1", Kind: kinds.Kind("Pod"), Name: "web-1", Namespace: "", OwnerKind: "ReplicaSet", OwnerName: "web-1",
				NoDirectives: true, Doc: 7, KindLoc: loc(1, 1), NameLoc: loc(-1, 0)},
			{File: "b.yaml", APIVersion: "v1", Kind: kinds.Kind("Pod"), Name: "", Namespace: "shop", OwnerKind: "ReplicaSet",
				Annotations: map[string]string{}, Doc: 8},
		},
	}
}

// TestInputRoundTrip checks that what writeInput writes of a run's input
// reads back (readInput) as the same objects and counts, and that no
// prefix of it, and no byte of it changed, reads back otherwise than as
// nil or as objects: damage is never a panic.
func TestInputRoundTrip(t *testing.T) {
	res := inputOf()
	var b bytes.Buffer
	if err := writeInput(&b, res); err != nil {
		t.Fatal(err)
	}
	in := readInput(b.Bytes())
	if in == nil {
		t.Fatal("what writeInput wrote does not read back")
	}
	if in.Read != res.Files || !reflect.DeepEqual(in.Unmodelled, res.Unmodelled) ||
		!reflect.DeepEqual(in.Skipped, res.Skipped) || !reflect.DeepEqual(in.Ignored, res.Ignored) {
		t.Errorf("read back %d, %v, %q, %q; want %d, %v, %q, %q", in.Read, in.Unmodelled, in.Skipped, in.Ignored,
			res.Files, res.Unmodelled, res.Skipped, res.Ignored)
	}
	objs := in.Objects.objects(manifest.Options{}, false)
	if len(objs) != len(res.Objects) {
		t.Fatalf("read back %d objects, want %d", len(objs), len(res.Objects))
	}
	for i, o := range objs {
		want := *res.Objects[i]
		if len(want.Annotations) == 0 {
			want.Annotations = nil // an empty map is none
		}
		if !reflect.DeepEqual(*o, want) {
			t.Errorf("object %d read back as\n%+v\nwant\n%+v", i, *o, want)
		}
	}
	for n := range b.Len() {
		if readInput(b.Bytes()[:n]) != nil {
			t.Errorf("the first %d of %d bytes read back", n, b.Len())
		}
	}
	if readInput(append(bytes.Clone(b.Bytes()), 0)) != nil {
		t.Error("what writeInput wrote, followed by a byte, reads back")
	}
	for i := range b.Len() {
		damaged := bytes.Clone(b.Bytes())
		damaged[i] ^= 0xff
		readInput(damaged) // must not panic
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errWrite = errors.New("no space left")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestWriteInputFails checks that writeInput returns the error of the
// writer it writes to.
func TestWriteInputFails(t *testing.T) {
	if err := writeInput(failingWriter{}, inputOf()); !errors.Is(err, errWrite) {
		t.Errorf("writeInput returned %v, want the writer's error", err)
	}
}

// fullStat is a FileStat whose every field is set, by reflection, so
// that a field added to FileStat and not written by hand fails
// TestHeadRoundTrip rather than makes every file look changed.
func fullStat(t *testing.T, seed uint64) manifest.FileStat {
	t.Helper()
	var st manifest.FileStat
	v := reflect.ValueOf(&st).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Uint64, reflect.Uint32:
			f.SetUint(seed + uint64(i) + 1<<31)
		case reflect.Int64:
			f.SetInt(-int64(seed) - int64(i) - 1<<40) //nolint:gosec // G115: a test's small numbers
		default:
			t.Fatalf("FileStat.%s is a %s: write it in wire.go, and set it here", v.Type().Field(i).Name, f.Kind())
		}
	}
	return st
}

// TestHeadRoundTrip checks that the head of a run record and the index
// of a cache file read back as written, nil maps and zero times
// included, and that no prefix of them reads back.
func TestHeadRoundTrip(t *testing.T) {
	since := time.Date(2026, 11, 26, 23, 30, 1, 123456789, time.UTC)
	files := map[string]indexEntry{
		"a.yaml":   {Stat: fullStat(t, 1), Hash: sha256.Sum256([]byte("a"))},
		"b/c.yaml": {Stat: fullStat(t, 2), Hash: sha256.Sum256([]byte("c"))},
		// Each way the digests are written: none, the hash, the graph's
		// digest, one of their own; the release labels' flag.
		"d.yaml": {Stat: fullStat(t, 4), Hash: sha256.Sum256([]byte("d")), Digest: graph.Digest{Read: sha256.Sum256([]byte("d")), Weights: sha256.Sum256([]byte("d")), Release: sha256.Sum256([]byte("d"))}},
		"e.yaml": {Stat: fullStat(t, 5), Hash: sha256.Sum256([]byte("e")), Digest: graph.Digest{Read: sha256.Sum256([]byte("e graph")), Weights: sha256.Sum256([]byte("e weights")), Release: sha256.Sum256([]byte("e release")), NamesRelease: true}},
		"f.yaml": {Stat: fullStat(t, 6), Hash: sha256.Sum256([]byte("f")), Digest: graph.Digest{Weights: sha256.Sum256([]byte("f weights")), NamesRelease: true}},
	}
	for _, head := range []recordHead{
		{Key: "k\nrules", Input: sha256.Sum256([]byte("in")), Since: since, Until: time.Date(9999, 12, 31, 0, 0, 0, 1, time.UTC),
			Files: files, Dirs: map[string]manifest.FileStat{".": fullStat(t, 3), "b": {}}},
		{Key: "", Since: since, Files: map[string]indexEntry{}},
		{Key: "no stat data", Since: since},
	} {
		var b bytes.Buffer
		if err := writeHead(&b, &head); err != nil {
			t.Fatal(err)
		}
		got, ok := readHead(b.Bytes())
		if !ok {
			t.Fatalf("the head %q does not read back", head.Key)
		}
		if !got.Since.Equal(head.Since) || !got.Until.Equal(head.Until) || got.Until.IsZero() != head.Until.IsZero() {
			t.Errorf("times read back as %v, %v; want %v, %v", got.Since, got.Until, head.Since, head.Until)
		}
		got.Since, got.Until = head.Since, head.Until
		if !reflect.DeepEqual(got, head) {
			t.Errorf("head read back as\n%+v\nwant\n%+v", got, head)
		}
		for n := range b.Len() {
			if _, ok := readHead(b.Bytes()[:n]); ok {
				t.Errorf("the first %d of %d bytes of head %q read back", n, b.Len(), head.Key)
			}
		}
	}
	var b bytes.Buffer
	if err := writeIndex(&b, files); err != nil {
		t.Fatal(err)
	}
	if got, ok := readIndex(b.Bytes()); !ok || !reflect.DeepEqual(got, files) {
		t.Errorf("index read back as %v, %v; want %v", got, ok, files)
	}
	for n := range b.Len() {
		if _, ok := readIndex(b.Bytes()[:n]); ok {
			t.Errorf("the first %d of %d bytes of the index read back", n, b.Len())
		}
	}
}

// TestObjectRecordFields checks that every field of the record of an
// object that the cache encodes is a field of manifest.Object of the same
// type: gob decodes the records into manifest.Object (readEntry), and
// would drop a field it does not have.
func TestObjectRecordFields(t *testing.T) {
	record, obj := reflect.TypeFor[object](), reflect.TypeFor[manifest.Object]()
	for i := range record.NumField() {
		f := record.Field(i)
		g, ok := obj.FieldByName(f.Name)
		if !ok || g.Type != f.Type {
			t.Errorf("the record's field %s %s is not one of manifest.Object", f.Name, f.Type)
		}
	}
}

// TestWireDamagedCount reads a head, an index and an input whose first
// count claims as many things as there are bytes left: each thing takes
// more than a byte (an index entry at least 39, an object 16), so the
// count is damage, and what is allocated for it must stay within a few
// times the bytes read, not a hundred times.
func TestWireDamagedCount(t *testing.T) {
	const n = 1 << 20
	count := func(prefix ...byte) []byte {
		b := binary.AppendUvarint(prefix, n)
		return append(b, make([]byte, n)...)
	}
	head := func(index []byte) []byte {
		var w bytes.Buffer
		if err := writeHead(&w, &recordHead{Key: "k"}); err != nil {
			t.Fatal(err)
		}
		// The head without its Files (nil: 0) and Dirs (nil: 0), then
		// damaged Files.
		return append(w.Bytes()[:w.Len()-2], index...)
	}
	for _, c := range []struct {
		name string
		b    []byte
		read func(b []byte) bool
	}{
		{"index", count(1), func(b []byte) bool { _, ok := readIndex(b); return ok }},
		{"head files", head(count(1)), func(b []byte) bool { _, ok := readHead(b); return ok }},
		{"head dirs", head(count(0, 1)), func(b []byte) bool { _, ok := readHead(b); return ok }},
		// Files read, no unmodelled kinds, none skipped or ignored, then
		// the objects.
		{"input objects", count(0, 0, 0, 0), func(b []byte) bool { return readInput(b) != nil }},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ok := c.read(c.b)
		runtime.ReadMemStats(&after)
		if ok {
			t.Errorf("%s: a damaged count reads back", c.name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*uint64(len(c.b)) {
			t.Errorf("%s: %d MB allocated for %d KB read", c.name, alloc>>20, len(c.b)>>10)
		}
	}
}
