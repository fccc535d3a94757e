package rules

import (
	"sync/atomic"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
)

type memoKey struct{}

// TestMemoSharedAcrossRules checks that rules of one run share a memoized
// value, computed once, and that another run computes it afresh.
func TestMemoSharedAcrossRules(t *testing.T) {
	var calls atomic.Int32
	var seen [3]any
	mk := func(i int) *Rule {
		return &Rule{ID: "MR99" + string(rune('0'+i)), Run: func(p *Pass) error {
			seen[i] = p.Memo(memoKey{}, func() any { calls.Add(1); return new(int) })
			return nil
		}}
	}
	g := graph.Build(nil, config.DefaultMesh())
	if _, errs := Run(g, []*Rule{mk(0), mk(1), mk(2)}, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	if calls.Load() != 1 || seen[0] != seen[1] || seen[1] != seen[2] {
		t.Errorf("computed %d times; values %p %p %p", calls.Load(), seen[0], seen[1], seen[2])
	}
	if _, errs := Run(g, []*Rule{mk(0)}, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	if calls.Load() != 2 {
		t.Errorf("a second run reused the first run's value")
	}
}
