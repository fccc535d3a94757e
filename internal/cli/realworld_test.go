package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The realworld trees are correct configurations written the way teams
// write them (fixtures/realworld/README.md). Each must lint with no error,
// and with exactly the warnings and infos of the expected file beside it,
// every one of which the README explains. Set MESHLINT_UPDATE_REALWORLD=1
// to rewrite the expected files after a deliberate change.

// realworldCase is one run over a tree: its arguments, exit code and
// expected output file.
type realworldCase struct {
	name     string
	tree     string
	args     []string
	code     int
	expected string
}

var realworldCases = []realworldCase{
	{"bookinfo", "bookinfo", nil, ExitClean, "expected.txt"},
	{"egress", "egress", nil, ExitClean, "expected.txt"},
	{"platform", "platform", nil, ExitClean, "expected.txt"},
	{"canary", "canary", nil, ExitClean, "expected.txt"},
	// Incomplete input: quiet by default, every missing reference reported
	// when the input is declared to be the whole cluster.
	{"partial", "partial", nil, ExitClean, "expected.txt"},
	{"partial closed world", "partial", []string{"--closed-world"}, ExitFindings, "expected-closed-world.txt"},
}

// realworldFinding matches the first line of a text finding.
var realworldFinding = regexp.MustCompile(`^(\S+):\d+:\d+: (error|warning|info) (MR\d+) `)

func TestRealworld(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "fixtures", "realworld", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("MESHLINT_UPDATE_REALWORLD") != ""
	for _, tc := range realworldCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.ToSlash(filepath.Join("fixtures", "realworld", tc.tree))
			// A tree's own .meshlint.yaml carries its mesh settings; the
			// others run with none, whatever sits above the repository.
			args := []string{"--color", "never", "--fail-on", "error", "--no-config"}
			if cfg := filepath.Join(dir, ".meshlint.yaml"); realworldFileExists(filepath.Join(root, cfg)) {
				args = []string{"--color", "never", "--fail-on", "error", "--config", filepath.ToSlash(cfg)}
			}
			args = append(append(args, tc.args...), dir)
			r := run(t, root, "", args...)
			if r.code != tc.code {
				t.Errorf("meshlint %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, tc.code, r.stdout, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr not empty:\n%s", r.stderr)
			}
			wantFile := filepath.Join(root, dir, tc.expected)
			if update {
				if err := os.WriteFile(wantFile, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if r.stdout != string(want) {
				t.Errorf("meshlint %s: output differs from %s/%s (MESHLINT_UPDATE_REALWORLD=1 rewrites it; then explain every finding in fixtures/realworld/README.md):\n%s",
					strings.Join(args, " "), dir, tc.expected, r.stdout)
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				m := realworldFinding.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				if tc.code == ExitClean && m[2] == "error" {
					t.Errorf("error on a correct tree: %s", line)
				}
				// The README names each finding by rule and file.
				file := strings.TrimPrefix(m[1], "fixtures/realworld/")
				if !strings.Contains(string(readme), m[3]) || !strings.Contains(string(readme), file) {
					t.Errorf("fixtures/realworld/README.md does not explain %s in %s", m[3], file)
				}
			}
		})
	}
}

func realworldFileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
