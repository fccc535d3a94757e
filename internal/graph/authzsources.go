package graph

import (
	"iter"
	"strings"

	"github.com/meshlint/meshlint/internal/spec"
)

// AuthzSource is an exact source that a rule of an AuthorizationPolicy
// names: a namespace, or a principal or service account that names a
// namespace and a service account. MR504 asks whether the NetworkPolicies
// let it reach the policy's workloads at all, and the default-deny fixes
// keep that open.
type AuthzSource struct {
	Policy *AuthorizationPolicy
	// Rule is the index of the rule in the policy's rules.
	Rule int
	// Kind is "namespace", "principal" or "serviceAccount", and Value the
	// entry as written.
	Kind  string
	Value spec.Str
	// Namespace and ServiceAccount are what the entry names; a namespace
	// entry names no service account.
	Namespace, ServiceAccount string
	// Workloads are the workloads the policy selects.
	Workloads []*Workload
}

// AuthzSources yields the sources of the ALLOW and DENY policies that
// select workloads of the input: every namespace entry, every principal
// of the form "<trust-domain>/ns/<ns>/sa/<sa>" without wildcards, and
// every serviceAccounts entry ("<ns>/<sa>", or "<sa>" in the policy's
// namespace). Dry-run policies are yielded too, since their sources are
// the clients they are tried for; what reads a source as enforced asks
// Policy.DryRun.
func (g *Graph) AuthzSources() iter.Seq[AuthzSource] {
	return func(yield func(AuthzSource) bool) {
		for _, ap := range g.AuthorizationPolicies {
			// CUSTOM policies leave the decision to an extension, and
			// AUDIT ones only mark requests for logging: neither lets
			// its sources in nor keeps them out.
			if a := ap.Spec.Action.V; a != "" && a != "ALLOW" && a != "DENY" {
				continue
			}
			dsts, ok := g.AuthorizationWorkloads(ap)
			if !ok || len(dsts) == 0 {
				continue
			}
			for i, r := range ap.Spec.Rules {
				for _, from := range r.From {
					if from.Source == nil {
						continue
					}
					for _, ns := range from.Source.Namespaces {
						if !yield(AuthzSource{Policy: ap, Rule: i, Kind: "namespace", Value: ns, Namespace: ns.V, Workloads: dsts}) {
							return
						}
					}
					for _, pr := range from.Source.Principals {
						ns, sa, ok := sourcePrincipal(pr.V)
						if ok && !yield(AuthzSource{Policy: ap, Rule: i, Kind: "principal", Value: pr, Namespace: ns, ServiceAccount: sa, Workloads: dsts}) {
							return
						}
					}
					for _, e := range from.Source.ServiceAccounts {
						ns, sa, ok := sourceServiceAccount(e.V, ap.Namespace())
						if ok && !yield(AuthzSource{Policy: ap, Rule: i, Kind: "serviceAccount", Value: e, Namespace: ns, ServiceAccount: sa, Workloads: dsts}) {
							return
						}
					}
				}
			}
		}
	}
}

// sourcePrincipal reads "<trust-domain>/ns/<ns>/sa/<sa>" without
// wildcards, as MR504 always has: the trust domain may be empty, but not
// hold a "/" (which ParsePrincipal allows).
func sourcePrincipal(s string) (ns, sa string, ok bool) {
	if strings.Count(s, "/") != 4 || strings.Contains(s, "*") {
		return "", "", false
	}
	_, rest, _ := strings.Cut(s, "/")
	lit, rest, _ := strings.Cut(rest, "/")
	ns, rest, _ = strings.Cut(rest, "/")
	lit2, sa, _ := strings.Cut(rest, "/")
	if lit != "ns" || lit2 != "sa" || ns == "" || sa == "" {
		return "", "", false
	}
	return ns, sa, true
}

// sourceServiceAccount reads a serviceAccounts entry as istiod does
// (serviceAccountRegex in pilot/pkg/security/authz/model/generator.go):
// "<ns>/<sa>", or "<sa>" in the policy's namespace. The API allows no
// wildcard.
func sourceServiceAccount(s, policyNS string) (ns, sa string, ok bool) {
	ns, sa, cut := strings.Cut(s, "/")
	if !cut {
		ns, sa = policyNS, s
	}
	if ns == "" || sa == "" || strings.Contains(s, "*") {
		return "", "", false
	}
	return ns, sa, true
}
