package validation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/schema"
	"k8s.io/apimachinery/pkg/api/validate/content"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// KubernetesObjectInvalid reports what the API server's validation code
// refuses in an object beyond its schema, which MR001 checks.
var KubernetesObjectInvalid = &rules.Rule{
	ID:      "MR027",
	Name:    "kubernetes-object-invalid",
	Summary: "a Kubernetes object has a name, label, address, port, quantity, selector or combination of fields (in a Service, pod spec, Job, CronJob, Ingress or NetworkPolicy) that the API server's validation refuses",
	Doc: `The API server validates a built-in object with code beyond its OpenAPI schema (ValidateObjectMeta,
ValidateService, ValidatePodSpec, ValidateNetworkPolicy in k8s.io/kubernetes pkg/apis/*/validation),
with the name formats of k8s.io/apimachinery/pkg/util/validation, and refuses the whole object
(` + "`kubectl apply`" + ` fails, a GitOps sync stays out of date). meshlint mirrors these checks:

- on every object, custom resources included: ` + "`metadata.name`" + ` must be a DNS-1123 subdomain (lower-case
  letters, digits, ` + "`-`" + ` and ` + "`.`" + `, at most 253 characters), a DNS-1123 label for a Namespace and a
  Service (which may begin with a digit since Kubernetes 1.36; a DNS-1035 label, beginning with a letter,
  before); ` + "`metadata.namespace`" + ` a DNS-1123 label; the keys
  of ` + "`labels`" + ` and ` + "`annotations`" + ` qualified names (an optional DNS subdomain prefix and ` + "`/`" + `, then at most
  63 letters, digits, ` + "`-`" + `, ` + "`_`" + ` and ` + "`.`" + `, beginning and ending with a letter or digit); label values at
  most 63 such characters, or empty; the annotations at most 256 KiB in all. The labels and
  annotations of a pod template are checked the same way;
- a Service: with more than one port each port needs a ` + "`name`" + `, a DNS-1123 label, unique in the Service
  (not an IANA service name: that is what a container port name and a named ` + "`targetPort`" + ` must be); no
  two ports with the same ` + "`port`" + ` and ` + "`protocol`" + ` (TCP when left out), nor the same ` + "`nodePort`" + ` and
  protocol; ` + "`port`" + ` in 1-65535; ` + "`targetPort`" + ` a number in 1-65535 (0 means the port's own number) or an
  IANA service name (at most 15 lower-case letters, digits and ` + "`-`" + `, with a letter, without ` + "`--`" + ` and
  without a leading or trailing ` + "`-`" + `; a quoted ` + "`\"8080\"`" + ` is a name, and has no letter); no ` + "`nodePort`" + ` on a
  ClusterIP Service (the default type); an ` + "`appProtocol`" + ` that is a qualified name (` + "`http`" + `,
  ` + "`kubernetes.io/h2c`" + `; not ` + "`HTTP/2`" + `); a ` + "`clusterIP`" + ` that is an IP address, None or empty; no ` + "`clusterIP: None`" + ` on a NodePort or LoadBalancer Service, and
  no ` + "`clusterIP`" + ` at all on an ExternalName one; at least one port unless the Service is headless or
  ExternalName; an ` + "`externalName`" + ` that is a DNS-1123 subdomain (one final dot allowed); selector keys and
  values as label keys and values, whatever the type;
- a Service's fields that belong to a type: ` + "`loadBalancerSourceRanges`" + ` (or the
  ` + "`service.beta.kubernetes.io/load-balancer-source-ranges`" + ` annotation), ` + "`loadBalancerClass`" + ` and
  ` + "`allocateLoadBalancerNodePorts`" + ` on a LoadBalancer Service only; ` + "`externalTrafficPolicy`" + ` on a NodePort
  or LoadBalancer Service, or a ClusterIP one with ` + "`externalIPs`" + `; ` + "`healthCheckNodePort`" + ` only on a
  LoadBalancer Service with ` + "`externalTrafficPolicy: Local`" + `; an ExternalName Service with its
  ` + "`externalName`" + `, and without ` + "`ipFamilies`" + ` or ` + "`ipFamilyPolicy`" + `. Each source range a CIDR block (an
  address needs its prefix length, as in ` + "`/32`" + `); each of ` + "`externalIPs`" + ` an IP address that is not
  unspecified (` + "`0.0.0.0`" + `), loopback or link-local; each of ` + "`clusterIPs`" + ` an IP address; ` + "`loadBalancerClass`" + ` a qualified name; a ClientIP
  affinity's ` + "`timeoutSeconds`" + ` in 1-86400; no IP family twice in ` + "`ipFamilies`" + `, only one with
  ` + "`ipFamilyPolicy: SingleStack`" + `, and a ` + "`clusterIP`" + ` of the first family listed. A
  ` + "`sessionAffinityConfig`" + ` beside ` + "`sessionAffinity: None`" + ` is dropped, not refused;
- a container (and init container) of a pod or pod template: its ` + "`name`" + ` a DNS-1123 label, unique among
  the containers and init containers of the pod; a port ` + "`name`" + ` an IANA service name, unique in the
  container; ` + "`containerPort`" + ` in 1-65535, ` + "`hostPort`" + ` too when set; each resource name of its
  ` + "`resources.limits`" + ` and ` + "`resources.requests`" + ` ` + "`cpu`" + `, ` + "`memory`" + `, ` + "`ephemeral-storage`" + `, ` + "`hugepages-<size>`" + `, a
  ` + "`kubernetes.io`" + ` resource or an extended resource named with its domain (` + "`nvidia.com/gpu`" + `; not ` + "`memmory`" + `,
  ` + "`cpus`" + ` or ` + "`gpu`" + `, with a did-you-mean for a misspelt standard name), each value a quantity (` + "`500m`" + `, ` + "`2`" + `, ` + "`128Mi`" + `, ` + "`1e3`" + `; not ` + "`2 cores`" + `,
  ` + "`1Gb`" + ` or ` + "`512MiB`" + `: the API server cannot decode the object), not negative, a whole number for an
  extended resource (` + "`nvidia.com/gpu`" + `); a request not above its limit, and, for a resource that cannot
  be overcommitted (an extended resource, ` + "`hugepages-*`" + `), equal to a limit that must be set; a
  ` + "`hugepages-<size>`" + ` value a whole number of pages (not ` + "`hugepages-2Mi: 3Mi`" + `), its size a whole, positive
  quantity (not ` + "`hugepages-2MB`" + `), and a ` + "`cpu`" + ` or ` + "`memory`" + ` limit or request beside hugepages;
- a pod spec's single fields (ValidatePodSpec): ` + "`hostname`" + ` and ` + "`subdomain`" + ` DNS-1123 labels when set;
  ` + "`nodeSelector`" + ` keys qualified names and its values label values; ` + "`serviceAccountName`" + ` a DNS-1123
  subdomain when set; ` + "`activeDeadlineSeconds`" + ` at least 1; each ` + "`readinessGates[].conditionType`" + ` a
  qualified name; each ` + "`schedulingGates[].name`" + ` a qualified name, listed once; ` + "`nodeName`" + ` a DNS-1123
  subdomain when set; the deprecated ` + "`serviceAccount`" + ` a DNS-1123 subdomain when ` + "`serviceAccountName`" + ` is not
  set (defaulting copies it there; beside ` + "`serviceAccountName`" + ` it is overwritten, not refused);
  ` + "`hostnameOverride`" + ` (validatePodHostName) a DNS-1123 subdomain of at most 64 characters, even empty, and
  neither ` + "`setHostnameAsFQDN: true`" + ` nor ` + "`hostNetwork: true`" + ` beside it;
- a pod's own resources, ` + "`spec.resources`" + ` of a pod or pod template (validatePodResources): not on a
  Windows pod (` + "`os.name: windows`" + `), without ` + "`claims`" + `; in ` + "`limits`" + ` and ` + "`requests`" + ` only ` + "`cpu`" + `, ` + "`memory`" + ` and
  ` + "`hugepages-<size>`" + `, each value checked as a container's, a request not above its limit (hugepages equal
  to it); and against the containers (validatePodResourceConsistency): each request at least what the
  containers ask for in all (the sum of the containers' and sidecars' requests, or, if more, an init
  container's with the sidecars listed before it), a hugepages limit at least the containers' limits in
  all, each container's limit at most the pod's. A Pod's containers without a request count their limit
  (defaulting copies it); a pod template's count nothing. A ` + "`cpu`" + ` or ` + "`memory`" + ` limit without a request
  gets what the containers ask for as request, and is refused below it: the Pod, or each pod made from a
  template (the API server accepts the workload itself);
- a pod's DNS settings (ValidateHostAliases, validatePodDNSConfig): ` + "`hostAliases[].ip`" + ` and
  ` + "`dnsConfig.nameservers`" + ` IP addresses, ` + "`hostAliases[].hostnames`" + ` DNS-1123 subdomains (without a
  final dot); with ` + "`dnsPolicy: None`" + ` a ` + "`dnsConfig`" + ` that lists at least one nameserver; at most 3
  nameservers, 32 ` + "`searches`" + ` and 2048 characters of search list (with the spaces between
  domains), each search domain ` + "`.`" + ` or a DNS-1123 subdomain in which ` + "`_`" + ` may appear, one final dot
  allowed (a DNS-1123 subdomain, neither ` + "`.`" + ` nor with ` + "`_`" + `, before Kubernetes 1.33); each of
  ` + "`dnsConfig.options`" + ` with a ` + "`name`" + `;
- a label selector (a workload's ` + "`spec.selector`" + `, a NetworkPolicy's ` + "`podSelector`" + ` and its peers'
  ` + "`podSelector`" + ` and ` + "`namespaceSelector`" + `): ` + "`matchLabels`" + ` as labels; a ` + "`matchExpressions`" + ` key a qualified
  name, its values label values, ` + "`In`" + ` and ` + "`NotIn`" + ` with values, ` + "`Exists`" + ` and ` + "`DoesNotExist`" + ` without, and
  no other operator (the schema leaves the operator a free string, and operators are case-sensitive);
- a workload's selector selects the labels of its own pod template (a Deployment, ReplicaSet,
  StatefulSet or DaemonSet, a Job with ` + "`manualSelector: true`" + ` (otherwise the API server adds its own
  term to the selector and labels the template to match: see below), a ReplicationController whose
  ` + "`selector`" + ` map is set (left empty, it defaults to the template's labels)); ` + "`matchExpressions`" + ` count.
  The selector of an
  apps/v1 workload may not be empty (` + "`{}`" + `, which would select every pod of the namespace). A
  malformed selector is reported for its format only, as the API server does;
- a CronJob's ` + "`metadata.name`" + ` at most 52 characters (ValidateCronJobCreate: each of its Jobs is named
  after it with ` + "`-`" + ` and the scheduled time, 11 more characters, and must fit 63); a Job's at most 63
  unless it has ` + "`manualSelector: true`" + `, since the API server labels its pods ` + "`job-name`" + ` and
  ` + "`batch.kubernetes.io/job-name`" + ` with the name, and a label value has at most 63 characters;
- a Job (ValidateJobCreate) and a CronJob's job template: ` + "`parallelism`" + `, ` + "`completions`" + `,
  ` + "`activeDeadlineSeconds`" + `, ` + "`backoffLimit`" + `, ` + "`ttlSecondsAfterFinished`" + `, ` + "`backoffLimitPerIndex`" + ` and
  ` + "`maxFailedIndexes`" + ` not negative; the pods' ` + "`restartPolicy`" + ` ` + "`OnFailure`" + ` or ` + "`Never`" + ` (left out, it
  defaults to ` + "`Always`" + `), ` + "`Never`" + ` with a ` + "`podFailurePolicy`" + `; ` + "`completionMode: Indexed`" + ` with
  ` + "`completions`" + ` (a Job that sets neither ` + "`completions`" + ` nor ` + "`parallelism`" + ` gets ` + "`completions: 1`" + `; a job
  template does not), ` + "`parallelism`" + ` at most 100000 and ` + "`maxFailedIndexes`" + ` at most ` + "`completions`" + `;
  ` + "`backoffLimitPerIndex`" + `, ` + "`maxFailedIndexes`" + ` and ` + "`successPolicy`" + ` with Indexed only, ` + "`maxFailedIndexes`" + `
  beside ` + "`backoffLimitPerIndex`" + `; an Indexed Job's name short enough that its last pod's hostname (the
  name, ` + "`-`" + ` and ` + "`completions`" + ` - 1) is a DNS-1123 label. Without ` + "`manualSelector: true`" + ` the API server
  generates a Job's selector: one that the manifest writes must still select the labels given to the
  pods (` + "`job-name`" + ` and ` + "`batch.kubernetes.io/job-name`" + ` set to the Job's name; ` + "`controller-uid`" + ` and
  ` + "`batch.kubernetes.io/controller-uid`" + `, whose terms are not checked, as the uid is not known yet), and
  the template's ` + "`job-name`" + ` labels, when set, must be the name; with ` + "`manualSelector: true`" + ` a selector
  is required. A CronJob's job template may set neither ` + "`selector`" + ` nor ` + "`manualSelector: true`" + `; its
  ` + "`schedule`" + ` may not hold ` + "`TZ`" + ` or ` + "`CRON_TZ`" + ` (` + "`timeZone`" + ` replaces them), its ` + "`timeZone`" + ` may not be empty
  nor ` + "`Local`" + `, and its ` + "`startingDeadlineSeconds`" + ` and history limits may not be negative;
- a networking.k8s.io/v1 Ingress (ValidateIngressCreate): ` + "`rules`" + ` or a ` + "`defaultBackend`" + `; a rule's
  ` + "`host`" + ` a DNS-1123 subdomain with ` + "`*.`" + ` as the only wildcard, not an IP address, without port; an
  ` + "`http`" + ` rule with paths; an ` + "`Exact`" + ` or ` + "`Prefix`" + ` path absolute (beginning with ` + "`/`" + `), without ` + "`//`" + `,
  ` + "`/./`" + `, ` + "`/../`" + ` or an encoded ` + "`/`" + ` (` + "`%2F`" + `), not ending in ` + "`/.`" + ` or ` + "`/..`" + `; an ` + "`ImplementationSpecific`" + ` one
  absolute when set; a backend with a ` + "`service`" + ` or a ` + "`resource`" + `, not both; a service ` + "`name`" + ` a DNS-1123
  label (a DNS-1035 label before Kubernetes 1.36, as a Service's name) and its ` + "`port`" + ` by ` + "`name`" + ` (an IANA
  service name) or by ` + "`number`" + ` (1-65535), exactly one; a resource's ` + "`kind`" + ` and ` + "`name`" + ` without ` + "`/`" + ` or
  ` + "`%`" + `; TLS ` + "`hosts`" + ` as rule hosts (IP addresses allowed), a ` + "`secretName`" + ` that can name a Secret;
  ` + "`ingressClassName`" + ` an IngressClass name (a DNS-1123 subdomain), equal to the
  ` + "`kubernetes.io/ingress.class`" + ` annotation when both are set. A path without ` + "`pathType`" + ` is MR001's, and
  the API server checks neither the path nor its backend then;
- a NetworkPolicy: at most two ` + "`policyTypes`" + `; a port's ` + "`port`" + ` a number in 1-65535 or an IANA service name,
  its ` + "`endPort`" + ` only beside a numeric ` + "`port`" + `, not below it, and at most 65535; a peer with at least one
  of ` + "`podSelector`" + `, ` + "`namespaceSelector`" + ` and ` + "`ipBlock`" + `, and an ` + "`ipBlock`" + ` alone; an ` + "`ipBlock`" + `'s ` + "`except`" + ` entries
  strict subsets of its ` + "`cidr`" + `; a selector operator In, NotIn, Exists or DoesNotExist. The cluster never
  holds such a policy: ` + "`meshlint reach`" + ` and the MR4xx rules leave it out whole, from the same checks.

Left to other rules: a value of the wrong type (the loader's or MR001's: MR027 then leaves alone what
depends on it, rather than read it as empty), an unknown enum value, a missing required field and
an int32 overflow are MR001's; a named ` + "`targetPort`" + ` that the selected pods do not declare is MR150's; a
NetworkPolicy port that no container exposes is MR410's; port names that do not tell Istio the
protocol are MR712's. MR007 checks the CIDRs of Istio's objects only, so an ` + "`ipBlock`" + ` CIDR that does
not parse is reported here.

Some of these checks depend on the Kubernetes release of the API server, ` + "`kubernetes.version`" + ` in
` + "`.meshlint.yaml`" + `, by default the one whose API meshlint's schemas describe (` + schema.KubernetesVersion + `).
Since 1.36 the StrictIPCIDRValidation feature gate is on by default: the legacy IP and CIDR fields (an
` + "`ipBlock`" + `'s ` + "`cidr`" + ` and ` + "`except`" + `, a Service's ` + "`clusterIP`" + `, ` + "`clusterIPs`" + `, ` + "`externalIPs`" + `, source ranges and
the source-ranges annotation, a pod's host alias IPs and nameservers) refuse leading zeros (` + "`010.0.0.0/8`" + `), IPv4-mapped IPv6 addresses
(` + "`::ffff:10.0.0.1`" + `) and CIDRs with bits set beyond the prefix length (` + "`192.168.1.10/24`" + `), which
older releases accept with a warning (reading ` + "`010`" + ` as decimal 10 and masking the host bits); the
message then says "refused since Kubernetes 1.36". A NetworkPolicy so refused is left out of the
analyses too. The RelaxedServiceNameValidation gate (on since 1.36, locked in 1.37) lets a Service's
name, and an Ingress backend's, begin with a digit. RelaxedDNSSearchValidation (on since 1.33) allows
` + "`.`" + ` and ` + "`_`" + ` in a pod's search domains. Before 1.34 (PodLevelResources) a pod's own ` + "`resources`" + `, and before
1.35 (HostnameOverride) its ` + "`hostnameOverride`" + `, are dropped rather than checked. On an older cluster, set ` + "`kubernetes.version`" + `
(` + "`\"1.35\"`" + `) to check what it refuses instead.

Fix the value as the message says: lower-case the name, shorten it, name the ports.`,
	Bad:      twoPortService("- {port: 80, targetPort: 8080}\n  - {port: 443, targetPort: 8443}"),
	Good:     twoPortService("- {name: http, port: 80, targetPort: 8080}\n  - {name: https, port: 443, targetPort: 8443}"),
	Severity: rules.Error,
	Inputs: []kinds.Kind{
		kinds.Namespace, kinds.Service, kinds.Pod,
		kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.ReplicaSet, kinds.Job, kinds.CronJob,
		kinds.ReplicationController, kinds.PodTemplate, kinds.NetworkPolicy, kinds.Ingress,
	},
	Local: true,
	Run:   runKubernetesObjectInvalid,
}

