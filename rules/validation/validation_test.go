package validation

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestInputErrorsNotRepeated runs MR001 as meshlint does (rules.Lint: on
// each file as it is read) over inputs with wrong types that the loader
// reports as input errors. A wrong type the input error names is not
// reported again, wherever the two point (the key of a mapping or list
// value, the node yaml.v3's line-only message is placed at, a kustomize
// patch); what the input error does not say (an unknown field, a value
// the loader accepts but the API server refuses, one reached through an
// alias) still is.
func TestInputErrorsNotRepeated(t *testing.T) {
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example/web:1.0
`
	for _, tc := range []struct {
		name  string
		files map[string]string
		path  string // linted; "in.yaml" when empty
		// inputErrors and findings are "file:line:col" of the input
		// errors and of MR001's findings, in order.
		inputErrors, findings []string
	}{{
		name: "block mapping for an integer, beside an unknown field",
		files: map[string]string{"in.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas:
    count: 3
  revisionHistoryLimt: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - {name: web, image: example/web:1.0}
`},
		inputErrors: []string{"in.yaml:6:5"},
		findings:    []string{"in.yaml:7:3"},
	}, {
		name:        "block list for an integer",
		files:       map[string]string{"in.yaml": strings.Replace(deployment, "replicas: 2", "replicas:\n  - 2", 1)},
		inputErrors: []string{"in.yaml:6:3"},
	}, {
		name: "flow list for a string",
		files: map[string]string{"in.yaml": `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: shop}
spec:
  host: web
  trafficPolicy:
    tls:
      mode: [ISTIO_MUTUAL]
`},
		inputErrors: []string{"in.yaml:8:13"},
	}, {
		// yaml.v3 says "line 9: cannot unmarshal !!map into
		// []spec.RouteDestination", which the loader places at the flow
		// mapping, the rightmost mapping of the line.
		name: "block mapping for a list, its first entry a flow mapping",
		files: map[string]string{"in.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http:
  - timeout: 5s
    route:
      destination: {host: web}
`},
		inputErrors: []string{"in.yaml:9:20"},
	}, {
		name: "kustomize patch",
		files: map[string]string{
			"base/kustomization.yaml":    "resources: [deployment.yaml]\n",
			"base/deployment.yaml":       deployment,
			"overlay/kustomization.yaml": "resources: [../base]\npatches:\n- path: patch.yaml\n",
			"overlay/patch.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: "three"
`,
		},
		path:        "overlay",
		inputErrors: []string{"overlay/patch.yaml:5:13"},
	}, {
		name: "sidecar injector configuration as a mapping",
		files: map[string]string{"in.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config:
    policy: enabled
  values: "{}"
`},
		inputErrors: []string{"in.yaml:6:5"},
	}, {
		// The input error is the duplicate key; the misspelling is
		// this rule's to say.
		name: "duplicate key, misspelt",
		files: map[string]string{"in.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http:
  - route:
    - destination: {host: web}
      weigth: 1
      weigth: 2
`},
		inputErrors: []string{"in.yaml:10:7"},
		findings:    []string{"in.yaml:10:7"},
	}, {
		// The loader reads label values as strings whatever their YAML
		// type; the API server refuses a number.
		name: "number for a string, beside an input error",
		files: map[string]string{"in.yaml": `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: 5}
  ports:
  - port: http
`},
		inputErrors: []string{"in.yaml:7:11"},
		findings:    []string{"in.yaml:5:19"},
	}, {
		// yaml.v3 reports the anchor, an annotation: the finding names
		// the field.
		name: "alias",
		files: map[string]string{"in.yaml": strings.Replace(strings.Replace(deployment,
			"metadata: {name: web, namespace: shop}", "metadata: {name: web, namespace: shop, annotations: {a: &n three}}", 1),
			"replicas: 2", "replicas: *n", 1)},
		inputErrors: []string{"in.yaml:3:57"},
		findings:    []string{"in.yaml:5:13"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inputErrors, findings := lintFiles(t, tc.files, tc.path, SchemaInvalid)
			if !slices.Equal(inputErrors, tc.inputErrors) {
				t.Errorf("input errors %q, want %q", inputErrors, tc.inputErrors)
			}
			if !slices.Equal(findings, tc.findings) {
				t.Errorf("MR001 findings %q, want %q", findings, tc.findings)
			}
		})
	}
}

// TestConflictingActionsWrongTypes checks that MR004 reads a list field
// of the wrong type (a route written as a mapping, hosts as a string) as
// neither absent nor empty: the input error names the mistake, and "has
// no route" or "a delegate VirtualService" would be a second message, and
// a wrong one.
func TestConflictingActionsWrongTypes(t *testing.T) {
	inputErrors, findings := lintFiles(t, map[string]string{"in.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: web
  gateways: [gw]
  http:
  - route:
      destination: {host: web}
  tcp:
  - route: {destination: {host: web}}
  tls:
  - match: {sniHosts: [a.example.com]}
    route: [{destination: {host: web}}]
  - match:
    - sniHosts: a.example.com
    route: [{destination: {host: web}}]
`}, "", ConflictingActions)
	if want := []string{"in.yaml:5:10", "in.yaml:9:20", "in.yaml:11:26", "in.yaml:13:12", "in.yaml:16:17"}; !slices.Equal(inputErrors, want) {
		t.Errorf("input errors %q, want %q", inputErrors, want)
	}
	if len(findings) > 0 {
		t.Errorf("MR004 findings %q, want none", findings)
	}
}

// lintFiles writes files into a new directory, lints path there (in.yaml
// when empty) with rs as meshlint does (rules.Lint), and returns where its
// input errors and findings are, as "file:line:col", in order; it logs the
// findings' messages.
func lintFiles(t *testing.T, files map[string]string, path string, rs ...*rules.Rule) (inputErrors, findings []string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if path == "" {
		path = "in.yaml"
	}
	res := rules.Lint(rules.LintOptions{Paths: []string{path}, Load: manifest.Options{Dir: dir}, Mesh: config.DefaultMesh(), Rules: rs})
	if len(res.Internal) > 0 {
		t.Fatal(res.Internal[0])
	}
	for _, e := range append(res.Load.Errors, res.Graph.Errors...) {
		inputErrors = append(inputErrors, fmt.Sprintf("%s:%d:%d", filepath.ToSlash(e.File), e.Line, e.Col))
	}
	for _, f := range res.Findings {
		t.Logf("%s: %s", f.Pos, f.Message)
		findings = append(findings, fmt.Sprintf("%s:%d:%d", filepath.ToSlash(f.Pos.File), f.Pos.Line, f.Pos.Col))
	}
	return inputErrors, findings
}
