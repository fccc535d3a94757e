package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// PeerAuthentication is security.istio.io PeerAuthentication spec.
type PeerAuthentication struct {
	Selector      *MatchLabelsSelector `yaml:"selector"`
	MTLS          *PeerMTLS            `yaml:"mtls"`
	PortLevelMTLS map[string]PeerMTLS  `yaml:"portLevelMtls"`
}

// PeerMTLS is an mTLS mode setting.
type PeerMTLS struct {
	At   `yaml:"-"`
	Mode Str `yaml:"mode"`
}

// UnmarshalYAML records the setting's location.
func (m *PeerMTLS) UnmarshalYAML(n *yaml.Node) error {
	type plain PeerMTLS
	return decodeAt(n, &m.At, (*plain)(m))
}

// MatchLabelsSelector is Istio's workload selector of security policies.
type MatchLabelsSelector struct {
	At          `yaml:"-"`
	MatchLabels map[string]string `yaml:"matchLabels"`
}

// UnmarshalYAML records the selector's location.
func (s *MatchLabelsSelector) UnmarshalYAML(n *yaml.Node) error {
	type plain MatchLabelsSelector
	return decodeAt(n, &s.At, (*plain)(s))
}

// PolicyTargetReference is a targetRef of a policy.
type PolicyTargetReference struct {
	At        `yaml:"-"`
	Group     Str `yaml:"group"`
	Kind      Str `yaml:"kind"`
	Name      Str `yaml:"name"`
	Namespace Str `yaml:"namespace"`
}

// UnmarshalYAML records the reference's location.
func (r *PolicyTargetReference) UnmarshalYAML(n *yaml.Node) error {
	type plain PolicyTargetReference
	return decodeAt(n, &r.At, (*plain)(r))
}

// AuthorizationPolicy is security.istio.io AuthorizationPolicy spec.
type AuthorizationPolicy struct {
	Selector   *MatchLabelsSelector    `yaml:"selector"`
	TargetRef  *PolicyTargetReference  `yaml:"targetRef"`
	TargetRefs []PolicyTargetReference `yaml:"targetRefs"`
	Action     Str                     `yaml:"action"`
	Rules      []AuthzRule             `yaml:"rules"`
	Provider   *AuthzProvider          `yaml:"provider"`
}

// AuthzProvider is the extension provider of a CUSTOM AuthorizationPolicy.
type AuthzProvider struct {
	Name Str `yaml:"name"`
}

// AuthzRule is one rule of an AuthorizationPolicy.
type AuthzRule struct {
	At   `yaml:"-"`
	From []struct {
		Source *AuthzSource `yaml:"source"`
	} `yaml:"from"`
	To []struct {
		Operation *AuthzOperation `yaml:"operation"`
	} `yaml:"to"`
	When []AuthzCondition `yaml:"when"`
}

// UnmarshalYAML records the rule's location.
func (r *AuthzRule) UnmarshalYAML(n *yaml.Node) error {
	type plain AuthzRule
	return decodeAt(n, &r.At, (*plain)(r))
}

// AuthzSource is a source of an AuthorizationPolicy rule.
type AuthzSource struct {
	At                   `yaml:"-"`
	Principals           []Str `yaml:"principals"`
	NotPrincipals        []Str `yaml:"notPrincipals"`
	RequestPrincipals    []Str `yaml:"requestPrincipals"`
	NotRequestPrincipals []Str `yaml:"notRequestPrincipals"`
	Namespaces           []Str `yaml:"namespaces"`
	NotNamespaces        []Str `yaml:"notNamespaces"`
	ServiceAccounts      []Str `yaml:"serviceAccounts"`
	NotServiceAccounts   []Str `yaml:"notServiceAccounts"`
	TrustDomains         []Str `yaml:"trustDomains"`
	NotTrustDomains      []Str `yaml:"notTrustDomains"`
	IPBlocks             []Str `yaml:"ipBlocks"`
	NotIPBlocks          []Str `yaml:"notIpBlocks"`
	RemoteIPBlocks       []Str `yaml:"remoteIpBlocks"`
	NotRemoteIPBlocks    []Str `yaml:"notRemoteIpBlocks"`
}

// UnmarshalYAML records the source's location.
func (s *AuthzSource) UnmarshalYAML(n *yaml.Node) error {
	type plain AuthzSource
	return decodeAt(n, &s.At, (*plain)(s))
}

// AuthzOperation is an operation of an AuthorizationPolicy rule.
type AuthzOperation struct {
	At         `yaml:"-"`
	Hosts      []Str `yaml:"hosts"`
	NotHosts   []Str `yaml:"notHosts"`
	Ports      []Str `yaml:"ports"`
	NotPorts   []Str `yaml:"notPorts"`
	Methods    []Str `yaml:"methods"`
	NotMethods []Str `yaml:"notMethods"`
	Paths      []Str `yaml:"paths"`
	NotPaths   []Str `yaml:"notPaths"`
}

// UnmarshalYAML records the operation's location.
func (o *AuthzOperation) UnmarshalYAML(n *yaml.Node) error {
	type plain AuthzOperation
	return decodeAt(n, &o.At, (*plain)(o))
}

// AuthzCondition is a `when` condition.
type AuthzCondition struct {
	At        `yaml:"-"`
	Key       Str   `yaml:"key"`
	Values    []Str `yaml:"values"`
	NotValues []Str `yaml:"notValues"`
}

// UnmarshalYAML records the condition's location.
func (c *AuthzCondition) UnmarshalYAML(n *yaml.Node) error {
	type plain AuthzCondition
	return decodeAt(n, &c.At, (*plain)(c))
}

// RequestAuthentication is security.istio.io RequestAuthentication spec.
type RequestAuthentication struct {
	Selector   *MatchLabelsSelector    `yaml:"selector"`
	TargetRef  *PolicyTargetReference  `yaml:"targetRef"`
	TargetRefs []PolicyTargetReference `yaml:"targetRefs"`
	JWTRules   []JWTRule               `yaml:"jwtRules"`
}

// JWTRule is one JWT issuer accepted by a RequestAuthentication.
type JWTRule struct {
	At      `yaml:"-"`
	Issuer  Str `yaml:"issuer"`
	JwksURI Str `yaml:"jwksUri"`
	Jwks    Str `yaml:"jwks"`
	// Presence is REQUIRED, OPTIONAL or unset (istio.io/api 1.32).
	Presence Str `yaml:"presence"`
}

// UnmarshalYAML records the rule's location.
func (r *JWTRule) UnmarshalYAML(n *yaml.Node) error {
	type plain JWTRule
	return decodeAt(n, &r.At, (*plain)(r))
}
