package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Dir: dir,
		IsTerminal: func(io.Writer) bool { return false },
	}
	code := Run(args, env)
	return result{code, out.String(), errb.String()}
}

func testdata(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestExitCodes(t *testing.T) {
	td := testdata(t)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"clean", []string{"clean"}, ExitClean},
		{"warning below fail-on error", []string{"weights"}, ExitClean},
		{"warning at fail-on warning", []string{"--fail-on", "warning", "weights"}, ExitFindings},
		{"flags after the path", []string{"weights", "--fail-on=warning"}, ExitFindings},
		{"fail-on none", []string{"--fail-on", "none", "weights"}, ExitClean},
		{"rule disabled", []string{"--fail-on", "warning", "--disable", "MR101", "weights"}, ExitClean},
		{"rule disabled by name", []string{"--fail-on", "warning", "--disable", "route-weights-not-100", "weights"}, ExitClean},
		{"missing path", []string{"does-not-exist"}, ExitError},
		{"bad format", []string{"--format", "xml", "clean"}, ExitError},
		{"bad fail-on", []string{"--fail-on", "fatal", "clean"}, ExitError},
		{"unknown rule", []string{"--disable", "MR999", "clean"}, ExitError},
		{"unknown flag", []string{"--frobnicate", "clean"}, ExitError},
		{"two formats to stdout", []string{"--format", "json", "--format", "sarif", "clean"}, ExitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, td, "", tc.args...)
			if r.code != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata(t), "weights", "canary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, testdata(t), string(data), "--format", "json", "--fail-on", "warning", "-")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"file": "<stdin>"`) || !strings.Contains(r.stdout, "MR101") {
		t.Errorf("stdin finding missing from JSON:\n%s", r.stdout)
	}
}