// twoPortService is Service shop/web with the ports given: the examples
// of MR027.
func twoPortService(ports string) string {
	return `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  ` + ports + `
`
}

// totalAnnotationSizeLimit is apimachinery's TotalAnnotationSizeLimitB.
const totalAnnotationSizeLimit = 256 * (1 << 10)

func runKubernetesObjectInvalid(p *rules.Pass) error {
	// The graph leaves out the NetworkPolicies the API server refuses and
	// keeps why: reported from there, the refusal and the findings are
	// one set of checks (kubevalid.NetworkPolicy).
	var refused map[*manifest.Object]*graph.Refusal
	for _, r := range p.Graph.RefusedNetworkPolicies {
		if refused == nil {
			refused = map[*manifest.Object]*graph.Refusal{}
		}
		refused[r.Obj] = r
	}
	gates := kubevalid.GatesFor(p.Graph.Mesh.Kubernetes())
	for _, o := range p.Graph.Objects {
		root := node{n: o.Node, root: o.Node}
		if !root.isMap() {
			continue
		}
		builtin := isBuiltin(o.Group)
		if !metaLooksValid(o, gates) {
			checkObjectMeta(p, o, root.get("metadata"), true)
		}
		if !builtin {
			continue
		}
		spec := root.get("spec")
		switch o.Kind {
		case kinds.Service:
			if o.Group == kinds.GroupCore {
				checkService(p, o, spec)
			}
		case kinds.NetworkPolicy:
			if o.Group == kinds.GroupK8sNetworking && refused[o] != nil {
				reportNetworkPolicy(p, o, spec, refused[o])
			}
		}
		checkMore(p, o, root, spec)
		if tmpl, pod := podTemplateOf(o, root); pod.isMap() {
			if tmpl.ok() {
				checkObjectMeta(p, o, tmpl.get("metadata"), false)
			}
			checkContainers(p, o, pod)
			checkPodDNS(p, o, pod)
			checkPodFields(p, o, pod)
			checkPodSpecMore(p, o, pod, gates)
		}
		switch {
		case o.Group == kinds.GroupApps || o.Kind == kinds.Job && o.Group == kinds.GroupBatch:
			checkWorkloadSelector(p, o, spec)
		case o.Group == kinds.GroupCore && o.Kind == kinds.ReplicationController:
			checkRCSelector(p, o, spec)
		}
		if o.Group == kinds.GroupBatch {
			checkBatchName(p, o, root.get("metadata").get("name"), spec)
		}
	}
	return nil
}

