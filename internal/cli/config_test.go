package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// canary has one MR101 warning: weights adding up to 110.
const canary = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 90
    - destination: {host: ratings}
      weight: 20
`

// crossNamespaceSubset routes clients of namespace web to a subset that a
// DestinationRule in shop defines: fine while the DestinationRule is
// exported everywhere (Istio's default), MR103 when the mesh default
// exportTo for DestinationRules is ".".
const crossNamespaceSubset = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{port: 80, name: http}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews.shop.svc.cluster.local
  subsets:
  - name: v1
    labels: {version: v1}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: web}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http:
  - route:
    - destination: {host: reviews.shop.svc.cluster.local, subset: v1}
`

// tree writes files (slash-separated relative path → content) to a new
// temporary directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	ruletest.WriteTree(t, dir, files)
	return dir
}

func TestConfigFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		dir    string // working directory below the tree, "" for its root
		args   []string
		want   int
		stderr string // a substring of stderr
	}{
		{name: "no config: the warning is below fail-on",
			files: map[string]string{"app.yaml": canary}, args: []string{"."}, want: ExitClean},
		{name: "fail-on from the file",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\n"},
			args:  []string{"."}, want: ExitFindings},
		{name: "found by walking up",
			files: map[string]string{"apps/shop/app.yaml": canary, ".meshlint.yaml": "fail-on: warning\n"},
			dir:   "apps/shop", args: []string{"."}, want: ExitFindings},
		{name: "rule disabled by the file",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nrules:\n  disable: [MR101]\n"},
			args:  []string{"."}, want: ExitClean},
		{name: "rule disabled by name",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nrules:\n  disable: [route-weights-not-100]\n"},
			args:  []string{"."}, want: ExitClean},
		{name: "only other rules enabled",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nrules:\n  enable: [MR102]\n"},
			args:  []string{"."}, want: ExitClean},
		{name: "severity raised to error",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "severity:\n  MR101: error\n"},
			args:  []string{"."}, want: ExitFindings},
		{name: "severity lowered to info",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nseverity:\n  route-weights-not-100: info\n"},
			args:  []string{"."}, want: ExitClean},
		{name: "ignored file",
			files: map[string]string{"app.yaml": canary, "vendor/bad.yaml": "kind: [", ".meshlint.yaml": "fail-on: warning\nignore-paths: [\"*.yaml\", vendor]\n"},
			args:  []string{"-v", "."}, want: ExitClean, stderr: "meshlint: ignored 2 paths (ignore-paths and settings files)"},
		{name: "ignored file named on the command line",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nignore-paths: [app.yaml]\n"},
			args:  []string{"app.yaml"}, want: ExitClean},
		{name: "ignore-paths are relative to the file",
			files: map[string]string{"apps/shop/app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nignore-paths: [apps/shop]\n"},
			dir:   "apps", args: []string{"-v", "shop"}, want: ExitClean, stderr: "meshlint: ignored shop\n"},
		{name: "ignore-paths elsewhere",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nignore-paths: [other.yaml]\n"},
			args:  []string{"."}, want: ExitFindings},
		{name: "flag beats fail-on",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\n"},
			args:  []string{"--fail-on", "error", "."}, want: ExitClean},
		{name: "flag --enable beats disable",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nrules:\n  disable: [MR101]\n"},
			args:  []string{"--enable", "MR101", "."}, want: ExitFindings},
		{name: "flag --disable adds to the file's",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nrules:\n  disable: [MR102]\n"},
			args:  []string{"--disable", "MR101", "."}, want: ExitClean},
		{name: "--no-config",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\n"},
			args:  []string{"--no-config", "--fail-on", "info", "."}, want: ExitFindings},
		{name: "--no-config ignores a broken file",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "sevrity: {}\n"},
			args:  []string{"--no-config", "."}, want: ExitClean},
		{name: "--config",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: none\n", "ci/strict.yaml": "fail-on: warning\n"},
			args:  []string{"--config", "ci/strict.yaml", "-v", "."}, want: ExitFindings, stderr: "meshlint: configuration from ci/strict.yaml\n"},
		{name: "--config and --no-config",
			files: map[string]string{"app.yaml": canary, "c.yaml": "\n"},
			args:  []string{"--config", "c.yaml", "--no-config", "."}, want: ExitError, stderr: "exclude each other"},
		{name: "missing --config file",
			files: map[string]string{"app.yaml": canary},
			args:  []string{"--config", "nope.yaml", "."}, want: ExitError, stderr: "meshlint: nope.yaml: cannot read"},
		{name: "unknown key",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: warning\nsevrity:\n  MR101: error\n"},
			args:  []string{"."}, want: ExitError, stderr: "meshlint: .meshlint.yaml:2: unknown key \"sevrity\" (did you mean \"severity\"?)\n"},
		{name: "unknown key in a parent directory's file",
			files: map[string]string{"apps/app.yaml": canary, ".meshlint.yaml": "mesh:\n  rootnamespace: x\n"},
			dir:   "apps", args: []string{"."}, want: ExitError, stderr: "meshlint: ../.meshlint.yaml:2: unknown key \"rootnamespace\" in mesh"},
		{name: "unknown rule",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "rules:\n  disable:\n    - MR101\n    - MR999\n"},
			args:  []string{"."}, want: ExitError, stderr: "meshlint: .meshlint.yaml:4: no rule \"MR999\""},
		{name: "every mistake reported",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: fatal\nseverity: {MR101: loud}\n"},
			args:  []string{"."}, want: ExitError, stderr: "meshlint: .meshlint.yaml:1: fail-on: unknown severity \"fatal\" (want error, warning, info or none)\nmeshlint: .meshlint.yaml:2: severity.MR101: unknown severity \"loud\""},
		{name: "namespace from the file",
			files: map[string]string{"app.yaml": strings.Replace(crossNamespaceSubset, "metadata: {name: reviews, namespace: web}", "metadata: {name: reviews}", 1),
				".meshlint.yaml": "namespace: web\nmesh:\n  default-export-to:\n    destination-rule: [\".\"]\n"},
			args: []string{"."}, want: ExitFindings},
		{name: "mesh default exportTo from the file",
			files: map[string]string{"app.yaml": crossNamespaceSubset, ".meshlint.yaml": "mesh:\n  default-export-to:\n    destination-rule: [\".\"]\n"},
			args:  []string{"."}, want: ExitFindings},
		{name: "mesh default exportTo: Istio's default",
			files: map[string]string{"app.yaml": crossNamespaceSubset},
			args:  []string{"--fail-on", "info", "."}, want: ExitClean},
		{name: "--mesh-config",
			files: map[string]string{"app.yaml": crossNamespaceSubset, "istio.yaml": "kind: ConfigMap\ndata:\n  mesh: |\n    defaultDestinationRuleExportTo: [\".\"]\n"},
			args:  []string{"--mesh-config", "istio.yaml", "."}, want: ExitFindings},
		{name: "mesh-config named by the file",
			files: map[string]string{"app.yaml": crossNamespaceSubset, "ci/.meshlint.yaml": "mesh-config: ../istio/mesh.yaml\n", "istio/mesh.yaml": "defaultDestinationRuleExportTo: [\".\"]\n"},
			args:  []string{"--config", "ci/.meshlint.yaml", "app.yaml"}, want: ExitFindings},
		// The file named is missing: the message says where it is named.
		{name: "mesh-config named by the file is missing",
			files: map[string]string{"app.yaml": crossNamespaceSubset, "ci/.meshlint.yaml": "version: 1\nmesh-config: ../istio/mesh.yaml\n"},
			args:  []string{"--config", "ci/.meshlint.yaml", "app.yaml"}, want: ExitError,
			stderr: "meshlint: ci/.meshlint.yaml:2: mesh-config: cannot read ../istio/mesh.yaml: "},
		{name: "mesh-config missing, found by walking up",
			files: map[string]string{"apps/app.yaml": crossNamespaceSubset, ".meshlint.yaml": "mesh-config: istio/mesh.yaml\n"},
			dir:   "apps", args: []string{"."}, want: ExitError,
			stderr: "meshlint: ../.meshlint.yaml:1: mesh-config: cannot read istio/mesh.yaml: "},
		{name: "mesh-config missing, with the file's other mistakes",
			files: map[string]string{"app.yaml": canary, ".meshlint.yaml": "fail-on: fatal\nmesh-config: nope.yaml\nrules:\n  disable: [MR999]\n"},
			args:  []string{"."}, want: ExitError,
			stderr: "meshlint: .meshlint.yaml:1: fail-on: unknown severity \"fatal\" (want error, warning, info or none)\n" +
				"meshlint: .meshlint.yaml:2: mesh-config: cannot read nope.yaml: "},
		{name: "mesh-config missing but overridden by --mesh-config",
			files: map[string]string{"app.yaml": crossNamespaceSubset, "mesh.yaml": "defaultDestinationRuleExportTo: [\".\"]\n", ".meshlint.yaml": "mesh-config: nope.yaml\n"},
			args:  []string{"--mesh-config", "mesh.yaml", "."}, want: ExitFindings},
		{name: "the file's mesh settings beat its mesh-config",
			files: map[string]string{"app.yaml": crossNamespaceSubset, "mesh.yaml": "defaultDestinationRuleExportTo: [\".\"]\n",
				".meshlint.yaml": "mesh-config: mesh.yaml\nmesh:\n  default-export-to:\n    destination-rule: [\"*\"]\n"},
			args: []string{"."}, want: ExitClean},
		{name: "--mesh-config beats the file",
			files: map[string]string{"app.yaml": crossNamespaceSubset, "mesh.yaml": "defaultDestinationRuleExportTo: [\".\"]\n",
				".meshlint.yaml": "mesh:\n  default-export-to:\n    destination-rule: [\"*\"]\n"},
			args: []string{"--mesh-config", "mesh.yaml", "."}, want: ExitFindings},
		{name: "bad --mesh-config",
			files: map[string]string{"app.yaml": canary, "mesh.yaml": "rootNamespace: istio-system\nenableAutoMTLS: false\n"},
			args:  []string{"--mesh-config", "mesh.yaml", "."}, want: ExitError, stderr: "meshlint: mesh.yaml:2: unknown key \"enableAutoMTLS\" (did you mean \"enableAutoMtls\"?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := tree(t, tc.files)
			r := run(t, filepath.Join(root, filepath.FromSlash(tc.dir)), "", tc.args...)
			if r.code != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.want, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr does not hold %q:\n%s", tc.stderr, r.stderr)
			}
		})
	}
}

