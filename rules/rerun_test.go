package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
)

// TestWeightRerunBound checks when Reread.Weights runs the weight readers
// on the partitions of the changed files, and when it leaves the run to
// the cache's model: on an input of 3,000 objects in 30 namespaces, one
// namespace's files are read again (and a finding of its VirtualService
// is found), ten namespaces' are more than a quarter of the input.
func TestWeightRerunBound(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for ns := range 30 {
		for f := range 10 {
			var b strings.Builder
			for i := range 10 {
				if f == 0 && i == 0 {
					fmt.Fprintf(&b, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs\n  namespace: ns%d\nspec:\n  hosts: [web]\n  http:\n  - route:\n    - destination: {host: web, subset: a}\n      weight: 90\n    - destination: {host: web, subset: b}\n      weight: 20\n---\n", ns)
					continue
				}
				fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d-%d\n  namespace: ns%d\n---\n", f, i, ns)
			}
			name := fmt.Sprintf("ns%02d-%d.yaml", ns, f)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		}
	}
	opts := LintOptions{Load: manifest.Options{Dir: dir}}
	res := manifest.Load([]string{"."}, opts.Load)
	if len(res.Errors) > 0 || len(res.Objects) != 3000 {
		t.Fatalf("%d objects, errors %v", len(res.Objects), res.Errors)
	}
	weights := &Rule{ID: "MR101", Deps: DepNone, Run: func(p *Pass) error {
		for _, vs := range p.Graph.VirtualServices {
			p.Reportf(vs.Obj, vs.Obj.KindLoc, "weights")
		}
		return nil
	}}
	rerun := weightRerun([]*Rule{weights, {ID: "MR999", Deps: DepAll}}, opts)
	changed := func(nss int) map[string]bool {
		m := map[string]bool{}
		for _, name := range names {
			var ns int
			fmt.Sscanf(name, "ns%02d", &ns)
			if ns < nss {
				m[name] = true
			}
		}
		return m
	}
	r, ok := rerun(res.Objects, changed(1))
	if !ok {
		t.Fatal("one namespace of 30 changed: not run on it")
	}
	if len(r.Dirty) != 1 || !r.Dirty["ns0"] || !r.Rules["MR101"] || r.Rules["MR999"] || len(r.Hashes) != 10 {
		t.Errorf("one namespace: dirty %v, rules %v, %d files read; want ns0, MR101 alone, 10", r.Dirty, r.Rules, len(r.Hashes))
	}
	if len(r.Findings) != 1 || r.Findings[0].Object != res.Objects[0] {
		t.Errorf("one namespace: findings %v, want one about the first object given", r.Findings)
	}
	if _, ok := rerun(res.Objects, changed(10)); ok {
		t.Error("ten namespaces of 30 changed: run on them rather than on the whole input")
	}
}
