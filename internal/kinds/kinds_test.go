package kinds

import (
	"slices"
	"testing"
)

// TestWorkloads checks that Workloads lists exactly the kinds IsWorkload
// accepts among the modelled ones: rules declare their inputs from the
// one, the graph reads pod templates by the other.
func TestWorkloads(t *testing.T) {
	ws := Workloads()
	for _, k := range ws {
		if !IsWorkload(k) {
			t.Errorf("Workloads lists %s, which IsWorkload rejects", k)
		}
	}
	for group, ks := range modelled {
		for k := range ks {
			if IsWorkload(k) && !slices.Contains(ws, k) {
				t.Errorf("IsWorkload accepts %s (group %q), which Workloads does not list", k, group)
			}
		}
	}
}
