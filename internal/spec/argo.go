package spec

import (
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Rollout is the part of an Argo Rollouts Rollout spec (argoproj.io/v1alpha1)
// that meshlint reads: the pod template, as a Deployment's, and the Istio
// traffic routing of the canary strategy. Field names are those of Argo
// Rollouts' pkg/apis/rollouts/v1alpha1/types.go.
type Rollout struct {
	Selector *LabelSelector `yaml:"selector"`
	Replicas Int            `yaml:"replicas"`
	Template PodTemplate    `yaml:"template"`
	// WorkloadRef, when set, takes the pod template from another workload
	// (a Deployment): the Rollout's own template is then empty.
	WorkloadRef *RolloutWorkloadRef `yaml:"workloadRef"`
	Strategy    RolloutStrategy     `yaml:"strategy"`
}

// RolloutWorkloadRef is spec.workloadRef of a Rollout.
type RolloutWorkloadRef struct {
	At         `yaml:"-"`
	APIVersion Str `yaml:"apiVersion"`
	Kind       Str `yaml:"kind"`
	Name       Str `yaml:"name"`
}

// UnmarshalYAML records the reference's location.
func (r *RolloutWorkloadRef) UnmarshalYAML(n *yaml.Node) error {
	type plain RolloutWorkloadRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// RolloutStrategy is spec.strategy of a Rollout. Only the canary strategy
// routes traffic through Istio.
type RolloutStrategy struct {
	Canary *CanaryStrategy `yaml:"canary"`
}

// CanaryStrategy is spec.strategy.canary of a Rollout.
type CanaryStrategy struct {
	At             `yaml:"-"`
	CanaryService  Str                    `yaml:"canaryService"`
	StableService  Str                    `yaml:"stableService"`
	PingPong       *PingPong              `yaml:"pingPong"`
	TrafficRouting *RolloutTrafficRouting `yaml:"trafficRouting"`
	Steps          []CanaryStep           `yaml:"steps"`
}

// UnmarshalYAML records the strategy's location.
func (c *CanaryStrategy) UnmarshalYAML(n *yaml.Node) error {
	type plain CanaryStrategy
	return decodeAt(n, &c.At, (*plain)(c))
}

// CanaryStep is an entry of spec.strategy.canary.steps. Only the experiment
// step runs pods of its own; the other kinds of step are not read.
type CanaryStep struct {
	Experiment *RolloutExperimentStep `yaml:"experiment"`
}

// RolloutExperimentStep is the experiment of a canary step: the Experiment
// Argo Rollouts creates when the step is reached, one ReplicaSet per
// template.
type RolloutExperimentStep struct {
	Templates []RolloutExperimentTemplate `yaml:"templates"`
}

// RolloutExperimentTemplate is an entry of an experiment step's templates:
// replicas pods (1 when unset) of the Rollout's canary or stable template
// (specRef) with the labels and annotations of metadata added, and a
// Service for them when service or weight is set (GetExperimentFromTemplate
// gives the Experiment's template a service for either). Its selector is
// not read.
type RolloutExperimentTemplate struct {
	At       `yaml:"-"`
	Name     Str                        `yaml:"name"`
	SpecRef  Str                        `yaml:"specRef"`
	Replicas Int                        `yaml:"replicas"`
	Metadata RolloutPodTemplateMetadata `yaml:"metadata"`
	// Weight is the percentage of traffic the Istio traffic router sends
	// to the template's Service while the step runs.
	Weight  Int                `yaml:"weight"`
	Service *ExperimentService `yaml:"service"`
}

// UnmarshalYAML records the template's location.
func (t *RolloutExperimentTemplate) UnmarshalYAML(n *yaml.Node) error {
	type plain RolloutExperimentTemplate
	return decodeAt(n, &t.At, (*plain)(t))
}

// RolloutPodTemplateMetadata is the metadata of an experiment template: the
// labels and annotations its pods get on top of the template's.
type RolloutPodTemplateMetadata struct {
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// PingPong is spec.strategy.canary.pingPong: two Services that take the
// stable and canary roles in turn.
type PingPong struct {
	PingService Str `yaml:"pingService"`
	PongService Str `yaml:"pongService"`
}

// RolloutTrafficRouting is spec.strategy.canary.trafficRouting.
type RolloutTrafficRouting struct {
	At    `yaml:"-"`
	Istio *IstioTrafficRouting `yaml:"istio"`
	// ManagedRoutes are the HTTP routes Argo Rollouts adds to the
	// VirtualService itself (setHeaderRoute, setMirrorRoute steps).
	ManagedRoutes []ManagedRoute `yaml:"managedRoutes"`
}

// UnmarshalYAML records the routing's location.
func (r *RolloutTrafficRouting) UnmarshalYAML(n *yaml.Node) error {
	type plain RolloutTrafficRouting
	return decodeAt(n, &r.At, (*plain)(r))
}

// ManagedRoute is an entry of trafficRouting.managedRoutes.
type ManagedRoute struct {
	Name Str `yaml:"name"`
}

// IstioTrafficRouting is trafficRouting.istio. Argo Rollouts takes
// VirtualServices when it is set, even empty, and VirtualService otherwise.
type IstioTrafficRouting struct {
	At              `yaml:"-"`
	VirtualService  *IstioVirtualService     `yaml:"virtualService"`
	VirtualServices *IstioVirtualServiceList `yaml:"virtualServices"`
	DestinationRule *IstioDestinationRule    `yaml:"destinationRule"`
}

// UnmarshalYAML records the routing's location.
func (r *IstioTrafficRouting) UnmarshalYAML(n *yaml.Node) error {
	type plain IstioTrafficRouting
	return decodeAt(n, &r.At, (*plain)(r))
}

// IstioVirtualServiceList is trafficRouting.istio.virtualServices. It is a
// struct rather than a slice so that an empty list stays apart from an
// absent one, as it does for Argo Rollouts (which reads a nil slice as
// "not configured").
type IstioVirtualServiceList struct {
	At    `yaml:"-"`
	Items []IstioVirtualService `yaml:"-"`
}

// UnmarshalYAML records the list's location and decodes its items.
func (l *IstioVirtualServiceList) UnmarshalYAML(n *yaml.Node) error {
	l.Loc = manifest.LocOf(n)
	if n.Kind != yaml.SequenceNode {
		return mismatchWant(n, "a list")
	}
	return n.Decode(&l.Items)
}

// IstioVirtualService is a VirtualService reference of trafficRouting.istio:
// its name ("name" or "name.namespace") and the routes Argo Rollouts sets
// the weights of.
type IstioVirtualService struct {
	At        `yaml:"-"`
	Name      Str               `yaml:"name"`
	Routes    []Str             `yaml:"routes"`
	TLSRoutes []RolloutTLSRoute `yaml:"tlsRoutes"`
	TCPRoutes []RolloutTCPRoute `yaml:"tcpRoutes"`
}

// UnmarshalYAML records the reference's location.
func (v *IstioVirtualService) UnmarshalYAML(n *yaml.Node) error {
	type plain IstioVirtualService
	return decodeAt(n, &v.At, (*plain)(v))
}

// RolloutTLSRoute selects the tls routes of a VirtualService by port and
// SNI hosts.
type RolloutTLSRoute struct {
	At       `yaml:"-"`
	Port     Int   `yaml:"port"`
	SNIHosts []Str `yaml:"sniHosts"`
}

// UnmarshalYAML records the selector's location.
func (r *RolloutTLSRoute) UnmarshalYAML(n *yaml.Node) error {
	type plain RolloutTLSRoute
	return decodeAt(n, &r.At, (*plain)(r))
}

// RolloutTCPRoute selects the tcp routes of a VirtualService by port.
type RolloutTCPRoute struct {
	At   `yaml:"-"`
	Port Int `yaml:"port"`
}

// UnmarshalYAML records the selector's location.
func (r *RolloutTCPRoute) UnmarshalYAML(n *yaml.Node) error {
	type plain RolloutTCPRoute
	return decodeAt(n, &r.At, (*plain)(r))
}

// IstioDestinationRule is trafficRouting.istio.destinationRule: the
// DestinationRule of the Rollout's namespace whose two subsets Argo
// Rollouts points at the canary and stable pods (subset-level splitting).
type IstioDestinationRule struct {
	At               `yaml:"-"`
	Name             Str `yaml:"name"`
	CanarySubsetName Str `yaml:"canarySubsetName"`
	StableSubsetName Str `yaml:"stableSubsetName"`
}

// UnmarshalYAML records the reference's location.
func (r *IstioDestinationRule) UnmarshalYAML(n *yaml.Node) error {
	type plain IstioDestinationRule
	return decodeAt(n, &r.At, (*plain)(r))
}
