// Package labels implements Kubernetes label selectors.
package labels

import "sort"

// Operator is a matchExpressions operator.
type Operator string

// The four label selector operators.
const (
	In           Operator = "In"
	NotIn        Operator = "NotIn"
	Exists       Operator = "Exists"
	DoesNotExist Operator = "DoesNotExist"
)

// Requirement is one matchExpressions entry.
type Requirement struct {
	Key    string
	Op     Operator
	Values []string
}

// Selector is a label selector: every matchLabels pair and every requirement
// must hold. The zero Selector selects everything.
type Selector struct {
	MatchLabels map[string]string
	Exprs       []Requirement
}

// Empty reports whether the selector selects everything.
func (s Selector) Empty() bool { return len(s.MatchLabels) == 0 && len(s.Exprs) == 0 }

// Matches reports whether labels l satisfy the selector.
func (s Selector) Matches(l map[string]string) bool {
	for k, v := range s.MatchLabels {
		if got, ok := l[k]; !ok || got != v {
			return false
		}
	}
	for _, r := range s.Exprs {
		if !r.Matches(l) {
			return false
		}
	}
	return true
}

// Matches reports whether labels l satisfy the requirement. An unknown
// operator matches nothing: the API server rejects it, so nothing runs with it.
func (r Requirement) Matches(l map[string]string) bool {
	v, has := l[r.Key]
	switch r.Op {
	case In:
		return has && contains(r.Values, v)
	case NotIn:
		return !has || !contains(r.Values, v)
	case Exists:
		return has
	case DoesNotExist:
		return !has
	}
	return false
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// SubsetOf reports whether map a is contained in map b: the Istio
// matchLabels semantics, where a selector matches labels that include it.
func SubsetOf(a, b map[string]string) bool {
	for k, v := range a {
		if got, ok := b[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// String renders a map as sorted "k=v,k=v".
func String(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ","
		}
		out += k + "=" + m[k]
	}
	return out
}
