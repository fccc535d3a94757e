package cli

import (
	"strings"
	"testing"
)

// TestConfigEveryMistakeAtOnce runs the example of docs/config.md "Errors":
// the parser's mistakes and an unknown rule name come out together, in line
// order, rather than the rule names only once the rest is fixed.
func TestConfigEveryMistakeAtOnce(t *testing.T) {
	conf := "version: 1\nrules:\n  disable: [MR402]\nsevrity:\n  MR101: error\nignore-paths:\n  - vendor\n\n  - \"[abc\"\n  - x\nseverity:\n  MR999: error\n"
	dir := tree(t, map[string]string{"app.yaml": canary, ".meshlint.yaml": conf})
	want := "meshlint: .meshlint.yaml:4: unknown key \"sevrity\" (did you mean \"severity\"?)\n" +
		"meshlint: .meshlint.yaml:9: ignore-paths: \"[abc\": malformed pattern (check the [ ] brackets and \\ escapes)\n" +
		"meshlint: .meshlint.yaml:12: no rule \"MR999\"; `meshlint rules` lists them\n"
	for _, cmd := range [][]string{{"."}, {"reach", "."}} {
		r := run(t, dir, "", cmd...)
		if r.code != ExitError || r.stderr != want {
			t.Errorf("meshlint %s: exit %d, stderr:\n%s\nwant exit 2 and:\n%s", strings.Join(cmd, " "), r.code, r.stderr, want)
		}
	}
}

// TestFlagMistakes checks that a wrong flag is one clear line and exit 2,
// and that a flag value that would silently do something else is refused.
func TestFlagMistakes(t *testing.T) {
	td := testdata(t)
	for _, tc := range []struct {
		name   string
		args   []string
		want   int
		stderr string // the whole of stderr
	}{
		{"misspelt flag", []string{"--formt", "json", "clean"}, ExitError,
			"meshlint: unknown flag --formt (did you mean --format?)\nRun 'meshlint lint -h' for the flags.\n"},
		{"flag cut short", []string{"clean", "--out", "x.json"}, ExitError,
			"meshlint: unknown flag --out (did you mean --output?)\nRun 'meshlint lint -h' for the flags.\n"},
		{"unknown short flag", []string{"-x", "clean"}, ExitError,
			"meshlint: unknown flag -x\nRun 'meshlint lint -h' for the flags.\n"},
		{"reach: misspelt flag", []string{"reach", "--fromm", "a", "clean"}, ExitError,
			"meshlint reach: unknown flag --fromm (did you mean --from?)\nRun 'meshlint reach -h' for the flags.\n"},
		{"rules: misspelt flag", []string{"rules", "--formt", "json"}, ExitError,
			"meshlint rules: unknown flag --formt (did you mean --format?)\nRun 'meshlint rules -h' for the flags.\n"},
		{"version: unknown flag", []string{"version", "--short"}, ExitError,
			"meshlint version: unknown flag --short\nRun 'meshlint version -h' for the flags.\n"},
		{"version: an argument", []string{"version", "MR101"}, ExitError,
			"meshlint version: takes no arguments, got \"MR101\"\n"},
		{"explain: unknown flag", []string{"explain", "--json", "MR101"}, ExitError,
			"meshlint explain: unknown flag --json\nRun 'meshlint explain -h' for the flags.\n"},
		{"help: misspelt command", []string{"help", "explian"}, ExitError,
			"meshlint help: unknown command \"explian\" (did you mean \"explain\"?)\n"},
		{"help: unknown command", []string{"help", "init"}, ExitError,
			"meshlint help: unknown command \"init\" (want one of lint, rules, explain, config, reach, version)\n"},
		{"rules: a rule named", []string{"rules", "MR101"}, ExitError,
			"meshlint rules: takes no arguments, got \"MR101\"; `meshlint explain RULE` shows one rule\n"},
		{"fail-on: none is a value too", []string{"--fail-on", "fatal", "clean"}, ExitError,
			"meshlint: --fail-on: unknown severity \"fatal\" (want error, warning, info or none)\n"},
		{"max-file-size 0", []string{"--max-file-size", "0", "clean"}, ExitError,
			"meshlint: --max-file-size: 0 is not a size: give the largest file to read, in bytes (default 67108864)\n"},
		{"reach: max-file-size negative", []string{"reach", "--max-file-size", "-1", "clean"}, ExitError,
			"meshlint reach: --max-file-size: -1 is not a size: give the largest file to read, in bytes (default 67108864)\n"},
		{"namespace the API server refuses", []string{"--namespace", "Shop_1", "clean"}, ExitError,
			"meshlint: --namespace: \"Shop_1\" is not a valid namespace name\n"},
		{"stdin twice", []string{"-", "clean", "-"}, ExitError,
			"meshlint: - names standard input 2 times: it can be read once\n"},
		{"baseline read and written", []string{"--baseline", "a.json", "--write-baseline", "b.json", "clean"}, ExitError,
			"meshlint: --baseline and --write-baseline: give one (--write-baseline records every finding, whatever a baseline holds)\n"},
		{"empty root namespace", []string{"--root-namespace", "", "clean"}, ExitError,
			"meshlint: --root-namespace: \"\" is not a valid namespace name\n"},
		{"include-suppressed without SARIF", []string{"--include-suppressed", "--format", "json", "clean"}, ExitClean,
			"meshlint: warning: --include-suppressed only changes SARIF output, and no --format sarif is given\n"},
		{"include-suppressed with SARIF", []string{"--include-suppressed", "--format", "sarif", "clean"}, ExitClean, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, td, "", tc.args...)
			if r.code != tc.want || r.stderr != tc.stderr {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", r.code, r.stderr, tc.want, tc.stderr)
			}
		})
	}
}

