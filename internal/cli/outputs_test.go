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
