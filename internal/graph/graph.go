// Package graph builds the resolved mesh model that rules read: namespaces,
// workloads, services, gateways, routes, destination rules and the policies
// that apply to each, with Istio's and Kubernetes' name resolution applied
// once, here, so that no rule resolves a name on its own.
//
// A Graph is read-only once built, so rules may run on it concurrently.
package graph

import (
	"sort"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Meta is embedded by every node built from an object.
type Meta struct {
	Obj *manifest.Object
}

// Name is the object's name.
func (m Meta) Name() string { return m.Obj.Name }

// Namespace is the object's namespace.
func (m Meta) Namespace() string { return m.Obj.Namespace }

// Object returns the underlying manifest object.
func (m Meta) Object() *manifest.Object { return m.Obj }

// KindName names the object's kind for messages: qualified by its group
// when it is another operator's workload with the name of a modelled kind
// (kinds.Qualified), so that a Knative Service does not read as a Service.
func (m Meta) KindName() string { return kinds.Qualified(m.Obj.Group, m.Obj.Kind) }

// Namespace is a namespace, declared by a Namespace object or implied by
// the objects in it.
type Namespace struct {
	Name string
	// Obj is the Namespace object, nil when the namespace is only implied.
	Obj *manifest.Object
	// Labels include the automatic kubernetes.io/metadata.name label.
	Labels map[string]string
	// Injection is true when the injector injects the pods of the
	// namespace that carry no injection label or annotation of their own,
	// as Graph.Injection decides (from the input's injector webhooks and
	// ConfigMaps, or the labels Istio's chart selects); false for a
	// namespace the input only implies.
	Injection bool
}

// Declared reports whether a Namespace object is in the input.
func (n *Namespace) Declared() bool { return n.Obj != nil }

// Workload is anything that runs pods: a Pod or an object with a pod
// template, of a kind meshlint models or of another operator's
// (kinds.GenericWorkload).
type Workload struct {
	Meta
	Spec *spec.PodTemplate
	// Labels are the pod labels (the template's, not the controller's),
	// with those an operator adds whose values are known (Knative's: see
	// operatorLabels).
	Labels map[string]string
	// ServiceAccount is the pod's service account ("default" when unset).
	ServiceAccount string
	// Sidecar is true when the pods get an Istio sidecar, by injection or
	// by an explicit istio-proxy container or native sidecar (an init
	// container with restartPolicy Always); one with image "auto" is the
	// injector's to fill in, and counts only when the pods are injected.
	Sidecar bool
	// Replicas is spec.replicas of a Deployment, StatefulSet or
	// ReplicaSet (unset: one pod), for the controllers whose pods must
	// not all act at once.
	Replicas spec.Int
}

// Service is a Kubernetes Service, a host of the mesh.
type Service struct {
	Meta
	Spec *spec.Service
	// Host is the service's FQDN.
	Host string
	// ExportTo is the networking.istio.io/exportTo annotation, split.
	ExportTo []string
	// Workloads are the workloads of the same namespace whose pod labels
	// the selector matches.
	Workloads []*Workload
}

// ServiceEntry adds hosts to the mesh's registry.
type ServiceEntry struct {
	Meta
	Spec     *spec.ServiceEntry
	ExportTo []string
}

// Gateway is an Istio Gateway.
type Gateway struct {
	Meta
	Spec *spec.Gateway
	// Workloads are the gateway pods its selector picks, in any namespace,
	// or in its own only with Mesh.ScopeGatewayToNamespace.
	Workloads []*Workload
}

// VirtualService is an Istio VirtualService.
type VirtualService struct {
	Meta
	Spec     *spec.VirtualService
	ExportTo []string
	// Hosts are the spec hosts expanded to FQDNs.
	Hosts []string
	// Gateways are the resolved gateway references, in spec order.
	Gateways []GatewayRef
}

// GatewayRef is a resolved entry of a VirtualService's gateways.
type GatewayRef struct {
	// Written is the entry as written, with its location.
	Written spec.Str
	// Mesh is true for the reserved name "mesh".
	Mesh bool
	// Namespace and Name identify the gateway ("ns/name").
	Namespace, Name string
	// Legacy is true for the deprecated "name.namespace" form.
	Legacy bool
	// Gateway is the gateway found, or nil.
	Gateway *Gateway
}

// DestinationRule is an Istio DestinationRule.
type DestinationRule struct {
	Meta
	Spec     *spec.DestinationRule
	ExportTo []string
	// Host is the spec host expanded to an FQDN.
	Host string
}

// PeerAuthentication is an Istio PeerAuthentication.
type PeerAuthentication struct {
	Meta
	Spec *spec.PeerAuthentication
	// MeshWide is true for a selector-less policy in the root namespace.
	MeshWide bool
}

// AuthorizationPolicy is an Istio AuthorizationPolicy.
type AuthorizationPolicy struct {
	Meta
	Spec *spec.AuthorizationPolicy
}

// RequestAuthentication is an Istio RequestAuthentication.
type RequestAuthentication struct {
	Meta
	Spec *spec.RequestAuthentication
}

// Sidecar is an Istio Sidecar resource.
type Sidecar struct {
	Meta
	Spec *spec.Sidecar
}

// NetworkPolicy is a Kubernetes NetworkPolicy.
type NetworkPolicy struct {
	Meta
	Spec *spec.NetworkPolicy
	// PodSelector is the compiled spec.podSelector.
	PodSelector labels.Selector
	// Ingress and Egress tell whether the policy isolates pods in that
	// direction, after policyTypes defaulting.
	Ingress, Egress bool
	// Workloads are the workloads of the namespace the policy selects.
	Workloads []*Workload
}

// Graph is the resolved model of the input.
type Graph struct {
	Mesh config.Mesh

	Objects    []*manifest.Object
	Namespaces map[string]*Namespace

	Workloads              []*Workload
	Services               []*Service
	ServiceEntries         []*ServiceEntry
	Gateways               []*Gateway
	VirtualServices        []*VirtualService
	DestinationRules       []*DestinationRule
	PeerAuthentications    []*PeerAuthentication
	AuthorizationPolicies  []*AuthorizationPolicy
	RequestAuthentications []*RequestAuthentication
	Sidecars               []*Sidecar
	NetworkPolicies        []*NetworkPolicy
	// RefusedNetworkPolicies are the NetworkPolicies of the input that
	// the API server refuses (networkPolicyRefusal): not among
	// NetworkPolicies, as the cluster never holds them.
	RefusedNetworkPolicies []*Refusal

	// Rollouts are the Argo Rollouts: see rollout.go. Their pod templates
	// are among the Workloads.
	Rollouts []*Rollout
	// Experiments are the Argo Rollouts Experiments: see experiment.go.
	// The ReplicaSets and Services Argo creates for them are among the
	// Workloads and Services.
	Experiments []*Experiment
	// Canaries are the Flagger Canaries: see flagger.go. The workloads and
	// Services Flagger creates for them are among the Workloads and
	// Services.
	Canaries []*Canary

	// Telemetries, EnvoyFilters and Secrets: see extras.go.
	Telemetries  []*Telemetry
	EnvoyFilters []*EnvoyFilter
	Secrets      []*Secret

	// AdminNetworkPolicies are in precedence order (priority, then name).
	AdminNetworkPolicies         []*AdminNetworkPolicy
	BaselineAdminNetworkPolicies []*BaselineAdminNetworkPolicy
	Ingresses                    []*Ingress
	Routes                       []*Route

	// ClusterNetworkPolicies, of both tiers, are in precedence order
	// (priority, then name): see anp.go.
	ClusterNetworkPolicies []*ClusterNetworkPolicy
	// RefusedAdminPolicies are the AdminNetworkPolicies,
	// BaselineAdminNetworkPolicies and ClusterNetworkPolicies of the input
	// that the API server refuses (refusal_admin.go), in input order: not
	// among the admin policies above, as the cluster never holds them.
	RefusedAdminPolicies []*Refusal

	// Gateway API objects (gateway.networking.k8s.io): see gatewayapi.go.
	K8sGateways     []*K8sGateway
	GatewayClasses  []*GatewayClass
	GatewayRoutes   []*GatewayRoute
	ReferenceGrants []*ReferenceGrant
	// BackendTLSPolicies: see backendtls.go.
	BackendTLSPolicies []*BackendTLSPolicy
	// ListenerSets are in input order: see listenerset.go.
	ListenerSets []*ListenerSet

	// Errors are type mismatches met while decoding specs.
	Errors []*manifest.Error

	servicesByHost map[string][]*Service
	workloadsByNS  map[string][]*Workload
	gatewaysByKey  map[string]*Gateway
	drsByNS        map[string][]*DestinationRule
	// drIndex narrows drsByNS by host once the graph is built (indexDRs).
	drIndex map[string]*hostIndex[*DestinationRule]
	pasByNS map[string][]*PeerAuthentication
	// present holds the kinds of the input by namespace ("" for any
	// namespace), so that absence checks do not scan every object.
	present map[presentKey]bool
	byLabel *labelIndex
	// configMaps are the ConfigMaps the loader keeps, by namespace and
	// name, the first written of each (FindConfigMap); configMapCopies
	// all the definitions of those defined more than once, in input
	// order (FindConfigMapFor), made on first use.
	configMaps      map[[2]string]*manifest.Object
	configMapCopies map[[2]string][]*manifest.Object
	// secretsByName are the Secrets by namespace and name, the first of
	// each (FindSecret).
	secretsByName map[[2]string]*Secret

	extensions     []*Extension
	workloadGroups []*WorkloadGroup
	webhookConfigs []*WebhookConfiguration
	// injectors are the webhooks of the input's injector configurations
	// (WebhookConfiguration.Injector): when there are any, they decide
	// which pods are sent to the injector (injection.go).
	injectors []injectorWebhook
	described map[string]bool
	// injectorConfigs are the injector ConfigMaps (injectorconfig.go).
	injectorConfigs []*InjectorConfig
	// generatedBy holds the objects Flagger creates, by Canary.
	generatedBy map[*manifest.Object]*Canary
	// defs ranks the definitions of objects defined more than once
	// (Counterpart).
	defs *definitions
	// recording marks the scratch graph of Prepare, whose decodes are kept
	// on the objects for Build.
	recording bool
	// maps are the run's shared label maps, which Prepare's decodes take
	// their maps from.
	maps *manifest.Maps
}

// NamespaceNames returns the namespaces in sorted order.
func (g *Graph) NamespaceNames() []string {
	out := make([]string, 0, len(g.Namespaces))
	for n := range g.Namespaces {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// WorkloadsIn returns the workloads of a namespace.
func (g *Graph) WorkloadsIn(ns string) []*Workload { return g.workloadsByNS[ns] }

// HasKind reports whether the input holds at least one object of kind k in
// namespace ns ("" for any namespace). Rules use it to stay quiet about
// absence in parts of the cluster they cannot see. Gateway API objects are
// left out, so that kinds.Gateway means Istio's: see HasGatewayAPIKind.
func (g *Graph) HasKind(k kinds.Kind, ns string) bool {
	return g.present[presentKey{false, k, ns}]
}

type presentKey struct {
	gatewayAPI bool
	kind       kinds.Kind
	ns         string
}

// notePresent records an object for HasKind, HasGatewayAPIKind and
// Describes. The Gateway API is kept apart because its Gateway shares the
// name of Istio's, which is what HasKind's callers mean by kinds.Gateway.
//
// A generic workload (kinds.GenericWorkload) is no object of a kind that
// HasKind's callers can mean, even when its kind has their name (a Knative
// Service is no Service): it counts for Describes only.
func (g *Graph) notePresent(o *manifest.Object) {
	if kinds.GenericWorkload(o.Group, o.Kind) {
		g.described[o.Namespace] = true
		return
	}
	if kinds.LoadedConfigMap(o.Group, o.Kind) {
		g.noteConfigMap(o)
	}
	api := o.Group == kinds.GroupGatewayAPI
	g.present[presentKey{api, o.Kind, o.Namespace}] = true
	g.present[presentKey{api, o.Kind, ""}] = true
	switch o.Kind {
	case kinds.Namespace, kinds.GatewayClass, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy:
	default:
		g.described[o.Namespace] = true
	}
}