// isBuiltin reports whether group is one whose kinds the API server
// validates with its own code (those meshlint reads).
func isBuiltin(group string) bool {
	switch group {
	case kinds.GroupCore, kinds.GroupApps, kinds.GroupBatch, kinds.GroupK8sNetworking:
		return true
	}
	return false
}

// podTemplateOf returns the pod template of a workload (absent for a Pod)
// and its pod spec.
func podTemplateOf(o *manifest.Object, root node) (tmpl, pod node) {
	switch o.Kind {
	case kinds.Pod:
		if o.Group == kinds.GroupCore {
			return node{}, root.get("spec")
		}
	case kinds.PodTemplate:
		if o.Group == kinds.GroupCore {
			t := root.get("template")
			return t, t.get("spec")
		}
	case kinds.ReplicationController:
		if o.Group == kinds.GroupCore {
			t := root.get("spec").get("template")
			return t, t.get("spec")
		}
	case kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.ReplicaSet:
		if o.Group == kinds.GroupApps {
			t := root.get("spec").get("template")
			return t, t.get("spec")
		}
	case kinds.Job:
		if o.Group == kinds.GroupBatch {
			t := root.get("spec").get("template")
			return t, t.get("spec")
		}
	case kinds.CronJob:
		if o.Group == kinds.GroupBatch {
			t := root.get("spec").get("jobTemplate").get("spec").get("template")
			return t, t.get("spec")
		}
	}
	return node{}, node{}
}

