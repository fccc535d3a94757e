package workload

import (
	"math/rand/v2"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
)

// TestSatisfy compares satisfy with a search over every set of labels of
// a small universe: it must find labels exactly when some exist, and the
// labels it returns must match every selector.
func TestSatisfy(t *testing.T) {
	keys := []string{"a", "b"}
	values := []string{"x", "y"}
	ops := []string{"In", "NotIn", "Exists", "DoesNotExist"}
	r := rand.New(rand.NewPCG(1, 2))
	// Every label set over keys, a key absent or set to x, y or another value.
	var all []map[string]string
	choices := append([]string{""}, append(values, "other")...)
	for _, va := range choices {
		for _, vb := range choices {
			l := map[string]string{}
			if va != "" {
				l["a"] = va
			}
			if vb != "" {
				l["b"] = vb
			}
			all = append(all, l)
		}
	}
	for i := range 20000 {
		var sels []*spec.LabelSelector
		for range 1 + r.IntN(3) {
			if r.IntN(5) == 0 {
				sels = append(sels, nil)
				continue
			}
			s := &spec.LabelSelector{}
			if r.IntN(3) == 0 {
				s.MatchLabels = map[string]string{keys[r.IntN(2)]: values[r.IntN(2)]}
			}
			for range r.IntN(3) {
				e := spec.LabelSelectorRequirement{Key: spec.Str{V: keys[r.IntN(2)]}, Operator: spec.Str{V: ops[r.IntN(4)]}}
				if e.Operator.V == "In" || e.Operator.V == "NotIn" {
					for _, v := range values {
						if r.IntN(2) == 0 {
							e.Values = append(e.Values, v)
						}
					}
					if len(e.Values) == 0 {
						e.Values = []string{values[r.IntN(2)]}
					}
				}
				s.MatchExpressions = append(s.MatchExpressions, e)
			}
			sels = append(sels, s)
		}
		matchesAll := func(l map[string]string) bool {
			for _, s := range sels {
				if !graph.Selector(s).Matches(l) {
					return false
				}
			}
			return true
		}
		want := false
		for _, l := range all {
			want = want || matchesAll(l)
		}
		got, ok := satisfy(sels)
		if ok != want {
			t.Fatalf("case %d: satisfy = %v, want %v", i, ok, want)
		}
		if ok && !matchesAll(got) {
			t.Fatalf("case %d: satisfy returned %v, which a selector does not match", i, got)
		}
	}
}

func TestSatisfyImplied(t *testing.T) {
	sel := func(op string, vs ...string) *spec.LabelSelector {
		return &spec.LabelSelector{MatchExpressions: []spec.LabelSelectorRequirement{{Key: spec.Str{V: graph.NamespaceNameLabel}, Operator: spec.Str{V: op}, Values: vs}}}
	}
	if _, ok := satisfy([]*spec.LabelSelector{sel("DoesNotExist")}, graph.NamespaceNameLabel); ok {
		t.Error("a namespace without kubernetes.io/metadata.name was found")
	}
	if l, ok := satisfy([]*spec.LabelSelector{sel("NotIn", "kube-system")}, graph.NamespaceNameLabel); !ok || len(l) != 0 {
		t.Errorf("NotIn kube-system: got %v, %v; want an unconstrained namespace", l, ok)
	}
	if l, ok := satisfy([]*spec.LabelSelector{sel("In", "shop")}, graph.NamespaceNameLabel); !ok || l[graph.NamespaceNameLabel] != "shop" {
		t.Errorf("In shop: got %v, %v", l, ok)
	}
	for _, bad := range []*spec.LabelSelector{sel("In"), sel("NotIn"), sel("Exists", "x"), sel("Equals", "x")} {
		if _, ok := satisfy([]*spec.LabelSelector{bad}); ok {
			t.Errorf("the invalid selector %+v matches", bad.MatchExpressions[0])
		}
	}
}
