package graph

import (
	"slices"
	"testing"
	"time"
)

// TestComparePrecedence checks that the order does not depend on the order
// of the input, with objects with and without creation times mixed.
func TestComparePrecedence(t *testing.T) {
	type obj struct {
		name    string
		created time.Time
	}
	at := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	want := []string{"ns/z", "ns/b", "ns/a", "ns/m", "ns/y"}
	objs := []obj{{"ns/a", at(2025)}, {"ns/m", time.Time{}}, {"ns/z", at(2020)}, {"ns/b", at(2025).Add(-time.Hour)}, {"ns/y", time.Time{}}}
	// Every rotation and its reverse.
	for i := range objs {
		for _, rev := range []bool{false, true} {
			in := append(slices.Clone(objs[i:]), objs[:i]...)
			if rev {
				slices.Reverse(in)
			}
			slices.SortFunc(in, func(a, b obj) int { return ComparePrecedence(a.created, a.name, b.created, b.name) })
			var got []string
			for _, o := range in {
				got = append(got, o.name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("from rotation %d (reversed %v): %v, want %v", i, rev, got, want)
			}
		}
	}
}
