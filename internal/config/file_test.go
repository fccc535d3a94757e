package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, ".meshlint.yaml"), "fail-on: warning\n")
	write(t, filepath.Join(root, "a", ".meshlint.yml"), "fail-on: info\n")

	if got, want := Find(deep), filepath.Join(root, "a", ".meshlint.yml"); got != want {
		t.Errorf("Find(a/b/c) = %q, want the nearest file %q", got, want)
	}
	if got, want := Find(root), filepath.Join(root, ".meshlint.yaml"); got != want {
		t.Errorf("Find(root) = %q, want %q", got, want)
	}
	// .yaml is preferred over .yml in one directory.
	write(t, filepath.Join(root, "a", ".meshlint.yaml"), "fail-on: none\n")
	if got, want := Find(deep), filepath.Join(root, "a", ".meshlint.yaml"); got != want {
		t.Errorf("Find with both names = %q, want %q", got, want)
	}
	// A directory named like the file is not a configuration file.
	dirOnly := t.TempDir()
	if err := os.Mkdir(filepath.Join(dirOnly, ".meshlint.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Find(dirOnly); strings.HasPrefix(got, dirOnly) {
		t.Errorf("Find took the directory %q for a file", got)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ci", "meshlint.yaml")
	write(t, p, `version: 1
rules:
  enable: [MR101, route-subset-undefined]
  disable:
    - MR402
severity:
  MR101: error
  gateway-unresolved: warn
ignore-paths:
  - vendor
  - "**/*.generated.yaml"
fail-on: warning
namespace: shop
closed-world: true
mesh-config: ../istio/mesh.yaml
mesh:
  root-namespace: istio-config
  cluster-domain: corp.local
  trust-domain: example.org
  default-export-to:
    service: ["."]
    virtual-service: [".", istio-system]
    destination-rule: ["~"]
  outbound-traffic-policy: REGISTRY_ONLY
  enable-auto-mtls: false
  scope-gateway-to-namespace: true
flagger:
  mesh-provider: gatewayapi:v1beta1
  selector-labels: [app.kubernetes.io/name, app]
kubernetes:
  version: 1.30
`)
	f, err := ReadFile(p, "ci/meshlint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	want := &File{
		Path:        "ci/meshlint.yaml",
		Dir:         filepath.Join(dir, "ci"),
		Enable:      []RuleRef{{"MR101", 3}, {"route-subset-undefined", 3}},
		Disable:     []RuleRef{{"MR402", 5}},
		Severity:    []SeverityOverride{{RuleRef{"MR101", 7}, "error"}, {RuleRef{"gateway-unresolved", 8}, "warning"}},
		FailOn:      "warning",
		Namespace:   "shop",
		ClosedWorld: &yes,
		MeshConfig:  filepath.Join(dir, "istio", "mesh.yaml"),
		// As written, for the message when it cannot be read.
		meshConfigWritten: "../istio/mesh.yaml",
		meshConfigLine:    15,
		Mesh: MeshSettings{
			RootNamespace: "istio-config", ClusterDomain: "corp.local", TrustDomain: "example.org",
			DefaultServiceExportTo:         []string{"."},
			DefaultVirtualServiceExportTo:  []string{".", "istio-system"},
			DefaultDestinationRuleExportTo: []string{"~"},
			OutboundTrafficPolicy:          RegistryOnly,
			EnableAutoMTLS:                 &no,
			ScopeGatewayToNamespace:        &yes,
			FlaggerMeshProvider:            "gatewayapi:v1beta1",
			FlaggerSelectorLabels:          []string{"app.kubernetes.io/name", "app"},
			// Unquoted, a YAML float whose text is kept: 1.30, not 1.3.
			KubernetesMinor: 30,
		},
	}
	globs := f.IgnorePaths
	f.IgnorePaths = nil
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ReadFile =\n%+v\nwant\n%+v", f, want)
	}
	if len(globs) != 2 || globs[0].Pattern != "vendor" || globs[1].Pattern != "**/*.generated.yaml" {
		t.Errorf("ignore-paths = %v", globs)
	}

	m := DefaultMesh()
	f.Mesh.Apply(&m)
	if m.RootNamespace != "istio-config" || m.AutoMTLS() || m.OutboundTrafficPolicy != RegistryOnly ||
		!reflect.DeepEqual(m.DefaultServiceExportTo, []string{"."}) || !m.ScopeGatewayToNamespace ||
		m.FlaggerMeshProvider != "gatewayapi:v1beta1" || m.Kubernetes() != 30 ||
		!reflect.DeepEqual(m.FlaggerLabels(), []string{"app.kubernetes.io/name", "app"}) {
		t.Errorf("Apply: %+v", m)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	for _, content := range []string{"", "# nothing yet\n", "---\n", "mesh:\nrules:\n"} {
		f, err := Parse(".meshlint.yaml", []byte(content))
		if err != nil {
			t.Errorf("%q: %v", content, err)
			continue
		}
		want := &File{Path: ".meshlint.yaml"}
		if !reflect.DeepEqual(f, want) {
			t.Errorf("%q: got %+v, want nothing set", content, f)
		}
	}
}

// TestMeshConfigUnreadable checks that a mesh-config that cannot be read
// is reported at its line of the configuration file, with the path as
// written there: the MeshConfig's name alone does not say which setting to
// correct.
func TestMeshConfigUnreadable(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ci", ".meshlint.yaml"), "version: 1\n\nmesh-config:   ../istio/mesh.yaml\n")
	write(t, filepath.Join(dir, "dir", ".meshlint.yaml"), "mesh-config: .\n")
	for _, tc := range []struct{ file, want string }{
		{"ci/.meshlint.yaml", "ci/.meshlint.yaml:3: mesh-config: cannot read ../istio/mesh.yaml: "},
		{"dir/.meshlint.yaml", "dir/.meshlint.yaml:1: mesh-config: cannot read .: "},
	} {
		f, err := ReadFile(filepath.Join(dir, filepath.FromSlash(tc.file)), tc.file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.ReadMeshConfigData()
		var e *Error
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errors.As(err, &e) {
			t.Errorf("%s: ReadMeshConfigData: %v, want an *Error starting %q", tc.file, err, tc.want)
		}
	}
	write(t, filepath.Join(dir, "istio", "mesh.yaml"), "rootNamespace: istio-config\n")
	f, err := ReadFile(filepath.Join(dir, "ci", ".meshlint.yaml"), "ci/.meshlint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := f.ReadMeshConfigData(); err != nil || string(data) != "rootNamespace: istio-config\n" {
		t.Errorf("ReadMeshConfigData = %q, %v", data, err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope.yaml"), "nope.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "nope.yaml: cannot read") {
		t.Errorf("err = %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          []string // every line of the error, in order
	}{
		{"unknown key", "fail-on: error\n\n# severities\nsevrity:\n  MR101: error\n",
			[]string{`.meshlint.yaml:4: unknown key "sevrity" (did you mean "severity"?)`}},
		{"unknown key without suggestion", "frobnicate: true\n",
			[]string{`.meshlint.yaml:1: unknown key "frobnicate"`}},
		{"unknown nested key", "mesh:\n  root-namespace: x\n  rootNamespace: y\n",
			[]string{`.meshlint.yaml:3: unknown key "rootNamespace" in mesh (did you mean "root-namespace"?)`}},
		{"unknown rules key", "rules:\n  exclude: [MR101]\n",
			[]string{`.meshlint.yaml:2: unknown key "exclude" in rules`}},
		{"bad severity", "severity:\n  MR101: fatal\n",
			[]string{`.meshlint.yaml:2: severity.MR101: unknown severity "fatal" (want error, warning or info)`}},
		{"null severity", "severity:\n  MR101:\n",
			[]string{`.meshlint.yaml:2: severity.MR101: want error, warning or info`}},
		{"severity list", "severity: [MR101]\n",
			[]string{`.meshlint.yaml:1: severity: want a mapping, got a list`}},
		{"bad glob", "ignore-paths:\n  - vendor\n  - \"[abc\"\n",
			[]string{`.meshlint.yaml:3: ignore-paths: "[abc": malformed pattern (check the [ ] brackets and \ escapes)`}},
		{"absolute glob", "ignore-paths: [/etc]\n",
			[]string{`.meshlint.yaml:1: ignore-paths: "/etc": patterns are relative to the configuration file's directory; drop the leading /`}},
		{"parent glob", "ignore-paths: [../x]\n",
			[]string{`.meshlint.yaml:1: ignore-paths: "../x": ".." is not allowed: patterns only match below the configuration file's directory`}},
		{"glob not a list", "ignore-paths: vendor\n",
			[]string{`.meshlint.yaml:1: ignore-paths: want a list, got "vendor"`}},
		{"wrong type", "fail-on: 3\n",
			[]string{`.meshlint.yaml:1: fail-on: want a string, got an integer (3)`}},
		{"bad fail-on", "fail-on: fatal\n",
			[]string{`.meshlint.yaml:1: fail-on: unknown severity "fatal" (want error, warning, info or none)`}},
		{"closed-world not a bool", "closed-world: \"yes\"\n",
			[]string{`.meshlint.yaml:1: closed-world: want true or false, got "yes"`}},
		{"fail-on a YAML 1.1 boolean", "fail-on: no\n",
			[]string{`.meshlint.yaml:1: fail-on: want a string, got a boolean (Kubernetes reads the unquoted no as the boolean false; quote it)`}},
		{"rule not a string", "rules:\n  disable: [MR101, 7]\n",
			[]string{`.meshlint.yaml:2: rules.disable[1]: want a string, got an integer (7)`}},
		{"bad namespace", "namespace: Shop_1\n",
			[]string{`.meshlint.yaml:1: namespace: "Shop_1" is not a valid namespace name`}},
		{"bad exportTo", "mesh:\n  default-export-to:\n    service: [\"*\", \".\"]\n",
			[]string{`.meshlint.yaml:3: mesh.default-export-to.service: "*" cannot be combined with other values`}},
		{"bad outbound mode", "mesh:\n  outbound-traffic-policy: allow_any\n",
			[]string{`.meshlint.yaml:2: mesh.outbound-traffic-policy: unknown mode "allow_any" (want ALLOW_ANY, REGISTRY_ONLY, ALLOW_ANY_DYNAMIC_DNS)`}},
		{"duplicate key", "fail-on: error\nfail-on: warning\n",
			[]string{`.meshlint.yaml:2: duplicate key "fail-on"`}},
		{"version", "version: 2\n",
			[]string{`.meshlint.yaml:1: version: unsupported version 2 (this meshlint reads version 1)`}},
		{"version not an integer", "version: [1]\n",
			[]string{`.meshlint.yaml:1: version: want the integer 1, got a list`}},
		{"not a mapping", "- MR101\n",
			[]string{`.meshlint.yaml:1: want a mapping, got a list`}},
		{"two documents", "fail-on: error\n---\nfail-on: warning\n",
			[]string{`.meshlint.yaml:2: holds more than one YAML document`}},
		{"syntax error", "fail-on: error\nnamespace: : x\n",
			[]string{`.meshlint.yaml:2: mapping values are not allowed in this context`}},
		{"scope-gateway-to-namespace not a boolean", "mesh:\n  scope-gateway-to-namespace: namespace\n",
			[]string{`.meshlint.yaml:2: mesh.scope-gateway-to-namespace: want true or false, got "namespace"`}},
		{"flagger mesh-provider typo", "flagger:\n  mesh-provider: linkred\n",
			[]string{`.meshlint.yaml:2: flagger.mesh-provider: Flagger knows no mesh provider "linkred" (did you mean "linkerd"?)`}},
		{"flagger mesh-provider without version", "flagger:\n  mesh-provider: gatewayapi\n",
			[]string{`.meshlint.yaml:2: flagger.mesh-provider: Flagger knows no mesh provider "gatewayapi" (want istio, linkerd, appmesh, ` +
				`appmesh:v1beta2, contour, gloo, nginx, skipper, traefik, apisix, osm, kuma, kubernetes, smi:v1alpha1, smi:v1alpha2, ` +
				`smi:v1alpha3, gatewayapi:v1 or gatewayapi:v1beta1)`}},
		{"flagger mesh-provider not a string", "flagger:\n  mesh-provider: [istio]\n",
			[]string{`.meshlint.yaml:2: flagger.mesh-provider: want a string, got a list`}},
		{"flagger selector-labels twice", "flagger:\n  selector-labels: [app, name, app]\n",
			[]string{`.meshlint.yaml:2: flagger.selector-labels: "app" is listed twice`}},
		{"flagger selector-labels not a label key", "flagger:\n  selector-labels: [app, \"app name\"]\n",
			[]string{`.meshlint.yaml:2: flagger.selector-labels: "app name" is not a label key: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}},
		{"flagger selector-labels empty", "flagger:\n  selector-labels: []\n",
			[]string{`.meshlint.yaml:2: flagger.selector-labels: want at least one label`}},
		{"flagger selector-labels a string", "flagger:\n  selector-labels: app,name\n",
			[]string{`.meshlint.yaml:2: flagger.selector-labels: want a list, got "app,name"`}},
		{"flagger unknown key", "flagger:\n  provider: istio\n",
			[]string{`.meshlint.yaml:2: unknown key "provider" in flagger`}},
		{"kubernetes version with a patch", "kubernetes:\n  version: 1.35.2\n",
			[]string{`.meshlint.yaml:2: kubernetes.version: "1.35.2" is not a Kubernetes version 1.N, such as "1.37" (did you mean "1.35"?)`}},
		{"kubernetes version with a v", "kubernetes:\n  version: v1.36\n",
			[]string{`.meshlint.yaml:2: kubernetes.version: "v1.36" is not a Kubernetes version 1.N, such as "1.37" (did you mean "1.36"?)`}},
		{"kubernetes version 2", "kubernetes:\n  version: \"2.0\"\n",
			[]string{`.meshlint.yaml:2: kubernetes.version: "2.0" is not a Kubernetes version 1.N, such as "1.37"`}},
		{"kubernetes version leading zero", "kubernetes:\n  version: 1.035\n",
			[]string{`.meshlint.yaml:2: kubernetes.version: "1.035" is not a Kubernetes version 1.N, such as "1.37"`}},
		{"kubernetes version an integer", "kubernetes:\n  version: 135\n",
			[]string{`.meshlint.yaml:2: kubernetes.version: want a Kubernetes version such as "1.37", got an integer (135)`}},
		{"kubernetes unknown key", "kubernetes:\n  release: \"1.35\"\n",
			[]string{`.meshlint.yaml:2: unknown key "release" in kubernetes`}},
		{"every mistake at once", "fail-on: fatal\nsevrity: {}\nmesh:\n  enable-auto-mtls: 1\n", []string{
			`.meshlint.yaml:1: fail-on: unknown severity "fatal" (want error, warning, info or none)`,
			`.meshlint.yaml:2: unknown key "sevrity" (did you mean "severity"?)`,
			`.meshlint.yaml:4: mesh.enable-auto-mtls: want true or false, got an integer (1)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(".meshlint.yaml", []byte(tc.content))
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("error:\n%s\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestIgnored(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".meshlint.yaml"), "ignore-paths: [vendor, \"**/*.gen.yaml\", \"apps/*/secrets.yaml\"]\n")
	f, err := ReadFile(filepath.Join(dir, ".meshlint.yaml"), "")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"vendor":                       true,
		"vendor/istio/vs.yaml":         true,
		"vendorx/vs.yaml":              false,
		"x.gen.yaml":                   true,
		"deep/down/x.gen.yaml":         true,
		"apps/shop/secrets.yaml":       true,
		"apps/shop/other/secrets.yaml": false,
		"apps/shop/vs.yaml":            false,
		"../outside/vendor/x.yaml":     false,
	} {
		if got := f.Ignored(filepath.Join(dir, filepath.FromSlash(path))); got != want {
			t.Errorf("Ignored(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestFileErrorf(t *testing.T) {
	f := &File{Path: "conf/.meshlint.yaml"}
	if got := f.Errorf(4, "no rule %q", "MR999").Error(); got != `conf/.meshlint.yaml:4: no rule "MR999"` {
		t.Errorf("Errorf = %s", got)
	}
}

// TestParseErrorsKeepTheFile checks that a file with mistakes comes back
// with what could be read, so that the caller's own checks (rule names)
// join the parser's errors in line order, as docs/config.md shows them.
func TestParseErrorsKeepTheFile(t *testing.T) {
	f, err := Parse(".meshlint.yaml", []byte("sevrity: {}\nrules:\n  disable: [MR999]\nfail-on: fatal\n"))
	if err == nil || f == nil {
		t.Fatalf("Parse = %v, %v; want the file and an error", f, err)
	}
	if len(f.Disable) != 1 || f.Disable[0] != (RuleRef{Name: "MR999", Line: 3}) {
		t.Fatalf("Disable = %v, want MR999 at line 3", f.Disable)
	}
	got := Join(err, f.Errorf(3, "no rule %q", "MR999")).Error()
	want := `.meshlint.yaml:1: unknown key "sevrity" (did you mean "severity"?)
.meshlint.yaml:3: no rule "MR999"
.meshlint.yaml:4: fail-on: unknown severity "fatal" (want error, warning, info or none)`
	if got != want {
		t.Errorf("Join:\n%s\nwant:\n%s", got, want)
	}
	if Join(nil, nil) != nil {
		t.Error("Join of nothing is not nil")
	}
}
