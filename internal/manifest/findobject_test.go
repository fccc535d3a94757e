package manifest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestFindObjectMany holds findObject, on a file of many objects of one
// kind (where it looks the built name's substrings up), to the scan of
// every object it makes on a few: the same name first, else the longest
// name the built one contains, the first of those in the file.
func TestFindObjectMany(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const letters = "abc-"
		b := make([]byte, 1+rng.IntN(4))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	var src strings.Builder
	for range 400 {
		fmt.Fprintf(&src, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %q\n", word())
	}
	docs, errs := parseDocuments("many.yaml", []byte(src.String()))
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	ix := indexDocs(docs)
	if n := len(ix[groupKind{"", "ConfigMap"}].cands); n != 400 {
		t.Fatalf("%d objects indexed, want 400", n)
	}
	// The scan findObject made before it indexed the file.
	scan := func(name string) int {
		best, bestLen := -1, -1
		for i, d := range docs {
			cn := fieldValue(yamlpath.Field(d.node, "metadata"), "name")
			switch {
			case cn == name:
				return i
			case cn != "" && strings.Contains(name, cn) && len(cn) > bestLen:
				best, bestLen = i, len(cn)
			}
		}
		return best
	}
	for range 2000 {
		name := word() + word() + word()
		built := &yaml.Node{}
		if err := yaml.Unmarshal(fmt.Appendf(nil, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %q\n", name), built); err != nil {
			t.Fatal(err)
		}
		doc, node := findObject(docs, ix, built.Content[0])
		want := scan(name)
		if want < 0 {
			if node != nil {
				t.Errorf("%q: found document %d, want none", name, doc)
			}
			continue
		}
		if node != docs[want].node {
			t.Errorf("%q: found document %d (%v), want %d", name, doc, node != nil, want)
		}
	}
}
