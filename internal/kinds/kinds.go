// Package kinds names the Kubernetes and Istio kinds meshlint models, with
// the API groups they belong to.
package kinds

// Kind is a Kubernetes kind name, such as "VirtualService".
type Kind string

// The kinds meshlint reads. Rules declare the ones they use in Rule.Inputs.
const (
	Namespace   Kind = "Namespace"
	Service     Kind = "Service"
	Pod         Kind = "Pod"
	Deployment  Kind = "Deployment"
	StatefulSet Kind = "StatefulSet"
	DaemonSet   Kind = "DaemonSet"
	ReplicaSet  Kind = "ReplicaSet"
	Job         Kind = "Job"
	CronJob     Kind = "CronJob"
	Rollout     Kind = "Rollout" // Argo Rollouts' Deployment for canary releases (GroupArgo)
	// Experiment is Argo Rollouts' run of ReplicaSets for a while
	// (GroupArgo); the graph holds the pods and Services its controller
	// creates.
	Experiment Kind = "Experiment"
	// ReplicationController is read as a generic workload (GenericWorkload):
	// its selector is a plain map, not a LabelSelector.
	ReplicationController Kind = "ReplicationController"
	Canary                Kind = "Canary" // Flagger's canary release of a Deployment or DaemonSet (GroupFlagger)
	NetworkPolicy         Kind = "NetworkPolicy"
	Gateway               Kind = "Gateway"
	VirtualService        Kind = "VirtualService"
	DestinationRule       Kind = "DestinationRule"
	ServiceEntry          Kind = "ServiceEntry"
	Sidecar               Kind = "Sidecar"
	WorkloadEntry         Kind = "WorkloadEntry"
	WorkloadGroup         Kind = "WorkloadGroup"
	EnvoyFilter           Kind = "EnvoyFilter"
	ProxyConfig           Kind = "ProxyConfig"
	Secret                Kind = "Secret"
	ServiceAccount        Kind = "ServiceAccount"
	Telemetry             Kind = "Telemetry"
	WasmPlugin            Kind = "WasmPlugin"
	// TrafficExtension (GroupIstioExtensions) supersedes WasmPlugin and
	// runs Lua filters too. The graph reads its attachment (selector,
	// targetRefs) beside WasmPlugin's (Graph.Extensions).
	TrafficExtension Kind = "TrafficExtension"

	// ConfigMap objects are kept by the loader (LoadedConfigMap): they
	// configure Istio's sidecar injector (InjectorConfigMap), or hold CA
	// certificates that Gateways name.
	ConfigMap Kind = "ConfigMap"

	PeerAuthentication    Kind = "PeerAuthentication"
	AuthorizationPolicy   Kind = "AuthorizationPolicy"
	RequestAuthentication Kind = "RequestAuthentication"

	Ingress                    Kind = "Ingress"
	Route                      Kind = "Route"
	AdminNetworkPolicy         Kind = "AdminNetworkPolicy"
	BaselineAdminNetworkPolicy Kind = "BaselineAdminNetworkPolicy"
	// ClusterNetworkPolicy (GroupPolicyAPI, v1alpha2 and v1beta1) replaces
	// both: one kind whose spec.tier is Admin or Baseline.
	ClusterNetworkPolicy Kind = "ClusterNetworkPolicy"

	// The webhook configurations of Istio's sidecar injector and config
	// validation (GroupAdmissionRegistration), which Istio's charts install.
	MutatingWebhookConfiguration   Kind = "MutatingWebhookConfiguration"
	ValidatingWebhookConfiguration Kind = "ValidatingWebhookConfiguration"

	// Gateway API kinds (GroupGatewayAPI). K8sGateway has the same name as
	// Istio's Gateway: tell them apart by the object's group.
	K8sGateway     Kind = "Gateway"
	GatewayClass   Kind = "GatewayClass"
	HTTPRoute      Kind = "HTTPRoute"
	GRPCRoute      Kind = "GRPCRoute"
	TCPRoute       Kind = "TCPRoute"
	TLSRoute       Kind = "TLSRoute"
	UDPRoute       Kind = "UDPRoute"
	ReferenceGrant Kind = "ReferenceGrant"
	// BackendTLSPolicy says how clients originate TLS to the Services it
	// targets.
	BackendTLSPolicy Kind = "BackendTLSPolicy"
	// ListenerSet adds listeners to a Gateway that allows it.
	ListenerSet Kind = "ListenerSet"

	// CustomResourceDefinition (GroupAPIExtensions) is read for the
	// Gateway API CRDs that GitOps repositories vendor: their bundle
	// version says whether Istio processes their resources.
	CustomResourceDefinition Kind = "CustomResourceDefinition"
)

