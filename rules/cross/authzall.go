package cross

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// AuthzAllOrNothing reports AuthorizationPolicies that allow or deny
// every request, or never apply, saying what they actually do.
var AuthzAllOrNothing = &rules.Rule{
	ID:      "MR505",
	Name:    "authz-allow-all-or-deny-all",
	Summary: "authorization policy allows every request, denies every request, or never matches",
	Doc: `Istio's AuthorizationPolicy semantics are easy to read backwards:

- ALLOW (the default action) with an empty rule (` + "`rules: [{}]`" + `) matches every request: the
  selected workloads allow everything that no DENY or CUSTOM policy stops, and every other
  ALLOW policy on them becomes moot;
- ALLOW with no rules (` + "`spec: {}`" + ` included) matches no request, and since a workload with ALLOW
  policies only accepts requests that one of them matches, it **denies** every request that no
  other ALLOW policy allows: the usual "deny-all";
- DENY with an empty rule denies every request, whatever the ALLOW policies say;
- DENY with no rules never matches and does nothing; Istio's webhook rejects it (MR010), so it
  only exists where validation is off.

These are often intended (a namespace deny-all is a good default), so the rule is
informational: it states what the policy does and to which workloads, so that a reviewer
does not take an allow-all for a deny-all. A rule is empty when it has no from, to and when.
A dry-run policy (annotation ` + "`istio.io/dry-run: \"true\"`" + `) decides nothing until it is
turned on: its message says (dry-run) and what it will do then.`,
	Bad: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec:
  action: ALLOW
`,
	Good: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-web, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: [{source: {namespaces: [web]}}]
`,
	Severity: rules.Info,
	Inputs:   inputs(kinds.AuthorizationPolicy),
	Deps:     rules.DepWIDE,
	Run:      runAuthzAllOrNothing,
}

func runAuthzAllOrNothing(p *rules.Pass) error {
	g := p.Graph
	for _, ap := range g.AuthorizationPolicies {
		action := ap.Spec.Action.V
		if action == "" {
			action = "ALLOW"
		}
		if action != "ALLOW" && action != "DENY" {
			continue
		}
		// The scope is for messages only, and resolving it costs more than
		// the checks.
		who := func() string { return authzScope(p, ap) }
		// A dry-run policy's shadow rules decide nothing (istiod's authz
		// builder, isDryRun): say what it will do once turned on, which
		// is what a reviewer of a dry-run policy is about to decide.
		what, will, until := "", "", ""
		if ap.DryRun() {
			what, will, until = " (dry-run)", "once istio.io/dry-run is removed, ", "; until then it decides nothing"
		}
		var f *rules.Finding
		if len(ap.Spec.Rules) == 0 {
			if action == "ALLOW" {
				f = p.Reportf(ap.Obj, ap.Obj.NameLoc, "AuthorizationPolicy %s/%s%s is an ALLOW policy without rules, which matches no request: %sit denies every request to %s that no other ALLOW policy allows (deny-all)%s",
					ap.Namespace(), ap.Name(), what, will, who(), until)
			} else {
				// ValidateAuthorizationPolicy refuses it; MR010 reports
				// that as an error.
				f = p.Reportf(ap.Obj, ap.Obj.NameLoc, "AuthorizationPolicy %s/%s%s is a DENY policy without rules, which matches no request: Istio's webhook rejects it (MR010), and admitted without validation it does nothing",
					ap.Namespace(), ap.Name(), what)
			}
		}
		for i, r := range ap.Spec.Rules {
			if len(r.From) > 0 || len(r.To) > 0 || len(r.When) > 0 {
				continue
			}
			if action == "ALLOW" {
				f = p.Reportf(ap.Obj, r.Loc, "rules[%d] of AuthorizationPolicy %s/%s%s is empty and matches every request: %sthe policy allows all requests to %s that no DENY or CUSTOM policy stops, and makes their other ALLOW policies moot (allow-all)%s",
					i, ap.Namespace(), ap.Name(), what, will, who(), until)
			} else {
				f = p.Reportf(ap.Obj, r.Loc, "rules[%d] of AuthorizationPolicy %s/%s%s is empty and matches every request: %sthe policy denies all requests to %s, whatever the ALLOW policies say (deny-all)%s",
					i, ap.Namespace(), ap.Name(), what, will, who(), until)
			}
			break
		}
		if f != nil && what != "" {
			f.Relate(ap.Obj, ap.DryRunLoc(), "dry-run here")
		}
	}
	return nil
}

// authzScope says which workloads a policy applies to.
func authzScope(p *rules.Pass, ap *graph.AuthorizationPolicy) string {
	g := p.Graph
	ws, ok := g.AuthorizationWorkloads(ap)
	switch {
	case !ok:
		return "the targets of its targetRefs"
	case ap.Spec.Selector == nil || len(ap.Spec.Selector.MatchLabels) == 0:
		if ap.Namespace() == g.Mesh.RootNamespace {
			return "every workload of the mesh"
		}
		return "every workload of namespace " + ap.Namespace()
	case len(ws) == 0:
		return "the workloads it selects (none in the input)"
	}
	return "the workloads it selects (" + names(p, ws) + ")"
}
