package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzInPlace loads arbitrary bytes as a file on disk whose nodes are
// dropped, so that the fast parser cuts its scalars from the worker's
// buffer, which is overwritten once the file is done: the objects, errors
// and unmodelled kinds must be those of the same bytes read from stdin,
// whose nodes are kept and parsed from a copy.
func FuzzInPlace(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: n\n  labels: {app: a, 'q': \"d\"}\n  annotations:\n    x: |\n      text\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: x}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  ownerReferences:\n  - {kind: ReplicaSet, name: rs, controller: true}\n",
		"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: yes}\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {a: [b], yes: c}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n",
	} {
		f.Add([]byte(seed))
	}
	path := filepath.Join(f.TempDir(), "f.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		opts := Options{Namespace: "default", MaxFileSize: 1 << 20}
		want := loadFile("-", Options{Namespace: "default", MaxFileSize: 1 << 20, Stdin: bytes.NewReader(data)}, new(worker))
		old := fileDone
		fileDone = func(buf []byte) {
			for i := range buf {
				buf[i] = 0xFF
			}
		}
		defer func() { fileDone = old }()
		w := new(worker)
		opts.DropNodes = true
		got := loadFile(path, opts, w)
		// A second file over the first one's memory.
		loadFile(path, opts, w)
		if !reflect.DeepEqual(projectObjects(got.objects), projectObjects(want.objects)) {
			t.Errorf("objects\n%+v\nwant\n%+v", projectObjects(got.objects), projectObjects(want.objects))
		}
		if !reflect.DeepEqual(projectErrors(got.errors), projectErrors(want.errors)) {
			t.Errorf("errors\n%q\nwant\n%q", projectErrors(got.errors), projectErrors(want.errors))
		}
		if !reflect.DeepEqual(got.unmodelled, want.unmodelled) {
			t.Errorf("unmodelled %v, want %v", got.unmodelled, want.unmodelled)
		}
	})
}

// projectObjects returns what the loader keeps of objects, without their
// file and nodes.
func projectObjects(objs []*Object) []Object {
	var out []Object
	for _, o := range objs {
		c := *o
		c.File, c.Node, c.src, c.NoDirectives = "", nil, nil, false
		out = append(out, c)
	}
	return out
}

func projectErrors(errs []*Error) []string {
	var out []string
	for _, e := range errs {
		c := *e
		c.File = ""
		out = append(out, c.Error())
	}
	return out
}
