package main

// The end-to-end test of the GitHub Action: it reads action.yml at the
// repository root and runs its `run:` steps with bash, as the runner
// would, in a temporary workspace, with the runner's files
// ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY) and directories ($RUNNER_TEMP)
// pointing into a temporary directory. The ${{ … }} expressions of the
// steps and of the action's outputs are substituted the way the runner
// does it, textually. Steps that use another action (actions/setup-go) are
// skipped: the Go running this test builds meshlint instead.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type actionFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	Run              string            `yaml:"run"`
}

// repoRoot is the repository root: this package is cmd/meshlint-action.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func loadAction(t *testing.T) *actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a key this harness does not know would go unexercised
	var a actionFile
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml: runs.using = %q, want composite", a.Runs.Using)
	}
	return &a
}

// actionRun is what one run of the action left behind.
type actionRun struct {
	code        int               // exit code of the last step run
	stdout      string            // the steps' standard output, concatenated
	stderr      string            // their standard error
	summary     string            // the job summary the steps wrote
	outputs     map[string]string // the action's outputs
	stepOutputs map[string]map[string]string
}

// log returns the run's output for a failure message, each line prefixed
// so that a CI runner running this test does not take the workflow
// commands in it for its own.
func (r *actionRun) log() string {
	var b strings.Builder
	for _, part := range []struct{ name, text string }{{"stdout", r.stdout}, {"stderr", r.stderr}, {"summary", r.summary}} {
		fmt.Fprintf(&b, "--- %s\n", part.name)
		for _, l := range strings.Split(strings.TrimRight(part.text, "\n"), "\n") {
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String()
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// runner runs the action's steps as the GitHub runner would. Its
// $RUNNER_TEMP is shared by the runs, as on a runner where a job uses the
// action several times, and a step whose script, own environment and
// working directory come out exactly as in an earlier run that succeeded
// (the build step) is not run again: its result is reused, which spares a
// link of meshlint per run.
type runner struct {
	action     *actionFile
	runnerTemp string
	done       map[string]stepResult
}

type stepResult struct {
	code                    int
	stdout, stderr, summary string
	outputs                 map[string]string
}

func newRunner(t *testing.T, a *actionFile) *runner {
	return &runner{action: a, runnerTemp: t.TempDir(), done: map[string]stepResult{}}
}

// run runs the action's steps in workspace with the given inputs (the
// others take their defaults).
func (h *runner) run(t *testing.T, workspace string, inputs map[string]string) *actionRun {
	t.Helper()
	a, runnerTemp := h.action, h.runnerTemp
	root := repoRoot(t)
	tmp := t.TempDir()

	values := map[string]string{}
	for name, in := range a.Inputs {
		values[name] = in.Default
	}
	for name, v := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml declares no input %q", name)
		}
		values[name] = v
	}
	run := &actionRun{stepOutputs: map[string]map[string]string{}}
	runnerOS := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]

	stepIDs := map[string]bool{}
	for _, st := range a.Runs.Steps {
		if st.ID != "" {
			stepIDs[st.ID] = true
		}
	}

	// eval substitutes the ${{ … }} expressions the action uses.
	eval := func(where, s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(m string) string {
			expr := exprRE.FindStringSubmatch(m)[1]
			parts := strings.Split(expr, ".")
			switch {
			case len(parts) == 2 && parts[0] == "inputs":
				if v, ok := values[parts[1]]; ok {
					return v
				}
			case expr == "github.action_path":
				return root
			case expr == "github.workspace":
				return workspace
			case expr == "runner.temp":
				return runnerTemp
			case expr == "runner.os":
				return runnerOS
			case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
				if !stepIDs[parts[1]] {
					t.Fatalf("%s: %s refers to no step of the action", where, m)
				}
				// An output not set, or of a step that did not run, is
				// empty, as on GitHub.
				return run.stepOutputs[parts[1]][parts[3]]
			}
			t.Fatalf("%s: this test cannot evaluate %s", where, m)
			return ""
		})
	}

	// The environment of a step: this process's, without anything of a
	// CI runner that may be running the test, plus the runner's variables.
	var baseEnv []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "RUNNER_") ||
			strings.HasPrefix(k, "INPUT_") || strings.HasPrefix(k, "ACTIONS_") {
			continue
		}
		baseEnv = append(baseEnv, kv)
	}
	baseEnv = append(baseEnv,
		"GITHUB_ACTIONS=true", "CI=true",
		"GITHUB_ACTION_PATH="+root, "GITHUB_WORKSPACE="+workspace,
		"RUNNER_TEMP="+runnerTemp, "RUNNER_OS="+runnerOS,
	)

	var stdout, stderr, summary strings.Builder
	for i, st := range a.Runs.Steps {
		where := fmt.Sprintf("action.yml step %d (%s)", i+1, st.Name)
		if st.Uses != "" {
			for k, v := range st.With {
				eval(where+" with."+k, v)
			}
			continue // another action: the test's Go stands in for setup-go
		}
		if st.Shell != "bash" {
			t.Fatalf("%s: shell %q; this test runs bash steps only", where, st.Shell)
		}
		if st.If != "" {
			t.Fatalf("%s: a run step with `if: %s`; this test cannot evaluate conditions", where, st.If)
		}
		script := eval(where+" run", st.Run)
		var stepEnv []string
		for k, v := range st.Env {
			stepEnv = append(stepEnv, k+"="+eval(where+" env."+k, v))
		}
		sort.Strings(stepEnv)
		dir := workspace
		if st.WorkingDirectory != "" {
			dir = eval(where+" working-directory", st.WorkingDirectory)
		}
		key := strings.Join(append([]string{script, dir}, stepEnv...), "\x00")
		res, ok := h.done[key]
		if !ok {
			res = runStep(t, where, filepath.Join(tmp, fmt.Sprintf("step%d", i+1)), script, dir, append(append([]string{}, baseEnv...), stepEnv...))
			if res.code == 0 {
				h.done[key] = res
			}
		}
		stdout.WriteString(res.stdout)
		stderr.WriteString(res.stderr)
		summary.WriteString(res.summary)
		run.code = res.code
		if st.ID != "" {
			run.stepOutputs[st.ID] = res.outputs
		}
		if run.code != 0 {
			break // the runner skips the steps after a failed one
		}
	}
	run.stdout, run.stderr, run.summary = stdout.String(), stderr.String(), summary.String()
	run.outputs = map[string]string{}
	for name, o := range a.Outputs {
		run.outputs[name] = eval("action.yml outputs."+name, o.Value)
	}
	return run
}