// metaLooksValid reports whether the name, namespace, labels and
// annotations that the loader read from o's metadata pass the checks of
// checkObjectMeta, which then need not walk the metadata's nodes: most
// objects pass, and walking the nodes of every object of a large input
// cost more than the checks. It is a filter only: checkObjectMeta decides
// from the nodes.
func metaLooksValid(o *manifest.Object, g kubevalid.Gates) bool {
	if o.Name != "" && nameProblem(o, o.Name, g) != "" {
		return false
	}
	if o.NamespaceSet && o.Namespace != "" && !kubevalid.DNS1123Label(o.Namespace) {
		return false
	}
	for k, v := range o.Labels {
		if !kubevalid.LabelKey(k) || !kubevalid.LabelValue(v) {
			return false
		}
	}
	size := 0
	for k, v := range o.Annotations {
		size += len(k) + len(v)
		if !kubevalid.LabelKey(strings.ToLower(k)) {
			return false
		}
	}
	return size <= totalAnnotationSizeLimit
}

// checkObjectMeta mirrors ValidateObjectMeta: the name and namespace of
// an object (top: not a pod template's metadata, whose name the API
// server ignores), and the labels and annotations of either.
func checkObjectMeta(p *rules.Pass, o *manifest.Object, meta node, top bool) {
	if !meta.isMap() {
		return
	}
	if top {
		name := meta.get("name")
		if v, ok := name.str(); ok && v != "" {
			if msg := nameProblem(o, v, gatesOf(p)); msg != "" {
				p.Reportf(o, name.loc(), "metadata.name %q %s; the API server rejects the %s", v, msg, o.Kind)
			}
		}
		ns := meta.get("namespace")
		if v, ok := ns.str(); ok && v != "" && !kubevalid.DNS1123Label(v) {
			if len(kvalidation.IsDNS1123Label(v)) > 0 {
				p.Reportf(o, ns.loc(), "metadata.namespace %q is not %s; the API server rejects the %s", v, dns1123LabelText, o.Kind)
			}
		}
	}
	labels := meta.get("labels")
	for e := range labels.entries() {
		if !kubevalid.LabelKey(e.key) {
			if len(content.IsLabelKey(e.key)) > 0 {
				p.Reportf(o, e.keyLoc, "%s: label key %q is not %s; the API server rejects the %s", labels.where(), e.key, qualifiedNameText, o.Kind)
			}
		}
		if v, ok := e.val.str(); ok && !kubevalid.LabelValue(v) {
			if len(content.IsLabelValue(v)) > 0 {
				p.Reportf(o, e.val.loc(), "%s: value %q of label %q is not %s; the API server rejects the %s", labels.where(), v, e.key, labelValueText, o.Kind)
			}
		}
	}
	annotations := meta.get("annotations")
	size := 0
	for e := range annotations.entries() {
		// ValidateAnnotations lower-cases the key first.
		if k := strings.ToLower(e.key); !kubevalid.LabelKey(k) {
			if len(content.IsLabelKey(k)) > 0 {
				p.Reportf(o, e.keyLoc, "%s: annotation key %q is not %s; the API server rejects the %s", annotations.where(), e.key, qualifiedNameText, o.Kind)
			}
		}
		if v, ok := e.val.scalar(); ok {
			size += len(e.key) + len(v)
		}
	}
	if size > totalAnnotationSizeLimit {
		p.Reportf(o, meta.keyLoc("annotations"), "%s hold %d bytes, more than the 262144 (256 KiB) the API server allows; it rejects the %s", annotations.where(), size, o.Kind)
	}
}

// nameProblem says why the API server refuses name for o, or "": a
// Namespace's name is a DNS-1123 label (ValidateNamespaceName), a
// Service's a DNS-1123 label too with RelaxedServiceNameValidation (on
// since Kubernetes 1.36: ValidateServiceCreate takes NameIsDNSLabel) and a
// DNS-1035 label before (ValidateServiceName), any other's a DNS-1123
// subdomain (NameIsDNSSubdomain, which custom resources get too).
func nameProblem(o *manifest.Object, name string, g kubevalid.Gates) string {
	switch {
	case o.Group == kinds.GroupCore && o.Kind == kinds.Namespace:
		if !kubevalid.DNS1123Label(name) && len(kvalidation.IsDNS1123Label(name)) > 0 {
			return "is not " + dns1123LabelText
		}
	case o.Group == kinds.GroupCore && o.Kind == kinds.Service:
		if format := serviceNameFault(name, g); format != "" {
			return "is not " + format
		}
	default:
		if !kubevalid.DNS1123Subdomain(name) && len(kvalidation.IsDNS1123Subdomain(name)) > 0 {
			return "is not " + dns1123SubdomainText
		}
	}
	return ""
}

// serviceNameFault returns the format that the name of a new Service must
// have and name has not, worded for messages, or "": a DNS-1123 label
// with RelaxedServiceNameValidation (ValidateServiceCreate and an Ingress
// backend take NameIsDNSLabel), a DNS-1035 label before
// (ValidateServiceName), which a user of Kubernetes 1.36 or later need
// not mind.
func serviceNameFault(name string, g kubevalid.Gates) string {
	switch {
	case g.RelaxedServiceName:
		if !kubevalid.DNS1123Label(name) && len(kvalidation.IsDNS1123Label(name)) > 0 {
			return dns1123LabelText
		}
	case !kubevalid.DNS1035Label(name) && len(kvalidation.IsDNS1035Label(name)) > 0:
		return dns1035LabelText + ", as a Service name must be before Kubernetes 1.36 (RelaxedServiceNameValidation)"
	}
	return ""
}

// servicePortKey is a Service port's (protocol, port) or (protocol,
// nodePort), which ValidateService wants unique.
type servicePortKey struct {
	protocol string
	port     int64
}

