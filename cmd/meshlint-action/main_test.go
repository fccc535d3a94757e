package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  \t\n ", nil},
		{"--disable MR402 --closed-world", []string{"--disable", "MR402", "--closed-world"}},
		{"  a\tb\nc\r\nd  ", []string{"a", "b", "c", "d"}},
		{`--config 'my config.yaml'`, []string{"--config", "my config.yaml"}},
		{`--config "my config.yaml"`, []string{"--config", "my config.yaml"}},
		{`a"b c"d`, []string{"ab cd"}},
		{`''`, []string{""}},
		{`""`, []string{""}},
		{`'$HOME' "$HOME" $HOME`, []string{"$HOME", "$HOME", "$HOME"}},
		{"`id` $(id)", []string{"`id`", "$(id)"}},
		{`"a\"b" "a\\b" "a\nb" 'a\b'`, []string{`a"b`, `a\b`, `a\nb`, `a\b`}},
		{`a\ b \'c`, []string{"a b", "'c"}},
		{"a\\\nb", []string{"ab"}},
		{`--namespace=é`, []string{"--namespace=é"}},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if err != nil {
			t.Errorf("splitWords(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{`'a`, `"a`, `a "b\"`} {
		if got, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q) = %q, want an error", bad, got)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"split", "-lines", "--", " deploy \r\n\n  base/dir with space\n"}, &out, &errb, noEnv); code != 0 {
		t.Fatalf("split -lines: exit %d: %s", code, errb.String())
	}
	if got, want := out.String(), "deploy\x00base/dir with space\x00"; got != want {
		t.Errorf("split -lines = %q, want %q", got, want)
	}
	out.Reset()
	if code := run([]string{"split", "--", `-v --disable "MR1 01"`}, &out, &errb, noEnv); code != 0 {
		t.Fatalf("split: exit %d: %s", code, errb.String())
	}
	if got, want := out.String(), "-v\x00--disable\x00MR1 01\x00"; got != want {
		t.Errorf("split = %q, want %q", got, want)
	}
	out.Reset()
	if code := run([]string{"split", "--", ""}, &out, &errb, noEnv); code != 0 || out.Len() != 0 {
		t.Errorf("split of nothing: exit %d, output %q", code, out.String())
	}
	errb.Reset()
	if code := run([]string{"split", "--", `"unbalanced`}, &out, &errb, noEnv); code != 2 || !strings.Contains(errb.String(), "unterminated") {
		t.Errorf("split of an unbalanced quote: exit %d, stderr %q; want 2 and an explanation", code, errb.String())
	}
}

func noEnv(string) string { return "" }

// testReport builds a JSON report (format version 1) with the given
// numbers of findings of each severity, in file order with the severities
// mixed, as meshlint sorts them.
func testReport(errs, warnings, infos, inputErrors int) map[string]any {
	var findings []any
	sev := map[string]int{"error": errs, "warning": warnings, "info": infos}
	for line := 1; sev["error"]+sev["warning"]+sev["info"] > 0; line++ {
		for _, s := range []string{"info", "warning", "error"} { // least severe first on purpose
			if sev[s] == 0 {
				continue
			}
			sev[s]--
			findings = append(findings, map[string]any{
				"rule": "MR" + map[string]string{"error": "105", "warning": "101", "info": "402"}[s],
				"name": s + "-rule", "severity": s,
				"message": fmt.Sprintf("%s at line %d", s, line),
				"file":    "deploy/routes.yaml", "line": line, "column": 3, "endColumn": 7,
				"object": nil, "fingerprint": "0", "related": []any{}, "fixes": []any{},
			})
		}
	}
	var inputs []any
	for i := 0; i < inputErrors; i++ {
		inputs = append(inputs, map[string]any{"file": fmt.Sprintf("broken%d.yaml", i), "line": 3, "column": 5, "message": "parse YAML: bad"})
	}
	return map[string]any{
		"version":        1,
		"tool":           map[string]any{"name": "meshlint", "version": "test"},
		"findings":       findings,
		"errors":         inputs,
		"internalErrors": []any{},
		"summary": map[string]any{
			"errors": errs, "warnings": warnings, "info": infos, "files": 2, "objects": 5,
			"inputErrors": inputErrors, "internalErrors": 0, "suppressed": 0,
		},
	}
}

