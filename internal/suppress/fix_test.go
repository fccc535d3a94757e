package suppress

import (
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/fix"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/meta"
)

func TestClosest(t *testing.T) {
	reg := []*rules.Rule{
		{ID: "MR101", Name: "route-weights-not-100"},
		{ID: "MR102", Name: "route-weight-invalid"},
		{ID: "MR110", Name: "dr-host-unknown"},
		{ID: "MR152", Name: "service-selects-no-workload"},
		{ID: "MR210", Name: "gateway-selector-no-workload"},
		meta.SuppressionInvalid,
	}
	for _, tc := range []struct{ in, want string }{
		{"Route-Weights-Not-100", "route-weights-not-100"},
		{"route-wieght-invalid", "route-weight-invalid"},  // a swap: two edits
		{"route-weight-invaild", "route-weight-invalid"},  // a swap: two edits
		{"route-wieght-invalidd", ""},                     // a swap and a third edit
		{"route-weights-not-10", "route-weights-not-100"}, // a deletion
		{"route-weigh-invalidd", "route-weight-invalid"},  // two edits
		{"route-weigh-invalidxx", ""},                     // three
		{"MR120", "MR102"},                                // digits after the family swapped
		{"mr120", "MR102"},                                // in any case
		{"MR512", ""},                                     // the family digit is never guessed
		{"MR103", ""},                                     // a digit written wrong is not guessed
		{"MR1", ""},                                       // too short to be one
		{"MR910", ""},                                     // MR901 is never proposed
		{"suppression-invalld", ""},                       // nor by name
		{"selects-no-workload", ""},                       // 8 and 9 edits away
		{"gateway-selector-no-workloads", "gateway-selector-no-workload"},
		{"dr-host", ""}, // too far
	} {
		if got := closest(tc.in, reg); got != tc.want {
			t.Errorf("closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A short name is not guessed.
	short := []*rules.Rule{{ID: "MR001", Name: "abcdef"}}
	if got := closest("abcdex", short); got != "abcdef" {
		t.Errorf("closest(abcdex) = %q", got)
	}
	if got := closest("abcdx", short); got != "" {
		t.Errorf("closest(abcdx) = %q, want no guess for a short name", got)
	}
	// Two rules as close: no guess.
	two := []*rules.Rule{{ID: "MR001", Name: "abcdef-one"}, {ID: "MR002", Name: "abcdef-two"}}
	if got := closest("abcdef-on", two); got != "abcdef-one" {
		t.Errorf("closest(abcdef-on) = %q", got)
	}
	if got := closest("abcdef-owe", two); got != "" {
		t.Errorf("closest(abcdef-owe) = %q, want no guess between two rules", got)
	}
}

// at is a finding of a rule at the first occurrence of a marker.
type at struct {
	rule   *rules.Rule
	marker string
}

// fixed applies the first fix of every MR901 finding of src, written to a
// file, with findings fs; edit changes what Source returns. It returns the
// file after the fixes and the messages of the fixes.
func fixed(t *testing.T, src string, fs []at, edit func([]byte) []byte) (string, []string) {
	t.Helper()
	file, objs := load(t, src)
	var findings []*rules.Finding
	for _, a := range fs {
		findings = append(findings, finding(t, file, src, objs, a.rule, a.marker))
	}
	opts := Options{Registry: registry, Ran: ranAll, Source: func(name string) []byte {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil // as the CLI's does: no such file
		}
		if edit != nil {
			return edit(data)
		}
		return data
	}}
	res := Apply(objs, findings, opts)
	var msgs []string
	for _, f := range res.Invalid {
		for _, x := range f.Fixes {
			msgs = append(msgs, x.Message)
		}
	}
	plan := fix.Plan(res.Invalid, fix.Options{})
	for _, s := range plan.Skipped {
		t.Errorf("fix %q skipped: %s", s.Fix.Message, s.Reason)
	}
	if len(plan.Files) == 0 {
		return src, msgs
	}
	return string(plan.Files[0].New), msgs
}

// TestFixCRLF checks that fixes keep a file's CRLF line breaks.
func TestFixCRLF(t *testing.T) {
	src := strings.ReplaceAll(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations:
    meshlint.io/ignore: MR002
    meshlint.io/ignore-reason: over
spec:
  hosts: [a]	# meshlint:ignore MR002 -- stale, after a tab
`, "\n", "\r\n")
	got, _ := fixed(t, src, nil, nil)
	want := strings.ReplaceAll(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a]
`, "\n", "\r\n")
	if got != want {
		t.Errorf("after the fixes:\n%q\nwant:\n%q", got, want)
	}
}

// TestNoFix checks the directives that get no fix (annotations under an
// anchor, no reason, a name that is close to a rule the directive names
// already, or to none), and that a line that does not hold what was
// parsed gets none.
func TestNoFix(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations: &shared
    team: a
    meshlint.io/ignore: MR002
    meshlint.io/ignore-reason: "an anchor: other objects would lose it too"
spec:
  hosts: [a] # meshlint:ignore MR001,Rule-A
  http:
  # meshlint:ignore MR004 -- no close rule
  - route: []
`
	got, msgs := fixed(t, src, []at{{ruleA, "hosts: [a]"}}, nil)
	if got != src || len(msgs) != 0 {
		t.Errorf("fixes %q changed the file:\n%s", msgs, got)
	}

	// The same stale comment, once as parsed and once changed on disk.
	src = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a] # meshlint:ignore MR002 -- stale
`
	if _, msgs := fixed(t, src, nil, nil); len(msgs) != 1 {
		t.Errorf("fixes %q, want one", msgs)
	}
	changed := func(b []byte) []byte { return []byte(strings.Replace(string(b), "MR002 --", "MR002  --", 1)) }
	if _, msgs := fixed(t, src, nil, changed); len(msgs) != 0 {
		t.Errorf("a changed line got fixes %q", msgs)
	}
	// Without Source, no fix.
	file, objs := load(t, src)
	_ = file
	res := Apply(objs, nil, Options{Registry: registry, Ran: ranAll})
	if len(res.Invalid) != 1 || len(res.Invalid[0].Fixes) != 0 {
		t.Errorf("without Source: %v", messages(res.Invalid))
	}
}

// TestFixKeepsCovered checks that a directive that repeats another one is
// not stale, so that removing stale ones never brings a finding back.
func TestFixKeepsCovered(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations:
    meshlint.io/ignore: MR001,MR002
    meshlint.io/ignore-reason: both
spec:
  # meshlint:ignore MR001 -- again
  hosts: [a] # meshlint:ignore MR001,MR002 -- and again
`
	got, msgs := fixed(t, src, []at{{ruleA, "hosts: [a]"}}, nil)
	want := strings.Replace(strings.Replace(src, "MR001,MR002\n", "MR001\n", 1), "MR001,MR002 --", "MR001 --", 1)
	if got != want {
		t.Errorf("fixes %q:\n%s\nwant:\n%s", msgs, got, want)
	}
}

// TestFixMergedAnnotations checks the removal of a stale annotation
// directive beside a merge key (<<): the entry written in the mapping goes
// and the merge key stays, but not when a merged mapping holds the same
// annotation (it would apply once the written one is gone), nor when the
// directive itself comes through the merge key.
func TestFixMergedAnnotations(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations:
    <<: {team: a}
    meshlint.io/ignore: MR002
    meshlint.io/ignore-reason: stale
spec:
  hosts: [a]
`
	got, msgs := fixed(t, src, nil, nil)
	want := strings.Replace(src, "    meshlint.io/ignore: MR002\n    meshlint.io/ignore-reason: stale\n", "", 1)
	if got != want {
		t.Errorf("fixes %q:\n%s\nwant:\n%s", msgs, got, want)
	}
	for _, src := range []string{`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations:
    <<: {meshlint.io/ignore: MR001, meshlint.io/ignore-reason: shared}
    meshlint.io/ignore: MR002
    meshlint.io/ignore-reason: stale
spec:
  hosts: [a]
`, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations:
    <<: {meshlint.io/ignore: MR002, meshlint.io/ignore-reason: stale}
spec:
  hosts: [a]
`} {
		got, msgs := fixed(t, src, nil, nil)
		if got != src || len(msgs) != 0 {
			t.Errorf("fixes %q changed the file:\n%s", msgs, got)
		}
	}
}
