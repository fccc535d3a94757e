package netpol

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
)

// EgressNoDNS reports workloads isolated for egress that cannot reach DNS.
var EgressNoDNS = &rules.Rule{
	ID:      "MR409",
	Name:    "egress-isolation-without-dns",
	Summary: "workload isolated for egress cannot reach DNS",
	Doc: `Once a NetworkPolicy selects a pod for egress, everything not allowed is dropped, DNS
included: the pod can no longer resolve names, and every connection by name fails (Istio
sidecars resolve names too). Allow UDP port 53 (and TCP 53, which resolvers fall back to for
large answers) towards the cluster DNS, whose pods carry ` + "`k8s-app: kube-dns`" + ` in ` + "`kube-system`" + `:

` + "```yaml" + `
egress:
- to:
  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
    podSelector: {matchLabels: {k8s-app: kube-dns}}
  ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
` + "```" + `

The rule asks the connectivity engine what the workload's egress allows on UDP 53 towards a
kube-dns pod and towards every external address range of the policies (a node-local cache or
an external resolver reached through an ipBlock counts). It reports the workload when neither
is allowed, and says whether TCP 53 is.`,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
`,
	Good: `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
`,
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy, kinds.Namespace, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy),
	Run:      runEgressNoDNS,
}

// kubeDNS is a pod of the cluster DNS.
var kubeDNS = netpol.PodEndpoint(&netpol.Pod{Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}})

func runEgressNoDNS(p *rules.Pass) error {
	var a *netpol.Analysis
	// The answer is the same for every workload of a group.
	byGroup := map[int]netpol.Set{}
	for _, w := range p.Graph.Workloads {
		if a == nil {
			a = Analysis(p)
		}
		if !a.Isolated(w, netpol.Egress) {
			continue
		}
		grp := a.Group(w)
		dns, known := byGroup[grp]
		if !known {
			src := netpol.WorkloadEndpoint(w)
			dns = a.EgressAllowed(src, kubeDNS)
			for _, r := range a.ExternalDestinations() {
				dns = dns.Union(a.EgressAllowed(src, netpol.ExternalEndpoint(r)))
			}
			if grp >= 0 {
				byGroup[grp] = dns
			}
		}
		if dns.Contains(netpol.UDP, 53) {
			continue
		}
		tcp := "nor TCP 53"
		if dns.Contains(netpol.TCP, 53) {
			tcp = "only TCP 53, which resolvers use after UDP"
		}
		f := p.Reportf(w.Obj, w.Obj.NameLoc, "workload %s/%s is isolated for egress but its egress allows no DNS: not UDP 53 to kube-dns (kube-system, k8s-app=kube-dns) or to any external address, %s; name resolution fails",
			w.Namespace(), w.Name(), tcp)
		for _, o := range a.Policies(w, netpol.Egress) {
			f.Relate(o, o.NameLoc, "%s %s isolates %s/%s for egress", o.Kind, o.Name, w.Namespace(), w.Name())
		}
	}
	return nil
}
