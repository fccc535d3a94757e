package netpol

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// NoDefaultDenyIngress reports namespaces without a default-deny ingress
// NetworkPolicy.
var NoDefaultDenyIngress = &rules.Rule{
	ID:      "MR401",
	Name:    "namespace-no-default-deny-ingress",
	Summary: "namespace has no default-deny ingress NetworkPolicy",
	Fix:     "creates a default-deny ingress NetworkPolicy file for the namespace, with allows for the traffic the manifests declare",
	Doc: `Kubernetes lets every pod accept connections from anywhere until a NetworkPolicy selects it
for ingress. Policies that allow specific peers only protect the pods they select; a pod
added later, or one whose labels do not match, stays open. A default deny closes the gap: a
policy with an empty ` + "`podSelector`" + ` (every pod of the namespace), ` + "`Ingress`" + ` in its
` + "`policyTypes`" + ` (the default) and no ingress rules. The allow policies then open what is needed.

The rule reports each namespace that has workloads or NetworkPolicies in the input and no
such policy, at its Namespace object when it is in the input, else at its first workload or
policy. A policy with an empty podSelector whose ingress rules allow traffic (a rule ` + "`{}`" + `
or an empty ` + "`from`" + ` allows everything) is an allow policy, not a default deny; the message names
such near misses. kube-system, kube-public and kube-node-lease are skipped: the cluster's
distribution manages them. Istio's root namespace is checked like any other when it has
workloads in the input; remember that the ingress gateway and istiod then need allow
policies. The policy may also come from outside the manifests (a platform default applied to
every namespace); disable the rule for such namespaces.

Fix it with:

` + "```yaml" + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
` + "```" + `

` + "`meshlint --fix`" + ` writes this policy to a new file, ` + "`default-deny-ingress.yaml`" + `, next to
the namespace's manifests, with the allow policies that keep open the traffic the manifests
declare to the workloads that no policy isolates for ingress today, so that the deny blocks
none of it: one policy per workload, ` + "`allow-<workload>-ingress`" + `, selecting its pod labels,
with one rule per peer and a comment naming the route or source it keeps open. It admits
the pods of an Istio Gateway (its namespace and selector) on the ports its VirtualServices'
routes target (MR501), the pods of a Gateway API Gateway on those of its routes' backends
(MR506), the namespaces that see a mesh route, every namespace for one exported everywhere,
on the ports it targets (MR502), and the namespace of each source namespace or principal of
an AuthorizationPolicy, on every port (MR504). Other clients, which the manifests do not name,
need allow policies of their own. The fix is withheld where such clients are certain and no
policy can name them: when a workload the deny would isolate runs the pods of a Gateway, is
istiod (` + "`app: istiod`" + `), or is behind a LoadBalancer or NodePort Service, an Ingress or a
Route; when a DENY AuthorizationPolicy refuses the source outright (admitting it would open
what the mesh denies); when a Service targets a port the workload's containers do not declare
(MR410 would report the allow); or when the workload of a declared flow has no labels to select
it by. An allow selects the workload's pod labels, and excludes (` + "`DoesNotExist`" + `) the other
workloads those labels would also select that some policy isolates already. Nor is there a
fix under the closed-world setting for a namespace without workloads, where the policy would
select nothing and MR403 would report it.`,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
spec:
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
      - name: app
        image: storefront:1
`,
	Good: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
spec:
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
      - name: app
        image: storefront:1
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
`,
	Severity: rules.Warning,
	Inputs:   inputs(append([]kinds.Kind{kinds.NetworkPolicy, kinds.Namespace}, flowInputs...)...),
	Deps:     rules.DepPRES | rules.DepINJ | rules.DepWIDE | rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepGW | rules.DepGWAPI | rules.DepREF | rules.DepPEER | rules.DepOrder,
	Run:      runNoDefaultDenyIngress,
}

func runNoDefaultDenyIngress(p *rules.Pass) error {
	runDefaultDeny(p, ingress)
	return nil
}
