package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// AdminNetworkPolicy is a policy.networking.k8s.io/v1alpha1
// AdminNetworkPolicy spec: cluster-wide rules evaluated before any
// NetworkPolicy, by priority (a lower number wins).
type AdminNetworkPolicy struct {
	Priority Int            `yaml:"priority"`
	Subject  AdminSubject   `yaml:"subject"`
	Ingress  []AdminIngress `yaml:"ingress"`
	Egress   []AdminEgress  `yaml:"egress"`
}

// BaselineAdminNetworkPolicy is a policy.networking.k8s.io/v1alpha1
// BaselineAdminNetworkPolicy spec: cluster-wide defaults that apply to
// traffic no AdminNetworkPolicy decided and no NetworkPolicy isolates.
type BaselineAdminNetworkPolicy struct {
	Subject AdminSubject   `yaml:"subject"`
	Ingress []AdminIngress `yaml:"ingress"`
	Egress  []AdminEgress  `yaml:"egress"`
}

// AdminSubject selects the pods a policy applies to. Exactly one field
// is set.
type AdminSubject struct {
	At         `yaml:"-"`
	Namespaces *LabelSelector `yaml:"namespaces"`
	Pods       *NamespacedPod `yaml:"pods"`
}

// UnmarshalYAML records the subject's location.
func (s *AdminSubject) UnmarshalYAML(n *yaml.Node) error {
	type plain AdminSubject
	return decodeAt(n, &s.At, (*plain)(s))
}

// NamespacedPod selects pods by namespace labels AND pod labels.
type NamespacedPod struct {
	At                `yaml:"-"`
	NamespaceSelector *LabelSelector `yaml:"namespaceSelector"`
	PodSelector       *LabelSelector `yaml:"podSelector"`
}

// UnmarshalYAML records the selector's location.
func (p *NamespacedPod) UnmarshalYAML(n *yaml.Node) error {
	type plain NamespacedPod
	return decodeAt(n, &p.At, (*plain)(p))
}

// AdminIngress is an ingress rule of an AdminNetworkPolicy or
// BaselineAdminNetworkPolicy.
type AdminIngress struct {
	At     `yaml:"-"`
	Name   Str         `yaml:"name"`
	Action Str         `yaml:"action"`
	From   []AdminPeer `yaml:"from"`
	// Ports is nil or empty when the rule does not filter by port.
	Ports []AdminPort `yaml:"ports"`
}

// UnmarshalYAML records the rule's location.
func (r *AdminIngress) UnmarshalYAML(n *yaml.Node) error {
	type plain AdminIngress
	return decodeAt(n, &r.At, (*plain)(r))
}

// AdminEgress is an egress rule of an AdminNetworkPolicy or
// BaselineAdminNetworkPolicy.
type AdminEgress struct {
	At     `yaml:"-"`
	Name   Str         `yaml:"name"`
	Action Str         `yaml:"action"`
	To     []AdminPeer `yaml:"to"`
	Ports  []AdminPort `yaml:"ports"`
}

// UnmarshalYAML records the rule's location.
func (r *AdminEgress) UnmarshalYAML(n *yaml.Node) error {
	type plain AdminEgress
	return decodeAt(n, &r.At, (*plain)(r))
}

// AdminPeer is one peer of an admin rule. Exactly one field is set;
// Networks, Nodes and DomainNames appear only in egress rules.
type AdminPeer struct {
	At          `yaml:"-"`
	Namespaces  *LabelSelector `yaml:"namespaces"`
	Pods        *NamespacedPod `yaml:"pods"`
	Networks    []Str          `yaml:"networks"`
	Nodes       *LabelSelector `yaml:"nodes"`
	DomainNames []Str          `yaml:"domainNames"`
}

// UnmarshalYAML records the peer's location.
func (p *AdminPeer) UnmarshalYAML(n *yaml.Node) error {
	type plain AdminPeer
	return decodeAt(n, &p.At, (*plain)(p))
}

// AdminPort is one port of an admin rule. Exactly one field is set.
type AdminPort struct {
	At         `yaml:"-"`
	PortNumber *AdminPortNumber `yaml:"portNumber"`
	NamedPort  Str              `yaml:"namedPort"`
	PortRange  *AdminPortRange  `yaml:"portRange"`
}