// checkService mirrors ValidateService and validateServicePort.
func checkService(p *rules.Pass, o *manifest.Object, spec node) {
	const rejects = "the API server rejects the Service"
	// Of the wrong type, the type is unknown: "" matches no case below.
	typ, _ := serviceType(spec)
	if ip := spec.get("clusterIP"); ip.ok() {
		v, _ := ip.str()
		switch {
		case v == "None" && (typ == "NodePort" || typ == "LoadBalancer"):
			p.Reportf(o, ip.loc(), "%s is None (headless), which a %s Service may not be; %s", ip.where(), typ, rejects)
		case v != "" && typ == "ExternalName":
			p.Reportf(o, ip.loc(), "%s is set, which an ExternalName Service may not have; %s", ip.where(), rejects)
		case v != "" && v != "None":
			if msg := legacyIPProblem(v, gatesOf(p)); msg != "" {
				p.Reportf(o, ip.loc(), "%s %q %s; %s", ip.where(), v, msg, rejects)
			}
		}
	}
	// ValidateServiceClusterIPsRelatedFields: each of clusterIPs, "None"
	// only first. An empty entry is left alone: what the registry makes
	// of it before validation is not modelled.
	ips := spec.get("clusterIPs")
	for i := range ips.len() {
		ip := ips.item(i)
		v, ok := ip.str()
		if !ok || v == "" || v == "None" && i == 0 {
			continue
		}
		if msg := legacyIPProblem(v, gatesOf(p)); msg != "" {
			p.Reportf(o, ip.loc(), "%s %q %s; %s", ip.where(), v, msg, rejects)
		}
	}
	ports := spec.get("ports")
	if headless := spec.get("clusterIP"); noItems(ports) && typ != "" && typ != "ExternalName" && !isNone(headless) && spec.isMap() {
		p.Reportf(o, node{n: o.Node, root: o.Node}.keyLoc("spec"), "%s lists no port, which only a headless (clusterIP: None) or ExternalName Service may do; %s", ports.where(), rejects)
	}
	if typ == "ExternalName" {
		ext := spec.get("externalName")
		v, _ := ext.str()
		// The API server trims one final dot first.
		if t := strings.TrimSuffix(v, "."); v != "" && !kubevalid.DNS1123Subdomain(t) && len(kvalidation.IsDNS1123Subdomain(t)) > 0 {
			p.Reportf(o, ext.loc(), "%s %q is not %s; %s", ext.where(), v, dns1123SubdomainText, rejects)
		}
	}
	requireName := ports.len() > 1
	// Slices, not maps: a Service has a few ports, and the rule runs on
	// every Service of the input.
	var names []string
	var seen, nodePorts []servicePortKey
	for sp := range ports.items() {
		if !sp.isMap() {
			continue
		}
		name := sp.get("name")
		nv, isStr := name.str()
		switch {
		case nv == "" && requireName && (isStr || !name.ok()):
			reportAt(p, o, name, sp, "%s has no name, which every port of a Service with several ports needs; %s", sp.where(), rejects)
		case nv != "" && !kubevalid.DNS1123Label(nv) && len(kvalidation.IsDNS1123Label(nv)) > 0:
			p.Reportf(o, name.loc(), "%s %q is not %s; %s", name.where(), nv, dns1123LabelText, rejects)
		case nv != "" && slices.Contains(names, nv):
			p.Reportf(o, name.loc(), "%s %q names another port of the Service too, and port names must be unique; %s", name.where(), nv, rejects)
		}
		if nv != "" {
			names = append(names, nv)
		}
		// A protocol of the wrong type is unknown (""): no port is said to
		// clash with it.
		pn := sp.get("protocol")
		protocol, isStr := pn.str()
		if protocol == "" && (isStr || !pn.ok()) {
			protocol = "TCP"
		}
		port := sp.get("port")
		if n, ok := port.int(); ok {
			if !validPort(n) {
				p.Reportf(o, port.loc(), "%s %d is not in 1-65535; %s", port.where(), n, rejects)
			}
			k := servicePortKey{protocol, n}
			if protocol != "" && slices.Contains(seen, k) {
				p.Reportf(o, port.loc(), "%s: another port of the Service has port %d and protocol %s too; %s", sp.where(), n, protocol, rejects)
			}
			seen = append(seen, k)
		}
		checkPortNumOrName(p, o, sp.get("targetPort"), true, rejects)
		// validateServicePort: ValidateQualifiedName(appProtocol).
		ap := sp.get("appProtocol")
		if v, ok := ap.str(); ok && !kubevalid.LabelKey(v) && len(content.IsLabelKey(v)) > 0 {
			p.Reportf(o, ap.loc(), "%s %q is not %s; %s", ap.where(), v, qualifiedNameText, rejects)
		}
		np := sp.get("nodePort")
		if n, ok := np.int(); ok && n != 0 {
			if typ == "ClusterIP" {
				p.Reportf(o, np.loc(), "%s is set, which a ClusterIP Service (the default type) may not have; %s", np.where(), rejects)
			}
			k := servicePortKey{protocol, n}
			if protocol != "" && slices.Contains(nodePorts, k) {
				p.Reportf(o, np.loc(), "%s: another port of the Service has nodePort %d and protocol %s too; %s", sp.where(), n, protocol, rejects)
			}
			nodePorts = append(nodePorts, k)
		}
	}
	// ValidateService validates the selector whatever the type.
	{
		sel := spec.get("selector")
		for e := range sel.entries() {
			if !kubevalid.LabelKey(e.key) {
				if len(content.IsLabelKey(e.key)) > 0 {
					p.Reportf(o, e.keyLoc, "%s: key %q is not %s; %s", sel.where(), e.key, qualifiedNameText, rejects)
				}
			}
			if v, ok := e.val.str(); ok && !kubevalid.LabelValue(v) {
				if len(content.IsLabelValue(v)) > 0 {
					p.Reportf(o, e.val.loc(), "%s: value %q of %q is not %s; %s", sel.where(), v, e.key, labelValueText, rejects)
				}
			}
		}
	}
}

// serviceType returns a Service's type, ClusterIP when it is left out,
// and false when it is of the wrong type (MR001's or the loader's), which
// leaves unknown what the fields tied to the type may be.
func serviceType(spec node) (string, bool) {
	t := spec.get("type")
	switch v, ok := t.str(); {
	case !t.ok() || ok && v == "":
		return "ClusterIP", true
	case ok:
		return v, true
	}
	return "", false
}

// checkPortNumOrName reports what ValidatePortNumOrName refuses in an
// int-or-string port (kubevalid.PortNumOrName).
func checkPortNumOrName(p *rules.Pass, o *manifest.Object, x node, zeroOK bool, rejects string) {
	var v spec.IntOrString
	if n, ok := x.int(); ok {
		v = spec.IntOrString{Int: n, Set: true}
	} else if s, ok := x.str(); ok {
		v = spec.IntOrString{Str: s, IsStr: true, Set: true}
	}
	if why := kubevalid.PortNumOrName(x.where, v, zeroOK); why != "" {
		p.Reportf(o, x.loc(), "%s; %s", why, rejects)
	}
}

