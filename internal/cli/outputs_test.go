package cli

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOutputPairing checks that each --output names the file of the
// --format before it, as the README's GitHub Actions example writes them
// (`--format github --format sarif --output meshlint.sarif`: annotations
// on stdout, SARIF to the file), and that comma lists and outputs given
// first still pair in order.
func TestOutputPairing(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		formats, files []string // files: "" for stdout
		err            string
		mismatch       string // a warning of mismatches
	}{
		{args: nil, formats: []string{"text"}, files: []string{""}},
		{args: []string{"--format", "github", "--format", "sarif", "--output", "x.sarif"},
			formats: []string{"github", "sarif"}, files: []string{"", "x.sarif"}},
		{args: []string{"--format", "json", "--output", "a.json", "--format", "sarif", "--output", "b.sarif", "--format", "text"},
			formats: []string{"json", "sarif", "text"}, files: []string{"a.json", "b.sarif", ""}},
		{args: []string{"--format", "json,sarif", "--output", "a.json", "--output", "b.sarif"},
			formats: []string{"json", "sarif"}, files: []string{"a.json", "b.sarif"}},
		{args: []string{"--output", "a.json", "--format", "json"},
			formats: []string{"json"}, files: []string{"a.json"}},
		{args: []string{"--output", "a.txt"}, formats: []string{"text"}, files: []string{"a.txt"}},
		// No --format: the extension names it.
		{args: []string{"--output", "out/a.json", "--output", "b.SARIF", "--output", "c.sarif.json", "--output", "r.html", "--output", "log"},
			formats: []string{"json", "sarif", "sarif", "html", "text"}, files: []string{"out/a.json", "b.SARIF", "c.sarif.json", "r.html", "log"}},
		// The output before its format: the SARIF file gets annotations.
		{args: []string{"--output", "x.sarif", "--format", "github"},
			formats: []string{"github"}, files: []string{"x.sarif"}, mismatch: "--output x.sarif gets --format github, not sarif"},
		{args: []string{"--format", "json", "--output", "a", "--output", "b"}, err: "more --output than --format flags"},
		{args: []string{"--format", "json", "--format", "sarif"}, err: "several formats would go to stdout"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var o outputSet
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			fs.Var(formatFlag{&o}, "format", "")
			fs.Var(outputFlag{&o}, "output", "")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := o.pair()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("pair() = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(o.formats, tc.formats) || !slices.Equal(o.files, tc.files) {
				t.Errorf("formats %q files %q (%v), want %q %q", o.formats, o.files, err, tc.formats, tc.files)
			}
			if got := strings.Join(o.mismatches(), "\n"); !strings.HasPrefix(got, tc.mismatch) || (tc.mismatch == "") != (got == "") {
				t.Errorf("mismatches %q, want %q", got, tc.mismatch)
			}
		})
	}
}

// TestOutputPairingRun runs the README's GitHub Actions command.
func TestOutputPairingRun(t *testing.T) {
	dir := testdata(t)
	out := filepath.Join(t.TempDir(), "meshlint.sarif")
	r := run(t, dir, "", "--format", "github", "--format", "sarif", "--output", out, "broken")
	if !strings.HasPrefix(r.stdout, "::") {
		t.Errorf("stdout does not hold the annotations:\n%.200s", r.stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), `"version": "2.1.0"`) {
		t.Errorf("%s does not hold SARIF (%v):\n%.200s", out, err, b)
	}
}

// TestSourceRoot checks that SARIF URIs and annotation paths are relative
// to the top of the git work tree, which GitHub resolves them against,
// when meshlint runs in a folder below it.
func TestSourceRoot(t *testing.T) {
	repo := t.TempDir()
	deploy := filepath.Join(repo, "deploy")
	for _, d := range []string{filepath.Join(repo, ".git"), deploy} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	vs := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: shop}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n      weight: 60\n    - destination: {host: r}\n      weight: 50\n"
	if err := os.WriteFile(filepath.Join(deploy, "vs.yaml"), []byte(vs), 0o644); err != nil {
		t.Fatal(err)
	}
	sarif := run(t, deploy, "", "--format", "sarif", "vs.yaml")
	if !strings.Contains(sarif.stdout, `"uri": "deploy/vs.yaml"`) {
		t.Errorf("SARIF URI not relative to the repository:\n%s", sarif.stdout)
	}
	gh := run(t, deploy, "", "--format", "github", "vs.yaml")
	if !strings.Contains(gh.stdout, "file=deploy/vs.yaml,") {
		t.Errorf("annotation file not relative to the repository:\n%s", gh.stdout)
	}
	if got := sourceRoot(deploy); got != repo {
		t.Errorf("sourceRoot(%s) = %s, want %s", deploy, got, repo)
	}
	// Outside a work tree (unless the temporary folder is in one), the
	// folder itself.
	other := t.TempDir()
	if got := sourceRoot(other); got != other {
		if _, err := os.Lstat(filepath.Join(got, ".git")); err != nil {
			t.Errorf("sourceRoot(%s) = %s, which holds no .git", other, got)
		}
	}
}
