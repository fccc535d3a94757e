package manifest

import (
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// TestIgnore checks that Options.Ignore leaves out files and whole
// directories, which are then never read, and that it sees the names the
// files keep.
func TestIgnore(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a.yaml":             svcNamed("a"),
		"skip.yaml":          svcNamed("skip"),
		"vendor/v.yaml":      svcNamed("v"),
		"vendor/bad.yaml":    "kind: [",
		"sub/keep.yaml":      svcNamed("keep"),
		"sub/notes.txt":      "not a manifest, never asked about",
		"sub/deep/skip.yaml": svcNamed("deep-skip"),
	})
	var asked []string
	ignore := func(p string) bool {
		asked = append(asked, filepath.ToSlash(p))
		switch filepath.Base(p) {
		case "skip.yaml", "vendor":
			return true
		}
		return false
	}
	res := loadTimed(t, []string{"."}, Options{Dir: dir, Ignore: ignore})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v (an ignored file was read)", errorsOf(res))
	}
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Name)
	}
	sort.Strings(names)
	if want := []string{"a", "keep"}; !reflect.DeepEqual(names, want) {
		t.Errorf("objects %v, want %v", names, want)
	}
	var ignored []string
	for _, p := range res.Ignored {
		ignored = append(ignored, filepath.ToSlash(p))
	}
	sort.Strings(ignored)
	if want := []string{"skip.yaml", "sub/deep/skip.yaml", "vendor"}; !reflect.DeepEqual(ignored, want) {
		t.Errorf("Ignored = %v, want %v", ignored, want)
	}
	if res.Files != 2 {
		t.Errorf("read %d files, want 2", res.Files)
	}
	for _, p := range asked {
		if p == "sub/notes.txt" || filepath.Dir(p) == "vendor" {
			t.Errorf("Ignore was asked about %s", p)
		}
	}
}
