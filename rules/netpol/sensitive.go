package netpol

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
)

// SensitiveLabel marks a workload as sensitive ("true") or not ("false"),
// whatever its ports.
const SensitiveLabel = "meshlint.io/sensitive"

// sensitivePorts are the TCP ports of datastores and caches that are
// sensitive by default: PostgreSQL, MySQL/MariaDB, Redis, MongoDB,
// Elasticsearch and Memcached.
var sensitivePorts = map[int64]string{
	5432:  "PostgreSQL",
	3306:  "MySQL",
	6379:  "Redis",
	27017: "MongoDB",
	9200:  "Elasticsearch",
	11211: "Memcached",
}

// SensitiveExposed reports sensitive workloads that every pod of the
// cluster, or every external address, can connect to.
var SensitiveExposed = &rules.Rule{
	ID:      "MR406",
	Name:    "sensitive-workload-exposed",
	Summary: "sensitive workload is reachable from every namespace or from 0.0.0.0/0 (or ::/0)",
	Doc: `Databases and caches hold the data an attacker wants, and several of them (Redis,
Memcached, Elasticsearch) ship without authentication. The NetworkPolicies should let only
their clients in. The rule reports a sensitive workload whose sensitive ports accept
connections from any pod of any namespace (including namespaces not in the input), or from
every external address (0.0.0.0/0), as the connectivity engine computes them from all
NetworkPolicies and admin network policies of the input. Where the admin network policies, or
the NetworkPolicies of the workload's namespace, name an IPv6 block, the cluster is taken to be
dual-stack: every external IPv6 address (::/0) is asked about too, since an IPv4 ` + "`ipBlock`" + `
neither allows nor denies IPv6 traffic. A sensitive workload on its node's
network (` + "`hostNetwork: true`" + `) is reported even when the NetworkPolicies that select it keep it
closed: Kubernetes leaves NetworkPolicy undefined for such pods, most plugins apply none to
them (they share the node's addresses), and no admin network policy selects them. A
NetworkPolicy the API server refuses (` + "`policyTypes: [ingress]`" + `, which MR001 reports) protects
nothing, as the cluster never holds it: when one would select the workload for ingress
(` + "`policyTypes`" + ` read regardless of case), the message names it.

A workload is sensitive when it declares a container port among 5432 (PostgreSQL), 3306
(MySQL), 6379 (Redis), 27017 (MongoDB), 9200 (Elasticsearch) and 11211 (Memcached), all
TCP, or when its pod template carries the label ` + "`meshlint.io/sensitive: \"true\"`" + ` (then every
port counts). ` + "`meshlint.io/sensitive: \"false\"`" + ` opts a workload out. Message brokers (5672) are left out
of the defaults: their clients are often spread over many namespaces; label them to check them.
The port list is not configurable yet; the label is the way to extend it.

Fix it with an ingress policy that admits only the clients:

` + "```yaml" + `
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 5432}]
` + "```",
	Bad: postgresExample(`  - from: [{namespaceSelector: {}}]
`),
	Good: postgresExample(`  - from: [{podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 5432}]
`),
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy, kinds.Namespace, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy),
	Deps:     rules.DepCLS | rules.DepNP1,
	Run:      runSensitiveExposed,
}

// postgresExample is StatefulSet shop/postgres, on PostgreSQL's port, and
// the NetworkPolicy that selects it with the ingress rules: the examples
// of MR406.
func postgresExample(ingress string) string {
	return `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: shop}
spec:
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        ports: [{containerPort: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: postgres, namespace: shop}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
` + ingress
}

// sensitive returns the connections of w that are sensitive and a
// description of why, or an empty set.
func sensitive(w *graph.Workload) (netpol.Set, string) {
	switch w.Labels[SensitiveLabel] {
	case "false":
		return netpol.None(), ""
	case "true":
		return netpol.All(), SensitiveLabel + "=true"
	}
	var s netpol.Set
	var what []string
	for c := range w.ServingContainers() {
		for _, cp := range c.Ports {
			name, ok := sensitivePorts[cp.ContainerPort.V]
			if ok && (cp.Protocol.V == "" || cp.Protocol.V == "TCP") {
				s = s.Union(netpol.Port(netpol.TCP, int(cp.ContainerPort.V)))
				what = append(what, fmt.Sprintf("%s port %d", name, cp.ContainerPort.V))
			}
		}
	}
	sort.Strings(what)
	return s, strings.Join(what, ", ")
}

