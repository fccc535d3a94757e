package netpol

import (
	"fmt"
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// HostNetworkOnly reports NetworkPolicies, and peers of their rules, that
// select host-networked pods alone.
var HostNetworkOnly = &rules.Rule{
	ID:      "MR412",
	Name:    "networkpolicy-host-network-only",
	Summary: "network policy or peer selects only host-networked pods, which most network plugins neither isolate nor match",
	Doc: `A pod with ` + "`hostNetwork: true`" + ` uses its node's network namespace and addresses.
Kubernetes leaves NetworkPolicy for such pods undefined (the network-policies concept page,
"NetworkPolicy and hostNetwork pods"), and most network plugins, Calico and Cilium among them,
treat their traffic as the node's: a ` + "`podSelector`" + ` or ` + "`namespaceSelector`" + ` does not match it,
and a policy whose ` + "`podSelector`" + ` selects them does not isolate them. Only an ` + "`ipBlock`" + ` of the
nodes' addresses names them. So, on those plugins:

- an ingress peer (` + "`from`" + `) whose selectors match only host-networked pods admits nothing from
  them (a pod still accepts its own node's traffic, which the API always lets through);
- an egress peer (` + "`to`" + `) whose selectors match only host-networked pods allows no connection to
  them: a client isolated for egress cannot reach them, the common case of Prometheus scraping
  node-exporter;
- a NetworkPolicy whose ` + "`podSelector`" + ` selects only host-networked pods isolates nothing, and its
  rules restrict nothing.

The rule reports each such peer, and each such policy once. Write an ` + "`ipBlock`" + ` of the node
CIDR for the peer; protect the host-networked pods with the plugin's host policies (Calico's
HostEndpoints, Cilium's host firewall) rather than a NetworkPolicy. On a plugin that applies
NetworkPolicy to host-networked pods as to others, as meshlint's reachability model assumes
(docs/reach.md), the selectors work and the finding can be suppressed.

The rule stays quiet when a selector also matches a pod on the pod network, such as the pods Istio
deploys for a Gateway API Gateway, and when it matches no workload of the input. It only
reports what it can tell from the input: a peer of other namespaces must name them (by
` + "`kubernetes.io/metadata.name`" + `), and a namespace counts only when the input holds a workload
of it; a selector of every pod of a namespace (an empty or absent ` + "`podSelector`" + `) counts only
with the closed-world setting, since the namespace may run pods the input does not hold. Nor
does it report a policy whose pods a wider policy of the namespace (of every pod, or of pods on
the pod network too) isolates in the same directions: the narrower one only adds allows to that
isolation, for the plugins that apply NetworkPolicy to host-networked pods. The allows of the
fixes of MR401 and MR402 are such policies, and their peers that select host-networked pods
only carry a suppression of this rule whose reason says to add the node CIDR.`,
	Bad: nodeExporterExample(`    - podSelector: {matchLabels: {app: node-exporter}}
`),
	Good: nodeExporterExample(`    - ipBlock: {cidr: 10.0.0.0/16} # the node CIDR
`),
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy, kinds.Namespace, kinds.K8sGateway),
	Deps:     rules.DepNS | rules.DepPEER | rules.DepPRES | rules.DepGWAPI,
	Run:      runHostNetworkOnly,
}

