package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKustomizeOverlay lints a kustomize overlay whose patch breaks the
// canary split: the finding points at the patch file, not at the base
// nor at kustomize's output.
func TestKustomizeOverlay(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	patch := "fixtures/kustomize/overlays/prod/canary-weights.yaml"

	r := run(t, root, "", "--format", "json", "--fail-on", "warning", "fixtures/kustomize/overlays/prod")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, ExitFindings, r.stdout, r.stderr)
	}
	var out struct {
		Findings []struct {
			Rule   string
			File   string
			Line   int
			Column int
			Object struct{ Kind, Namespace, Name string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(out.Findings) != 1 {
		t.Fatalf("%d findings, want 1:\n%s", len(out.Findings), r.stdout)
	}
	f := out.Findings[0]
	if f.Rule != "MR101" || f.File != patch || f.Line != 10 || f.Column != 15 {
		t.Errorf("finding %s at %s:%d:%d, want MR101 at %s:10:15", f.Rule, f.File, f.Line, f.Column, patch)
	}
	if f.Object.Kind != "VirtualService" || f.Object.Namespace != "shop" || f.Object.Name != "reviews" {
		t.Errorf("object %+v", f.Object)
	}

	// The text report shows the patch's line.
	r = run(t, root, "", "--color", "never", "fixtures/kustomize/overlays/prod")
	if !strings.Contains(r.stdout, patch+":10:15: warning MR101 http[0] weights add up to 110") ||
		!strings.Contains(r.stdout, "          weight: 90\n") {
		t.Errorf("text output:\n%s", r.stdout)
	}
}

// TestKustomizeRefused checks that builds that would fetch or run something
// exit 2 with a message naming the kustomization file and line.
func TestKustomizeRefused(t *testing.T) {
	for _, tc := range []struct {
		name, kustomization, want string
	}{
		{"remote base", "resources:\n- https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v3.3.1\n",
			`k/kustomization.yaml:2:3: error: remote resource "https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v3.3.1" is not supported: meshlint builds kustomizations offline`},
		{"helm", "helmCharts:\n- name: istiod\n  repo: https://istio-release.storage.googleapis.com/charts\n",
			`k/kustomization.yaml:1:1: error: helm chart inflation (helmCharts) is not supported`},
		{"exec plugin", "transformers:\n- |-\n  apiVersion: example.com/v1\n  kind: Weights\n  metadata:\n    name: w\n    annotations:\n      config.kubernetes.io/function: |\n        exec: {path: ./weights}\n",
			`k/kustomization.yaml:2:3: error: Weights w runs an exec function`},
		{"outside the root", "resources:\n- ../vs.yaml\n",
			`k/kustomization.yaml:2:3: error: resource "../vs.yaml" is outside the kustomization's directory k`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "k"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "k", "kustomization.yaml"), []byte(tc.kustomization), 0o644); err != nil {
				t.Fatal(err)
			}
			vs := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts: [reviews]\n"
			if err := os.WriteFile(filepath.Join(dir, "vs.yaml"), []byte(vs), 0o644); err != nil {
				t.Fatal(err)
			}
			r := run(t, dir, "", "--color", "never", "k")
			if r.code != ExitError {
				t.Errorf("exit %d, want %d", r.code, ExitError)
			}
			if !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, r.stdout, r.stderr)
			}
		})
	}
}

