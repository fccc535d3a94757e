package labels

import "testing"

// FuzzSelector checks selector invariants on arbitrary keys and values:
// the empty selector matches everything, In and NotIn are complements, and
// Exists and DoesNotExist are complements.
func FuzzSelector(f *testing.F) {
	f.Add("app", "web", "app", "web")
	f.Add("app", "web", "tier", "")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, key, val, labelKey, labelVal string) {
		l := map[string]string{labelKey: labelVal}
		if !(Selector{}).Matches(l) {
			t.Fatal("the empty selector must match everything")
		}
		in := Requirement{Key: key, Op: In, Values: []string{val}}
		notIn := Requirement{Key: key, Op: NotIn, Values: []string{val}}
		if in.Matches(l) == notIn.Matches(l) {
			t.Fatalf("In and NotIn agree on %v for %s=%s", l, key, val)
		}
		ex := Requirement{Key: key, Op: Exists}
		dne := Requirement{Key: key, Op: DoesNotExist}
		if ex.Matches(l) == dne.Matches(l) {
			t.Fatalf("Exists and DoesNotExist agree on %v for %s", l, key)
		}
		ml := Selector{MatchLabels: map[string]string{key: val}}
		if ml.Matches(l) != in.Matches(l) {
			t.Fatalf("matchLabels and In disagree on %v for %s=%s", l, key, val)
		}
		if ml.Matches(l) != SubsetOf(ml.MatchLabels, l) {
			t.Fatal("Matches and SubsetOf disagree")
		}
	})
}
