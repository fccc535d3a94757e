package security

import (
	"fmt"
	"strconv"

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
plaintext request carries (` + "`ipBlocks`" + `, headers). A workload policy's ` + "`portLevelMtls`" + ` counts on the
ports a rule applies to (` + "`to.operation.ports`" + `, ` + "`notPorts`" + `; every port when the rule names none):
one port left PERMISSIVE or DISABLE on a STRICT workload is reported with its port, and a rule
whose ports are all STRICT is not, whatever the workload's mode on its other ports. A dry-run
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
		modes := make(map[int]ruleModes, len(ap.Spec.Rules))
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
			rm, seen := modes[u.rule]
			if !seen {
				rm = weakestModes(g, ws, &ap.Spec.Rules[u.rule])
				modes[u.rule] = rm
			}
			disabled, disabledBy, permissive := rm.disabled, rm.disabledBy, rm.permissive
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
				f := p.Reportf(ap.Obj, u.loc, "%s needs the caller's mTLS identity, but mTLS is DISABLE for workload %s/%s%s: every request is plaintext and %s; make the mode STRICT%s",
					u.where(), disabled.Namespace(), disabled.Name(), onPort(rm.disabledPort), effect, note)
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
			f := p.Reportf(ap.Obj, u.loc, "%s: mTLS is PERMISSIVE for workload %s/%s%s, so %s; make the mode STRICT%s",
				u.where(), permissive.Namespace(), permissive.Name(), onPort(rm.permissivePort), what, note)
			if rm.permissiveBy.Policy != nil && rm.permissivePort != 0 {
				f.Relate(rm.permissiveBy.Policy.Obj, rm.permissiveBy.Loc, "PERMISSIVE for the port here")
			}
			f.AtMost(rules.Warning)
		}
	}
	return nil
}

// ruleModes is what plaintext can reach of the workloads a policy rule
// applies to: the first in-mesh workload that accepts only plaintext on a
// port the rule covers (port 0: on every port without a mode of its own),
// with the policy that set it, and the first that accepts plaintext too.
type ruleModes struct {
	disabled, permissive         *graph.Workload
	disabledBy, permissiveBy     graph.MTLS
	disabledPort, permissivePort int64
}

// weakestModes finds, for each workload of ws, the weakest mode among the
// ports rule r applies to: a port-level mode (PeerAuthentication
// portLevelMtls) can open a port of a STRICT workload to plaintext, or
// close the only port a rule names on a PERMISSIVE one.
func weakestModes(g *graph.Graph, ws []*graph.Workload, r *spec.AuthzRule) ruleModes {
	var out ruleModes
	ports, every, except := rulePorts(r)
	for _, w := range ws {
		if !g.InMesh(w) {
			continue
		}
		m, port := g.EffectiveMTLS(w, 0), int64(0)
		levels := g.PortMTLS(w)
		weaker := func(c graph.MTLS, p int64) {
			if modeRank(c.Mode) < modeRank(m.Mode) {
				m, port = c, p
			}
		}
		if every {
			// The workload's own mode covers its other ports.
			for p, c := range levels {
				if !except[p] {
					weaker(c, p)
				}
			}
		} else {
			m = graph.MTLS{Mode: "STRICT"}
			for _, p := range ports {
				weaker(g.EffectiveMTLS(w, p), p)
			}
			if levels[port].Policy == nil {
				port = 0 // the workload's mode, not one of its port's
			}
		}
		switch m.Mode {
		case "DISABLE":
			if out.disabled == nil {
				out.disabled, out.disabledBy, out.disabledPort = w, m, port
			}
		case "PERMISSIVE":
			if out.permissive == nil {
				out.permissive, out.permissiveBy, out.permissivePort = w, m, port
			}
		}
	}
	return out
}

// rulePorts returns the ports rule r applies to: every port (every, less
// the ports in except that every operation without ports excludes), or
// the ports its operations name.
func rulePorts(r *spec.AuthzRule) (ports []int64, every bool, except map[int64]bool) {
	if len(r.To) == 0 {
		return nil, true, nil
	}
	for _, t := range r.To {
		if t.Operation == nil || len(t.Operation.Ports) == 0 {
			excluded := map[int64]bool{}
			if t.Operation != nil {
				for _, p := range t.Operation.NotPorts {
					if n, err := strconv.ParseInt(p.V, 10, 64); err == nil {
						excluded[n] = true
					}
				}
			}
			if !every {
				every, except = true, excluded
				continue
			}
			for p := range except { // excluded only if every such operation excludes it
				if !excluded[p] {
					delete(except, p)
				}
			}
			continue
		}
		for _, p := range t.Operation.Ports {
			if n, err := strconv.ParseInt(p.V, 10, 64); err == nil {
				ports = append(ports, n)
			}
		}
	}
	return ports, every, except
}

// modeRank orders modes by how much plaintext they accept.
func modeRank(mode string) int {
	switch mode {
	case "DISABLE":
		return 0
	case "PERMISSIVE":
		return 1
	}
	return 2
}

func onPort(port int64) string {
	if port == 0 {
		return ""
	}
	return fmt.Sprintf(" on port %d", port)
}
