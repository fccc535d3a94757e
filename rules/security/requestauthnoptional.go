package security

import (
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// RequestAuthnTokenOptional reports RequestAuthentications whose tokens
// no AuthorizationPolicy requires.
var RequestAuthnTokenOptional = &rules.Rule{
	ID:      "MR356",
	Name:    "requestauthn-token-optional",
	Summary: "request authentication validates tokens that no authorization policy requires",
	Doc: `A RequestAuthentication only rejects requests whose token is invalid: a request without a token
is accepted, with no request principal (request_authentication.proto: "A request that does not
contain any authentication credentials will be accepted but will not have any authenticated
identity"). Requiring a token takes an AuthorizationPolicy, as Istio's "Authorization for JWT"
task does: an ALLOW policy whose rule needs a request principal
(` + "`from.source.requestPrincipals: [\"*\"]`" + `, or a ` + "`request.auth.*`" + ` condition), or a DENY policy with
` + "`notRequestPrincipals: [\"*\"]`" + `.

The rule reports a RequestAuthentication when a workload it applies to (by selector, namespace-wide,
from the root namespace mesh-wide, or by ` + "`targetRef`" + ` to a Gateway API Gateway's pods) has no such
policy in force. A workload counts when it has a sidecar and a Service selects it, or it is a
gateway proxy. A workload is left alone when:

- an ALLOW policy that applies to it has a rule that needs a request principal, unless another
  ALLOW rule of its policies is empty (` + "`{}`" + `, which allows every request, token or not); other
  rules that allow some requests without a token (a health-check path, a trusted namespace) are
  taken as meant;
- a DENY policy has a rule with ` + "`notRequestPrincipals`" + ` (or a negative ` + "`request.auth.*`" + ` condition),
  which refuses tokenless requests, at least those the rule covers;
- a CUSTOM policy applies: the external authorizer may require the token itself;
- its only ALLOW policies have no rules (they allow nothing, with or without a token).

Nor is a RequestAuthentication with a JWT rule whose ` + "`presence`" + ` is ` + "`REQUIRED`" + ` (istio.io/api
1.32), which asks the proxy itself to reject requests without that token.

Dry-run policies (` + "`istio.io/dry-run`" + `) enforce nothing and do not count; the message names one
that would. The rule is a warning: accepting anonymous requests beside authenticated ones is
sometimes meant (the application reads the identity when there is one), but more often the
RequestAuthentication was taken for a requirement. Suppress the finding where optional
authentication is intended.`,
	Bad: tokenOptionalExample(""),
	Good: tokenOptionalExample(`---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  action: ALLOW
  rules:
  - from:
    - source: {requestPrincipals: ["*"]}
`),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{kinds.RequestAuthentication, kinds.AuthorizationPolicy, kinds.Service,
		kinds.Deployment, kinds.Pod},
	Deps: rules.DepINJ | rules.DepROOT | rules.DepWIDE,
	Run:  runRequestAuthnTokenOptional,
}

// tokenOptionalExample is a RequestAuthentication for shop/reviews, followed
// by policies: the examples of MR356.
func tokenOptionalExample(policies string) string {
	return reviewsService + reviewsWithSidecar + `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  jwtRules:
  - issuer: https://auth.example.com
    jwksUri: https://auth.example.com/.well-known/jwks.json
` + policies
}

// tokenVerdict is what the policies of a workload do with a request
// without a token.
type tokenVerdict struct {
	// required: some policy in force refuses tokenless requests, or lets
	// an external authorizer decide.
	required bool
	// dryRun is a dry-run policy that would require a token.
	dryRun *graph.AuthorizationPolicy
}

func runRequestAuthnTokenOptional(p *rules.Pass) error {
	g := p.Graph
	if len(g.RequestAuthentications) == 0 {
		return nil
	}
	selected := authorizationWorkloads(p)
	// The policies of each workload, from their selectors; policies
	// attached by targetRef apply only to the pods of a Gateway API
	// Gateway they name.
	policies := map[*graph.Workload][]*graph.AuthorizationPolicy{}
	for i, ap := range g.AuthorizationPolicies {
		if selected[i].ok {
			for _, w := range selected[i].ws {
				policies[w] = append(policies[w], ap)
			}
			continue
		}
		for _, w := range g.WorkloadsIn(ap.Namespace()) {
			if targetsGatewayPods(ap.Namespace(), graph.PolicyScope(ap.Spec.Selector, ap.Spec.TargetRef, ap.Spec.TargetRefs), w) {
				policies[w] = append(policies[w], ap)
			}
		}
	}
	lk := p.Lookup()
	verdicts := map[*graph.Workload]tokenVerdict{}
	for _, ra := range g.RequestAuthentications {
		if len(ra.Spec.JWTRules) == 0 {
			continue
		}
		ws, ok := requestAuthnWorkloads(g, ra)
		if !ok {
			continue
		}
		var open []*graph.Workload
		for _, w := range rules.Distinct(p, ws) {
			gateway := w.MayRunGatewayProxy() && (w.Sidecar || w.ExplicitProxy())
			if !gateway && (!w.Sidecar || len(lk.ServicesSelecting(w)) == 0) {
				continue
			}
			v, seen := verdicts[w]
			if !seen {
				v = tokenPolicyVerdict(policies[w])
				verdicts[w] = v
			}
			if v.required {
				continue
			}
			open = append(open, w)
		}
		if len(open) == 0 || presenceRequired(ra) {
			continue
		}
		w := slices.MinFunc(open, func(a, b *graph.Workload) int {
			return strings.Compare(a.Namespace()+"/"+a.Name(), b.Namespace()+"/"+b.Name())
		})
		// The dry-run policy named is one of the workload named.
		dryRun := verdicts[w].dryRun
		others := ""
		if n := len(open) - 1; n == 1 {
			others = " (and 1 other workload)"
		} else if n > 1 {
			others = " (and " + strconv.Itoa(n) + " other workloads)"
		}
		if dryRun != nil {
			f := p.Reportf(ra.Obj, ra.Obj.NameLoc, "RequestAuthentication %s/%s validates tokens for workload %s/%s%s, but no AuthorizationPolicy in force requires one: AuthorizationPolicy %s/%s, which would, is dry-run (istio.io/dry-run), so requests without a token are accepted; remove the annotation once the logs look right",
				ra.Namespace(), ra.Name(), w.Namespace(), w.Name(), others, dryRun.Namespace(), dryRun.Name())
			f.Relate(dryRun.Obj, dryRun.DryRunLoc(), "dry-run here")
			continue
		}
		p.Reportf(ra.Obj, ra.Obj.NameLoc, "RequestAuthentication %s/%s validates tokens for workload %s/%s%s, but no AuthorizationPolicy requires one: requests without a token are accepted; add an ALLOW policy with from.source.requestPrincipals [\"*\"], or a DENY policy with notRequestPrincipals [\"*\"]",
			ra.Namespace(), ra.Name(), w.Namespace(), w.Name(), others)
	}
	return nil
}

// presenceRequired reports whether a JWT rule of ra sets presence:
// REQUIRED (istio.io/api 1.32), which rejects requests without its token
// by itself. The enum may be written by number.
func presenceRequired(ra *graph.RequestAuthentication) bool {
	for _, r := range ra.Spec.JWTRules {
		if strings.EqualFold(r.Presence.V, "REQUIRED") || r.Presence.V == "1" {
			return true
		}
	}
	return false
}

// requestAuthnWorkloads returns the workloads of the input that ra
// applies to, as raApplies decides for one pod: by selector (every
// namespace from the root namespace), or by targetRef(s) to the pods of a
// Gateway API Gateway of its namespace. ok is false when a targetRef names
// something else (a Service, for a waypoint), which meshlint does not
// follow to pods.
func requestAuthnWorkloads(g *graph.Graph, ra *graph.RequestAuthentication) ([]*graph.Workload, bool) {
	scope := graph.PolicyScope(ra.Spec.Selector, ra.Spec.TargetRef, ra.Spec.TargetRefs)
	if !scope.HasTargetRefs() {
		var sel map[string]string
		if scope.Selector != nil {
			sel = scope.Selector.MatchLabels
		}
		ns := ra.Namespace()
		if ns == g.Mesh.RootNamespace {
			ns = ""
		}
		return g.SelectWorkloads(ns, sel), true
	}
	for _, r := range scope.TargetRefs {
		if r.Group.V != kinds.GroupGatewayAPI || r.Kind.V != "Gateway" {
			return nil, false
		}
	}
	var out []*graph.Workload
	for _, w := range g.WorkloadsIn(ra.Namespace()) {
		if targetsGatewayPods(ra.Namespace(), scope, w) {
			out = append(out, w)
		}
	}
	return out, true
}

// targetsGatewayPods reports whether a policy of namespace ns attached by
// targetRef(s) applies to w: the pods of a Gateway API Gateway of ns that
// it names.
func targetsGatewayPods(ns string, scope graph.AmbientPolicyScope, w *graph.Workload) bool {
	name, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]
	if !ok || w.Namespace() != ns {
		return false
	}
	for _, r := range scope.TargetRefs {
		if r.Group.V == kinds.GroupGatewayAPI && r.Kind.V == "Gateway" && r.Name.V == name &&
			(r.Namespace.V == "" || r.Namespace.V == ns) {
			return true
		}
	}
	return false
}

