package netpol

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/spec"
)

// selectorString writes a label selector as YAML flow: {app: api} or
// {matchExpressions: [env In (a, b)]}; an absent or empty one is {}.
func selectorString(s *spec.LabelSelector) string {
	if s == nil {
		return "{}"
	}
	var parts []string
	keys := make([]string, 0, len(s.MatchLabels))
	for k := range s.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+": "+s.MatchLabels[k])
	}
	for _, e := range s.MatchExpressions {
		x := e.Key.V + " " + e.Operator.V
		if len(e.Values) > 0 {
			x += " (" + strings.Join(e.Values, ", ") + ")"
		}
		parts = append(parts, x)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// peers returns a rule's from (ingress) or to (egress) list.
func peers(r spec.NetworkPolicyRule, egress bool) []spec.NetworkPolicyPeer {
	if egress {
		return r.To
	}
	return r.From
}
