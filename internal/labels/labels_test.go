package labels

import "testing"

func TestSelector(t *testing.T) {
	pod := map[string]string{"app": "web", "tier": "front", "version": "v1"}
	for _, tc := range []struct {
		name string
		sel  Selector
		l    map[string]string
		want bool
	}{
		{"empty selects everything", Selector{}, pod, true},
		{"empty selects unlabelled", Selector{}, nil, true},
		{"empty maps are empty", Selector{MatchLabels: map[string]string{}}, nil, true},
		{"matchLabels subset", Selector{MatchLabels: map[string]string{"app": "web"}}, pod, true},
		{"matchLabels all", Selector{MatchLabels: map[string]string{"app": "web", "tier": "front"}}, pod, true},
		{"matchLabels wrong value", Selector{MatchLabels: map[string]string{"app": "api"}}, pod, false},
		{"matchLabels missing key", Selector{MatchLabels: map[string]string{"team": "a"}}, pod, false},
		{"matchLabels empty value needs the key", Selector{MatchLabels: map[string]string{"team": ""}}, pod, false},
		{"matchLabels empty value", Selector{MatchLabels: map[string]string{"team": ""}}, map[string]string{"team": ""}, true},
		{"In", sel(Requirement{"tier", In, []string{"front", "back"}}), pod, true},
		{"In other value", sel(Requirement{"tier", In, []string{"back"}}), pod, false},
		{"In missing key", sel(Requirement{"team", In, []string{"a"}}), pod, false},
		{"NotIn", sel(Requirement{"tier", NotIn, []string{"back"}}), pod, true},
		{"NotIn listed", sel(Requirement{"tier", NotIn, []string{"front"}}), pod, false},
		{"NotIn missing key matches", sel(Requirement{"team", NotIn, []string{"a"}}), pod, true},
		{"Exists", sel(Requirement{"app", Exists, nil}), pod, true},
		{"Exists missing", sel(Requirement{"team", Exists, nil}), pod, false},
		{"DoesNotExist", sel(Requirement{"team", DoesNotExist, nil}), pod, true},
		{"DoesNotExist present", sel(Requirement{"app", DoesNotExist, nil}), pod, false},
		{"unknown operator matches nothing", sel(Requirement{"app", "Equals", []string{"web"}}), pod, false},
		{"lower-case operator is unknown", sel(Requirement{"app", "in", []string{"web"}}), pod, false},
		{"labels and expressions are ANDed", Selector{
			MatchLabels: map[string]string{"app": "web"},
			Exprs:       []Requirement{{"version", In, []string{"v2"}}},
		}, pod, false},
		{"expressions are ANDed", sel(Requirement{"app", Exists, nil}, Requirement{"tier", NotIn, []string{"front"}}), pod, false},
		{"all hold", Selector{
			MatchLabels: map[string]string{"app": "web"},
			Exprs:       []Requirement{{"version", In, []string{"v1", "v2"}}, {"canary", DoesNotExist, nil}},
		}, pod, true},
	} {
		if got := tc.sel.Matches(tc.l); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func sel(rs ...Requirement) Selector { return Selector{Exprs: rs} }

func TestEmpty(t *testing.T) {
	for _, tc := range []struct {
		sel  Selector
		want bool
	}{
		{Selector{}, true},
		{Selector{MatchLabels: map[string]string{}}, true},
		{Selector{MatchLabels: map[string]string{"a": "b"}}, false},
		{sel(Requirement{"a", Exists, nil}), false},
	} {
		if got := tc.sel.Empty(); got != tc.want {
			t.Errorf("%+v.Empty() = %v", tc.sel, got)
		}
	}
}

func TestSubsetOf(t *testing.T) {
	for _, tc := range []struct {
		a, b map[string]string
		want bool
	}{
		{nil, nil, true},
		{nil, map[string]string{"a": "1"}, true},
		{map[string]string{"a": "1"}, map[string]string{"a": "1", "b": "2"}, true},
		{map[string]string{"a": "1"}, map[string]string{"a": "2"}, false},
		{map[string]string{"a": "1"}, nil, false},
		{map[string]string{"a": ""}, map[string]string{}, false},
	} {
		if got := SubsetOf(tc.a, tc.b); got != tc.want {
			t.Errorf("SubsetOf(%v, %v) = %v", tc.a, tc.b, got)
		}
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		m    map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"b": "2", "a": "1"}, "a=1,b=2"},
		{map[string]string{"a": ""}, "a="},
	} {
		if got := String(tc.m); got != tc.want {
			t.Errorf("String(%v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}