// runStep runs one bash step with its own $GITHUB_OUTPUT and
// $GITHUB_STEP_SUMMARY files, named after prefix.
func runStep(t *testing.T, where, prefix, script, dir string, env []string) stepResult {
	t.Helper()
	outFile, summaryFile := prefix+".output", prefix+".summary"
	for _, f := range []string{outFile, summaryFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(prefix+".sh", []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	// The command line GitHub uses for `shell: bash`.
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", prefix+".sh")
	cmd.Dir = dir
	cmd.Env = append(slices.Clip(env), "GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+summaryFile)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	res := stepResult{}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%s: %v", where, err)
		}
		res.code = ee.ExitCode()
	}
	res.stdout, res.stderr = so.String(), se.String()
	b, _ := os.ReadFile(summaryFile)
	res.summary = string(b)
	b, _ = os.ReadFile(outFile)
	res.outputs = parseOutputs(t, string(b))
	return res
}

// workspaceTree makes a workspace holding the repository's examples and
// teams.yaml: n namespaces, each with a workload, no default-deny policy
// (a warning and an info finding) and a VirtualService with an invalid
// regex holding a | (an error finding).
func workspaceTree(t *testing.T, n int) string {
	t.Helper()
	ws := t.TempDir()
	src := filepath.Join(repoRoot(t), "examples")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(ws, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Namespace
metadata:
  name: team-%02[1]d
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: team-%02[1]d
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: app:1
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: app
  namespace: team-%02[1]d
spec:
  hosts: [app]
  http:
  - match:
    - uri:
        regex: "^/a|(b"
    route:
    - destination:
        host: app
`, i)
	}
	writeFile(t, filepath.Join(ws, "teams.yaml"), b.String())
	return ws
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonReport reads the JSON report the action had meshlint write.
func (r *actionRun) jsonReport(t *testing.T) *report {
	t.Helper()
	rep, err := readReport(filepath.Join(r.stepOutputs["build"]["bin"], "meshlint.json"))
	if err != nil {
		t.Fatalf("the JSON report: %v\n%s", err, r.log())
	}
	return rep
}

func checkSARIF(t *testing.T, name string, results int) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("SARIF file: %v", err)
	}
	var s struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("SARIF file %s is not JSON: %v", name, err)
	}
	if s.Version != "2.1.0" || len(s.Runs) != 1 {
		t.Fatalf("SARIF file %s: version %q, %d runs; want 2.1.0 and 1 run", name, s.Version, len(s.Runs))
	}
	if got := len(s.Runs[0].Results); got != results {
		t.Errorf("SARIF file %s: %d results, want %d", name, got, results)
	}
}

func needTools(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds meshlint; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not available, so action.yml's steps cannot run here")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH, so action.yml's build step cannot run here")
	}
}

func TestActionSteps(t *testing.T) {
	needTools(t)
	a := loadAction(t)
	h := newRunner(t, a)

	// The steps this test skips are only these.
	for _, st := range a.Runs.Steps {
		if st.Uses != "" && !strings.HasPrefix(st.Uses, "actions/setup-go@") {
			t.Errorf("action.yml uses %s, which this test cannot stand in for", st.Uses)
		}
	}
	for _, name := range []string{"path", "fail-on", "sarif-file", "args", "annotations", "summary"} {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("action.yml has no input %q", name)
		}
	}

	t.Run("findings", func(t *testing.T) {
		ws := workspaceTree(t, 20)
		r := h.run(t, ws, nil)
		if r.code != 1 {
			t.Fatalf("exit code %d, want 1 (error findings, fail-on error)\n%s", r.code, r.log())
		}
		rep := r.jsonReport(t)
		s := rep.Summary
		if s.Errors <= 10 || s.Warnings <= 10 || s.Info <= 10 || len(rep.Findings) <= 50 {
			t.Fatalf("the tree should give more than 10 findings of each severity and more than 50 in all: %+v", s)
		}

		// meshlint ran once, with both reports.
		if n := countLines(r.stdout, func(l string) bool {
			return strings.HasPrefix(l, "meshlint ") && strings.Contains(l, "--format json --output") &&
				strings.Contains(l, "--format sarif --output meshlint.sarif") && !strings.Contains(l, "--fail-on")
		}); n != 1 {
			t.Errorf("meshlint ran %d times with --format json and --format sarif, want once\n%s", n, r.log())
		}

		// Annotations: errors, then warnings, then notices, 10 of each.
		levels, msgs := annotations(r.stdout)
		var want []string
		for _, l := range []string{"error", "warning", "notice"} {
			for i := 0; i < 10; i++ {
				want = append(want, l)
			}
		}
		if strings.Join(levels, " ") != strings.Join(want, " ") {
			t.Errorf("annotation levels %v, want 10 errors, 10 warnings and 10 notices in that order\n%s", levels, r.log())
		}
		var firstError string
		for _, f := range rep.Findings {
			if f.Severity == "error" {
				firstError = f.Message
				break
			}
		}
		if len(msgs) == 0 || !strings.HasPrefix(msgs[0], escapeData(firstError)) {
			t.Errorf("first annotation %q, want the first error finding %q", msgs, firstError)
		}
		more := fmt.Sprintf("%d more errors, %d more warnings and %d more notices not annotated", s.Errors-10, s.Warnings-10, s.Info-10)
		if !strings.Contains(r.stdout, "\nmeshlint: "+more) {
			t.Errorf("the log does not say %q\n%s", more, r.log())
		}
		if !strings.Contains(r.stdout, "::warning file=teams.yaml,line=5,endLine=5,col=9,") {
			t.Errorf("no warning annotation on teams.yaml:5\n%s", r.log())
		}

		// The job summary.
		for _, want := range []string{
			"## meshlint\n",
			"❌ meshlint failed: findings at or above its fail-on level",
			fmt.Sprintf("| Errors | %d |\n| Warnings | %d |\n| Info | %d |\n", s.Errors, s.Warnings, s.Info),
			strings.Replace(more, "not annotated", "are only in this table", 1),
			"| Severity | Rule | Location | Message |\n|---|---|---|---|\n| error | ",
			`| error | MR105 invalid-regex | teams.yaml:33 | http\[0\].match\[0\].uri regex "^/a\|(b" is not valid RE2`,
			fmt.Sprintf("_%d more not shown (the table stops at 50 rows); the step's log and the SARIF file meshlint.sarif list every one._", len(rep.Findings)-50),
		} {
			if !strings.Contains(r.summary, want) {
				t.Errorf("the summary lacks %q\n%s", want, r.log())
			}
		}
		if n := countLines(r.summary, func(l string) bool { return regexp.MustCompile(`^\| (error|warning|info) \| MR`).MatchString(l) }); n != 50 {
			t.Errorf("%d rows in the summary table, want 50", n)
		}

		// The outputs.
		wantOut := map[string]string{
			"sarif-file": "meshlint.sarif", "exit-code": "1",
			"errors": fmt.Sprint(s.Errors), "warnings": fmt.Sprint(s.Warnings), "info": fmt.Sprint(s.Info),
		}
		for k, v := range wantOut {
			if r.outputs[k] != v {
				t.Errorf("output %s = %q, want %q", k, r.outputs[k], v)
			}
		}
		checkSARIF(t, filepath.Join(ws, "meshlint.sarif"), len(rep.Findings))
	})

	t.Run("input-error", func(t *testing.T) {
		ws := workspaceTree(t, 0)
		writeFile(t, filepath.Join(ws, "broken.yaml"), "a: [\n")
		r := h.run(t, ws, map[string]string{"fail-on": "none"})
		if r.code != 2 {
			t.Fatalf("exit code %d, want 2 (an input error)\n%s", r.code, r.log())
		}
		levels, _ := annotations(r.stdout)
		if len(levels) == 0 || !strings.Contains(r.stdout, "\n::error file=broken.yaml,") ||
			strings.Index(r.stdout, "::error file=broken.yaml,") > strings.Index(r.stdout, "::error file=shop/") {
			t.Errorf("the input error should be the first annotation\n%s", r.log())
		}
		if !strings.Contains(r.summary, "| error | input error | broken.yaml") || !strings.Contains(r.summary, "| Input errors | 1 |") {
			t.Errorf("the summary does not show the input error\n%s", r.log())
		}
		if r.outputs["exit-code"] != "2" || r.outputs["errors"] != fmt.Sprint(r.jsonReport(t).Summary.Errors) {
			t.Errorf("outputs %v", r.outputs)
		}
		checkSARIF(t, filepath.Join(ws, "meshlint.sarif"), len(r.jsonReport(t).Findings))
	})

	t.Run("inputs", func(t *testing.T) {
		ws := workspaceTree(t, 20)
		r := h.run(t, ws, map[string]string{
			"path":        " shop\n\npayments \n",
			"fail-on":     "none",
			"sarif-file":  "mesh lint.sarif",
			"args":        `--disable 'MR402' -v`,
			"annotations": "false",
			"summary":     "false",
		})
		if r.code != 0 {
			t.Fatalf("exit code %d, want 0 (fail-on none)\n%s", r.code, r.log())
		}
		if !regexp.MustCompile(`(?m)^meshlint .* --fail-on none --disable MR402 -v -- shop payments$`).MatchString(r.stdout) {
			t.Errorf("the command line does not end as expected\n%s", r.log())
		}
		if levels, _ := annotations(r.stdout); len(levels) != 0 {
			t.Errorf("annotations despite annotations: false\n%s", r.log())
		}
		if r.summary != "" {
			t.Errorf("a summary despite summary: false\n%s", r.log())
		}
		if !strings.Contains(r.stderr, "meshlint: read ") {
			t.Errorf("-v from args did not reach meshlint\n%s", r.log())
		}
		rep := r.jsonReport(t)
		if rep.Summary.Errors == 0 {
			t.Errorf("no errors found: %+v", rep.Summary)
		}
		for _, f := range rep.Findings {
			if f.Rule == "MR402" {
				t.Errorf("--disable MR402 from args did not reach meshlint: %+v", f)
			}
		}
		for _, f := range rep.Findings {
			if !strings.HasPrefix(f.File, "shop/") && !strings.HasPrefix(f.File, "payments/") {
				t.Errorf("finding in %s, outside the paths given", f.File)
			}
		}
		if r.outputs["exit-code"] != "0" || r.outputs["info"] != strconv.Itoa(rep.Summary.Info) || r.outputs["sarif-file"] != "mesh lint.sarif" {
			t.Errorf("outputs %v", r.outputs)
		}
		checkSARIF(t, filepath.Join(ws, "mesh lint.sarif"), len(rep.Findings))
	})

	t.Run("usage-error", func(t *testing.T) {
		ws := workspaceTree(t, 0)
		r := h.run(t, ws, map[string]string{"args": "--no-such-flag"})
		if r.code != 2 {
			t.Fatalf("exit code %d, want 2 (a usage error)\n%s", r.code, r.log())
		}
		if !strings.Contains(r.stdout, "::error title=meshlint::meshlint wrote no report (exit code 2)") ||
			!strings.Contains(r.stderr, "no-such-flag") {
			t.Errorf("the usage error is not reported\n%s", r.log())
		}
		if !strings.Contains(r.summary, "meshlint wrote no report") {
			t.Errorf("summary\n%s", r.log())
		}
		if r.outputs["exit-code"] != "2" || r.outputs["errors"] != "" {
			t.Errorf("outputs %v", r.outputs)
		}
	})
}

func countLines(s string, f func(string) bool) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if f(l) {
			n++
		}
	}
	return n
}
