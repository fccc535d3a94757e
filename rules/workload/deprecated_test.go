package workload

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestPercentageFix covers the guards of the MR709 fix that the golden
// case (fixtures/fix/deprecated-field.txtar) cannot reach on its own: a
// percent whose key the delay does not hold, and a value not written as
// its decimal, which the applier would only skip.
func TestPercentageFix(t *testing.T) {
	o := &manifest.Object{File: "vs.yaml"}
	loc := func(line, col, width int32) manifest.Loc {
		return manifest.Loc{Line: line, Col: col, EndCol: col + width}
	}
	pct := func(v int64, at manifest.Loc) spec.Int { return spec.Int{V: v, Loc: at, Set: true} }
	for _, tc := range []struct {
		name string
		d    graph.DelayPercent
		// want lists each edit as Old -> NewText; nil means no fix.
		want []string
	}{
		{"one line", graph.DelayPercent{Key: loc(3, 9, 7), Percent: pct(10, loc(3, 18, 2))},
			[]string{"percent: 10 -> percentage: {value: 10}"}},
		{"quoted key", graph.DelayPercent{Key: loc(3, 9, 9), Percent: pct(10, loc(3, 20, 2))},
			[]string{"percent -> percentage", "10 -> {value: 10}"}},
		{"next line", graph.DelayPercent{Key: loc(3, 9, 7), Percent: pct(0, loc(4, 11, 1))},
			[]string{"percent -> percentage", "0 -> {value: 0}"}},
		{"with percentage", graph.DelayPercent{Key: loc(3, 9, 7), Percent: pct(10, loc(3, 18, 2)), Percentage: true}, nil},
		{"merged", graph.DelayPercent{Percent: pct(10, loc(3, 18, 2))}, nil},
		{"hex", graph.DelayPercent{Key: loc(3, 9, 7), Percent: pct(10, loc(3, 18, 4))}, nil},
		{"negative", graph.DelayPercent{Key: loc(3, 9, 7), Percent: pct(-1, loc(3, 18, 2))}, nil},
		{"over 100", graph.DelayPercent{Key: loc(3, 9, 7), Percent: pct(101, loc(3, 18, 3))}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fix, ok := percentageFix(o, tc.d)
			if ok != (tc.want != nil) {
				t.Fatalf("fix given: %v, want %v", ok, tc.want != nil)
			}
			var got []string
			for _, e := range fix.Edits {
				got = append(got, e.Old+" -> "+e.NewText)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("edits %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("edit %d: %q, want %q", i, got[i], tc.want[i])
				}
			}
			if ok {
				checkSpan(t, fix, tc.d)
			}
		})
	}
}

// checkSpan checks that the edits start at the key and end at the value.
func checkSpan(t *testing.T, fix rules.Fix, d graph.DelayPercent) {
	t.Helper()
	first, last := fix.Edits[0], fix.Edits[len(fix.Edits)-1]
	if first.Pos.Line != d.Key.Line || first.Pos.Col != d.Key.Col {
		t.Errorf("first edit at %v, want the key at %v", first.Pos.Loc, d.Key)
	}
	if end := (manifest.Loc{Line: d.Percent.Loc.Line, Col: d.Percent.Loc.EndCol}); last.End != end {
		t.Errorf("last edit ends at %v, want the value's end %v", last.End, end)
	}
}

// TestEgressProxyIsInfo checks that MR709 reports an ALLOW_ANY Sidecar's
// egressProxy as info: the field works, it is only undocumented.
func TestEgressProxyIsInfo(t *testing.T) {
	ruletest.Severities(t, DeprecatedField, []string{filepath.Join("..", "..", "fixtures", "rules", "MR709", "fire-egress-proxy.yaml")},
		map[string]rules.Severity{"egressProxy of Sidecar shop/default is undocumented": rules.Info})
}
