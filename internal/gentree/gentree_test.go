package gentree

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
)

// readTree returns every file below dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func generate(t *testing.T, opts Options) (string, *Result) {
	t.Helper()
	dir := t.TempDir()
	res, err := Generate(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res
}

func TestDeterministic(t *testing.T) {
	opts := Options{Namespaces: 3, Services: 7, Seed: 42}
	a, _ := generate(t, opts)
	b, _ := generate(t, opts)
	ta, tb := readTree(t, a), readTree(t, b)
	if len(ta) != len(tb) {
		t.Fatalf("same seed: %d files, then %d", len(ta), len(tb))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("same seed: %s differs", name)
		}
	}

	opts.Seed = 43
	c, _ := generate(t, opts)
	tc := readTree(t, c)
	same := len(ta) == len(tc)
	for name, data := range ta {
		same = same && bytes.Equal(data, tc[name])
	}
	if same {
		t.Error("seeds 42 and 43 wrote the same tree")
	}
}

func TestShapeAndCounts(t *testing.T) {
	const namespaces, services = 2, 3
	dir, res := generate(t, Options{Namespaces: namespaces, Services: services, Seed: 1})
	// Per namespace a namespace file, a frontend and the services; plus
	// the ingress gateway.
	if want := namespaces*(services+2) + 1; res.Files != want {
		t.Errorf("Files = %d, want %d", res.Files, want)
	}
	if want := namespaces*(6+7+8*services) + 9; res.Objects != want {
		t.Errorf("Objects = %d, want %d", res.Objects, want)
	}
	if len(res.Namespaces) != namespaces || len(res.Mistakes) != 0 {
		t.Errorf("Namespaces = %v, Mistakes = %v", res.Namespaces, res.Mistakes)
	}
	if got := len(readTree(t, dir)); got != res.Files {
		t.Errorf("%d files on disk, Result.Files = %d", got, res.Files)
	}
	for _, ns := range res.Namespaces {
		if _, err := os.Stat(filepath.Join(dir, ns, "00-namespace.yaml")); err != nil {
			t.Error(err)
		}
	}

	lr := manifest.Load([]string{dir}, manifest.Options{})
	for _, e := range lr.Errors {
		t.Errorf("load: %v", e)
	}
	// Kinds the graph does not model are only counted.
	objects := len(lr.Objects)
	for _, n := range lr.Unmodelled {
		objects += n
	}
	if lr.Files != res.Files || objects != res.Objects {
		t.Errorf("loaded %d files and %d objects, generated %d and %d", lr.Files, objects, res.Files, res.Objects)
	}
	for _, o := range lr.Objects {
		if !o.NamespaceSet && o.Kind != "Namespace" {
			t.Errorf("%s %s in %s has no namespace", o.Kind, o.Name, o.File)
		}
	}
}

func TestNamesStayDistinct(t *testing.T) {
	names := serviceNames(len(serviceNouns)*len(serviceRoles)+5, newRand(1))
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] || n == "frontend" || len(n) > 63 {
			t.Errorf("bad or duplicate service name %q", n)
		}
		seen[n] = true
	}
	nss := namespaceNames(len(namespaceWords)*2+1, newRand(1))
	seen = map[string]bool{}
	for _, n := range nss {
		if seen[n] || n == DefaultIngressNamespace {
			t.Errorf("bad or duplicate namespace name %q", n)
		}
		seen[n] = true
	}
}

// TestMistakes checks that planting mistakes changes exactly the files it
// reports, so that the rest of the tree stays a clean baseline.
func TestMistakes(t *testing.T) {
	opts := Options{Namespaces: 2, Services: 40, Seed: 7}
	clean, _ := generate(t, opts)
	opts.MistakeRate = 0.5
	dirty, res := generate(t, opts)
	if len(res.Mistakes) == 0 {
		t.Fatal("no mistakes planted at rate 0.5")
	}
	planted := map[string]bool{}
	kinds := map[string]bool{}
	for _, m := range res.Mistakes {
		if planted[m.File] {
			t.Errorf("two mistakes in %s", m.File)
		}
		planted[m.File] = true
		kinds[m.Kind] = true
		if m.Detail == "" || m.Namespace == "" || m.Service == "" {
			t.Errorf("incomplete mistake %+v", m)
		}
	}
	if len(kinds) < 3 {
		t.Errorf("only kinds %v planted among %d mistakes", kinds, len(res.Mistakes))
	}
	tc, td := readTree(t, clean), readTree(t, dirty)
	for name, data := range tc {
		if differ := !bytes.Equal(data, td[name]); differ != planted[name] {
			t.Errorf("%s: differs from the clean tree = %v, reported as planted = %v", name, differ, planted[name])
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, opts := range []Options{{Namespaces: -1}, {Services: -1}, {MistakeRate: 1.5}} {
		if _, err := Generate(t.TempDir(), opts); err == nil {
			t.Errorf("Generate(%+v) succeeded", opts)
		}
	}
}

// TestNoNetworkPolicies checks that the option leaves every NetworkPolicy
// out and nothing else, and refuses planted mistakes, some of which are in
// NetworkPolicies.
func TestNoNetworkPolicies(t *testing.T) {
	opts := Options{Namespaces: 2, Services: 3, Seed: 5}
	with, without := t.TempDir(), t.TempDir()
	full, err := Generate(with, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.NoNetworkPolicies = true
	open, err := Generate(without, opts)
	if err != nil {
		t.Fatal(err)
	}
	count := func(dir string) (netpols, others int) {
		t.Helper()
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, doc := range strings.Split(string(b), "---\n") {
				if strings.Contains("\n"+doc, "\nkind: NetworkPolicy\n") {
					netpols++
				} else {
					others++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return netpols, others
	}
	np1, o1 := count(with)
	np2, o2 := count(without)
	if np1 == 0 || np2 != 0 || o1 != o2 || open.Objects != full.Objects-np1 {
		t.Errorf("NetworkPolicies %d → %d, other objects %d → %d, counted objects %d → %d", np1, np2, o1, o2, full.Objects, open.Objects)
	}
	opts.MistakeRate = 0.5
	if _, err := Generate(t.TempDir(), opts); err == nil {
		t.Error("NoNetworkPolicies with planted mistakes: no error")
	}
}