func runSensitiveExposed(p *rules.Pass) error {
	var a *netpol.Analysis
	for _, w := range p.Graph.Workloads {
		want, why := sensitive(w)
		if want.IsEmpty() {
			continue
		}
		if a == nil {
			a = Analysis(p)
		}
		dst := netpol.WorkloadEndpoint(w)
		var from []string
		if got := a.IngressAllowed(netpol.AnyPod(), dst).Intersect(want); !got.IsEmpty() {
			from = append(from, "any pod of any namespace on "+got.String())
		}
		from = append(from, externalSources(p, a, w, dst, want)...)
		pols := graph.DistinctObjects(a.Policies(w, netpol.Ingress)) // each policy once, whatever its copies
		if len(from) == 0 {
			if w.Spec.Spec.HostNetwork.V && len(pols) > 0 {
				reportHostNetwork(p, w, why, pols)
			}
			continue
		}
		how := "no NetworkPolicy isolates it for ingress"
		if len(pols) > 0 {
			how = "the policies selecting it allow it"
		}
		f := p.Reportf(w.Obj, w.Obj.NameLoc, "sensitive workload %s/%s (%s) accepts connections from %s: %s",
			w.Namespace(), w.Name(), why, strings.Join(from, " and from "), how)
		for _, o := range pols {
			f.Relate(o, o.NameLoc, "%s %s applies to %s/%s", o.Kind, o.Name, w.Namespace(), w.Name())
		}
		// A policy that the API server refuses protects nothing (the
		// cluster never holds it), though the manifests seem to hold
		// one: say so, lest "no NetworkPolicy" read as a mistake.
		for _, r := range refusedSelecting(p.Graph, w, ingress) {
			f.Message += fmt.Sprintf("; NetworkPolicy %s/%s selects it for ingress, but the API server refuses it (%s), so that the cluster never holds it", r.Namespace(), r.Name(), r.Why)
			f.Relate(r.Obj, r.At, "the API server refuses NetworkPolicy %s/%s: %s", r.Namespace(), r.Name(), r.Why)
		}
	}
	return nil
}

// reportHostNetwork reports a sensitive workload on its node's network
// that only NetworkPolicies pols protect: Kubernetes leaves NetworkPolicy
// undefined for host-networked pods, and most plugins (Calico, Cilium)
// apply none to them, as they share the node's addresses; the network
// policy API's admin policies never select them.
func reportHostNetwork(p *rules.Pass, w *graph.Workload, why string, pols []*manifest.Object) {
	f := p.Reportf(w.Obj, w.Obj.NameLoc, "sensitive workload %s/%s (%s) runs on its node's network (hostNetwork: true): the NetworkPolicies that select it protect it only if the network plugin applies them to host-networked pods, which Kubernetes leaves undefined and most plugins do not; then whatever reaches the node's address can connect to it",
		w.Namespace(), w.Name(), why)
	for _, o := range pols {
		f.Relate(o, o.NameLoc, "%s %s applies to %s/%s", o.Kind, o.Name, w.Namespace(), w.Name())
	}
}

// externalSources describes the external addresses that reach sensitive
// connections want of w (endpoint dst). Where the input names IPv6 blocks
// (namesIPv6) the cluster may be dual-stack: 0.0.0.0/0 is then only the
// IPv4 addresses, and ::/0, which an IPv4 ipBlock neither allows nor
// denies, is asked about too.
func externalSources(p *rules.Pass, a *netpol.Analysis, w *graph.Workload, dst netpol.Endpoint, want netpol.Set) []string {
	ext := a.IngressAllowed(netpol.ExternalEndpoint(netpol.AllIPs), dst).Intersect(want)
	if !namesIPv6(p, w.Namespace()) {
		if ext.IsEmpty() {
			return nil
		}
		return []string{"every external address (0.0.0.0/0) on " + ext.String()}
	}
	ext6 := a.IngressAllowed(netpol.ExternalEndpoint6(netpol.AllIPv6), dst).Intersect(want)
	switch {
	case ext.IsEmpty() && ext6.IsEmpty():
		return nil
	case ext.Equal(ext6):
		return []string{"every external address (0.0.0.0/0 and ::/0) on " + ext.String()}
	}
	var out []string
	if !ext.IsEmpty() {
		out = append(out, "every external IPv4 address (0.0.0.0/0) on "+ext.String())
	}
	if !ext6.IsEmpty() {
		out = append(out, "every external IPv6 address (::/0) on "+ext6.String())
	}
	return out
}
