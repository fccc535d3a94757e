package security

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// AuthzIdentityWithoutMTLS reports AuthorizationPolicies that match on the
// caller's mTLS identity for workloads that do not require mTLS.
var AuthzIdentityWithoutMTLS = &rules.Rule{
	ID:      "MR351",
	Name:    "authz-identity-without-mtls",
	Summary: "authorization policy matches mTLS identities on workloads that accept plaintext",
	Doc: `` + "`source.principals`" + `, ` + "`source.namespaces`" + `, ` + "`source.serviceAccounts`" + `, ` + "`source.trustDomains`" + ` (and
their ` + "`not`" + ` forms) and the ` + "`when`" + ` keys ` + "`source.principal`" + `, ` + "`source.namespace`" + `,
` + "`source.serviceAccount`" + `, ` + "`source.trustDomain`" + ` and ` + "`connection.sni`" + ` are read from the client's mTLS
certificate. A plaintext request has no identity, so:

- when the workload's effective mTLS mode (PeerAuthentication of the workload, its namespace or
  the mesh) is DISABLE, every request is plaintext: such a field never matches, an ALLOW rule
  built on it lets nobody in and a DENY rule denies nobody; and a negative one (` + "`notPrincipals`" + `,
  the other ` + "`not`" + ` fields, ` + "`notValues`" + `) always matches, so a DENY rule built on it refuses every
  request, ` + "`notPrincipals: [\"*\"]`" + ` included, and an ALLOW rule lets everyone in (error);
- when the mode is PERMISSIVE (Istio's default), plaintext callers (pods without a sidecar,
  anything outside the mesh) slip past a DENY rule on ` + "`principals`" + `, ` + "`namespaces`" + ` and the like, and
  match an ALLOW rule on ` + "`notPrincipals`" + `, ` + "`notNamespaces`" + ` and the like (warning). A DENY rule with ` + "`notPrincipals: [\"*\"]`" + `,
  Istio's recipe for refusing plaintext, is not reported.

Set the mode to STRICT (a PeerAuthentication for the workloads), or match on something a
plaintext request carries (` + "`ipBlocks`" + `, headers). Port-level modes are not considered. A dry-run
policy (annotation ` + "`istio.io/dry-run: \"true\"`" + `) decides nothing until it is turned on: its
findings say (dry-run) and what it would do, and are warnings.

Kiali (KIA0105) reports the fields whenever mTLS is not enabled, including the harmless ALLOW
rules in PERMISSIVE mode; the rule reports what lets traffic through that the policy means to
keep out, or makes the policy dead.`,
	Bad:      authzMTLSExample("DISABLE"),
	Good:     authzMTLSExample("STRICT"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.PeerAuthentication, kinds.Deployment, kinds.Pod},
	Related:  []string{"KIA0105"},
	Deps:     rules.DepINJ | rules.DepROOT | rules.DepWIDE,
	Run:      runAuthzIdentityWithoutMTLS,
}

// authzMTLSExample is an ALLOW policy on principals for shop/reviews,
// whose namespace sets mTLS mode to mode: the examples of MR351.
func authzMTLSExample(mode string) string {
	return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: ` + mode + `}
---
` + reviewsWithSidecar + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/productpage]}}]
`
}

// identityUse is one use of an mTLS-only field in a policy.
type identityUse struct {
	// rule and entry locate the field: rules[rule].from[entry].source, or
	// rules[rule].when[entry] when condition (its key) is set.
	rule, entry int
	condition   string
	field       string
	loc         manifest.Loc
	// negative is true for the not* fields and notValues.
	negative bool
	// denyAll is a not* field ["*"] (or a notValues "*").
	denyAll bool
}

// where names the field for messages. It is built on demand because most
// policies have uses and few are reported.
func (u identityUse) where() string {
	if u.condition != "" {
		return fmt.Sprintf("rules[%d].when[%d].%s (%s)", u.rule, u.entry, u.field, u.condition)
	}
	return fmt.Sprintf("rules[%d].from[%d].source.%s", u.rule, u.entry, u.field)
}

