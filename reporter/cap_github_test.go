package reporter

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestGitHubCap checks what happens past the 10 annotations GitHub keeps
// of each level per step: every command is still written (the runner logs
// them all), and a plain line says how many of each level got no
// annotation; none when every level fits.
func TestGitHubCap(t *testing.T) {
	tests := []struct {
		errors, warnings, notices int
		note                      string // "" for no note
	}{
		{10, 10, 10, ""},
		{11, 0, 0, "meshlint: 1 more error not annotated: GitHub shows at most 10 annotations of each level per step\n"},
		{12, 10, 11, "meshlint: 2 more errors and 1 more notice not annotated: GitHub shows at most 10 annotations of each level per step\n"},
		{3, 13, 12, "meshlint: 3 more warnings and 2 more notices not annotated: GitHub shows at most 10 annotations of each level per step\n"},
		{11, 11, 11, "meshlint: 1 more error, 1 more warning and 1 more notice not annotated: GitHub shows at most 10 annotations of each level per step\n"},
	}
	for _, tt := range tests {
		r := emptyReport()
		// Input errors count as errors, like error findings.
		r.Errors = []*manifest.Error{{File: "bad.yaml", Msg: "parse YAML"}}
		add := func(n int, sev rules.Severity) {
			for i := range n {
				r.Findings = append(r.Findings, &rules.Finding{
					Rule: ruleWeights, Severity: sev, Message: "m",
					Pos: manifest.Pos{File: "a.yaml", Loc: manifest.Loc{Line: int32(i + 1), Col: 1}},
				})
			}
		}
		add(tt.errors-1, rules.Error)
		add(tt.warnings, rules.Warning)
		add(tt.notices, rules.Info)
		out := string(write(t, "github", r, Options{}))
		lines := strings.SplitAfter(out, "\n")
		if got, want := strings.Count(out, "\n::"), tt.errors+tt.warnings+tt.notices-1; got != want {
			t.Errorf("%d/%d/%d: %d commands after the first, want %d", tt.errors, tt.warnings, tt.notices, got, want)
		}
		summary := lines[len(lines)-2]
		note := ""
		if len(lines) >= 3 && !strings.HasPrefix(lines[len(lines)-3], "::") {
			note = lines[len(lines)-3]
		}
		if note != tt.note {
			t.Errorf("%d/%d/%d: note %q, want %q", tt.errors, tt.warnings, tt.notices, note, tt.note)
		}
		if !strings.HasPrefix(summary, "meshlint: ") || strings.Contains(summary, "not annotated") {
			t.Errorf("%d/%d/%d: last line %q is not the summary", tt.errors, tt.warnings, tt.notices, summary)
		}
	}
}
