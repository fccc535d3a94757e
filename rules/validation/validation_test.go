package validation

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

func TestRegistry(t *testing.T) {
	if err := rules.Validate(Rules); err != nil {
		t.Fatal(err)
	}
}

// TestFixtures runs MR001 over its fixtures and examples. rules/all runs
// them too once the package is listed there; this keeps the package
// testable on its own.
func TestFixtures(t *testing.T) {
	ruletest.Run(t, SchemaInvalid, "../../fixtures/rules/MR001")
}

// TestNoDuplicateOfInputErrors checks that a wrong type the graph already
// reports as an input error is not reported again, while the other
// violations of the object still are. The fixture harness refuses inputs
// with input errors, so this builds the graph itself.
func TestNoDuplicateOfInputErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "vs.yaml")
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: shop}
spec:
  hosts: [r]
  http:
  - route:
    - destination: {host: r}
      weight: ten
      weigth: 1
`
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	g := graph.Build(res.Objects, config.DefaultMesh())
	if len(g.Errors) != 1 || g.Errors[0].Line != 9 {
		t.Fatalf("want one input error on line 9, got %v", g.Errors)
	}
	fs, errs := rules.Run(g, []*rules.Rule{SchemaInvalid}, nil)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	if len(fs) != 1 || fs[0].Pos.Line != 10 {
		for _, f := range fs {
			t.Logf("%s: %s", f.Pos, f.Message)
		}
		t.Fatalf("want only the unknown field on line 10, got %d findings", len(fs))
	}
}

// TestLoaderCheckedMetadata checks that MR001 leaves the object's own name,
// namespace, labels and annotations to the loader, which reports a value of
// the wrong type there as an input error at the same place, and still
// reports the same mistake in a pod template's metadata, which the loader
// does not read.
func TestLoaderCheckedMetadata(t *testing.T) {
	for path, want := range map[string]bool{
		"metadata.labels.app":                                true,
		`metadata.annotations["sidecar.istio.io/inject"]`:    true,
		"metadata.name":                                      true,
		"metadata.labels":                                    true,
		"metadata.labelsx":                                   false,
		"metadata.generateName":                              false,
		"spec.template.metadata.labels.app":                  false,
		`spec.template.metadata.annotations["a"]`:            false,
		"spec.jobTemplate.spec.template.metadata.labels.app": false,
	} {
		if got := loaderChecked(path); got != want {
			t.Errorf("loaderChecked(%q) = %v, want %v", path, got, want)
		}
	}
}