// UnmarshalYAML records the port's location.
func (p *AdminPort) UnmarshalYAML(n *yaml.Node) error {
	type plain AdminPort
	return decodeAt(n, &p.At, (*plain)(p))
}

// AdminPortNumber is a single port; Protocol defaults to TCP.
type AdminPortNumber struct {
	Protocol Str `yaml:"protocol"`
	Port     Int `yaml:"port"`
}

// AdminPortRange is an inclusive port range; Protocol defaults to TCP.
type AdminPortRange struct {
	Protocol Str `yaml:"protocol"`
	Start    Int `yaml:"start"`
	End      Int `yaml:"end"`
}

// ClusterNetworkPolicy is a policy.networking.k8s.io ClusterNetworkPolicy
// spec (v1alpha2 and v1beta1, which have the same schema): the successor
// of both admin kinds, whose Tier says where it is evaluated, Admin
// before the NetworkPolicies or Baseline after them, and whose Priority
// orders it within the tier (a lower number wins).
type ClusterNetworkPolicy struct {
	Tier     Str                          `yaml:"tier"`
	Priority Int                          `yaml:"priority"`
	Subject  AdminSubject                 `yaml:"subject"`
	Ingress  []ClusterNetworkPolicyRule   `yaml:"ingress"`
	Egress   []ClusterNetworkPolicyEgress `yaml:"egress"`
}

// ClusterNetworkPolicyRule is an ingress rule of a ClusterNetworkPolicy.
// Its peers can only be namespaces and pods.
type ClusterNetworkPolicyRule struct {
	At     `yaml:"-"`
	Name   Str         `yaml:"name"`
	Action Str         `yaml:"action"`
	From   []AdminPeer `yaml:"from"`
	// Protocols is nil or empty when the rule does not filter by port.
	Protocols []ClusterNetworkPolicyProtocol `yaml:"protocols"`
}

// UnmarshalYAML records the rule's location.
func (r *ClusterNetworkPolicyRule) UnmarshalYAML(n *yaml.Node) error {
	type plain ClusterNetworkPolicyRule
	return decodeAt(n, &r.At, (*plain)(r))
}

// ClusterNetworkPolicyEgress is an egress rule of a ClusterNetworkPolicy.
type ClusterNetworkPolicyEgress struct {
	At        `yaml:"-"`
	Name      Str                            `yaml:"name"`
	Action    Str                            `yaml:"action"`
	To        []AdminPeer                    `yaml:"to"`
	Protocols []ClusterNetworkPolicyProtocol `yaml:"protocols"`
}

// UnmarshalYAML records the rule's location.
func (r *ClusterNetworkPolicyEgress) UnmarshalYAML(n *yaml.Node) error {
	type plain ClusterNetworkPolicyEgress
	return decodeAt(n, &r.At, (*plain)(r))
}

// ClusterNetworkPolicyProtocol is one protocol match of a rule. Exactly
// one field is set.
type ClusterNetworkPolicyProtocol struct {
	At                   `yaml:"-"`
	TCP                  *ClusterNetworkPolicyPortMatch `yaml:"tcp"`
	UDP                  *ClusterNetworkPolicyPortMatch `yaml:"udp"`
	SCTP                 *ClusterNetworkPolicyPortMatch `yaml:"sctp"`
	DestinationNamedPort Str                            `yaml:"destinationNamedPort"`
}

// UnmarshalYAML records the match's location.
func (p *ClusterNetworkPolicyProtocol) UnmarshalYAML(n *yaml.Node) error {
	type plain ClusterNetworkPolicyProtocol
	return decodeAt(n, &p.At, (*plain)(p))
}

// ClusterNetworkPolicyPortMatch is the match of one protocol: every port
// of it when DestinationPort is nil.
type ClusterNetworkPolicyPortMatch struct {
	DestinationPort *ClusterNetworkPolicyPort `yaml:"destinationPort"`
}

// ClusterNetworkPolicyPort is a port Number or a Range; exactly one is
// set.
type ClusterNetworkPolicyPort struct {
	Number Int             `yaml:"number"`
	Range  *AdminPortRange `yaml:"range"`
}
