package security

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// AuthzNamespaceUnknown reports source namespaces of AuthorizationPolicies
// that name no namespace.
var AuthzNamespaceUnknown = &rules.Rule{
	ID:      "MR311",
	Name:    "authz-source-namespace-unknown",
	Summary: "authorization policy source namespace matches no namespace",
	Fix:     "replaces a misspelt namespace with the one namespace it most likely means",
	Doc: `` + "`source.namespaces`" + ` and ` + "`source.notNamespaces`" + ` of an AuthorizationPolicy rule match the namespace
of the calling workload (from its mTLS identity); ` + "`*`" + `, ` + "`prefix*`" + ` and ` + "`*suffix`" + ` are
patterns. An entry that matches no namespace is usually a typo: an ALLOW rule then lets
nobody in, and a DENY rule denies nobody.

Fix the namespace name. Without the closed-world setting, the rule only reports an entry that
is a near miss of exactly one namespace the input describes (the same name in other case, or
one edit away), since other namespaces may exist outside
the input; with it, every entry that matches no namespace of the input is reported, and the
message names the namespace meant when exactly one is close (in other case, or at most 2
edits away for names of 6 characters or more; never ` + "`ingress`" + ` for ` + "`egress`" + ` or the reverse).
` + "`meshlint --fix`" + ` replaces an entry with the namespace its message names, unless the entry
is under a YAML anchor (an alias may read it elsewhere) or is shorter than 6 characters (a
short name one edit from one namespace is reported, but not corrected unseen). Entries with ` + "`*`" + ` are never corrected.`,
	Bad:      authzNamespaceExample("fronted"),
	Good:     authzNamespaceExample("frontend"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Namespace},
	Related:  []string{"IST0101", "KIA0101"},
	Deps:     rules.DepNS,
	Run:      runAuthzNamespaceUnknown,
}

// authzNamespaceExample is an ALLOW policy for sources in namespace, where
// the input holds namespace frontend: the examples of MR311.
func authzNamespaceExample(namespace string) string {
	return `apiVersion: v1
kind: Namespace
metadata: {name: frontend}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-frontend, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: [{source: {namespaces: [` + namespace + `]}}]
`
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
	near, ok, fixable := "", false, false
	if !strings.Contains(ns.V, "*") {
		near, ok = suggest.Closest(ns.V, names)
		fixable = ok
		if !ok {
			// A short name one edit from a single namespace (shp, shop)
			// is still a likely typo, though too short to correct
			// unseen: say so, without a fix.
			near, ok = oneEditFrom(ns.V, names)
		}
	}
	// Outside the closed world a namespace of the input two edits away is
	// no evidence of a typo (prod-eu and prod-us may both exist):
	// only a name in other case or one edit away is.
	if ok && !g.Mesh.ClosedWorld && !strings.EqualFold(near, ns.V) && suggest.Distance(strings.ToLower(near), strings.ToLower(ns.V)) > 1 {
		return
	}
	switch {
	case ok:
		f := p.Reportf(ap.Obj, ns.Loc, "%s: namespace %q matches no namespace; did you mean %q?", where, ns.V, near)
		if fixable && ns.Loc.Line > 0 && rules.Rewritable(p.Graph, ap.Obj, ns.Loc) {
			f.Fixes = []rules.Fix{{
				Message: fmt.Sprintf("Replace %s with %s", ns.V, near),
				Edits:   []rules.Edit{rules.ReplaceValue(ap.Obj, ns.Loc, ns.V, near)},
			}}
		}
	case g.Mesh.ClosedWorld:
		p.Reportf(ap.Obj, ns.Loc, "%s: namespace %q matches no namespace of the input", where, ns.V)
	}
}

// oneEditFrom returns the one name of names that is one edit from s.
func oneEditFrom(s string, names []string) (string, bool) {
	found := ""
	for _, n := range names {
		if suggest.Distance(s, n) == 1 {
			if found != "" {
				return "", false
			}
			found = n
		}
	}
	return found, found != ""
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
