package cli

import (
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The upstream examples are the manifests the API authors ship as examples
// (fixtures/upstream/README.md): the examples/ folder of
// sigs.k8s.io/gateway-api and the YAML blocks of istio.io/api's proto
// comments. They are correct configurations, but fragments: they name
// Services and Gateways that are not there. So each file is linted on its
// own, with the default settings (open world, no configuration), and every
// finding, of any severity, must be listed with its reason in
// fixtures/upstream/expected.tsv; a listed finding that no longer happens
// fails too, so that the list cannot go stale.

// upstreamDirs are the folders of fixtures/upstream that hold manifests;
// istio-api-fragments/ holds the blocks that are no Kubernetes object.
var upstreamDirs = []string{"gateway-api", "istio-api"}

// upstreamInputError stands in the rule column for a file meshlint cannot
// read (the JSON output's errors).
const upstreamInputError = "input-error"

// Reasons start with their category. An error finding or an input error
// can only be listed as the example's mistake: meshlint must accept every
// valid example without errors.
const (
	upstreamJustified = "justified: "
	upstreamWrong     = "upstream wrong: "
)

func TestUpstreamExamples(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "fixtures", "upstream")
	var files []string
	for _, d := range upstreamDirs {
		err := filepath.WalkDir(filepath.Join(dir, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(path, ".yaml") {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// 88 files of gateway-api's examples/, 138 objects of istio.io/api.
	if len(files) < 226 {
		t.Fatalf("only %d example files in fixtures/upstream: the net lost its point", len(files))
	}

	got := map[string]string{} // file TAB rule -> worst severity, first message
	severity := map[string]string{}
	for _, f := range files {
		path := "fixtures/upstream/" + f
		args := []string{"--format", "json", "--fail-on", "none", "--no-config", path}
		r := run(t, root, "", args...)
		var out struct {
			Findings []struct{ Rule, Severity, Message string }
			Errors   []struct{ Message string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("%s: meshlint %s: %v\nstderr:\n%s", f, strings.Join(args, " "), err, r.stderr)
		}
		want := ExitClean
		if len(out.Errors) > 0 {
			want = ExitError
		}
		if r.code != want {
			t.Errorf("%s: meshlint %s: exit %d, want %d\nstderr:\n%s", f, strings.Join(args, " "), r.code, want, r.stderr)
		}
		note := func(rule, sev, msg string) {
			key := f + "\t" + rule
			if _, ok := got[key]; !ok {
				got[key] = sev + " " + msg
			}
			if sev == "error" || severity[key] == "" {
				severity[key] = sev
			}
		}
		for _, e := range out.Errors {
			note(upstreamInputError, "error", e.Message)
		}
		for _, fd := range out.Findings {
			note(fd.Rule, fd.Severity, fd.Message)
		}
	}

	listed := readUpstreamExpected(t, filepath.Join(dir, "expected.tsv"))
	for _, k := range slices.Sorted(maps.Keys(got)) {
		reason, ok := listed[k]
		switch {
		case !ok:
			t.Errorf("finding on an upstream example not in fixtures/upstream/expected.tsv (fix meshlint if the example is valid, or list it with the reason):\n%s\n\t%s", k, got[k])
		case severity[k] == "error" && !strings.HasPrefix(reason, upstreamWrong):
			t.Errorf("fixtures/upstream/expected.tsv excuses an error on a valid example; an error is only listed when the example is wrong (%q):\n%s\n\t%s", upstreamWrong, k, got[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(listed)) {
		if _, ok := got[k]; !ok {
			t.Errorf("fixtures/upstream/expected.tsv lists a finding that no longer happens; remove it:\n%s", k)
		}
	}
	t.Logf("%d example files, %d file and rule pairs listed", len(files), len(listed))
}

// readUpstreamExpected reads expected.tsv: file (relative to
// fixtures/upstream), rule ID or input-error, and a reason that starts
// with its category.
func readUpstreamExpected(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for n, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fs := strings.Split(l, "\t")
		if len(fs) != 3 || !strings.HasPrefix(fs[2], upstreamJustified) && !strings.HasPrefix(fs[2], upstreamWrong) {
			t.Fatalf("%s:%d: want file, rule and a reason starting with %q or %q, tab-separated", path, n+1, upstreamJustified, upstreamWrong)
		}
		key := fs[0] + "\t" + fs[1]
		if _, dup := out[key]; dup {
			t.Fatalf("%s:%d: listed twice", path, n+1)
		}
		out[key] = fs[2]
	}
	return out
}
