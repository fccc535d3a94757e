package suppress

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/meta"
)

var (
	ruleA = &rules.Rule{ID: "MR001", Name: "rule-a", Severity: rules.Error, Related: []string{"IST0101", "KIA1107"}}
	ruleB = &rules.Rule{ID: "MR002", Name: "rule-b", Severity: rules.Warning, Related: []string{"KIA0001"}}
	ruleC = &rules.Rule{ID: "MR003", Name: "rule-c", Severity: rules.Warning}
	// registry is what directives resolve against; ruleC never runs.
	registry = []*rules.Rule{ruleA, ruleB, ruleC, meta.SuppressionInvalid}
	ranAll   = []*rules.Rule{ruleA, ruleB, meta.SuppressionInvalid}
)

// load writes src to a file and loads it.
func load(t *testing.T, src string) (string, []*manifest.Object) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{file}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	return file, res.Objects
}

// finding makes a finding of r at the first occurrence of marker in src,
// in the object that holds that line.
func finding(t *testing.T, file, src string, objs []*manifest.Object, r *rules.Rule, marker string) *rules.Finding {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("marker %q not in the source", marker)
	}
	line := strings.Count(src[:i], "\n") + 1
	col := i - strings.LastIndex(src[:i], "\n")
	var o *manifest.Object
	for _, x := range objs {
		if x.Node.Line <= line {
			o = x
		}
	}
	return &rules.Finding{Rule: r, Severity: r.Severity, Message: marker, Object: o,
		Pos: manifest.Pos{File: file, Loc: manifest.Loc{Line: int32(line), Col: int32(col), EndCol: int32(col + 1)}}}
}

const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  # meshlint:ignore MR001 -- covers http[0] and below
  - route:
    - destination: {host: a}
      weight: 90
  - route:
    - destination: {host: b}
      weight: 80 # meshlint:ignore rule-b -- on the line
    # meshlint:ignore MR002 -- above a blank line

    - destination: {host: c}
      weight: 70
  tcp: # meshlint:ignore MR002 -- the whole tcp list
  - route:
    - destination: {host: d}
      weight: 60
`

func TestComments(t *testing.T) {
	t.Run("LF", func(t *testing.T) { testComments(t, vs) })
	// A CRLF file's comments cover the same nodes.
	t.Run("CRLF", func(t *testing.T) { testComments(t, strings.ReplaceAll(vs, "\n", "\r\n")) })
}

func testComments(t *testing.T, vs string) {
	file, objs := load(t, vs)
	for _, tc := range []struct {
		rule   *rules.Rule
		marker string
		by     string // reason of the directive that suppresses it; "" = kept
	}{
		{ruleA, "weight: 90", "covers http[0] and below"},
		{ruleA, "host: a", "covers http[0] and below"},
		{ruleB, "weight: 90", ""},
		{ruleA, "weight: 80", ""},
		{ruleB, "weight: 80", "on the line"},
		{ruleB, "80 #", "on the line"},
		// A blank line between the directive and the node: not directly above.
		{ruleB, "{host: c}", ""},
		{ruleB, "weight: 60", "the whole tcp list"},
		{ruleB, "tcp:", "the whole tcp list"},
		{ruleB, "hosts:", ""},
	} {
		f := finding(t, file, vs, objs, tc.rule, tc.marker)
		res := Apply(objs, []*rules.Finding{f}, Options{Registry: registry, Ran: []*rules.Rule{ruleA, ruleB}})
		got := ""
		if len(res.Suppressed) == 1 {
			got = res.Suppressed[0].By.Reason
			if res.Suppressed[0].Finding != f {
				t.Errorf("%s at %q: suppressed the wrong finding", tc.rule.ID, tc.marker)
			}
		} else if len(res.Kept) != 1 {
			t.Fatalf("%s at %q: kept %d, suppressed %d", tc.rule.ID, tc.marker, len(res.Kept), len(res.Suppressed))
		}
		if got != tc.by {
			t.Errorf("%s at %q: suppressed by %q, want %q", tc.rule.ID, tc.marker, got, tc.by)
		}
	}
}

const firstLine = `apiVersion: networking.istio.io/v1 # meshlint:ignore MR001 -- generated
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a]
---
# meshlint:ignore MR002 -- above the object
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: b
spec:
  hosts: [b]