// TestHelp checks that -h of every command writes its usage to stdout and
// exits 0, so that `meshlint lint -h | less` works.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "Run 'meshlint lint -h' for the lint flags"},
		{[]string{"help"}, "Run 'meshlint lint -h' for the lint flags"},
		{[]string{"--help", "."}, "Run 'meshlint lint -h' for the lint flags"},
		{[]string{"lint", "-h"}, "Lint flags:\n  -baseline string"},
		{[]string{"reach", "--help"}, "Usage: meshlint reach [flags] PATH..."},
		{[]string{"rules", "-h"}, "Usage: meshlint rules [--format json]"},
		{[]string{"config", "init", "-h"}, "  -force\n"},
		{[]string{"config", "--help"}, "meshlint config init [--force] [FILE]"},
		// -h after a command that takes no flags asks for its usage too,
		// rather than being dropped: version printed the version.
		{[]string{"version", "-h"}, "Usage: meshlint version\n"},
		{[]string{"version", "--help"}, "Usage: meshlint version\n"},
		{[]string{"--version", "-help"}, "Usage: meshlint version\n"},
		{[]string{"explain", "MR101", "-h"}, "usage: meshlint explain RULE"},
		{[]string{"explain", "--help", "MR101"}, "usage: meshlint explain RULE"},
		// help COMMAND is COMMAND -h, as go help build is.
		{[]string{"help", "reach"}, "Usage: meshlint reach [flags] PATH..."},
		{[]string{"help", "version"}, "Usage: meshlint version\n"},
		{[]string{"help", "lint"}, "Lint flags:\n"},
		{[]string{"help", "config", "init"}, "  -force\n"},
	} {
		r := run(t, ".", "", tc.args...)
		if r.code != ExitClean || !strings.Contains(r.stdout, tc.want) || r.stderr != "" {
			t.Errorf("meshlint %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0 and stdout holding %q", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

// TestExplainCode checks that explain, given an istioctl or Kiali code
// rather than a rule, names the rules that cover it.
func TestExplainCode(t *testing.T) {
	r := run(t, ".", "", "explain", "kia1104")
	if want := "meshlint explain: kia1104 is not a meshlint rule; these rules cover it: MR101 route-weights-not-100\n"; r.code != ExitError || r.stderr != want {
		t.Errorf("explain kia1104: exit %d, stderr:\n%s\nwant exit 2 and:\n%s", r.code, r.stderr, want)
	}
	r = run(t, ".", "", "explain", "IST9999")
	if want := "meshlint explain: no rule \"IST9999\"; `meshlint rules` lists them\n"; r.code != ExitError || r.stderr != want {
		t.Errorf("explain IST9999: exit %d, stderr:\n%s\nwant exit 2 and:\n%s", r.code, r.stderr, want)
	}
	r = run(t, ".", "", "explain", "-h")
	if r.code != ExitClean || !strings.HasPrefix(r.stdout, "usage: meshlint explain RULE") {
		t.Errorf("explain -h: exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestVerboseCounts checks the grammar of -v's counts: "1 file", not
// "1 files".
func TestVerboseCounts(t *testing.T) {
	r := run(t, testdata(t), "", "-v", "--no-config", "--enable", "MR101", "clean")
	if want := "meshlint: read 1 file, "; !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "; ran 1 rule\n") {
		t.Errorf("-v wrote:\n%s\nwant %q and \"; ran 1 rule\"", r.stderr, want)
	}
}
