package security

import (
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// AuthzNamespaceUnknown reports source namespaces of AuthorizationPolicies
// that name no namespace.
var AuthzNamespaceUnknown = &rules.Rule{
	ID:      "MR311",
	Name:    "authz-source-namespace-unknown",
	Summary: "authorization policy source namespace matches no namespace",
	Doc: `` + "`source.namespaces`" + ` and ` + "`source.notNamespaces`" + ` of an AuthorizationPolicy rule match the namespace
of the calling workload (from its mTLS identity); ` + "`*`" + `, ` + "`prefix*`" + ` and ` + "`*suffix`" + ` are
patterns. An entry that matches no namespace is usually a typo: an ALLOW rule then lets
nobody in, and a DENY rule denies nobody.

Fix the namespace name. Without the closed-world setting, the rule only reports an entry that
is a near miss (one edit away) of a namespace the input describes, since other namespaces
may exist outside the input; with it, every entry that matches no namespace of the input is
reported.`,
	Bad: `apiVersion: v1
kind: Namespace
metadata: {name: frontend}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-frontend, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: [{source: {namespaces: [fronted]}}]
`,
	Good: `apiVersion: v1
kind: Namespace
metadata: {name: frontend}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-frontend, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: [{source: {namespaces: [frontend]}}]
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Namespace},
	Related:  []string{"IST0101", "KIA0101"},
	Run:      runAuthzNamespaceUnknown,
}

func runAuthzNamespaceUnknown(p *rules.Pass) error {
	g := p.Graph
	names := g.NamespaceNames()
	for _, ap := range g.AuthorizationPolicies {
		for at, ns := range sourceValues(ap, namespaceFields) {
			checkSourceNamespace(p, g, ap, names, at, ns)
		}
	}
	return nil
}

func namespaceFields(s *spec.AuthzSource) []valueField {
	return []valueField{{"namespaces", s.Namespaces}, {"notNamespaces", s.NotNamespaces}}
}

func checkSourceNamespace(p *rules.Pass, g *graph.Graph, ap *graph.AuthorizationPolicy, names []string, where fieldPath, ns spec.Str) {
	for _, n := range names {
		if namespaceMatches(ns.V, n) {
			return
		}
	}
	near := ""
	if !strings.Contains(ns.V, "*") {
		for _, n := range names {
			if d := editDistance(ns.V, n); d == 1 {
				near = n
				break
			}
		}
	}
	switch {
	case near != "":
		p.Reportf(ap.Obj, ns.Loc, "%s: namespace %q matches no namespace; did you mean %q?", where, ns.V, near)
	case g.Mesh.ClosedWorld:
		p.Reportf(ap.Obj, ns.Loc, "%s: namespace %q matches no namespace of the input", where, ns.V)
	}
}

// namespaceMatches applies Istio's string match of AuthorizationPolicy
// values: "*", "prefix*", "*suffix", or an exact name.
func namespaceMatches(pattern, ns string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(ns, strings.TrimSuffix(pattern, "*"))
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(ns, strings.TrimPrefix(pattern, "*"))
	}
	return pattern == ns
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