---
apiVersion: v1
kind: List
items:
# meshlint:ignore MR001 -- an item of a List
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata:
    name: c
  spec:
    hosts: [c]
`

func TestWholeObject(t *testing.T) {
	file, objs := load(t, firstLine)
	if len(objs) != 3 {
		t.Fatalf("loaded %d objects", len(objs))
	}
	fs := []*rules.Finding{
		finding(t, file, firstLine, objs, ruleA, "hosts: [a]"),
		finding(t, file, firstLine, objs, ruleB, "hosts: [b]"),
		finding(t, file, firstLine, objs, ruleA, "hosts: [c]"),
		finding(t, file, firstLine, objs, ruleB, "hosts: [c]"),
	}
	res := Apply(objs, fs, Options{Registry: registry, Ran: ranAll})
	var reasons []string
	for _, s := range res.Suppressed {
		reasons = append(reasons, s.By.Reason)
	}
	want := []string{"generated", "above the object", "an item of a List"}
	if !slices.Equal(reasons, want) {
		t.Errorf("suppressed by %q, want %q", reasons, want)
	}
	if len(res.Kept) != 1 || res.Kept[0] != fs[3] {
		t.Errorf("kept %v, want the MR002 finding of c", res.Kept)
	}
	if len(res.Invalid) != 0 {
		t.Errorf("unexpected MR901: %v", messages(res.Invalid))
	}
}

const annotated = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
  annotations:
    meshlint.io/ignore: "rule-a, MR002"
    meshlint.io/ignore-reason: "owned by another team"
spec:
  hosts: [a]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: b
  annotations:
    galley.istio.io/analyze-suppress: "IST0101"
spec:
  hosts: [b]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: c
  annotations:
    galley.istio.io/analyze-suppress: "*"
spec:
  hosts: [c]
`

func TestAnnotations(t *testing.T) {
	file, objs := load(t, annotated)
	fs := []*rules.Finding{
		finding(t, file, annotated, objs, ruleA, "hosts: [a]"),
		finding(t, file, annotated, objs, ruleB, "hosts: [a]"),
		finding(t, file, annotated, objs, ruleA, "hosts: [b]"), // IST0101
		finding(t, file, annotated, objs, ruleB, "hosts: [b]"), // no IST code
		finding(t, file, annotated, objs, ruleA, "hosts: [c]"), // "*"
		finding(t, file, annotated, objs, ruleB, "hosts: [c]"), // "*" needs an IST code
	}
	res := Apply(objs, fs, Options{Registry: registry, Ran: ranAll})
	var just []string
	for _, s := range res.Suppressed {
		just = append(just, s.By.Justification())
	}
	want := []string{"owned by another team", "owned by another team", AnnotationGalley + ": IST0101", AnnotationGalley + ": *"}
	if !slices.Equal(just, want) {
		t.Errorf("justifications %q, want %q", just, want)
	}
	if len(res.Kept) != 2 || res.Kept[0] != fs[3] || res.Kept[1] != fs[5] {
		t.Errorf("kept %v", messages(res.Kept))
	}
	if len(res.Invalid) != 0 {
		t.Errorf("unexpected MR901: %v", messages(res.Invalid))
	}
	if p := res.Suppressed[0].By.Pos; p.Line != 6 || p.Col != 25 {
		t.Errorf("annotation directive at %v, want line 6 col 25", p)
	}
}

const problems = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a] # meshlint:ignore MR001
  http:
  # A comment first.
  # meshlint:ignore MR001,MR002 -- only MR001 fires here
  - route:
    - destination: {host: a}
  tcp: # meshlint:ignore MR003 -- MR003 did not run
  - route:
    - destination: {host: a}
  tls: # meshlint:ignore MR002 -- nothing here
  - route:
    # meshlint:ignore MR001 -- detached

    - destination: {host: a}
      # meshlint:ignore MR001 -- trails the last entry
