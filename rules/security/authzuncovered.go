package security

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// WorkloadWithoutAuthz reports mesh workloads that no AuthorizationPolicy
// applies to.
var WorkloadWithoutAuthz = &rules.Rule{
	ID:      "MR354",
	Name:    "workload-without-authz",
	Summary: "mesh workload is covered by no authorization policy",
	Doc: `A workload that no AuthorizationPolicy applies to accepts every request its PeerAuthentication
lets through. In a mesh that uses AuthorizationPolicies (a default-deny ` + "`allow-nothing`" + `
policy, per-service ALLOW rules), a workload left out is usually an oversight: a new service
that nobody wrote a policy for, or a selector that misses the pods.

A policy covers a workload when it is in the workload's namespace and its selector is empty or
matches the pod labels, or when it is in the root namespace (mesh-wide) and its selector is
empty or matches. A dry-run policy (annotation ` + "`istio.io/dry-run: \"true\"`" + `) covers nothing: istiod
programs its rules as shadow rules, which log what they would decide and enforce nothing, and
the message of a workload that only dry-run policies select names one. Only workloads that
receive mesh traffic are reported: those a Service of the input selects, with a sidecar or
ambient mode (without a proxy nothing enforces policies). Gateway pods (selected by an Istio Gateway or deployed for a Gateway API Gateway) are left out, since
an ingress gateway is meant to take requests from anyone, and so are the workloads of a
namespace with a policy attached by ` + "`targetRef(s)`" + `, whose coverage meshlint cannot tell.
Kiali also reports client-only workloads and gateways.

The rule is informational and runs only when the input holds AuthorizationPolicies or the
closed-world setting is on. Add a policy (for example a namespace-wide ` + "`allow-nothing`" + `
with ALLOW rules per workload). Kiali (KIA1301) has the same check, ignored by default.`,
	Bad: uncoveredExample(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ratings, namespace: shop}
spec:
  selector: {matchLabels: {app: ratings}}
  rules:
  - from: [{source: {namespaces: [shop]}}]
`),
	Good: uncoveredExample(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
`),
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Service, kinds.Deployment, kinds.Pod, kinds.Gateway},
	Related:  []string{"KIA1301"},
	Deps:     rules.DepINJ | rules.DepROOT | rules.DepGW | rules.DepREV | rules.DepPRES,
	Run:      runWorkloadWithoutAuthz,
}

// uncoveredExample is Service shop/reviews, whose workload has a sidecar,
// and the authorization policy of shop: the examples of MR354.
func uncoveredExample(policy string) string {
	return reviewsService + reviewsWithSidecar + policy
}

func runWorkloadWithoutAuthz(p *rules.Pass) error {
	g := p.Graph
	if len(g.AuthorizationPolicies) == 0 && !g.Mesh.ClosedWorld {
		return nil
	}
	selected := authorizationWorkloads(p)
	// Sized up front: on a large input most workloads are covered, and a
	// map grown a table at a time leaves the smaller ones behind.
	n := 0
	for _, sel := range selected {
		n += len(sel.ws)
	}
	covered := make(map[*graph.Workload]bool, min(n, len(g.Workloads)))
	unknownNS := map[string]bool{}
	// A dry-run policy only logs what it would decide (istiod programs its
	// rules as shadow rules): it covers nothing, but the message names it,
	// the first by namespace and name whatever the input order.
	var dryRun map[*graph.Workload]*graph.AuthorizationPolicy
	for i, ap := range g.AuthorizationPolicies {
		ws, ok := selected[i].ws, selected[i].ok
		if ap.DryRun() {
			if dryRun == nil {
				dryRun = map[*graph.Workload]*graph.AuthorizationPolicy{}
			}
			for _, w := range ws {
				if d := dryRun[w]; d == nil || policyBefore(ap, d) {
					dryRun[w] = ap
				}
			}
			continue
		}
		if !ok {
			unknownNS[ap.Namespace()] = true
			continue
		}
		for _, w := range ws {
			covered[w] = true
		}
	}
	// A workload is served when some Service selects it: the run's
	// Lookup indexes that for other rules too.
	lk := p.Lookup()
	gateway := map[*graph.Workload]bool{}
	for _, gw := range g.Gateways {
		for _, w := range gw.Workloads {
			gateway[w] = true
		}
	}
	for _, w := range g.Workloads {
		if covered[w] || unknownNS[w.Namespace()] || len(lk.ServicesSelecting(w)) == 0 || gateway[w] || !g.InMesh(w) {
			continue
		}
		if _, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]; ok {
			continue
		}
		if d := dryRun[w]; d != nil {
			f := p.Reportf(w.Obj, w.Obj.NameLoc, "workload %s/%s is covered by no AuthorizationPolicy in force: AuthorizationPolicy %s/%s is dry-run (istio.io/dry-run), so istiod programs it as shadow rules that only log, and the workload accepts every request its mTLS settings let through; remove the annotation once the logs look right, or add an AuthorizationPolicy that selects it",
				w.Namespace(), w.Name(), d.Namespace(), d.Name())
			f.Relate(d.Obj, d.DryRunLoc(), "dry-run here")
			continue
		}
		p.Reportf(w.Obj, w.Obj.NameLoc, "workload %s/%s is covered by no AuthorizationPolicy: it accepts every request its mTLS settings let through; add an AuthorizationPolicy that selects it",
			w.Namespace(), w.Name())
	}
	return nil
}

// policyBefore orders policies by namespace, then name.
func policyBefore(a, b *graph.AuthorizationPolicy) bool {
	if a.Namespace() != b.Namespace() {
		return a.Namespace() < b.Namespace()
	}
	return a.Name() < b.Name()
}

type authzKey struct{}

type authzSelection struct {
	ws []*graph.Workload
	ok bool
}

// authorizationWorkloads holds Graph.AuthorizationWorkloads of every
// policy, in the order of Graph.AuthorizationPolicies, computed once per
// run for the rules of this package that read it for every policy.
func authorizationWorkloads(p *rules.Pass) []authzSelection {
	return p.Memo(authzKey{}, func() any {
		out := make([]authzSelection, len(p.Graph.AuthorizationPolicies))
		for i, ap := range p.Graph.AuthorizationPolicies {
			out[i].ws, out[i].ok = p.Graph.AuthorizationWorkloads(ap)
		}
		return out
	}).([]authzSelection)
}
