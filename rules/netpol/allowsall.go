package netpol

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// DefaultAllowsAll reports namespace-wide NetworkPolicies that allow
// every connection in a direction.
var DefaultAllowsAll = &rules.Rule{
	ID:      "MR405",
	Name:    "networkpolicy-default-allows-all",
	Summary: "namespace-wide NetworkPolicy allows all traffic in a direction",
	Doc: `A policy with an empty ` + "`podSelector`" + ` looks like a namespace default. When its rules
allow every port from (or to) every pod of every namespace, it isolates nothing, and since
policies add up it also cancels every other policy of the namespace for that direction:
` + "`ingress: [{}]`" + `, ` + "`ingress: [{from: [{namespaceSelector: {}}]}]`" + `, an ` + "`ipBlock`" + ` of 0.0.0.0/0 next to
such a peer, and so on. The rule evaluates the policy alone with the connectivity engine,
so any spelling is recognized, and says whether external addresses are allowed too: those of
both families when the admin policies or the namespace's NetworkPolicies name an IPv6 block,
the sign of a dual-stack cluster, where ` + "`0.0.0.0/0`" + ` holds no IPv6 address.

If the namespace really must be open, delete the policy: that is what it amounts to. Otherwise
turn it into a default deny (no rules) and allow the peers each workload needs.

The rule stays quiet for a direction in which a policy of the baseline tier (the
BaselineAdminNetworkPolicy, a Baseline ClusterNetworkPolicy) applies to the namespace's pods:
the baseline decides only for pods that no NetworkPolicy isolates, so there an allow-all
policy is how the namespace overrides the cluster's default, and deleting it would change what
gets through.`,
	Bad: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.NetworkPolicy, kinds.Namespace, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy},
	Deps:     rules.DepCLS,
	Run:      runDefaultAllowsAll,
}

func runDefaultAllowsAll(p *rules.Pass) error {
	for _, np := range p.Graph.NetworkPolicies {
		if !np.PodSelector.Empty() || (!np.Ingress && !np.Egress) {
			continue
		}
		// The question is about any pod and every address, never about a
		// workload: a model of the policy alone, without the input's
		// workloads, answers it at the cost of the policy.
		a := netpol.AnalyzePolicyAlone(p.Graph, np)
		subject := netpol.AnyPodIn(np.Namespace())
		external := netpol.ExternalEndpoint(netpol.AllIPs)
		// On a dual-stack cluster, which policies naming IPv6 blocks tell
		// of, 0.0.0.0/0 is not every address: ::/0 is needed too.
		v6 := namesIPv6(p, np.Namespace())
		external6 := netpol.ExternalEndpoint6(netpol.AllIPv6)
		for _, d := range []direction{ingress, egress} {
			if !d.Isolates(np) || len(d.Rules(np)) == 0 || baselined(p.Graph, np.Namespace(), d) {
				continue
			}
			var pods, ext, ext6 netpol.Set
			if d.Name == "ingress" {
				pods = a.IngressAllowed(netpol.AnyPod(), subject)
				ext = a.IngressAllowed(external, subject)
				if v6 {
					ext6 = a.IngressAllowed(external6, subject)
				}
			} else {
				pods = a.EgressAllowed(subject, netpol.AnyPod())
				ext = a.EgressAllowed(subject, external)
				if v6 {
					ext6 = a.EgressAllowed(subject, external6)
				}
			}
			if !pods.IsAll() {
				continue
			}
			what := "every port from every pod of every namespace"
			if d.Name == "egress" {
				what = "every port to every pod of every namespace"
			}
			switch {
			case ext.IsAll() && (!v6 || ext6.IsAll()):
				what += " and every external address"
			case ext.IsAll():
				what += " and every external IPv4 address"
			case ext6.IsAll():
				what += " and every external IPv6 address"
			}
			reportAllowsAll(p, np, d, what)
		}
	}
	return nil
}

// baselined reports whether a policy of the baseline tier (the
// BaselineAdminNetworkPolicy, a Baseline ClusterNetworkPolicy) with rules
// for direction d may select pods of namespace ns. The baseline applies
// only to the pods that no NetworkPolicy isolates, so an allow-all policy
// there is how a namespace opts out of it, not a no-op: deleting it would
// hand its pods back to the baseline. Its subject's pod selector is not
// read: the policy under test selects every pod, those included.
func baselined(g *graph.Graph, ns string, d direction) bool {
	var labels map[string]string
	if n := g.Namespaces[ns]; n != nil {
		labels = n.Labels
	}
	selects := func(s spec.AdminSubject) bool {
		switch {
		case s.Namespaces != nil && s.Pods == nil:
			return graph.Selector(s.Namespaces).Matches(labels)
		case s.Pods != nil && s.Namespaces == nil:
			return graph.Selector(s.Pods.NamespaceSelector).Matches(labels)
		}
		return false // the API server rejects it; the engine ignores it
	}
	for _, b := range g.BaselineAdminNetworkPolicies {
		n := len(b.Spec.Ingress)
		if d.Name == "egress" {
			n = len(b.Spec.Egress)
		}
		if n > 0 && selects(b.Spec.Subject) {
			return true
		}
	}
	for _, c := range g.ClusterNetworkPolicies {
		n := len(c.Spec.Ingress)
		if d.Name == "egress" {
			n = len(c.Spec.Egress)
		}
		if c.Baseline() && n > 0 && selects(c.Spec.Subject) {
			return true
		}
	}
	return false
}

func reportAllowsAll(p *rules.Pass, np *graph.NetworkPolicy, d direction, what string) {
	rs := d.Rules(np)
	p.Reportf(np.Obj, rs[0].Loc, "NetworkPolicy %s/%s selects every pod of its namespace and allows all %s: %s; it isolates nothing and makes the namespace's other %s policies moot",
		np.Namespace(), np.Name(), d.Name, what, d.Name)
}