// checkContainers mirrors validateContainers and validateInitContainers:
// container names are DNS-1123 labels, unique across the containers and
// init containers of the pod; then each container's ports.
func checkContainers(p *rules.Pass, o *manifest.Object, pod node) {
	var names []string
	for _, list := range [...]string{"containers", "initContainers"} {
		for c := range pod.get(list).items() {
			name := c.get("name")
			if v, ok := name.str(); ok && v != "" {
				switch {
				case !kubevalid.DNS1123Label(v) && len(kvalidation.IsDNS1123Label(v)) > 0:
					p.Reportf(o, name.loc(), "%s %q is not %s; the API server rejects the %s", name.where(), v, dns1123LabelText, o.Kind)
				case slices.Contains(names, v):
					p.Reportf(o, name.loc(), "%s %q names another container of the pod too (init containers included); the API server rejects the %s", name.where(), v, o.Kind)
				}
				names = append(names, v)
			}
			checkContainerPorts(p, o, c.get("ports"))
			checkResources(p, o, c.get("resources"), resourceLevel{})
		}
	}
}

// checkPodDNS mirrors ValidateHostAliases and validatePodDNSConfig: each
// hostAliases[].ip and dnsConfig.nameservers entry an IP address as
// IsValidIPForLegacyField reads one, which refuses more with
// StrictIPCIDRValidation, as for a Service's clusterIP (an empty address is
// refused too); each hostname a DNS-1123 subdomain; with dnsPolicy None a
// dnsConfig with a nameserver, the only check then if it has none; at most
// 3 nameservers, 32 search domains and 2048 characters of search list;
// each search domain "." or, less one final dot, a DNS-1123 subdomain that
// may hold '_' (before RelaxedDNSSearchValidation, on since Kubernetes
// 1.33: a DNS-1123 subdomain, less one final dot); each option named. The dnsPolicy enum is MR001's: a wrong
// one (none) is not read as None. Most pod specs set none of these fields,
// and the first test costs three lookups.
func checkPodDNS(p *rules.Pass, o *manifest.Object, pod node) {
	aliases, dns, policy := pod.get("hostAliases"), pod.get("dnsConfig"), pod.get("dnsPolicy")
	if !aliases.ok() && !dns.ok() && !policy.ok() {
		return
	}
	rejects := "the API server rejects the " + string(o.Kind)
	g := gatesOf(p)
	report := func(ip node) {
		if v, ok := ip.str(); ok {
			if msg := kubevalid.PodIPProblem(v, g); msg != "" {
				p.Reportf(o, ip.loc(), "%s %q %s; %s", ip.where(), v, msg, rejects)
			}
		}
	}
	for ha := range aliases.items() {
		report(ha.get("ip"))
		for h := range ha.get("hostnames").strs() {
			if v, _ := h.str(); !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
				p.Reportf(o, h.loc(), "%s %q is not %s; %s", h.where(), v, dns1123SubdomainText, rejects)
			}
		}
	}
	nameservers := dns.get("nameservers")
	if pv, _ := policy.str(); pv == "None" {
		// Of the wrong type, dnsConfig or its nameservers are the loader's
		// or MR001's: whether a nameserver is listed is unknown.
		switch {
		case !dns.ok():
			reportAt(p, o, policy, pod, "%s is None, but %s is not set: the pod's resolv.conf then comes from dnsConfig only, which must list at least one nameserver; %s", policy.where(), dns.where(), rejects)
			return
		case dns.isMap() && noItems(nameservers):
			at, what := dns.keyLoc("nameservers"), nameservers.where()
			if !nameservers.isSeq() {
				at, what = pod.keyLoc("dnsConfig"), dns.where()
			}
			p.Reportf(o, at, "%s lists no nameserver, which dnsPolicy None needs (the pod's resolv.conf then comes from dnsConfig only); %s", what, rejects)
			return
		}
	}
	if !dns.isMap() {
		return
	}
	if n := nameservers.len(); n > kubevalid.MaxDNSNameservers {
		p.Reportf(o, dns.keyLoc("nameservers"), "%s lists %d nameservers, more than the %d a pod may have (the resolver reads %d); %s", nameservers.where(), n, kubevalid.MaxDNSNameservers, kubevalid.MaxDNSNameservers, rejects)
	}
	for ns := range nameservers.strs() {
		report(ns)
	}
	searches := dns.get("searches")
	if n := searches.len(); n > maxDNSSearchPaths {
		p.Reportf(o, dns.keyLoc("searches"), "%s lists %d search domains, more than the %d a pod may have; %s", searches.where(), n, maxDNSSearchPaths, rejects)
	}
	// The length of strings.Join(searches, " "), known only when every
	// domain is a string.
	if n := searches.len(); n > 0 && searches.countStrs() == n {
		size := n - 1
		for s := range searches.strs() {
			v, _ := s.str()
			size += len(v)
		}
		if size > maxDNSSearchListChars {
			p.Reportf(o, dns.keyLoc("searches"), "%s: the search list is %d characters long (with a space between domains), more than the %d a pod may have; %s", searches.where(), size, maxDNSSearchListChars, rejects)
		}
	}
	for s := range searches.strs() {
		v, _ := s.str()
		switch t := strings.TrimSuffix(v, "."); {
		case !g.RelaxedDNSSearch:
			// Before RelaxedDNSSearchValidation (on since Kubernetes 1.33),
			// a lone "." trims to "" and '_' is refused.
			if !kubevalid.DNS1123Subdomain(t) && len(kvalidation.IsDNS1123Subdomain(t)) > 0 {
				p.Reportf(o, s.loc(), "%s %q is not a search domain: %s, with one final '.' allowed (\".\" and '_' only since Kubernetes 1.33, RelaxedDNSSearchValidation); %s", s.where(), v, dns1123SubdomainText, rejects)
			}
		case v != "." && len(kvalidation.IsDNS1123SubdomainWithUnderscore(t)) > 0:
			p.Reportf(o, s.loc(), "%s %q is not a search domain: \".\" or %s, with one final '.' allowed; %s", s.where(), v, dns1123SubdomainUnderscoreText, rejects)
		}
	}
	for opt := range dns.get("options").items() {
		if !opt.isMap() {
			continue
		}
		switch name := opt.get("name"); {
		case !name.ok():
			p.Reportf(o, opt.loc(), "%s has no name, which every DNS option needs; %s", opt.where(), rejects)
		case isEmptyStr(name):
			p.Reportf(o, name.loc(), "%s is empty, which every DNS option needs; %s", name.where(), rejects)
		}
	}
}

// isEmptyStr reports whether x is the string "".
func isEmptyStr(x node) bool {
	v, ok := x.str()
	return ok && v == ""
}

