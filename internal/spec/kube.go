package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// Service is a core/v1 Service spec.
type Service struct {
	Type         Str               `yaml:"type"`
	Selector     map[string]string `yaml:"selector"`
	Ports        []ServicePort     `yaml:"ports"`
	ClusterIP    Str               `yaml:"clusterIP"`
	ExternalName Str               `yaml:"externalName"`
}

// ServicePort is one port of a Service.
type ServicePort struct {
	At          `yaml:"-"`
	Name        Str         `yaml:"name"`
	Port        Int         `yaml:"port"`
	TargetPort  IntOrString `yaml:"targetPort"`
	Protocol    Str         `yaml:"protocol"`
	AppProtocol Str         `yaml:"appProtocol"`
}

// UnmarshalYAML records the port's location.
func (p *ServicePort) UnmarshalYAML(n *yaml.Node) error {
	type plain ServicePort
	return decodeAt(n, &p.At, (*plain)(p))
}

// PodTemplate is the metadata and spec of a pod template.
type PodTemplate struct {
	Metadata struct {
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec PodSpec `yaml:"spec"`
}

// PodSpec is the part of a pod spec meshlint reads.
type PodSpec struct {
	ServiceAccountName Str  `yaml:"serviceAccountName"`
	HostNetwork        Bool `yaml:"hostNetwork"`
	// DNSPolicy says which resolver the pod asks: ClusterFirst (the
	// default) the cluster DNS, Default the node's, None its dnsConfig's.
	DNSPolicy Str `yaml:"dnsPolicy"`
	// DNSConfig adds resolvers to those of DNSPolicy: with None, its
	// nameservers are the pod's only ones.
	DNSConfig      *PodDNSConfig `yaml:"dnsConfig"`
	Containers     []Container   `yaml:"containers"`
	InitContainers []Container   `yaml:"initContainers"`
	// SecurityContext is the pod's security context.
	SecurityContext *SecurityContext `yaml:"securityContext"`
}

// PodDNSConfig is the part of a pod's dnsConfig meshlint reads.
type PodDNSConfig struct {
	// Nameservers are IP addresses, appended to those of the pod's
	// dnsPolicy.
	Nameservers []Str `yaml:"nameservers"`
}

// Container is a container of a pod.
type Container struct {
	At    `yaml:"-"`
	Name  Str             `yaml:"name"`
	Image Str             `yaml:"image"`
	Ports []ContainerPort `yaml:"ports"`
	// Command and Args are read for the flags of controllers whose
	// behaviour meshlint models (Flagger's -mesh-provider).
	Command LaxStrings `yaml:"command"`
	Args    LaxStrings `yaml:"args"`
	// RestartPolicy "Always" on an init container makes it a sidecar,
	// which runs for the pod's life beside the containers.
	RestartPolicy Str `yaml:"restartPolicy"`
	// SecurityContext is the container's security context.
	SecurityContext *SecurityContext `yaml:"securityContext"`
}

// UnmarshalYAML records the container's location.
func (c *Container) UnmarshalYAML(n *yaml.Node) error {
	type plain Container
	return decodeAt(n, &c.At, (*plain)(c))
}

// LaxStrings is a list of strings of which only the strings are kept: a
// value of another type, or another type than a list, is left out rather
// than refused, since MR001 reports it against the schema and the object
// it is in stays modelled (a container's args are no reason to drop a
// workload from the graph).
type LaxStrings []Str

// UnmarshalYAML keeps the string items of a sequence.
func (l *LaxStrings) UnmarshalYAML(n *yaml.Node) error {
	*l = nil
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	for _, it := range n.Content {
		var s Str
		if s.UnmarshalYAML(it) == nil {
			*l = append(*l, s)
		}
	}
	return nil
}

// ContainerPort is a port a container declares.
type ContainerPort struct {
	At            `yaml:"-"`
	Name          Str `yaml:"name"`
	ContainerPort Int `yaml:"containerPort"`
	Protocol      Str `yaml:"protocol"`
}

// UnmarshalYAML records the port's location.
func (p *ContainerPort) UnmarshalYAML(n *yaml.Node) error {
	type plain ContainerPort
	return decodeAt(n, &p.At, (*plain)(p))
}

// Workload is the spec of a Deployment, StatefulSet, DaemonSet, ReplicaSet
// or Job: a pod template and the selector that claims its pods.
type Workload struct {
	Selector *LabelSelector `yaml:"selector"`
	Replicas Int            `yaml:"replicas"`
	Template PodTemplate    `yaml:"template"`
}

// CronJob is a batch/v1 CronJob spec.
type CronJob struct {
	JobTemplate struct {
		Spec Workload `yaml:"spec"`
	} `yaml:"jobTemplate"`
}

// LabelSelector is a Kubernetes label selector. A nil *LabelSelector is an
// absent selector; an empty one selects everything.
type LabelSelector struct {
	At               `yaml:"-"`
	MatchLabels      map[string]string          `yaml:"matchLabels"`
	MatchExpressions []LabelSelectorRequirement `yaml:"matchExpressions"`
}

// UnmarshalYAML records the selector's location.
func (s *LabelSelector) UnmarshalYAML(n *yaml.Node) error {
	type plain LabelSelector
	return decodeAt(n, &s.At, (*plain)(s))
}

// LabelSelectorRequirement is one matchExpressions entry.
type LabelSelectorRequirement struct {
	At       `yaml:"-"`
	Key      Str      `yaml:"key"`
	Operator Str      `yaml:"operator"`
	Values   []string `yaml:"values"`
}

// UnmarshalYAML records the requirement's location.
func (r *LabelSelectorRequirement) UnmarshalYAML(n *yaml.Node) error {
	type plain LabelSelectorRequirement
	return decodeAt(n, &r.At, (*plain)(r))
}

// NetworkPolicy is a networking.k8s.io/v1 NetworkPolicy spec.
type NetworkPolicy struct {
	PodSelector *LabelSelector      `yaml:"podSelector"`
	PolicyTypes []Str               `yaml:"policyTypes"`
	Ingress     []NetworkPolicyRule `yaml:"ingress"`
	Egress      []NetworkPolicyRule `yaml:"egress"`
}

// NetworkPolicyRule is one ingress or egress rule. Ingress rules use From,
// egress rules To.
type NetworkPolicyRule struct {
	At   `yaml:"-"`
	From []NetworkPolicyPeer `yaml:"from"`
	To   []NetworkPolicyPeer `yaml:"to"`
	// An absent or empty peer list means every peer, and an absent or empty
	// port list every port.
	Ports []NetworkPolicyPort `yaml:"ports"`
}

// UnmarshalYAML records the rule's location.
func (r *NetworkPolicyRule) UnmarshalYAML(n *yaml.Node) error {
	type plain NetworkPolicyRule
	return decodeAt(n, &r.At, (*plain)(r))
}

// NetworkPolicyPeer is one peer of a rule.
type NetworkPolicyPeer struct {
	At                `yaml:"-"`
	PodSelector       *LabelSelector `yaml:"podSelector"`
	NamespaceSelector *LabelSelector `yaml:"namespaceSelector"`
	IPBlock           *IPBlock       `yaml:"ipBlock"`
}

// UnmarshalYAML records the peer's location.
func (p *NetworkPolicyPeer) UnmarshalYAML(n *yaml.Node) error {
	type plain NetworkPolicyPeer
	return decodeAt(n, &p.At, (*plain)(p))
}

// IPBlock is a CIDR with exceptions.
type IPBlock struct {
	At     `yaml:"-"`
	CIDR   Str   `yaml:"cidr"`
	Except []Str `yaml:"except"`
}

// UnmarshalYAML records the block's location.
func (b *IPBlock) UnmarshalYAML(n *yaml.Node) error {
	type plain IPBlock
	return decodeAt(n, &b.At, (*plain)(b))
}

// NetworkPolicyPort is a port (or range) of a rule.
type NetworkPolicyPort struct {
	At       `yaml:"-"`
	Protocol Str         `yaml:"protocol"`
	Port     IntOrString `yaml:"port"`
	EndPort  Int         `yaml:"endPort"`
}

// UnmarshalYAML records the port's location.
func (p *NetworkPolicyPort) UnmarshalYAML(n *yaml.Node) error {
	type plain NetworkPolicyPort
	return decodeAt(n, &p.At, (*plain)(p))
}