// API groups whose kinds meshlint knows completely. An object of one of these
// groups with a kind that is not listed below is almost always a typo, so the
// loader reports it instead of skipping it.
const (
	GroupIstioNetworking = "networking.istio.io"
	GroupIstioSecurity   = "security.istio.io"
	GroupIstioTelemetry  = "telemetry.istio.io"
	GroupIstioExtensions = "extensions.istio.io"
	GroupK8sNetworking   = "networking.k8s.io"
	GroupCore            = ""
	GroupApps            = "apps"
	GroupBatch           = "batch"
	GroupPolicyAPI       = "policy.networking.k8s.io"
	GroupOpenShiftRoute  = "route.openshift.io"
	GroupGatewayAPI      = "gateway.networking.k8s.io"
	// GroupArgo is not checked strictly: Argo CD and Argo Workflows serve
	// many more kinds in it.
	GroupArgo = "argoproj.io"
	// GroupAdmissionRegistration serves the webhook configurations.
	GroupAdmissionRegistration = "admissionregistration.k8s.io"
	// GroupFlagger is not checked strictly: Flagger serves MetricTemplates
	// and AlertProviders in it too, which meshlint does not read.
	GroupFlagger = "flagger.app"
	// GroupKnativeServing is neither modelled nor checked strictly: its
	// Service and Configuration are generic workloads (GenericWorkload),
	// whose pods get labels from Knative that the graph adds.
	GroupKnativeServing = "serving.knative.dev"
	// GroupAPIExtensions serves CustomResourceDefinitions.
	GroupAPIExtensions = "apiextensions.k8s.io"
)

// groupKinds lists, per strictly checked group, every kind the group serves.
// Kinds served but not modelled (for example IPAddress) are listed so that they
// pass through quietly instead of being reported as unknown.
var groupKinds = map[string]map[Kind]bool{
	GroupIstioNetworking: {
		Gateway: true, VirtualService: true, DestinationRule: true, ServiceEntry: true,
		Sidecar: true, WorkloadEntry: true, WorkloadGroup: true, EnvoyFilter: true, ProxyConfig: true,
	},
	GroupIstioSecurity: {
		PeerAuthentication: true, AuthorizationPolicy: true, RequestAuthentication: true,
	},
	// The kinds of istio.io/api v1.32's CRDs in these groups, so that a
	// misspelt "Telemetri" is reported rather than passed over.
	GroupIstioTelemetry:  {Telemetry: true},
	GroupIstioExtensions: {WasmPlugin: true, TrafficExtension: true},
	GroupK8sNetworking: {
		NetworkPolicy: true, "Ingress": true, "IngressClass": true, "IPAddress": true, "ServiceCIDR": true,
	},
	// The kinds of core/v1, apps/v1 and batch/v1 in k8s.io/api v0.32 and v0.37
	// (addKnownTypes in their register.go), so that a misspelt
	// "Deploymnet" is reported rather than read as another operator's
	// workload.
	GroupCore: set("Pod", "PodList", "PodStatusResult", "PodTemplate", "PodTemplateList", "ReplicationController",
		"ReplicationControllerList", "Service", "ServiceProxyOptions", "ServiceList", "Endpoints", "EndpointsList",
		"Node", "NodeList", "NodeProxyOptions", "Binding", "Event", "EventList", "List", "LimitRange", "LimitRangeList",
		"ResourceQuota", "ResourceQuotaList", "Namespace", "NamespaceList", "Secret", "SecretList", "ServiceAccount",
		"ServiceAccountList", "PersistentVolume", "PersistentVolumeList", "PersistentVolumeClaim",
		"PersistentVolumeClaimList", "PodAttachOptions", "PodLogOptions", "PodExecOptions", "PodPortForwardOptions",
		"PodProxyOptions", "ComponentStatus", "ComponentStatusList", "SerializedReference", "RangeAllocation",
		"ConfigMap", "ConfigMapList"),
	GroupApps: set("Deployment", "DeploymentList", "StatefulSet", "StatefulSetList", "DaemonSet", "DaemonSetList",
		"ReplicaSet", "ReplicaSetList", "ControllerRevision", "ControllerRevisionList"),
	GroupBatch: set("Job", "JobList", "CronJob", "CronJobList"),
	// The kinds of admissionregistration.k8s.io v1, v1beta1 and v1alpha1 in
	// k8s.io/api v0.37 (addKnownTypes).
	GroupAdmissionRegistration: set(MutatingWebhookConfiguration, "MutatingWebhookConfigurationList",
		ValidatingWebhookConfiguration, "ValidatingWebhookConfigurationList", "ValidatingAdmissionPolicy",
		"ValidatingAdmissionPolicyList", "ValidatingAdmissionPolicyBinding", "ValidatingAdmissionPolicyBindingList",
		"MutatingAdmissionPolicy", "MutatingAdmissionPolicyList", "MutatingAdmissionPolicyBinding",
		"MutatingAdmissionPolicyBindingList"),
	// The standard and experimental kinds of gateway-api v1.6 (BackendLBPolicy
	// was served by earlier experimental releases).
	GroupGatewayAPI: {
		K8sGateway: true, GatewayClass: true, HTTPRoute: true, GRPCRoute: true, TCPRoute: true, TLSRoute: true,
		UDPRoute: true, ReferenceGrant: true, BackendTLSPolicy: true, ListenerSet: true, "BackendLBPolicy": true,
	},
	// The kinds of apiextensions.k8s.io/v1 (addKnownTypes).
	GroupAPIExtensions: set(CustomResourceDefinition, "CustomResourceDefinitionList", "ConversionReview"),
}