// identityUses appends the uses of ap to out.
func identityUses(ap *graph.AuthorizationPolicy, out []identityUse) []identityUse {
	add := func(u identityUse, list []spec.Str) {
		if len(list) == 0 {
			return
		}
		u.loc, u.denyAll = list[0].Loc, len(list) == 1 && list[0].V == "*"
		out = append(out, u)
	}
	for i, r := range ap.Spec.Rules {
		for j, f := range r.From {
			if f.Source == nil {
				continue
			}
			add(identityUse{rule: i, entry: j, field: "principals"}, f.Source.Principals)
			add(identityUse{rule: i, entry: j, field: "notPrincipals", negative: true}, f.Source.NotPrincipals)
			add(identityUse{rule: i, entry: j, field: "namespaces"}, f.Source.Namespaces)
			add(identityUse{rule: i, entry: j, field: "notNamespaces", negative: true}, f.Source.NotNamespaces)
			add(identityUse{rule: i, entry: j, field: "serviceAccounts"}, f.Source.ServiceAccounts)
			add(identityUse{rule: i, entry: j, field: "notServiceAccounts", negative: true}, f.Source.NotServiceAccounts)
			add(identityUse{rule: i, entry: j, field: "trustDomains"}, f.Source.TrustDomains)
			add(identityUse{rule: i, entry: j, field: "notTrustDomains", negative: true}, f.Source.NotTrustDomains)
		}
		for j, c := range r.When {
			switch c.Key.V {
			case "source.principal", "source.namespace", "source.serviceAccount", "source.trustDomain", "connection.sni":
			default:
				continue
			}
			add(identityUse{rule: i, entry: j, condition: c.Key.V, field: "values"}, c.Values)
			add(identityUse{rule: i, entry: j, condition: c.Key.V, field: "notValues", negative: true}, c.NotValues)
		}
	}
	return out
}

func runAuthzIdentityWithoutMTLS(p *rules.Pass) error {
	g := p.Graph
	selected := authorizationWorkloads(p)
	var uses []identityUse
	for i, ap := range g.AuthorizationPolicies {
		uses = identityUses(ap, uses[:0])
		if len(uses) == 0 {
			continue
		}
		ws, ok := selected[i].ws, selected[i].ok
		if !ok {
			continue
		}
		var disabled, permissive *graph.Workload
		var disabledBy graph.MTLS
		for _, w := range ws {
			if !g.InMesh(w) {
				continue
			}
			m := g.EffectiveMTLS(w, 0)
			switch m.Mode {
			case "DISABLE":
				if disabled == nil {
					disabled, disabledBy = w, m
				}
			case "PERMISSIVE":
				if permissive == nil {
					permissive = w
				}
			}
		}
		deny := ap.Spec.Action.V == "DENY"
		// A dry-run policy's shadow rules match as its rules would, but
		// decide nothing until it is turned on: the mistake is reported,
		// as a warning, with what it will do then.
		dryRun := ap.DryRun()
		refuses, letsIn, escape, note := "refuses", "lets in", "escape", ""
		if dryRun {
			refuses, letsIn, escape = "would refuse", "would let in", "would escape"
			note = " (dry-run: the policy decides nothing until istio.io/dry-run is removed)"
		}
		for _, u := range uses {
			if disabled != nil {
				// Envoy's authenticated matcher fails on a connection
				// without TLS, and its negation holds: a negative
				// condition matches every plaintext request.
				effect := "never matches"
				if u.negative {
					effect = "so matches this negative condition"
					switch ap.Spec.Action.V {
					case "DENY":
						effect += ", and this DENY rule " + refuses + " every request it otherwise matches"
					case "", "ALLOW":
						effect += ", and this ALLOW rule " + letsIn + " every request it otherwise matches"
					}
				}
				f := p.Reportf(ap.Obj, u.loc, "%s needs the caller's mTLS identity, but mTLS is DISABLE for workload %s/%s: every request is plaintext and %s; make the mode STRICT%s",
					u.where(), disabled.Namespace(), disabled.Name(), effect, note)
				if disabledBy.Policy != nil {
					f.Relate(disabledBy.Policy.Obj, disabledBy.Loc, "mTLS disabled here")
				}
				if dryRun {
					f.AtMost(rules.Warning)
				}
				continue
			}
			if permissive == nil || u.denyAll {
				continue
			}
			var what string
			switch {
			case deny && !u.negative:
				what = "plaintext callers have no identity and " + escape + " this DENY rule"
			case !deny && ap.Spec.Action.V != "AUDIT" && ap.Spec.Action.V != "CUSTOM" && u.negative:
				what = "plaintext callers have no identity and so match this negative condition of an ALLOW rule"
			default:
				continue
			}
			f := p.Reportf(ap.Obj, u.loc, "%s: mTLS is PERMISSIVE for workload %s/%s, so %s; make the mode STRICT%s",
				u.where(), permissive.Namespace(), permissive.Name(), what, note)
			f.AtMost(rules.Warning)
		}
	}
	return nil
}