`

func TestProblems(t *testing.T) {
	file, objs := load(t, problems)
	fs := []*rules.Finding{
		finding(t, file, problems, objs, ruleA, "hosts: [a]"),
		finding(t, file, problems, objs, ruleA, "destination: {host: a}"),
	}
	res := Apply(objs, fs, Options{Registry: registry, Ran: ranAll})
	if len(res.Kept) != 0 || len(res.Suppressed) != 2 {
		t.Fatalf("kept %d, suppressed %d", len(res.Kept), len(res.Suppressed))
	}
	var got []string
	for _, f := range res.Invalid {
		if f.Rule != meta.SuppressionInvalid || f.Severity != rules.Warning || f.Object != objs[0] {
			t.Errorf("bad MR901 finding %+v", f)
		}
		got = append(got, f.Pos.String()[len(file):]+" "+f.Message)
	}
	want := []string{
		":6:10 meshlint:ignore MR001 has no reason: say why the finding is acceptable after the rule list",
		":9:5 meshlint:ignore MR001,MR002 suppressed no MR002 finding: no MR002 finding on this node or below it; remove it, or move it to the node the finding is reported at",
		":15:3 meshlint:ignore MR002 suppressed nothing: no MR002 finding on this node or below it; remove it, or move it to the node the finding is reported at",
		":17:7 meshlint:ignore MR001 is separated from the node below by a blank line and covers nothing: remove the blank line",
		":19:7 meshlint:ignore MR001 is not on the line of a node or directly above one, so it covers nothing: write it there, with no blank line in between",
	}
	if !slices.Equal(got, want) {
		t.Errorf("MR901 findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Without MR901 in the run, the directives are not checked.
	res = Apply(objs, fs, Options{Registry: registry, Ran: []*rules.Rule{ruleA, ruleB}})
	if len(res.Invalid) != 0 {
		t.Errorf("MR901 did not run but reported %v", messages(res.Invalid))
	}
	// A disabled rule's directive is not stale.
	res = Apply(objs, fs, Options{Registry: registry, Ran: []*rules.Rule{ruleA, meta.SuppressionInvalid}})
	for _, f := range res.Invalid {
		if strings.Contains(f.Message, "MR002 finding") {
			t.Errorf("MR002 did not run but its directive is reported: %s", f.Message)
		}
	}
	// A configured severity applies.
	res = Apply(objs, fs, Options{Registry: registry, Ran: ranAll, Severity: map[string]rules.Severity{"MR901": rules.Error}})
	if res.Invalid[0].Severity != rules.Error {
		t.Errorf("severity %v, want error", res.Invalid[0].Severity)
	}
}

func TestUnknownNames(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: a
spec:
  hosts: [a] # meshlint:ignore MR001,MR777 -- one typo
`
	file, objs := load(t, src)
	fs := []*rules.Finding{finding(t, file, src, objs, ruleA, "hosts: [a]")}
	res := Apply(objs, fs, Options{Registry: registry, Ran: ranAll})
	if len(res.Suppressed) != 1 || len(res.Invalid) != 1 || !strings.Contains(res.Invalid[0].Message, `no rule "MR777"`) {
		t.Errorf("with a registry: suppressed %d, invalid %v", len(res.Suppressed), messages(res.Invalid))
	}
	// Without a registry (the fixture harness), names of rules that did not
	// run are passed over.
	res = Apply(objs, fs, Options{Ran: ranAll})
	if len(res.Suppressed) != 1 || len(res.Invalid) != 0 {
		t.Errorf("without a registry: suppressed %d, invalid %v", len(res.Suppressed), messages(res.Invalid))
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		in     string
		names  []string
		reason string
	}{
		{" MR101 reason text", []string{"MR101"}, "reason text"},
		{" MR101,MR102 -- reason", []string{"MR101", "MR102"}, "reason"},
		{" MR101, MR102 , route-weights-not-100 -- r", []string{"MR101", "MR102", "route-weights-not-100"}, "r"},
		{" MR101", []string{"MR101"}, ""},
		{" MR101 --", []string{"MR101"}, ""},
		{" -- reason only", nil, "reason only"},
		{" MR101 -- see C# docs, issue #12", []string{"MR101"}, "see C# docs, issue #12"},
		{" MR101 -- reason # want: MR901 `x`", []string{"MR101"}, "reason"},
		{"", nil, ""},
	} {
		names, reason := parseArgs(tc.in)
		if !slices.Equal(names, tc.names) || reason != tc.reason {
			t.Errorf("parseArgs(%q) = %q, %q; want %q, %q", tc.in, names, reason, tc.names, tc.reason)
		}
	}
}

func messages(fs []*rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Pos.String()+": "+f.Rule.ID+" "+f.Message)
	}
	return out
}
