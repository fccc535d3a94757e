package netpol

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
)

// RulesIgnored reports ingress or egress rules of a NetworkPolicy whose
// policyTypes leave their direction out.
var RulesIgnored = &rules.Rule{
	ID:      "MR404",
	Name:    "networkpolicy-rules-ignored",
	Summary: "ingress or egress rules ignored because policyTypes leaves their direction out",
	Doc: `When ` + "`policyTypes`" + ` is written, Kubernetes applies only the directions it lists: ` + "`egress`" + `
rules of a policy with ` + "`policyTypes: [Ingress]`" + ` are ignored, and so are ` + "`ingress`" + ` rules of a
policy with ` + "`policyTypes: [Egress]`" + `. The author meant them to do something, and the API server
accepts them silently. (Without ` + "`policyTypes`" + ` nothing is ignored: the list then defaults to
Ingress, plus Egress when egress rules exist.) A value other than ` + "`Ingress`" + ` and ` + "`Egress`" + `, case
included (` + "`policyTypes: [ingress]`" + `), is no such case: the API server refuses the whole policy, which
MR001 reports, and the NetworkPolicy rules leave it out, as the cluster never holds it.

Add the direction to ` + "`policyTypes`" + `, or delete the rules. network-config-analyzer reports this as an
error ("A NetworkPolicy with egress field but no Egress in its policyTypes").

The defaulting has its own trap: a policy with egress rules, no ingress rules and no
` + "`policyTypes`" + ` isolates its pods for ingress too, and admits nothing. The API says so: "If you
want to write an egress-only policy, you must explicitly specify policyTypes [ "Egress" ]". The
rule reports such a policy, when its podSelector is not empty, for the pods it selects that a
Service of their namespace sends traffic to and that neither another NetworkPolicy nor an admin
policy admits anything to: their Service is dead.`,
	Bad: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
`,
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy, kinds.Service, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy),
	Deps:     rules.DepCLS | rules.DepOrder,
	Run:      runRulesIgnored,
}

func runRulesIgnored(p *rules.Pass) error {
	for _, np := range p.Graph.NetworkPolicies {
		if len(np.Spec.PolicyTypes) == 0 {
			reportDefaultedIngress(p, np)
			continue
		}
		var types []string
		for _, t := range np.Spec.PolicyTypes {
			types = append(types, t.V)
		}
		for _, d := range []direction{ingress, egress} {
			rs := d.Rules(np)
			if d.Isolates(np) || len(rs) == 0 {
				continue
			}
			n := "its rule is"
			if len(rs) > 1 {
				n = fmt.Sprintf("its %d rules are", len(rs))
			}
			p.Reportf(np.Obj, rs[0].Loc, "NetworkPolicy %s/%s has %s rules but policyTypes [%s] leaves %s out: %s ignored; add %s to policyTypes or remove them",
				np.Namespace(), np.Name(), d.Name, strings.Join(types, ", "), d.Type, n, d.Type)
		}
	}
	return nil
}

// reportDefaultedIngress reports a policy for some pods with egress rules,
// no ingress rules and no policyTypes, which isolates its pods for
// ingress as well, when that leaves a pod that a Service sends traffic to
// admitting nothing: the author most likely meant an egress-only policy.
// A pod that some other policy admits something to, or that no Service
// serves, gives no sign that the isolation was unintended.
func reportDefaultedIngress(p *rules.Pass, np *graph.NetworkPolicy) {
	if len(np.Spec.Egress) == 0 || len(np.Spec.Ingress) > 0 || np.PodSelector.Empty() {
		return
	}
	g := p.Graph
	var dead []*graph.Workload
	var via *graph.Service
	for _, w := range rules.Distinct(p, np.Workloads) {
		svc := servingService(g, w)
		if svc == nil || admitsSomething(g, w) {
			continue
		}
		// An admin policy may admit what no NetworkPolicy does.
		if slices.ContainsFunc(Analysis(p).Policies(w, netpol.Ingress), func(o *manifest.Object) bool { return o.Kind != kinds.NetworkPolicy }) {
			continue
		}
		dead = append(dead, w)
		if via == nil {
			via = svc
		}
	}
	if len(dead) == 0 {
		return
	}
	at := np.Obj.NameLoc
	if np.Spec.PodSelector != nil && !np.Spec.PodSelector.Loc.IsZero() {
		at = np.Spec.PodSelector.Loc
	}
	p.Reportf(np.Obj, at, "NetworkPolicy %s/%s has egress rules and no policyTypes, which then default to [Ingress, Egress]: it also isolates %s for ingress, where no policy admits anything, though Service %s/%s sends it traffic; write policyTypes: [Egress] if the policy is about egress only",
		np.Namespace(), np.Name(), workloadNames(p, dead), via.Namespace(), via.Name())
}

// servingService returns a Service of w's namespace that selects w, or
// nil.
func servingService(g *graph.Graph, w *graph.Workload) *graph.Service {
	for _, svc := range g.Services {
		if svc.Namespace() == w.Namespace() && slices.Contains(svc.Workloads, w) {
			return svc
		}
	}
	return nil
}

// admitsSomething reports whether a NetworkPolicy that selects w for
// ingress has an ingress rule.
func admitsSomething(g *graph.Graph, w *graph.Workload) bool {
	for _, np := range g.NetworkPolicies {
		if np.Ingress && len(np.Spec.Ingress) > 0 && np.Namespace() == w.Namespace() && slices.Contains(np.Workloads, w) {
			return true
		}
	}
	return false
}
