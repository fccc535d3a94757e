package routing

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestArgoSpecInvalidPositions checks the columns and related locations of
// MR155's findings, which the fixtures (lines only) do not.
func TestArgoSpecInvalidPositions(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata: {name: compare, namespace: shop}
spec:
  templates:
  - name: baseline
    selector: {matchLabels: {app: web}}
  - selector: {matchLabels: {app: web2}}
    name: baseline
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  strategy:
    canary:
      canaryService: web
      stableService: web
      steps:
      - setWeight: 20
        pause: {}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: bg, namespace: shop}
spec:
  selector: {matchLabels: {app: bg}}
  template:
    metadata:
      labels: {app: web}
  strategy:
    blueGreen: {activeService: bg, previewService: bg}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: values, namespace: shop}
spec:
  selector: {matchLabels: {app: values}}
  template:
    metadata:
      labels: {app: values}
  strategy:
    canary:
      steps:
      - pause: {duration: 1d}
      - setMirrorRoute:
          name: mirror
          match:
          - {path: {}}
      - analysis:
          args:
          - {name: gen, valueFrom: {fieldRef: {fieldPath: metadata.generation}}}
`
	p := filepath.Join(t.TempDir(), "argo.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	fs, errs := rules.Run(graph.Build(res.Objects, config.DefaultMesh()), []*rules.Rule{ArgoSpecInvalid}, nil)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	var got []string
	for _, f := range fs {
		s := fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col)
		for _, r := range f.Related {
			s += fmt.Sprintf(" related %d:%d %s", r.Pos.Line, r.Pos.Col, r.Message)
		}
		got = append(got, s)
	}
	want := []string{
		`9:11 related 6:11 the first template named "baseline"`,
		`12:7`,
		`18:22 related 17:22 the canaryService`,
		`21:9`,
		`30:7 related 27:13 the selector`,
		`32:52 related 32:32 the activeService`,
		`45:27`,
		`46:9`,
		`49:20`,
		`52:59`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
