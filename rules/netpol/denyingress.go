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
	Fix:     "creates a default-deny ingress NetworkPolicy file with allows for the declared traffic, or corrects a refused deny's spelling",
	Doc: `Kubernetes lets every pod accept connections from anywhere until a NetworkPolicy selects it
for ingress. Policies that allow specific peers only protect the pods they select; a pod
added later, or one whose labels do not match, stays open. A default deny closes the gap: a
policy with an empty ` + "`podSelector`" + ` (every pod of the namespace), ` + "`Ingress`" + ` in its
` + "`policyTypes`" + ` (the default) and no ingress rules. The allow policies then open what is needed.

The rule reports each namespace that has workloads or NetworkPolicies in the input and no
such policy, at its Namespace object when it is in the input, else at its first workload or
policy. A policy with an empty podSelector whose ingress rules allow traffic (a rule ` + "`{}`" + `
or an empty ` + "`from`" + ` allows everything) is an allow policy, not a default deny; the message names
such near misses. A deny policy the API server refuses (` + "`policyTypes: [ingress]`" + `,
which MR001 reports) does not count, as the cluster never holds it: the message names it, so
that its typo is corrected rather than a second deny added. The fix then corrects it in place,
where the fix below would be offered, when the API server refuses it for a spelling alone (a ` + "`policyTypes`" + ` value or a port
` + "`protocol`" + ` in the wrong case: Kubernetes' ValidateNetworkPolicySpec compares them exactly), with
the allows that this rule's own deny would come with (below) in a new file,
` + "`allow-declared-ingress.yaml`" + `, and those of an egress deny when the corrected policy denies
egress too; for any other refusal there is no fix, since a second deny beside the refused one
would leave two once it is corrected. Nor does a fix write a
policy of the name of a refused one: once that is corrected, one would replace the other. kube-system, kube-public and kube-node-lease are skipped: the cluster's
distribution manages them. Istio's root namespace is checked like any other when it has
workloads in the input; remember that the ingress gateway and istiod then need allow
policies. The policy may also come from outside the manifests (a platform default applied to
every namespace); disable the rule for such namespaces.

The admin network policies of the input can be that default: the rule is quiet when an
AdminNetworkPolicy, a Baseline ClusterNetworkPolicy or the BaselineAdminNetworkPolicy, whose
subject holds every pod of the namespace, denies ingress from every pod of the cluster to the
pods that no NetworkPolicy isolates (after allowing some peers, as a default deny's allow
policies would); their ingress rules cannot name addresses outside the cluster. When they deny
only part of it, the message says what they leave open, and a workload they deny everything
counts as isolated.
An admin policy the API server refuses (MR001) does not count either; the message names one
that would be that default once corrected, read narrowly since the correction meant cannot be
known: every field its subject sets selects every pod of the namespace, and its ` + "`Deny`" + ` rules
without ports (the action read regardless of case) reach every pod of the cluster, a peer
that sets several fields counting only when each of them does. There is then no fix: a
NetworkPolicy deny would stand in for the cluster-wide one in this namespace only.

Fix it with:

` + "```yaml\n" + defaultDenyIngressPolicy + "```" + `

` + "`meshlint --fix`" + ` writes this policy to a new file, ` + "`default-deny-ingress.yaml`" + `, next to
the namespace's manifests, with the allow policies that keep open the traffic the manifests
declare to the workloads that no policy isolates for ingress today, so that the deny blocks
none of it: one policy per workload, ` + "`allow-<workload>-ingress`" + `, selecting its pod labels,
with one rule per peer and a comment naming the route, Service or policy it keeps open. It
admits the pods of an Istio Gateway (its namespace and selector) on the ports its
VirtualServices' routes target, following a delegating route to its delegate's destinations
(MR501); the pods of a Gateway API Gateway on those of its routes' backends, but not a backend
of another namespace that no ReferenceGrant permits (MR506); the namespaces that see a mesh
route, every namespace for one exported everywhere, on the ports it targets (MR502); the
namespace of each source namespace or principal of an AuthorizationPolicy, on every port
(MR504); the pods of its own namespace on the ports its Services target, since calls within a
namespace rarely have a route or policy that names them; and the pods that the egress rules
of other NetworkPolicies, of any namespace, allow to it, on the ports they allow that it
declares (read by the same connectivity engine as MR501). For a workload in ambient mode it also admits those peers on
HBONE (TCP 15008, where ztunnel delivers mesh traffic), its waypoint's pods on HBONE, and the
kubelet's probes from 169.254.7.127, where ambient mode sends them from (and from
fd16:9254:7127:1337:ffff:ffff:ffff:ffff, where it probes a pod's IPv6 address, when the
namespace's or the admin policies name an IPv6 block).

What no object declares is blocked once the deny applies: calls from other namespaces that
no route, AuthorizationPolicy or NetworkPolicy names, and calls within the namespace to pods
that no Service selects. So are, on most network plugins, the declared clients that run on
their node's network (` + "`hostNetwork: true`" + `): their connections come from the node's address,
which no podSelector or namespaceSelector matches there (Kubernetes leaves NetworkPolicy for
such pods undefined), and which no manifest gives for an ipBlock to admit. The fix is still
offered, with its allows for them, but the file's header and the fix's message name them.
Nor does the message count a host-networked workload among those no policy isolates: a
default deny would not isolate it on those plugins. Review the file before applying it. The
fix is withheld where such clients are certain and no policy can name them: when a workload the deny would isolate runs
the pods of an Istio or Gateway API Gateway, is istiod (` + "`app: istiod`" + `), is behind a
LoadBalancer or NodePort Service, an Ingress or a Route, or serves an admission webhook (the
API server calls it); when a DENY AuthorizationPolicy refuses a source outright (admitting it
would open what the mesh denies); when a Service or route targets a port the workload's
containers do not declare (MR410 would report the allow); or when a workload or a source of a
declared flow has no labels to select it by. An allow selects the workload's pod labels (but
` + "`helm.sh/chart`" + ` and ` + "`app.kubernetes.io/version`" + `, which the chart's next release changes), and
excludes (` + "`DoesNotExist`" + `) the other workloads those labels would also select that some
policy isolates already. Nor is there a fix under the closed-world setting for a namespace
without workloads, where the policy would select nothing and MR403 would report it, or whose
workloads all run on their node's network, which the deny would not isolate on most plugins
(MR412 would report it).`,
	Bad:      storefrontDeployment,
	Good:     storefrontDeployment + "---\n" + defaultDenyIngressPolicy,
	Severity: rules.Warning,
	Inputs:   inputs(append([]kinds.Kind{kinds.NetworkPolicy, kinds.Namespace}, flowInputs...)...),
	Deps:     rules.DepNS | rules.DepCLS | rules.DepPRES | rules.DepINJ | rules.DepWIDE | rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepGW | rules.DepGWAPI | rules.DepREF | rules.DepPEER | rules.DepNPAll | rules.DepREV | rules.DepOrder,
	Run:      runNoDefaultDenyIngress,
}

// defaultDenyIngressPolicy is the default deny for ingress of namespace
// shop, which the documentation of MR401 shows and its example applies.
const defaultDenyIngressPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
`

func runNoDefaultDenyIngress(p *rules.Pass) error {
	runDefaultDeny(p, ingress)
	return nil
}