// nodeExporterExample is Prometheus and a host-networked node-exporter in
// namespace monitoring, and Prometheus's egress policy, whose peer is to.
func nodeExporterExample(to string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec: {containers: [{name: prometheus, image: prom/prometheus}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: node-exporter}}
  template:
    metadata: {labels: {app: node-exporter}}
    spec:
      hostNetwork: true
      containers: [{name: node-exporter, image: prom/node-exporter, ports: [{containerPort: 9100}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: prometheus-scrape, namespace: monitoring}
spec:
  podSelector: {matchLabels: {app: prometheus}}
  policyTypes: [Egress]
  egress:
  - to:
` + to + `    ports: [{protocol: TCP, port: 9100}]
`
}

func runHostNetworkOnly(p *rules.Pass) error {
	// Most trees run no host-networked pod: then no selector can select
	// only such pods, and the peers need not be matched.
	if !slices.ContainsFunc(p.Graph.Workloads, hostNetworked) {
		return nil
	}
	for _, np := range p.Graph.NetworkPolicies {
		if names := hostOnlySubjects(p, np); len(names) > 0 {
			at := np.Obj.NameLoc
			if np.Spec.PodSelector != nil && !np.Spec.PodSelector.Loc.IsZero() {
				at = np.Spec.PodSelector.Loc
			}
			n := len(names)
			p.Reportf(np.Obj, at, "NetworkPolicy %s/%s selects only host-networked pods (%s %s): most network plugins apply no NetworkPolicy to pods on their node's network, so there it isolates nothing and its rules restrict nothing; protect %s with the plugin's host policies instead",
				np.Namespace(), np.Name(), wording.Plural(n, "workload", "workloads"), wording.List(firstNames(names)), wording.Plural(n, "it", "them"))
		}
		for _, d := range []direction{ingress, egress} {
			if !d.Isolates(np) {
				continue // MR404 reports the rules of a direction the policy leaves out
			}
			field := "from"
			if d.Name == "egress" {
				field = "to"
			}
			for i, r := range d.Rules(np) {
				for j, peer := range peers(r, d.Name == "egress") {
					names := hostOnlyPeer(p, np.Namespace(), peer)
					if len(names) == 0 {
						continue
					}
					reportHostPeer(p, np, peer, fmt.Sprintf("%s[%d].%s[%d]", d.Name, i, field, j), d, names)
				}
			}
		}
	}
	return nil
}

func reportHostPeer(p *rules.Pass, np *graph.NetworkPolicy, peer spec.NetworkPolicyPeer, where string, d direction, names []string) {
	at := peer.Loc
	switch {
	case peer.PodSelector != nil && !peer.PodSelector.Loc.IsZero():
		at = peer.PodSelector.Loc
	case peer.NamespaceSelector != nil && !peer.NamespaceSelector.Loc.IsZero():
		at = peer.NamespaceSelector.Loc
	}
	n := len(names)
	what := fmt.Sprintf("%s of NetworkPolicy %s/%s selects only host-networked pods (%s %s)",
		where, np.Namespace(), np.Name(), wording.Plural(n, "workload", "workloads"), wording.List(firstNames(names)))
	if d.Name == "ingress" {
		p.Reportf(np.Obj, at, "%s: %s connections come from %s, which most network plugins match to no podSelector or namespaceSelector, so there the peer admits nothing from %s (but for a pod's own node, which the API always lets through); to admit %s, name the nodes' addresses in an ipBlock (the node CIDR)",
			what, wording.Plural(n, "its", "their"), wording.Plural(n, "its node's address", "their nodes' addresses"), wording.Plural(n, "it", "them"), wording.Plural(n, "it", "them"))
		return
	}
	p.Reportf(np.Obj, at, "%s: %s on %s, which most network plugins match to no podSelector or namespaceSelector, so there the peer allows no connection to %s; to allow %s, name the nodes' addresses in an ipBlock (the node CIDR)",
		what, wording.Plural(n, "it listens", "they listen"), wording.Plural(n, "its node's address", "their nodes' addresses"), wording.Plural(n, "it", "them"), wording.Plural(n, "it", "them"))
}

// hostOnlySubjects returns the names of the workloads np selects when
// every one of them is host-networked, else nil. A podSelector of every
// pod counts only in a closed world: the input may hold a namespace's
// host-networked DaemonSet and not its other pods. A policy whose pods a
// wider policy isolates already (isolatedElsewhere) is not counted
// either: it only adds allows to that isolation.
func hostOnlySubjects(p *rules.Pass, np *graph.NetworkPolicy) []string {
	g := p.Graph
	if len(np.Workloads) == 0 || np.PodSelector.Empty() && !g.Mesh.ClosedWorld || gatewayAPIPods(g, np.Namespace(), np.PodSelector) {
		return nil
	}
	var names []string
	for _, w := range rules.Distinct(p, np.Workloads) {
		if !hostNetworked(w) {
			return nil
		}
		names = appendNew(names, w.Name())
	}
	if isolatedElsewhere(g, np) {
		return nil
	}
	return names
}

// isolatedElsewhere reports whether, in each direction np isolates its
// pods, another policy of its namespace isolates them too, one that
// selects every pod or some pod on the pod network: a namespace's default
// deny, beside which np, as the allows of MR401's and MR402's fixes for
// host-networked pods do, serves a plugin that applies NetworkPolicy to
// them. What the deny leaves open, MR401 and MR402 say.
func isolatedElsewhere(g *graph.Graph, np *graph.NetworkPolicy) bool {
	for _, d := range []direction{ingress, egress} {
		if !d.Isolates(np) {
			continue
		}
		wider := func(o *graph.NetworkPolicy) bool {
			if o.Namespace() != np.Namespace() || o.Name() == np.Name() || !d.Isolates(o) {
				return false // a copy of np is np
			}
			if !o.PodSelector.Empty() && !slices.ContainsFunc(o.Workloads, func(w *graph.Workload) bool { return !hostNetworked(w) }) {
				return false
			}
			return !slices.ContainsFunc(np.Workloads, func(w *graph.Workload) bool { return !o.PodSelector.Matches(w.Labels) })
		}
		if !slices.ContainsFunc(g.NetworkPolicies, wider) {
			return false
		}
	}
	return true
}

// hostOnlyPeer returns the names of the workloads that peer, of a rule of
// a policy of namespace own, selects when every one of them is
// host-networked, else nil: also when the input may not hold every pod the
// peer selects (see the rule's documentation). Workloads of another
// namespace than own are named with their namespace.
func hostOnlyPeer(p *rules.Pass, own string, peer spec.NetworkPolicyPeer) []string {
	g := p.Graph
	if peer.PodSelector == nil && peer.NamespaceSelector == nil {
		return nil // an ipBlock
	}
	pods := graph.Selector(peer.PodSelector)
	if pods.Empty() && !g.Mesh.ClosedWorld {
		return nil
	}
	nss, ok := peerNamespaces(g, own, peer.NamespaceSelector)
	if !ok {
		return nil
	}
	var names []string
	for _, ns := range nss {
		if !g.WorkloadsKnown(ns) || gatewayAPIPods(g, ns, pods) {
			return nil
		}
		pool := g.WorkloadsIn(ns)
		if len(pods.MatchLabels) > 0 {
			pool = g.SelectWorkloads(ns, pods.MatchLabels) // the candidates, from the label index
		}
		// A workload defined twice is named once (appendNew), and two
		// definitions that disagree on hostNetwork keep the peer quiet.
		for _, w := range pool {
			if !pods.Matches(w.Labels) {
				continue
			}
			if !hostNetworked(w) {
				return nil
			}
			name := w.Name()
			if ns != own {
				name = ns + "/" + name
			}
			names = appendNew(names, name)
		}
	}
	return names
}

// peerNamespaces returns the namespaces whose pods a peer of a rule of a
// policy of namespace own with namespace selector sel may select: own when
// sel is nil. ok is
// false when the input cannot tell them: without the closed-world
// setting, a selector that does not pin namespaces by
// kubernetes.io/metadata.name may match namespaces the input does not
// hold, and a pinned namespace that the input does not declare may carry
// any other label the selector asks for.
func peerNamespaces(g *graph.Graph, own string, sel *spec.LabelSelector) (nss []string, ok bool) {
	if sel == nil {
		return []string{own}, true
	}
	s := graph.Selector(sel)
	if g.Mesh.ClosedWorld {
		for _, ns := range g.NamespaceNames() {
			if s.Matches(g.Namespaces[ns].Labels) {
				nss = append(nss, ns)
			}
		}
		return nss, true
	}
	pinned := pinnedNamespaces(s)
	if pinned == nil {
		return nil, false
	}
	for _, ns := range pinned {
		n := g.Namespaces[ns]
		if n != nil && n.Declared() {
			if s.Matches(n.Labels) {
				nss = append(nss, ns)
			}
			continue
		}
		if !namesOnly(s) {
			return nil, false
		}
		if s.Matches(map[string]string{metadataName: ns}) {
			nss = append(nss, ns)
		}
	}
	return nss, true
}

// namesOnly reports whether selector s asks for kubernetes.io/metadata.name
// alone, the one label of a namespace the input does not declare that is
// known.
func namesOnly(s labels.Selector) bool {
	for k := range s.MatchLabels {
		if k != metadataName {
			return false
		}
	}
	return !slices.ContainsFunc(s.Exprs, func(r labels.Requirement) bool { return r.Key != metadataName })
}

// pinnedNamespaces returns the names that selector s requires of
// kubernetes.io/metadata.name, sorted, or nil when it requires none.
func pinnedNamespaces(s labels.Selector) []string {
	if v, ok := s.MatchLabels[metadataName]; ok {
		return []string{v}
	}
	for _, r := range s.Exprs {
		if r.Key == metadataName && r.Op == labels.In {
			return slices.Sorted(slices.Values(r.Values))
		}
	}
	return nil
}

// gatewayAPIPods reports whether pods selects the pods Istio deploys for a
// Gateway API Gateway of namespace ns: they are on the pod network, and
// not in the input.
func gatewayAPIPods(g *graph.Graph, ns string, pods labels.Selector) bool {
	for _, l := range g.GatewayAPIPodLabels(ns) {
		if pods.Matches(l) {
			return true
		}
	}
	return false
}