func set(ks ...Kind) map[Kind]bool {
	m := make(map[Kind]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// modelled lists the kinds that the graph reads, keyed by group.
var modelled = map[string]map[Kind]bool{
	// Secrets are kept for the Gateway credentialName checks; rules read
	// their key names and certificates, never print their data.
	// ServiceAccounts are kept for the WorkloadGroup checks.
	GroupCore:  {Namespace: true, Service: true, Pod: true, Secret: true, ServiceAccount: true, PodTemplate: true},
	GroupApps:  {Deployment: true, StatefulSet: true, DaemonSet: true, ReplicaSet: true},
	GroupBatch: {Job: true, CronJob: true},
	// Argo Rollouts' analysis kinds are not in the graph, but kept for
	// schema validation.
	GroupArgo: {Rollout: true, Experiment: true, "AnalysisTemplate": true, "ClusterAnalysisTemplate": true, "AnalysisRun": true},
	// The webhook configurations, for the injector and control plane rules.
	GroupAdmissionRegistration: {MutatingWebhookConfiguration: true, ValidatingWebhookConfiguration: true},
	// Flagger's MetricTemplate and AlertProvider are not in the graph
	// either, but kept for schema validation.
	GroupFlagger: {Canary: true, "MetricTemplate": true, "AlertProvider": true},
	// IngressClass is not in the graph either, but kept for schema
	// validation.
	GroupK8sNetworking:  {NetworkPolicy: true, Ingress: true, "IngressClass": true},
	GroupPolicyAPI:      {AdminNetworkPolicy: true, BaselineAdminNetworkPolicy: true, ClusterNetworkPolicy: true},
	GroupOpenShiftRoute: {Route: true},
	GroupIstioNetworking: {Gateway: true, VirtualService: true, DestinationRule: true, ServiceEntry: true, Sidecar: true,
		// Not in the graph, but kept so that schema validation sees them.
		WorkloadEntry: true, WorkloadGroup: true, EnvoyFilter: true, ProxyConfig: true},
	GroupIstioSecurity:   {PeerAuthentication: true, AuthorizationPolicy: true, RequestAuthentication: true},
	GroupIstioTelemetry:  {Telemetry: true},
	GroupIstioExtensions: {WasmPlugin: true, TrafficExtension: true},
	GroupGatewayAPI: {
		K8sGateway: true, GatewayClass: true, HTTPRoute: true, GRPCRoute: true, TCPRoute: true, TLSRoute: true,
		UDPRoute: true, ReferenceGrant: true, BackendTLSPolicy: true, ListenerSet: true,
	},
	// CustomResourceDefinitions are not in the graph: rules read the
	// objects (the Gateway API CRD version check).
	GroupAPIExtensions: {CustomResourceDefinition: true},
}

// SplitAPIVersion splits "group/version" into its parts; the core group has
// no slash ("v1").
func SplitAPIVersion(apiVersion string) (group, version string) {
	for i := 0; i < len(apiVersion); i++ {
		if apiVersion[i] == '/' {
			return apiVersion[:i], apiVersion[i+1:]
		}
	}
	return "", apiVersion
}

// Modelled reports whether the graph reads objects of this group and kind.
func Modelled(group string, k Kind) bool { return modelled[group][k] }

// InjectorConfigMapName is the name of the ConfigMap that holds the
// configuration of Istio's sidecar injector of the default revision; that
// of revision r is InjectorConfigMapName-r (istiod's
// getInjectorConfigMapName).
const InjectorConfigMapName = "istio-sidecar-injector"

// InjectorConfigMap reports whether a core ConfigMap named name is one
// that istiod reads as its sidecar injector's configuration, of some
// revision.
func InjectorConfigMap(group string, k Kind, name string) bool {
	return group == GroupCore && k == ConfigMap &&
		(name == InjectorConfigMapName || len(name) > len(InjectorConfigMapName)+1 && name[:len(InjectorConfigMapName)+1] == InjectorConfigMapName+"-")
}

// Shared reports whether a kind of k's name exists in a group that
// meshlint checks strictly other than group: Istio's Gateway and the
// Gateway API's, a Knative Service and the core one. Messages qualify such
// a kind with its group.
func Shared(group string, k Kind) bool {
	for g, ks := range groupKinds {
		if g != group && ks[k] {
			return true
		}
	}
	return false
}

// Known reports whether kind k exists in group. For groups meshlint does not
// check strictly, every kind is considered known.
func Known(group string, k Kind) bool {
	ks, strict := groupKinds[group]
	if !strict {
		return true
	}
	return ks[k]
}

// workloads lists the modelled kinds that run pods, keyed by group.
var workloads = map[string]map[Kind]bool{
	GroupCore:  {Pod: true},
	GroupApps:  {Deployment: true, StatefulSet: true, DaemonSet: true, ReplicaSet: true},
	GroupBatch: {Job: true, CronJob: true},
	GroupArgo:  {Rollout: true},
}

// IsWorkload reports whether objects of this group and kind run pods: a
// Pod, a modelled kind with a pod template (Workloads), or a generic
// workload (GenericWorkload). The group matters: a Knative Service is a
// workload, a Service is not.
func IsWorkload(group string, k Kind) bool {
	return workloads[group][k] || GenericWorkload(group, k)
}

// GenericWorkload reports whether objects of this group and kind are
// generic workloads when they carry a pod template: the custom resources
// of operators that run pods from the PodTemplateSpec at spec.template
// (OpenKruise's CloneSet and Advanced StatefulSet, Knative's Service, and
// so on), read like a Deployment's template. That is every kind meshlint
// does not model, in a group it does not check strictly.
//
// The loader keeps an object of such a kind only when its
// spec.template.spec.containers is a non-empty list of mappings, and
// counts it as unmodelled otherwise; so for an object of the input,
// GenericWorkload tells whether it is a generic workload. Its kind may be
// the name of a modelled kind (apps.kruise.io's StatefulSet, Knative's
// Service): compare groups as well as kinds.
func GenericWorkload(group string, k Kind) bool {
	if group == GroupCore && k == ReplicationController {
		return true // the one workload of a strict group that is not modelled
	}
	_, strict := groupKinds[group]
	return !strict && !Modelled(group, k)
}

// Qualified names kind k of group for messages: k itself, or k.group
// ("Service.serving.knative.dev") when an object of that group and kind is
// a generic workload whose kind is also the name of a modelled kind, so
// that a Knative Service does not read as a Service.
func Qualified(group string, k Kind) string {
	if GenericWorkload(group, k) && group != "" {
		for _, ks := range modelled {
			if ks[k] {
				return string(k) + "." + group
			}
		}
	}
	return string(k)
}

// Workloads returns the modelled kinds IsWorkload accepts, for the Inputs
// of rules that read workloads. Generic workloads have no kind of their
// own: rules that read workloads read them too, and their docs say so.
func Workloads() []Kind {
	return []Kind{Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Rollout}
}

// ClusterScoped reports whether objects of this group and kind have no
// namespace. Namespace itself is handled apart: its namespace is its name.
func ClusterScoped(group string, k Kind) bool {
	switch group {
	case GroupPolicyAPI:
		return k == AdminNetworkPolicy || k == BaselineAdminNetworkPolicy || k == ClusterNetworkPolicy
	case GroupGatewayAPI:
		return k == GatewayClass
	case GroupArgo:
		return k == "ClusterAnalysisTemplate"
	case GroupAdmissionRegistration:
		return true // every kind of the group
	case GroupAPIExtensions:
		return k == CustomResourceDefinition
	}
	return false
}

// LoadedConfigMap reports whether an object is a core ConfigMap, which the
// loader keeps although the kind is not Modelled: the graph reads the
// sidecar injector's (InjectorConfigMap) and, of the others, only what a
// CA certificate reference needs (graph.ConfigMap).
func LoadedConfigMap(group string, k Kind) bool {
	return group == GroupCore && k == ConfigMap
}

// PodTemplate runs no pods; the graph reads one that an Argo Rollout's
// workloadRef names, whose pods the Rollout runs.
const PodTemplate Kind = "PodTemplate"