// TestConfigSeverityInOutput checks that an overridden severity is the one
// reported.
func TestConfigSeverityInOutput(t *testing.T) {
	dir := tree(t, map[string]string{"app.yaml": canary, ".meshlint.yaml": "severity:\n  MR101: error\n"})
	r := run(t, dir, "", "--format", "json", ".")
	if r.code != ExitFindings {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	var out struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(out.Findings) != 1 || out.Findings[0].Severity != "error" {
		t.Errorf("findings %+v, want one MR101 at error\n%s", out.Findings, r.stdout)
	}
}

func TestConfigInit(t *testing.T) {
	dir := tree(t, map[string]string{"app.yaml": canary})
	if r := run(t, dir, "", "config", "init"); r.code != ExitClean || !strings.Contains(r.stderr, "wrote .meshlint.yaml") {
		t.Fatalf("config init: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".meshlint.yaml"))
	if err != nil || string(data) != config.Template {
		t.Fatalf("written file differs from the template (%v)", err)
	}
	// The written file loads back, and changes nothing: the same result
	// as without a configuration file.
	with := run(t, dir, "", "-v", "--fail-on", "warning", ".")
	without := run(t, dir, "", "--no-config", "--fail-on", "warning", ".")
	if with.code != ExitFindings || with.stdout != without.stdout || !strings.Contains(with.stderr, "configuration from .meshlint.yaml") {
		t.Errorf("lint with the default file: exit %d\nstdout:\n%s\nstderr:\n%s\nwithout it:\n%s", with.code, with.stdout, with.stderr, without.stdout)
	}

	// It refuses to overwrite, unless --force.
	if err := os.WriteFile(filepath.Join(dir, ".meshlint.yaml"), []byte("fail-on: none\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, dir, "", "config", "init"); r.code != ExitError || !strings.Contains(r.stderr, ".meshlint.yaml already exists") {
		t.Errorf("second init: exit %d\n%s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".meshlint.yaml")); string(data) != "fail-on: none\n" {
		t.Error("init overwrote the file without --force")
	}
	if r := run(t, dir, "", "config", "init", "--force"); r.code != ExitClean {
		t.Errorf("init --force: exit %d\n%s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".meshlint.yaml")); string(data) != config.Template {
		t.Error("init --force did not write the template")
	}

	// Another name, and stdout.
	if r := run(t, dir, "", "config", "init", "ci/meshlint.yaml"); r.code != ExitError {
		t.Errorf("init into a missing directory: exit %d", r.code)
	}
	if r := run(t, dir, "", "config", "init", "other.yaml"); r.code != ExitClean {
		t.Errorf("init other.yaml: exit %d\n%s", r.code, r.stderr)
	}
	if r := run(t, dir, "", "config", "init", "-"); r.code != ExitClean || r.stdout != config.Template {
		t.Errorf("init -: exit %d\n%s", r.code, r.stdout)
	}
}

func TestConfigUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"config"}, ExitError},
		{[]string{"config", "frobnicate"}, ExitError},
		{[]string{"config", "--help"}, ExitClean},
		{[]string{"config", "init", "a.yaml", "b.yaml"}, ExitError},
	} {
		if r := run(t, t.TempDir(), "", tc.args...); r.code != tc.want {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, r.code, tc.want, r.stderr)
		}
	}
}