type reportRun struct {
	code                    int
	stdout, stderr, summary string
	outputs                 map[string]string
}

// runReport writes rep (if not nil) as the JSON report and runs the report
// command on it with the extra flags.
func runReport(t *testing.T, rep map[string]any, flags ...string) reportRun {
	t.Helper()
	dir := t.TempDir()
	reportFile := filepath.Join(dir, "meshlint.json")
	if rep != nil {
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(reportFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_WORKSPACE":    dir,
	}
	var out, errb bytes.Buffer
	args := append([]string{"report", "-report", reportFile, "-sarif-file", "meshlint.sarif"}, flags...)
	code := run(args, &out, &errb, func(k string) string { return env[k] })
	summary, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	outputs, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	return reportRun{code, out.String(), errb.String(), string(summary), parseOutputs(t, string(outputs))}
}

// parseOutputs reads a $GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER blocks.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	m := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		if name, delim, ok := strings.Cut(l, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("output %s: no closing delimiter %q in %q", name, delim, s)
			}
			m[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("bad output line %q in %q", l, s)
		}
		m[name] = val
	}
	return m
}

var commandRE = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::(.*)$`)

// annotations returns the level and message of every annotation command in
// the output, in order.
func annotations(stdout string) (levels, messages []string) {
	for _, l := range strings.Split(stdout, "\n") {
		if m := commandRE.FindStringSubmatch(l); m != nil {
			levels = append(levels, m[1])
			messages = append(messages, m[3])
		}
	}
	return levels, messages
}

func TestReportOrderAndCaps(t *testing.T) {
	r := runReport(t, testReport(12, 13, 11, 2), "-exit-code", "2")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	levels, msgs := annotations(r.stdout)
	var want []string
	for _, l := range []string{"error", "warning", "notice"} {
		for i := 0; i < 10; i++ {
			want = append(want, l)
		}
	}
	if !reflect.DeepEqual(levels, want) {
		t.Fatalf("annotation levels = %v, want 10 errors, 10 warnings, 10 notices in that order", levels)
	}
	// Input errors first, then the error findings in report order.
	if !strings.HasPrefix(msgs[0], "parse YAML") || !strings.HasPrefix(msgs[1], "parse YAML") || msgs[2] != "error at line 1" || msgs[3] != "error at line 2" {
		t.Errorf("first error annotations = %q", msgs[:4])
	}
	if !strings.Contains(r.stdout, "::error file=broken0.yaml,line=3,endLine=3,col=5,endColumn=6,title=input error::parse YAML: bad\n") {
		t.Errorf("no input error annotation in:\n%s", r.stdout)
	}
	if msgs[10] != "warning at line 1" || msgs[20] != "info at line 1" {
		t.Errorf("first warning and notice = %q, %q", msgs[10], msgs[20])
	}
	if !strings.Contains(r.stdout, "::warning file=deploy/routes.yaml,line=1,endLine=1,col=3,endColumn=7,title=MR101 warning-rule::warning at line 1\n") {
		t.Errorf("warning annotation not as expected in:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "meshlint: 4 more errors, 3 more warnings and 1 more notice not annotated") {
		t.Errorf("no note on the annotations left out in:\n%s", r.stdout)
	}
	// Every finding is in the log, commands stopped.
	if !strings.Contains(r.stdout, "::group::meshlint: 38 findings and errors\n::stop-commands::") ||
		!strings.Contains(r.stdout, "deploy/routes.yaml:11:3: info MR402 info-rule: info at line 11\n") {
		t.Errorf("no full listing in:\n%s", r.stdout)
	}
	if !strings.HasSuffix(r.stdout, "meshlint: 12 errors, 13 warnings, 11 info in 2 files (5 objects); 2 input errors\n") {
		t.Errorf("output does not end with the counts:\n%s", r.stdout)
	}

	for _, s := range []string{
		"## meshlint\n",
		"❌ meshlint could not check everything (exit code 2)",
		"| Input errors | 2 |\n| Errors | 12 |\n| Warnings | 13 |\n| Info | 11 |\n",
		"4 more errors, 3 more warnings and 1 more notice are only in this table",
		"| Severity | Rule | Location | Message |\n|---|---|---|---|\n| error | input error | broken0.yaml:3 | parse YAML: bad |\n",
		"| warning | MR101 warning-rule | deploy/routes.yaml:1 | warning at line 1 |\n",
		"| info | MR402 info-rule | deploy/routes.yaml:11 | info at line 11 |\n",
	} {
		if !strings.Contains(r.summary, s) {
			t.Errorf("summary lacks %q:\n%s", s, r.summary)
		}
	}
	if strings.Contains(r.summary, "more not shown") {
		t.Errorf("38 rows should fit the table:\n%s", r.summary)
	}
	want2 := map[string]string{"sarif-file": "meshlint.sarif", "exit-code": "2", "errors": "12", "warnings": "13", "info": "11"}
	if !reflect.DeepEqual(r.outputs, want2) {
		t.Errorf("outputs = %v, want %v", r.outputs, want2)
	}
}

func TestReportRowCap(t *testing.T) {
	r := runReport(t, testReport(0, 60, 0, 0), "-exit-code", "0", "-max-rows", "50", "-max-annotations", "3")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if n := strings.Count(r.summary, "| warning | MR101"); n != 50 {
		t.Errorf("%d rows in the summary table, want 50", n)
	}
	if !strings.Contains(r.summary, "_10 more not shown (the table stops at 50 rows); the step's log and the SARIF file meshlint.sarif list every one._") {
		t.Errorf("no note on the rows left out:\n%s", r.summary)
	}
	if !strings.Contains(r.summary, "✅ meshlint passed") || !strings.Contains(r.summary, "57 more warnings are only in this table") {
		t.Errorf("summary:\n%s", r.summary)
	}
	if levels, _ := annotations(r.stdout); len(levels) != 3 {
		t.Errorf("%d annotations with -max-annotations 3", len(levels))
	}
}

func TestReportNoAnnotationsNoSummary(t *testing.T) {
	r := runReport(t, testReport(1, 1, 1, 0), "-exit-code", "1", "-annotations=false", "-summary=false")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if levels, _ := annotations(r.stdout); len(levels) != 0 {
		t.Errorf("annotations despite -annotations=false:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "deploy/routes.yaml:1:3: error MR105 error-rule: error at line 1\n") {
		t.Errorf("the log should still list the findings:\n%s", r.stdout)
	}
	if r.summary != "" {
		t.Errorf("summary despite -summary=false:\n%s", r.summary)
	}
	if r.outputs["errors"] != "1" || r.outputs["exit-code"] != "1" {
		t.Errorf("outputs = %v", r.outputs)
	}
}

func TestReportClean(t *testing.T) {
	r := runReport(t, testReport(0, 0, 0, 0), "-exit-code", "0")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "::") {
		t.Errorf("workflow commands for a clean report:\n%s", r.stdout)
	}
	if r.stdout != "meshlint: no findings in 2 files (5 objects)\n" {
		t.Errorf("stdout = %q", r.stdout)
	}
	if !strings.Contains(r.summary, "✅ meshlint passed\n\nno findings in 2 files (5 objects).\n") || strings.Contains(r.summary, "| Rule |") {
		t.Errorf("summary:\n%s", r.summary)
	}
}

func TestReportMissing(t *testing.T) {
	r := runReport(t, nil, "-exit-code", "2")
	if r.code != 0 {
		t.Errorf("exit %d for a missing report after meshlint's exit 2, want 0 (the action exits 2 itself)", r.code)
	}
	if !strings.Contains(r.stdout, "::error title=meshlint::meshlint wrote no report (exit code 2)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.summary, "meshlint wrote no report") {
		t.Errorf("summary:\n%s", r.summary)
	}
	if want := map[string]string{"sarif-file": "meshlint.sarif", "exit-code": "2"}; !reflect.DeepEqual(r.outputs, want) {
		t.Errorf("outputs = %v, want %v", r.outputs, want)
	}
	if r := runReport(t, nil, "-exit-code", "0"); r.code != 2 {
		t.Errorf("exit %d for a missing report after meshlint's exit 0, want 2", r.code)
	}
}

func TestReportBadInput(t *testing.T) {
	rep := testReport(1, 0, 0, 0)
	rep["version"] = 2
	if r := runReport(t, rep, "-exit-code", "1"); r.code != 2 || !strings.Contains(r.stdout, "has version 2") {
		t.Errorf("version 2: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runReport(t, testReport(0, 0, 0, 0)); r.code != 2 {
		t.Errorf("no -exit-code: exit %d, want 2", r.code)
	}
	if r := runReport(t, testReport(0, 0, 0, 0), "-exit-code", "0", "-annotations=maybe"); r.code != 2 {
		t.Errorf("-annotations=maybe: exit %d, want 2", r.code)
	}
}

func TestReportEscaping(t *testing.T) {
	rep := testReport(0, 0, 0, 0)
	root := t.TempDir() // runReport's GITHUB_WORKSPACE is another temp dir; use -root
	rep["findings"] = []any{map[string]any{
		"rule": "MR105", "name": "invalid-regex", "severity": "error",
		"message": "regex \"a|(b\" is *bad* <b>%\nsecond line",
		"file":    filepath.Join(root, "dir", "a,b:c.yaml"), "line": 4, "column": 2, "endColumn": 2,
		"object": nil, "fingerprint": "0",
		"related": []any{map[string]any{"file": "other.yaml", "line": 9, "column": 1, "endColumn": 2, "message": "here"}},
		"fixes":   []any{map[string]any{"message": "do `this`", "edits": []any{}}},
	}}
	rep["summary"].(map[string]any)["errors"] = 1
	r := runReport(t, rep, "-exit-code", "1", "-root", root, "-fail-on", "warning")
	if !strings.Contains(r.summary, "❌ meshlint failed: findings at or above `--fail-on warning`\n") {
		t.Errorf("summary verdict:\n%s", r.summary)
	}
	want := "::error file=dir/a%2Cb%3Ac.yaml,line=4,endLine=4,col=2,endColumn=3,title=MR105 invalid-regex::" +
		"regex \"a|(b\" is *bad* <b>%25%0Asecond line%0Aother.yaml:9:1: here%0Afix: do `this`\n"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("annotation not escaped as expected; want\n%s\nin\n%s", want, r.stdout)
	}
	row := "| error | MR105 invalid-regex | dir/a,b:c.yaml:4 | regex \"a\\|(b\" is \\*bad\\* &lt;b&gt;%<br>second line<br>other.yaml:9:1: here<br>fix: do \\`this\\` |\n"
	if !strings.Contains(r.summary, row) {
		t.Errorf("summary row not escaped as expected; want\n%s\nin\n%s", row, r.summary)
	}
	// The listing is one line per finding, whatever the message holds.
	if !strings.Contains(r.stdout, "dir/a,b:c.yaml:4:2: error MR105 invalid-regex: regex \"a|(b\" is *bad* <b>% second line\n    other.yaml:9:1: here\n") {
		t.Errorf("listing:\n%s", r.stdout)
	}
}

func TestDisplayPath(t *testing.T) {
	root := t.TempDir()
	tests := []struct{ file, want string }{
		{"deploy/a.yaml", "deploy/a.yaml"},
		{filepath.Join(root, "deploy", "a.yaml"), "deploy/a.yaml"},
		{filepath.Join(filepath.Dir(root), "elsewhere.yaml"), filepath.ToSlash(filepath.Join(filepath.Dir(root), "elsewhere.yaml"))},
		{"../up.yaml", "../up.yaml"},
		{"<stdin>", ""},
	}
	for _, tt := range tests {
		if got := displayPath(root, tt.file); got != tt.want {
			t.Errorf("displayPath(%q) = %q, want %q", tt.file, got, tt.want)
		}
	}
}

func TestOutputsMultiline(t *testing.T) {
	out := outputs(nil, &reportFlags{sarifFile: "a\nb", exitCode: 2})
	m := parseOutputs(t, out)
	if m["sarif-file"] != "a\nb" || m["exit-code"] != "2" {
		t.Errorf("outputs %q parse to %v", out, m)
	}
}