// TestKustomizeSuppressInPatch checks that an ignore comment in a patch
// file suppresses the finding reported at that patch line.
func TestKustomizeSuppressInPatch(t *testing.T) {
	dir := copyTreeTo(t, "fixtures/kustomize")
	patch := filepath.Join(dir, "overlays", "prod", "canary-weights.yaml")
	b, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "weight: 90\n", "weight: 90 # meshlint:ignore MR101 the 90/20 split is deliberate\n", 1))
	if err := os.WriteFile(patch, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "--fail-on", "warning", "overlays/prod")
	if r.code != ExitClean || !strings.Contains(r.stdout, "1 suppressed") {
		t.Errorf("exit %d, want 0 with one suppressed finding:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestKustomizeBaseDirectiveOnce builds one base in two overlays: the base's
// directives are read once per overlay, but each is written once. One that
// suppresses a finding in one overlay only is not stale, and one that
// suppresses nothing in either is reported once.
func TestKustomizeBaseDirectiveOnce(t *testing.T) {
	dir := copyTreeTo(t, "fixtures/kustomize")
	edit := func(name, old, repl string) {
		t.Helper()
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s holds no %q", name, old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, repl, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// prod's patch makes the weights add up to 110; staging keeps the
	// base's 90/10.
	edit("base/routing.yaml", "  http:\n", "  http: # meshlint:ignore MR101 -- the canary split is set per overlay\n")
	edit("base/routing.yaml", "  host: reviews\n", "  host: reviews # meshlint:ignore MR110 -- stale on purpose\n")
	if err := os.MkdirAll(filepath.Join(dir, "overlays", "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "overlays", "staging", "kustomization.yaml"),
		[]byte("resources:\n- ../../base\nnamespace: staging\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edit("overlays/prod/kustomization.yaml", "resources:", "namespace: prod\nresources:")
	r := run(t, dir, "", "--format", "json", ".")
	var stale []string
	for _, f := range findingsOf(t, r) {
		if f.Rule == "MR901" {
			stale = append(stale, f.pos()+" "+f.Message)
		}
	}
	if len(stale) != 1 || !strings.Contains(stale[0], "MR110") {
		t.Errorf("MR901 findings:\n%s\nwant one, for the MR110 directive", strings.Join(stale, "\n"))
	}
	if !strings.Contains(r.stdout, `"suppressed": 1`) {
		t.Errorf("want prod's MR101 finding suppressed:\n%s", r.stdout)
	}
}

// copyTreeTo copies the repository's tree rel, subfolders and all, to a
// temporary folder, and returns it.
func copyTreeTo(t *testing.T, rel string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(repoDir(t, rel))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestKustomizeDeprecationWarnings checks that a kustomization's deprecated
// fields are warned about on stderr, each at its file and line as
// meshlint's other messages are, without changing the exit code or
// reaching stdout, where the JSON report stays alone.
func TestKustomizeDeprecationWarnings(t *testing.T) {
	dir := tree(t, map[string]string{
		"base/kustomization.yaml":          "resources:\n- app.yaml\ncommonLabels:\n  team: shop\n",
		"base/app.yaml":                    canary,
		"overlays/prod/kustomization.yaml": "bases:\n- ../../base\npatchesStrategicMerge:\n- weights.yaml\npatchesJson6902:\n- target: {group: networking.istio.io, version: v1, kind: VirtualService, name: reviews}\n  path: host.yaml\n",
		"overlays/prod/weights.yaml":       "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: shop\n  labels: {patched: smp}\n",
		"overlays/prod/host.yaml":          "- op: add\n  path: /metadata/annotations\n  value: {patched: json}\n",
	})
	fix := " (kustomize edit fix rewrites it)\n"
	want := "meshlint: base/kustomization.yaml:3:1: warning: kustomize: 'commonLabels' is deprecated; use 'labels'" + fix +
		"meshlint: overlays/prod/kustomization.yaml:1:1: warning: kustomize: 'bases' is deprecated; use 'resources'" + fix +
		"meshlint: overlays/prod/kustomization.yaml:3:1: warning: kustomize: 'patchesStrategicMerge' is deprecated; use 'patches'" + fix +
		"meshlint: overlays/prod/kustomization.yaml:5:1: warning: kustomize: 'patchesJson6902' is deprecated; use 'patches'" + fix
	// The canary's MR101 warning is below the default fail-on: exit 0.
	for _, args := range [][]string{
		{"--format", "json", "overlays/prod"},
		{"--format", "sarif", "overlays/prod"},
		{"reach", "--format", "json", "overlays/prod"},
	} {
		r := run(t, dir, "", args...)
		if r.code != ExitClean || r.stderr != want {
			t.Errorf("meshlint %s: exit %d, stderr:\n%s\nwant exit 0 and:\n%s", strings.Join(args, " "), r.code, r.stderr, want)
		}
		var out any
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || strings.Contains(r.stdout, "kustomize edit fix") {
			t.Errorf("meshlint %s: stdout is not the JSON report alone (%v)", strings.Join(args, " "), err)
		}
	}
}
