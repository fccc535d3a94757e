package netpol

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// MeshWorkloadOpen reports, per namespace, the workloads with a sidecar
// that no NetworkPolicy isolates for ingress.
var MeshWorkloadOpen = &rules.Rule{
	ID:      "MR411",
	Name:    "mesh-workload-no-ingress-policy",
	Summary: "workloads in the mesh are not covered by any ingress NetworkPolicy",
	Doc: `Istio's AuthorizationPolicies are enforced by the sidecar, at layer 7, after the
connection is made. A NetworkPolicy adds a layer-4 guard that holds when the sidecar is
bypassed: traffic to ports the sidecar does not capture, pods started without injection by
mistake, or a compromised pod talking straight to an application port. Defence in depth
asks for both.

The rule lists, once per namespace, the workloads with an Istio sidecar that no
NetworkPolicy selects for ingress (as the connectivity engine sees it), at the Namespace
object when it is in the input, else at the first such workload. A workload that the admin
tiers guard instead is left out: an AdminNetworkPolicy, ClusterNetworkPolicy or
BaselineAdminNetworkPolicy that denies some port to a pod of any namespace (a baseline
default deny, an admin allow-list that ends in a Deny). One that only allows some peers,
denies one namespace or passes everything to the NetworkPolicies guards nothing. It is
informational: kube-score's ` + "`pod-networkpolicy`" + `, Kubescape's C-0260 and Checkov's CKV2_K8S_6 ask the same of
every pod; this rule keeps to the mesh. A default deny (MR401) covers the whole namespace. A
NetworkPolicy the API server refuses covers nothing, as the cluster never holds it: when one
would select a listed workload for ingress, the message names it.`,
	Bad: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1}]}
`,
	Good: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
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
metadata: {name: default-deny-ingress, namespace: shop}
spec:
  podSelector: {}
`,
	Severity: rules.Info,
	Inputs:   inputs(kinds.NetworkPolicy, kinds.Namespace, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy),
	Deps:     rules.DepINJ | rules.DepCLS | rules.DepOrder,
	Run:      runMeshWorkloadOpen,
}

func runMeshWorkloadOpen(p *rules.Pass) error {
	g := p.Graph
	var a *netpol.Analysis
	for _, ns := range g.NamespaceNames() {
		var open []*graph.Workload
		for _, w := range g.WorkloadsIn(ns) {
			if !w.Sidecar {
				continue
			}
			if a == nil {
				a = Analysis(p)
			}
			if !a.Isolated(w, netpol.Ingress) && !adminGuarded(a, w) {
				open = append(open, w)
			}
		}
		if len(open) == 0 {
			continue
		}
		open = rules.Distinct(p, open) // each workload once, whatever its copies
		var names []string
		for _, w := range open {
			names = append(names, w.Name())
		}
		at := open[0].Obj
		if n := g.Namespaces[ns]; n != nil && n.Declared() {
			at = n.Obj
		}
		n := len(open)
		f := p.Reportf(at, at.NameLoc, "in namespace %s, %s with an Istio sidecar %s not covered by any ingress NetworkPolicy: %s; only the sidecar guards %s",
			ns, wording.Count(n, "workload", "workloads"), wording.Plural(n, "is", "are"), strings.Join(names, ", "), wording.Plural(n, "it", "them"))
		// A policy the API server refuses covers nothing, though the
		// manifests seem to hold one: name it, lest "not covered" read
		// as a mistake of the rule.
		seen := map[*graph.Refusal]bool{}
		for _, w := range open {
			for _, r := range refusedSelecting(g, w, ingress) {
				if seen[r] {
					continue
				}
				seen[r] = true
				f.Message += fmt.Sprintf("; NetworkPolicy %s selects %s for ingress, but the API server refuses it (%s), so that the cluster never holds it", r.Name(), w.Name(), r.Why)
				f.Relate(r.Obj, r.At, "the API server refuses NetworkPolicy %s/%s: %s", r.Namespace(), r.Name(), r.Why)
			}
		}
	}
	return nil
}

// adminGuarded reports whether the admin tiers guard w's ingress when no
// NetworkPolicy does: some AdminNetworkPolicy, ClusterNetworkPolicy or
// BaselineAdminNetworkPolicy applies to it and refuses some port to a pod
// of a namespace it knows nothing about. An admin policy that only allows
// a few peers, denies one namespace or passes everything leaves that pod
// every port, and the sidecar alone in charge.
func adminGuarded(a *netpol.Analysis, w *graph.Workload) bool {
	if len(a.Policies(w, netpol.Ingress)) == 0 {
		return false
	}
	return !a.IngressAllowed(netpol.AnyPod(), netpol.WorkloadEndpoint(w)).IsAll()
}
