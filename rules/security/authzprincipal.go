package security

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// AuthzPrincipalUnknown reports AuthorizationPolicy principals whose
// service account no workload uses, or whose trust domain is foreign.
var AuthzPrincipalUnknown = &rules.Rule{
	ID:      "MR352",
	Name:    "authz-principal-unknown",
	Summary: "authorization policy principal names a service account no workload runs as, or a foreign trust domain",
	Doc: `A principal ` + "`<trust-domain>/ns/<namespace>/sa/<service-account>`" + ` in ` + "`source.principals`" + ` or
` + "`notPrincipals`" + ` matches callers whose pods run as that service account. When no workload of the
input runs as it (a typo, a workload that uses ` + "`default`" + `, a renamed account), an ALLOW rule lets
nobody in and a DENY rule denies nobody (in ` + "`notPrincipals`" + ` the reverse: an ALLOW rule lets
everyone in, a DENY rule denies everyone). The rule reports it when the input describes the
workloads of that namespace (it holds some), or with the closed-world setting; workloads that
are scaled to zero or run as CronJobs count, since the input holds their pod templates, and so
do the deployments Istio creates for Gateway API Gateways of an ` + "`istio`" + ` class, which run as
` + "`<gateway>-<class>`" + ` (for example ` + "`web-istio`" + `).

The trust domain must be the mesh's (MeshConfig ` + "`trustDomain`" + `, ` + "`cluster.local`" + ` by default) or
one of its ` + "`trustDomainAliases`" + `, which meshlint reads from the MeshConfig given with
` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in .meshlint.yaml). Istio also reads ` + "`cluster.local`" + ` in a
principal as the local trust domain whatever it is configured to, so that form is always
accepted. Any other trust domain only matches callers of a federated mesh, or of an alias
meshlint was not given: reported as a warning. Patterns with ` + "`*`" + ` are not checked. A principal written as a SPIFFE ID
(` + "`spiffe://cluster.local/ns/...`" + `), pattern or not, matches no caller: Istio puts ` + "`spiffe://`" + ` in
front of every principal itself.

Fix the principal or the service account of the workload. Kiali reports the two cases as KIA0106
and KIA0108, from the service accounts of running pods only.`,
	Bad:      authzPrincipalExample("productpage"),
	Good:     authzPrincipalExample("bookinfo-productpage"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Deployment, kinds.Pod},
	Related:  []string{"KIA0106", "KIA0108"},
	Deps:     rules.DepPEER | rules.DepPRES,
	Run:      runAuthzPrincipalUnknown,
}

// authzPrincipalExample is a policy for the principal of service account
// shop/serviceAccount, where productpage runs as bookinfo-productpage: the
// examples of MR352.
func authzPrincipalExample(serviceAccount string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: productpage, namespace: shop}
spec:
  selector: {matchLabels: {app: productpage}}
  template:
    metadata:
      labels: {app: productpage}
    spec:
      serviceAccountName: bookinfo-productpage
      containers: [{name: app, image: productpage}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: shop}
spec:
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/` + serviceAccount + `]}}]
`
}

// spiffeScheme is the scheme of SPIFFE IDs, which principals leave out.
const spiffeScheme = "spiffe://"

func runAuthzPrincipalUnknown(p *rules.Pass) error {
	g := p.Graph
	for _, ap := range g.AuthorizationPolicies {
		for at, v := range sourceValues(ap, principalFields) {
			checkPrincipal(p, g, ap, at, v)
		}
	}
	return nil
}

func principalFields(s *spec.AuthzSource) []valueField {
	return []valueField{{"principals", s.Principals}, {"notPrincipals", s.NotPrincipals}}
}

func checkPrincipal(p *rules.Pass, g *graph.Graph, ap *graph.AuthorizationPolicy, where fieldPath, v spec.Str) {
	// Istio puts the scheme in front of every principal itself
	// (srcPrincipalGenerator): a value that has it already is compared
	// with "spiffe://spiffe://...", and its trust domain is not checked.
	if rest, ok := strings.CutPrefix(v.V, spiffeScheme); ok {
		p.Reportf(ap.Obj, v.Loc, "%s: principal %q starts with %s, which Istio adds itself: it matches no caller; write %q",
			where, v.V, spiffeScheme, rest)
		return
	}
	if td := graph.PrincipalTrustDomain(v.V); td != "" && !g.LocalTrustDomain(td) {
		mesh := g.Mesh.TrustDomain
		if aliases := g.Mesh.TrustDomainAliases; len(aliases) > 0 {
			mesh += fmt.Sprintf(", or its trustDomainAliases %q", aliases)
		}
		f := p.Reportf(ap.Obj, v.Loc, "%s: principal %q has trust domain %q, not the mesh's (%s): it matches only callers of a federated mesh or a trustDomainAliases entry",
			where, v.V, td, mesh)
		f.AtMost(rules.Warning)
		return
	}
	pr, ok := graph.ParsePrincipal(v.V)
	if !ok || !g.WorkloadsKnown(pr.Namespace) || g.ServiceAccountUsed(pr.Namespace, pr.ServiceAccount) {
		return
	}
	p.Reportf(ap.Obj, v.Loc, "%s: no workload of namespace %s runs as service account %q, so principal %q matches no caller",
		where, pr.Namespace, pr.ServiceAccount, v.V)
}