func TestSeveralOutputs(t *testing.T) {
	dir := t.TempDir()
	td := testdata(t)
	sarif := filepath.Join(dir, "out.sarif")
	r := run(t, td, "", "--format", "sarif", "--output", sarif, "--format", "github", "weights")
	if r.code != ExitClean {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || doc["version"] != "2.1.0" {
		t.Errorf("SARIF file not written properly: %v\n%s", err, b)
	}
	// The path is relative to the git work tree that holds testdata, if
	// any (sourceRoot).
	if !regexp.MustCompile(`::warning file=(\S*/)?weights/canary\.yaml,line=11`).MatchString(r.stdout) {
		t.Errorf("github annotations missing on stdout:\n%s", r.stdout)
	}
}

// TestBrokenInput feeds a corpus of broken files next to a good one: every
// problem is reported with its file and line in every format, the good
// file is still analysed, nothing panics, and the exit code is 2.
func TestBrokenInput(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(testdata(t), "broken"), dir)
	if err := os.WriteFile(filepath.Join(dir, "binary.yaml"), []byte("apiVersion: v1\x00\x01\x02"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(dir, "sub", "parent")); err != nil {
		t.Fatal(err)
	}
	fifo := mkfifo(filepath.Join(dir, "pipe.yaml"))
	if fifo != nil && !errors.Is(fifo, errors.ErrUnsupported) {
		t.Fatal(fifo)
	}
	wantErrors := []string{
		`malformed\.yaml:9:\d+`,
		`wrongtype\.yaml:10:15: .*expected an integer, got "ten"`,
		`unknownkind\.yaml:2:7: .*unknown kind "VirtualServce"`,
		`notobject\.yaml:1:1: .*not a Kubernetes object`,
		`nokind\.yaml:1:1: .*no apiVersion and kind`,
		`tabs\.yaml:\d+:\d+: .*invalid YAML`,
		`invalid-utf8\.yaml`,
		`binary\.yaml: .*binary file`,
		`loop: .*symlink loop`,
		`parent: .*symlink loop`,
		`deep-alias\.yaml:\d+:\d+`,
		`missing\.yaml: .*cannot read`,
	}
	if fifo == nil {
		wantErrors = append(wantErrors, `pipe\.yaml: .*not a regular file`)
	}
	for _, format := range []string{"text", "json", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			// notobject.yaml, met in the walk alone, would be skipped
			// as another tool's YAML: named too, it is an error.
			r := run(t, dir, "", "--format", format, ".", "missing.yaml", "notobject.yaml")
			if r.code != ExitError {
				t.Errorf("exit %d, want 2", r.code)
			}
			if strings.Contains(r.stderr, "panic") {
				t.Fatalf("panicked:\n%s", r.stderr)
			}
			out := r.stdout
			if format == "json" || format == "sarif" {
				out = unescapeJSON(out)
			}
			for _, w := range wantErrors {
				re := regexp.MustCompile(w)
				if format == "github" {
					// Annotations carry file and line as properties.
					file := strings.SplitN(w, `\.yaml`, 2)[0]
					file = strings.SplitN(file, ":", 2)[0]
					re = regexp.MustCompile(`::error file=[^\n]*` + regexp.QuoteMeta(strings.ReplaceAll(file, `\`, "")))
				}
				if format == "sarif" || format == "json" {
					file := strings.SplitN(w, ":", 2)[0]
					re = regexp.MustCompile(file)
				}
				if !re.MatchString(out) {
					t.Errorf("no error matching %s in %s output:\n%s", w, format, out)
				}
			}
			// The VirtualService after the syntax error is still linted.
			if !strings.Contains(out, "MR101") {
				t.Errorf("the good document after the syntax error was not analysed:\n%s", out)
			}
			for _, ok := range []string{"crlf-ok", "bom-ok"} {
				if regexp.MustCompile(ok + `\.yaml:\d+:\d+: error:`).MatchString(out) {
					t.Errorf("%s.yaml should load cleanly:\n%s", ok, out)
				}
			}
		})
	}
}

func unescapeJSON(s string) string {
	return strings.NewReplacer(`\"`, `"`, `\u003c`, "<", `\u003e`, ">").Replace(s)
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRulesCommand(t *testing.T) {
	r := run(t, ".", "", "rules", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no rules listed")
	}
	for _, k := range []string{"id", "name", "severity", "summary", "related"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("rules JSON lacks %q: %v", k, list[0])
		}
	}
	r = run(t, ".", "", "rules")
	if r.code != 0 || !strings.Contains(r.stdout, "MR101") {
		t.Errorf("text catalogue: exit %d\n%s", r.code, r.stdout)
	}
}

func TestExplain(t *testing.T) {
	for _, arg := range []string{"MR101", "mr101", "route-weights-not-100"} {
		r := run(t, ".", "", "explain", arg)
		if r.code != 0 || !strings.Contains(r.stdout, "# MR101 route-weights-not-100") || !strings.Contains(r.stdout, "## Fails") {
			t.Errorf("explain %s: exit %d\n%s%s", arg, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, ".", "", "explain", "MR999"); r.code != ExitError {
		t.Errorf("explain of an unknown rule: exit %d", r.code)
	}
}

// TestMetadataTypeSaidOnce checks that a label value of the wrong type in
// an object's own metadata is reported once, as the input error the loader
// gives, not again by MR001; in a pod template, which the loader does not
// read, MR001 reports it.
func TestMetadataTypeSaidOnce(t *testing.T) {
	in := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: yes}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, canary: no}}
    spec: {containers: [{name: web, image: web}]}
`
	r := run(t, "", in, "--format", "text", "--color", "never", "-")
	if n := strings.Count(r.stdout, ":6:17:"); n != 1 {
		t.Errorf("%d reports at the label value 6:17, want 1 (the input error):\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stdout, ":10:43: error MR001") {
		t.Errorf("want MR001 at the pod template's label 10:43:\n%s", r.stdout)
	}
}

// TestOtherToolsYAMLSkipped: linting a repository's root meets YAML that
// is not Kubernetes (compose files, workflows): it is skipped with one line
// on stderr, not an input error, with and without the cache, and an error
// when named.
func TestOtherToolsYAMLSkipped(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ports:\n  - name: http\n    port: 80\n",
		"docker-compose.yml": "services:\n  web:\n    image: nginx\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const line = "meshlint: skipped 1 path without Kubernetes manifests"
	cache := t.TempDir()
	for _, args := range [][]string{{"."}, {"--cache-dir", cache, "."}, {"--cache-dir", cache, "."}} {
		r := run(t, dir, "", args...)
		if r.code != ExitClean || !strings.Contains(r.stderr, line) {
			t.Errorf("%q: exit %d, stderr:\n%s", args, r.code, r.stderr)
		}
		if r := run(t, dir, "", append([]string{"-v"}, args...)...); !strings.Contains(r.stderr, "docker-compose.yml: no Kubernetes object") {
			t.Errorf("-v %q: stderr does not name the file:\n%s", args, r.stderr)
		}
	}
	if r := run(t, dir, "", "docker-compose.yml"); r.code != ExitError || !strings.Contains(r.stdout, "docker-compose.yml:1:1") {
		t.Errorf("named: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}

// TestNothingToLint: paths that hold no Kubernetes object (a wrong folder,
// a chart not rendered, empty stdin) are an input error, so that CI does
// not pass green while linting nothing; paths ignored on purpose are not.
func TestNothingToLint(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"chart/Chart.yaml":         "apiVersion: v2\nname: c\n",
		"chart/templates/svc.yaml": "{{ .Values.x }}\n",
		"empty/README.md":          "nothing here\n",
		"vendor/svc.yaml":          "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
		".meshlint.yaml":           "ignore-paths: [vendor]\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"chart"}, {"empty"}, {"-"}} {
		if r := run(t, dir, "", args...); r.code != ExitError || !strings.Contains(r.stdout, "found no Kubernetes object to lint") {
			t.Errorf("%q: exit %d, stdout:\n%s", args, r.code, r.stdout)
		}
	}
	if r := run(t, dir, "", "vendor"); r.code != ExitClean {
		t.Errorf("ignored path: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}

// TestNoRuleHint: a rule named wrongly is refused with the rule meant, when
// that is clear.
func TestNoRuleHint(t *testing.T) {
	td := testdata(t)
	for _, tc := range []struct{ name, want string }{
		{"route-weight-not-100", "(did you mean route-weights-not-100?)"},
		{"gateway-unresolved", "(did you mean gateway-ref-unresolved?)"},
		{"Route-Weights-Not-100", "(did you mean route-weights-not-100?)"},
		{"nothing-like-it", `no rule "nothing-like-it"; `},
	} {
		if r := run(t, td, "", "--disable", tc.name, "clean"); r.code != ExitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--disable %s: exit %d, stderr %q, want %q", tc.name, r.code, r.stderr, tc.want)
		}
	}
}