// The limits of validatePodDNSConfig, from libc's resolver (and
// kubevalid.MaxDNSNameservers).
const (
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

// checkLabelSelector mirrors ValidateLabelSelector for a new object:
// matchLabels as labels; a matchExpressions key a qualified name, its
// values label values, In and NotIn with values, Exists and DoesNotExist
// without, and no other operator (the schema leaves it a free string). It
// reports whether the selector is a mapping that LabelSelectorAsSelector
// would compile, which the check against the pod template needs.
func checkLabelSelector(p *rules.Pass, o *manifest.Object, sel node) bool {
	return walkLabelSelector(sel, func(at manifest.Loc, format string, args ...any) {
		p.Reportf(o, at, format+"; the API server rejects the "+string(o.Kind), args...)
	})
}

// walkLabelSelector is checkLabelSelector, reporting through report, or
// not at all when report is nil: a caller may want to know only whether
// the selector is well formed. A field of the wrong type (matchLabels
// written as a list, a label value as a mapping, values as a string) makes
// the selector unusable without a report: the loader or MR001 reports the
// type, and reading it as empty or as "" would add a second, wrong,
// message ("needs values", "does not select app=").
func walkLabelSelector(sel node, report func(at manifest.Loc, format string, args ...any)) bool {
	if !sel.isMap() {
		return false
	}
	valid := true
	fault := func(at manifest.Loc, format string, args ...any) {
		valid = false
		if report != nil {
			report(at, format, args...)
		}
	}
	ml := sel.get("matchLabels")
	if ml.ok() && !ml.isMap() {
		valid = false
	}
	for e := range ml.entries() {
		if !kubevalid.LabelKey(e.key) && len(content.IsLabelKey(e.key)) > 0 {
			fault(e.keyLoc, "%s: key %q is not %s", ml.where(), e.key, qualifiedNameText)
		}
		v, ok := e.val.str()
		switch {
		case !ok:
			valid = false
		case !kubevalid.LabelValue(v) && len(content.IsLabelValue(v)) > 0:
			fault(e.val.loc(), "%s: value %q of %q is not %s", ml.where(), v, e.key, labelValueText)
		}
	}
	exprs := sel.get("matchExpressions")
	if exprs.ok() && !exprs.isSeq() {
		valid = false
	}
	for req := range exprs.items() {
		if !req.isMap() {
			valid = false
			continue
		}
		key := req.get("key")
		switch v, ok := key.str(); {
		case !ok:
			// Missing (the schema requires it) or not a string.
			valid = false
		case !kubevalid.LabelKey(v) && len(content.IsLabelKey(v)) > 0:
			fault(key.loc(), "%s %q is not %s", key.where(), v, qualifiedNameText)
		}
		opNode, values := req.get("operator"), req.get("values")
		valuesOK := !values.ok() || values.isSeq() && values.countStrs() == values.len()
		switch op, isStr := opNode.str(); {
		case !isStr:
			// Missing (the schema requires it) or not a string.
			valid = false
		case !kubevalid.ValidSelectorOperator(op):
			fault(opNode.loc(), "%s", kubevalid.SelectorOperatorProblem(opNode.where(), op))
		case !valuesOK:
			valid = false
		case op == "In" || op == "NotIn":
			if values.len() == 0 {
				at := values.loc()
				if at.IsZero() {
					at = req.loc()
				}
				fault(at, "%s: operator %s needs values", req.where(), op)
			}
		case op == "Exists" || op == "DoesNotExist":
			if values.len() > 0 {
				fault(values.loc(), "%s: operator %s takes no values", req.where(), op)
			}
		}
		for v := range values.strs() {
			if s, _ := v.str(); !kubevalid.LabelValue(s) && len(content.IsLabelValue(s)) > 0 {
				fault(v.loc(), "%s %q is not %s", v.where(), s, labelValueText)
			}
		}
	}
	return valid
}

// checkWorkloadSelector checks the selector of an apps/v1 workload or a
// Job: its format (checkLabelSelector), then, as ValidateDeploymentSpec,
// ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec
// and ValidateJobSpec do, that it is not empty (apps/v1 only) and selects
// the labels of the pod template. A Job's selector is the user's only with
// manualSelector: true; otherwise the API server generates it from the
// Job's uid and labels the template to match.
func checkWorkloadSelector(p *rules.Pass, o *manifest.Object, spec node) {
	sel := spec.get("selector")
	valid := checkLabelSelector(p, o, sel)
	switch o.Kind {
	case kinds.Deployment, kinds.ReplicaSet, kinds.StatefulSet, kinds.DaemonSet:
		if o.Group != kinds.GroupApps {
			return
		}
		// apps/v1beta1 defaulted an empty selector to the template's
		// labels; apps/v1 refuses it.
		if valid && o.APIVersion == "apps/v1" && !sel.get("matchLabels").hasEntries() && sel.get("matchExpressions").len() == 0 {
			p.Reportf(o, spec.keyLoc("selector"), "%s is empty: an apps/v1 %s must select its pods by at least one label of its pod template; the API server rejects the %s (empty selector is invalid for %s)", sel.where(), o.Kind, o.Kind, strings.ToLower(string(o.Kind)))
			return
		}
	case kinds.Job:
		if manual, _ := spec.get("manualSelector").boolean(); !manual {
			return
		}
	default:
		return
	}
	if !valid {
		return
	}
	tl := spec.get("template").get("metadata").get("labels")
	if !wellTypedLabels(tl) {
		return
	}
	if missing := unselected(sel, tl); len(missing) > 0 {
		p.Reportf(o, spec.keyLoc("selector"), "%s does not select the labels of its own pod template (%s): %s; the API server rejects the %s (`selector` does not match template `labels`)", sel.where(), tl.where(), strings.Join(missing, ", "), o.Kind)
	}
}

// checkRCSelector mirrors ValidateReplicationControllerSpec: the selector,
// a map of labels, must select the pod template's labels; when it is
// empty, defaulting sets it to them.
func checkRCSelector(p *rules.Pass, o *manifest.Object, spec node) {
	sel := spec.get("selector")
	tl := spec.get("template").get("metadata").get("labels")
	if !wellTypedLabels(tl) {
		return
	}
	var missing []string
	for e := range sel.entries() {
		v, ok := e.val.str()
		if !ok || !kubevalid.LabelKey(e.key) && len(content.IsLabelKey(e.key)) > 0 || !kubevalid.LabelValue(v) && len(content.IsLabelValue(v)) > 0 {
			// Another fault, reported by MR001 or ValidateLabels.
			return
		}
		if m := unmatchedLabel(tl, e.key, v); m != "" {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		p.Reportf(o, spec.keyLoc("selector"), "%s does not select the labels of its own pod template (%s): %s; the API server rejects the ReplicationController (`selector` does not match template `labels`)", sel.where(), tl.where(), strings.Join(missing, ", "))
	}
}

// unselected returns the terms of a well-formed label selector that the
// template labels tl fail, worded for the message. matchLabels are looked
// up in the nodes; a map of the labels is built only for matchExpressions,
// which few workloads have: the rule runs on every workload of the input.
func unselected(sel, tl node) []string {
	var out []string
	for e := range sel.get("matchLabels").entries() {
		v, _ := e.val.str()
		if m := unmatchedLabel(tl, e.key, v); m != "" {
			out = append(out, m)
		}
	}
	// Sorted: the message must not depend on how the map is written.
	slices.Sort(out)
	exprs := sel.get("matchExpressions")
	if exprs.len() == 0 {
		return out
	}
	have := map[string]string{}
	for e := range tl.entries() {
		if v, ok := e.val.scalar(); ok {
			have[e.key] = v
		}
	}
	for req := range exprs.items() {
		r := requirementOf(req)
		key, op := r.Key, string(r.Op)
		if r.Matches(have) {
			continue
		}
		term := key + " " + op
		if len(r.Values) > 0 {
			term += " (" + strings.Join(r.Values, ", ") + ")"
		}
		if v, ok := have[key]; ok {
			term += fmt.Sprintf(" (the template has %s=%s)", key, v)
		} else {
			term += fmt.Sprintf(" (the template has no %s label)", key)
		}
		out = append(out, term)
	}
	return out
}

// wellTypedLabels reports whether template labels tl are absent or a
// mapping of scalars, which the selector can be held to. Of another type
// (a list, a label value written as a mapping), the loader or MR001
// reports them, and "the template has no app label" would be wrong.
func wellTypedLabels(tl node) bool {
	if !tl.ok() {
		return true
	}
	if !tl.isMap() {
		return false
	}
	for e := range tl.entries() {
		if _, ok := e.val.scalar(); !ok {
			return false
		}
	}
	return true
}

// unmatchedLabel words how template labels tl fail the pair key=want, or
// returns "" when they have it.
func unmatchedLabel(tl node, key, want string) string {
	got, ok := tl.get(key).scalar()
	switch {
	case !ok:
		return fmt.Sprintf("%s=%s (the template has no %s label)", key, want, key)
	case got != want:
		return fmt.Sprintf("%s=%s (the template has %s=%s)", key, want, key, got)
	}
	return ""
}

// checkBatchName checks the length of a CronJob's or Job's name, which
// the names and labels derived from it must fit: ValidateCronJobCreate
// refuses a CronJob name over 52 characters, since the controller names
// each Job after it with "-" and an up-to-10-digit schedule time, and a Job
// name must fit a label value; the API server labels a Job's pod template
// with job-name and batch.kubernetes.io/job-name set to the Job's name
// (generateSelector, unless manualSelector: true), so a Job name over 63
// characters fails ValidateLabels.
func checkBatchName(p *rules.Pass, o *manifest.Object, name, spec node) {
	v, ok := name.str()
	if !ok || len(v) <= 52 || nameProblem(o, v, gatesOf(p)) != "" {
		return
	}
	switch o.Kind {
	case kinds.CronJob:
		p.Reportf(o, name.loc(), "metadata.name %q is %d characters, more than the 52 a CronJob may have (its Jobs are named after it with 11 more characters); the API server rejects the CronJob", v, len(v))
	case kinds.Job:
		if manual, known := manualSelector(spec); len(v) > 63 && !manual && known {
			p.Reportf(o, name.loc(), "metadata.name %q is %d characters, more than 63: the API server labels the Job's pods with job-name set to the name, and a label value is at most 63 characters; it rejects the Job", v, len(v))
		}
	}
}

// checkContainerPorts mirrors validateContainerPorts: names unique within
// the container.
func checkContainerPorts(p *rules.Pass, o *manifest.Object, ports node) {
	rejects := "the API server rejects the " + string(o.Kind)
	var names []string
	for cp := range ports.items() {
		if !cp.isMap() {
			continue
		}
		name := cp.get("name")
		if v, ok := name.str(); ok && v != "" {
			if msgs := kvalidation.IsValidPortName(v); len(msgs) > 0 {
				p.Reportf(o, name.loc(), "%s %q is not an IANA service name: it %s; %s", name.where(), v, joinMsgs(msgs), rejects)
			} else if slices.Contains(names, v) {
				p.Reportf(o, name.loc(), "%s %q names another port of the container too; %s", name.where(), v, rejects)
			}
			names = append(names, v)
		}
		cport := cp.get("containerPort")
		if n, ok := cport.int(); ok && !validPort(n) {
			p.Reportf(o, cport.loc(), "%s %d is not in 1-65535; %s", cport.where(), n, rejects)
		}
		hport := cp.get("hostPort")
		if n, ok := hport.int(); ok && n != 0 && !validPort(n) {
			p.Reportf(o, hport.loc(), "%s %d is not in 1-65535; %s", hport.where(), n, rejects)
		}
	}
}

// reportNetworkPolicy reports what the API server refuses in a
// NetworkPolicy beyond its schema (MR001 reports the rest), as the graph
// found it (kubevalid.NetworkPolicy), at the exact location that the YAML
// nodes give: the typed spec has none for a label map's entries and a
// requirement's values.
func reportNetworkPolicy(p *rules.Pass, o *manifest.Object, spec node, r *graph.Refusal) {
	for _, pr := range r.Problems {
		if !pr.Schema {
			p.Reportf(o, problemLoc(spec, pr), "spec.%s; the API server rejects the NetworkPolicy", pr.Why)
		}
	}
}

// problemLoc follows a problem's path from the spec down the nodes; it
// returns the problem's own location when the path leads nowhere, as it
// does for an absent values list.
func problemLoc(spec node, pr kubevalid.Problem) manifest.Loc {
	x, path := spec, pr.Path
	if pr.LabelKey && len(path) > 0 {
		path = path[:len(path)-1]
	}
	for _, s := range path {
		switch {
		case s.Index < 0:
			x = x.get(s.Key)
		case x.isSeq() && s.Index < x.len():
			x = x.item(s.Index)
		default:
			return pr.At
		}
	}
	if pr.LabelKey && len(pr.Path) > 0 {
		key := pr.Path[len(pr.Path)-1].Key
		for e := range x.entries() {
			if e.key == key {
				return e.keyLoc
			}
		}
		return pr.At
	}
	if l := x.loc(); !l.IsZero() {
		return l
	}
	return pr.At
}

// gatesOf returns the feature gates of the Kubernetes release the run
// assumes (kubernetes.version).
func gatesOf(p *rules.Pass) kubevalid.Gates {
	return kubevalid.GatesFor(p.Graph.Mesh.Kubernetes())
}

// legacyIPProblem says why IsValidIPForLegacyField refuses a Service's
// clusterIP, or "": not an IP address, or, with StrictIPCIDRValidation,
// leading zeros or an IPv4-mapped IPv6 address.
func legacyIPProblem(v string, g kubevalid.Gates) string {
	a, ok := kubevalid.ParseIPSloppy(v)
	switch {
	case !ok && v == "None":
		return "is not an IP address (None may only be the first)"
	case !ok:
		return "is neither an IP address nor None"
	case g.StrictIPCIDR:
		return kubevalid.StrictIPProblem(v, a)
	}
	return ""
}

// isNone reports whether a clusterIP is None, a headless Service's.
func isNone(ip node) bool {
	v, _ := ip.str()
	return v == "None"
}

func joinMsgs(msgs []string) string { return strings.Join(msgs, ", ") }

// The formats in the messages' words: apimachinery's own messages quote
// the regular expressions.
const (
	dns1123LabelText     = "a DNS-1123 label (at most 63 lower-case letters, digits and '-', beginning and ending with a letter or digit)"
	dns1035LabelText     = "a DNS-1035 label (at most 63 lower-case letters, digits and '-', beginning with a letter and ending with a letter or digit)"
	dns1123SubdomainText = "a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', each part between dots beginning and ending with a letter or digit)"
	// IsDNS1123SubdomainWithUnderscore's format, a search domain's.
	dns1123SubdomainUnderscoreText = "a DNS-1123 subdomain in which '_' may appear (at most 253 lower-case letters, digits, '-', '_' and '.', each part between dots beginning with a letter, digit or '_' and ending with a letter or digit)"
	qualifiedNameText              = kubevalid.QualifiedNameText
	labelValueText                 = kubevalid.LabelValueText
)

// requirementOf reads a matchExpressions entry of a selector that
// walkLabelSelector found well formed.
func requirementOf(req node) labels.Requirement {
	key, _ := req.get("key").str()
	op, _ := req.get("operator").str()
	r := labels.Requirement{Key: key, Op: labels.Operator(op)}
	for v := range req.get("values").strs() {
		s, _ := v.str()
		r.Values = append(r.Values, s)
	}
	return r
}
