package netpol

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// NoDefaultDenyEgress reports namespaces without a default-deny egress
// NetworkPolicy.
var NoDefaultDenyEgress = &rules.Rule{
	ID:      "MR402",
	Name:    "namespace-no-default-deny-egress",
	Summary: "namespace has no default-deny egress NetworkPolicy",
	Fix:     "creates a default-deny egress NetworkPolicy file with DNS, istiod and the declared traffic allowed, or corrects a refused deny's spelling",
	Doc: `Until a NetworkPolicy selects a pod for egress, the pod can connect anywhere: to every
other namespace, to the cloud metadata endpoint, to the internet. A default deny for egress
is a policy with an empty ` + "`podSelector`" + `, ` + "`Egress`" + ` in its ` + "`policyTypes`" + ` and no egress rules.
Note that ` + "`policyTypes`" + ` defaults to ` + "`[Ingress]`" + ` when a policy has no egress rules, so the
familiar ` + "`podSelector: {}`" + ` deny-all without policyTypes denies ingress only; the message says so.
A deny policy the API server refuses (` + "`policyTypes: [egress]`" + `, which MR001 reports) does not
count, as the cluster never holds it: the message names it, so that its typo is corrected
rather than a second deny added. The fix then corrects it in place, where the fix below would be
offered, when the API server refuses it for a spelling alone (a ` + "`policyTypes`" + ` value or a port ` + "`protocol`" + ` in the wrong case:
Kubernetes' ValidateNetworkPolicySpec compares them exactly), with the allows that this rule's
own deny would come with (below) in a new file, ` + "`allow-declared-egress.yaml`" + `, and those of
an ingress deny when the corrected policy denies ingress too; for any other refusal there is
no fix, since a second deny beside the refused one would leave two once it is corrected. Nor does a fix write a
policy of the name of a refused one: once that is corrected, one would replace the other.

The rule reports each namespace that has workloads or NetworkPolicies in the input and no such
policy, at its Namespace object when it is in the input, else at its first workload or policy.
It is informational: egress lockdown is a stronger posture than many clusters want, and once
egress is denied every pod needs DNS (UDP and TCP 53 to kube-dns) allowed explicitly.
kube-system, kube-public and kube-node-lease are skipped. The admin network policies of the
input can be the default deny: the rule is quiet when an AdminNetworkPolicy, a Baseline
ClusterNetworkPolicy or the BaselineAdminNetworkPolicy, whose subject holds every pod of the
namespace, denies egress to every pod of the cluster and every address (a networks peer of
` + "`0.0.0.0/0`" + ` holds both) from the pods that no NetworkPolicy isolates, after allowing what
they allow. When the admin policies or the namespace's NetworkPolicies name an IPv6 block,
the cluster is taken to be dual-stack, where ` + "`0.0.0.0/0`" + ` holds no IPv6 address: the admin
policies must deny the IPv6 ones too (` + "`::/0`" + `). When they deny only part of it, the message
says what they leave open, and a workload they deny everything counts as isolated.
An admin policy the API server refuses (MR001) does not count either; the message names one
that would be that default once corrected, read narrowly since the correction meant cannot be
known: every field its subject sets selects every pod of the namespace, and its ` + "`Deny`" + ` rules
without ports (the action read regardless of case) reach every pod and every address (IPv6
ones too on a dual-stack cluster), a peer that sets several fields counting only for what each
of them reaches. There is then no fix: a NetworkPolicy deny would stand in for the
cluster-wide one in this namespace only.

Fix it with:

` + "```yaml" + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
` + "```" + `

and allow DNS and the destinations each workload needs. ` + "`meshlint --fix`" + ` writes this policy
to a new file, ` + "`default-deny-egress.yaml`" + `, next to the namespace's manifests, with policies
that allow DNS (to kube-dns, and to the ` + "`dnsConfig.nameservers`" + ` that pods with ` + "`dnsPolicy: None`" + ` ask
instead, as ipBlocks of one address) and, when the namespace runs sidecars or gateway proxies, istiod, and the allow
policies that keep open the traffic the manifests declare from the pods that no policy
isolates for egress today: one policy per workload, ` + "`allow-<workload>-egress`" + `, selecting its
pod labels, with one rule per destination (its namespace and pod labels; neither names
` + "`helm.sh/chart`" + ` or ` + "`app.kubernetes.io/version`" + `, which a chart's next release changes) and a comment naming
the route, Service or policy it keeps open. The pods of an Istio Gateway may reach the targets
of its VirtualServices' routes, delegated routes included (MR501), those of a Gateway API
Gateway the backends of its routes that are permitted (MR506), the in-mesh workloads the
targets of the mesh routes they see (MR502), the workloads of a source namespace or principal
of an AuthorizationPolicy the workloads it selects (MR504; a source namespace opens every pod
of the namespace that no policy isolates for egress), every pod the workloads behind the
Services of its own namespace, on the ports the Services target, and the pods that another
NetworkPolicy admits from them (an ingress rule that names their namespace and pods) the
workloads it selects, on the ports it admits. For an ambient destination the rules also allow
HBONE (TCP 15008), and its waypoint's pods on HBONE; a waypoint's namespace gets an egress
allow from the waypoint's pods to the workloads they serve. When no policy of the namespace
isolates a pod for egress, one policy for every pod, ` + "`allow-namespace-egress`" + `, holds the flows
of all its clients; when some do, and there are more than 8 clients or destinations, one
policy selects the pods no policy isolates (the other policies' selectors negated with
` + "`matchExpressions`" + `). A policy with more than 8 destinations gets one rule per destination
namespace, with the union of the ports.

What no object declares is blocked once the deny applies: calls to other namespaces that no
route, AuthorizationPolicy or NetworkPolicy names, calls within the namespace to pods that no
Service selects, and calls out of the cluster. Nor does the file open the DNS of
host-networked workloads that ask their node's resolver (` + "`hostNetwork: true`" + ` with ` + "`dnsPolicy`" + `
ClusterFirst, which then means Default): most plugins apply no NetworkPolicy to them; where
yours does, open it by hand, as the file and the fix's message say. Nor does a host-networked
workload get an allow of its own: its egress is its node's, which most plugins do not
govern (Kubernetes leaves NetworkPolicy for such pods undefined), and the file's header and
the fix's message name it; for the same reason the message does not count it among the
workloads no policy isolates. A host-networked destination listens on its node's address,
which most plugins match to no ` + "`podSelector`" + ` or ` + "`namespaceSelector`" + `: the allows name its pods,
for plugins that match them, but elsewhere the deny cuts the calls to it, and only an
` + "`ipBlock`" + ` of the node CIDR, which no manifest gives, keeps them; the file's header and the fix's
message name it. Review the file before applying it. The fix is withheld when a
pod on the pod network that no policy isolates for egress asks its node's resolver (` + "`dnsPolicy: Default`" + `): the deny would cut its DNS, and no
manifest gives the address to allow. It is withheld too when a source of a declared flow has
no labels to select it by, when the pods to open
cannot be selected apart from those other policies isolate, when a waypoint's namespace must
let the waypoint's pods out and the input has neither its Gateway nor its pods, and under the
closed-world setting for a namespace without workloads, where the policies would select
nothing and MR403 would report them, or whose workloads all run on their node's network,
which the deny would not isolate on most plugins (MR412 would report it).`,
	Bad:      storefrontDenyAll,
	Good:     storefrontDenyAll + "  policyTypes: [Ingress, Egress]\n",
	Severity: rules.Info,
	Inputs:   inputs(append([]kinds.Kind{kinds.NetworkPolicy, kinds.Namespace}, flowInputs...)...),
	Deps:     rules.DepNS | rules.DepCLS | rules.DepPRES | rules.DepINJ | rules.DepWIDE | rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepGW | rules.DepGWAPI | rules.DepREF | rules.DepPEER | rules.DepNPAll | rules.DepREV | rules.DepOrder,
	Run:      runNoDefaultDenyEgress,
}

// storefrontDenyAll is Deployment shop/storefront and NetworkPolicy
// shop/deny-all, the familiar deny-all without policyTypes, which
// therefore denies ingress only: the examples of MR402.
const storefrontDenyAll = storefrontDeployment + `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
`

func runNoDefaultDenyEgress(p *rules.Pass) error {
	runDefaultDeny(p, egress)
	return nil
}