// tokenPolicyVerdict tells whether the policies of a workload refuse a
// request without a token.
func tokenPolicyVerdict(aps []*graph.AuthorizationPolicy) tokenVerdict {
	var v tokenVerdict
	allowRequires, allowAll, allowRules, allowPolicies := false, false, false, false
	for _, ap := range aps {
		if ap.DryRun() {
			if wouldRequireToken(ap) && (v.dryRun == nil || policyBefore(ap, v.dryRun)) {
				v.dryRun = ap
			}
			continue
		}
		switch ap.Spec.Action.V {
		case "CUSTOM":
			v.required = true
		case "DENY":
			if slices.ContainsFunc(ap.Spec.Rules, deniesTokenless) {
				v.required = true
			}
		case "", "ALLOW":
			allowPolicies = true
			for i := range ap.Spec.Rules {
				r := &ap.Spec.Rules[i]
				allowRules = true
				if needsToken(r) {
					allowRequires = true
				}
				if len(r.From)+len(r.To)+len(r.When) == 0 {
					allowAll = true
				}
			}
		}
	}
	if allowRequires && !allowAll || allowPolicies && !allowRules {
		v.required = true
	}
	if v.required {
		v.dryRun = nil
	}
	return v
}

// wouldRequireToken reports whether ap, turned on, would refuse some
// requests for lack of a token.
func wouldRequireToken(ap *graph.AuthorizationPolicy) bool {
	switch ap.Spec.Action.V {
	case "DENY":
		return slices.ContainsFunc(ap.Spec.Rules, deniesTokenless)
	case "", "ALLOW":
		return slices.ContainsFunc(ap.Spec.Rules, func(r spec.AuthzRule) bool { return needsToken(&r) })
	}
	return false
}

// needsToken reports whether an ALLOW rule matches only requests with a
// validated token: each of its sources needs a request principal, or a
// condition reads the token's principal or claims.
func needsToken(r *spec.AuthzRule) bool {
	for _, c := range r.When {
		if strings.HasPrefix(c.Key.V, "request.auth.") && len(c.Values) > 0 {
			return true
		}
	}
	if len(r.From) == 0 {
		return false
	}
	for _, f := range r.From {
		if f.Source == nil || len(f.Source.RequestPrincipals) == 0 {
			return false
		}
	}
	return true
}

// deniesTokenless reports whether a DENY rule matches requests without a
// token: a request without one has no principal, so a notRequestPrincipals
// list, or a negative condition on the token, matches it whatever it
// holds.
func deniesTokenless(r spec.AuthzRule) bool {
	for _, f := range r.From {
		if f.Source != nil && len(f.Source.NotRequestPrincipals) > 0 {
			return true
		}
	}
	for _, c := range r.When {
		if strings.HasPrefix(c.Key.V, "request.auth.") && len(c.NotValues) > 0 {
			return true
		}
	}
	return false
}
