package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// WorkloadGroup is the part of an Istio WorkloadGroup spec that rules read.
type WorkloadGroup struct {
	Metadata *struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Template *struct {
		ServiceAccount Str `yaml:"serviceAccount"`
	} `yaml:"template"`
}

// WasmPlugin is the part of an Istio WasmPlugin spec (extensions.istio.io)
// that rules read.
type WasmPlugin struct {
	Selector   *MatchLabelsSelector    `yaml:"selector"`
	TargetRef  *PolicyTargetReference  `yaml:"targetRef"`
	TargetRefs []PolicyTargetReference `yaml:"targetRefs"`
}

// GatewayAddresses is spec.addresses of a Gateway API Gateway.
type GatewayAddresses struct {
	Addresses []GatewayAddress `yaml:"addresses"`
}

// GatewayAddress is an entry of a Gateway API Gateway's spec.addresses.
type GatewayAddress struct {
	At    `yaml:"-"`
	Type  Str `yaml:"type"`
	Value Str `yaml:"value"`
}

// UnmarshalYAML records the address's location.
func (a *GatewayAddress) UnmarshalYAML(n *yaml.Node) error {
	type plain GatewayAddress
	return decodeAt(n, &a.At, (*plain)(a))
}
