package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// ListenerSet is a gateway.networking.k8s.io ListenerSet spec: listeners
// that attach to a Gateway (parentRef) when its spec.allowedListeners let
// the ListenerSet's namespace. A ListenerEntry has the fields of a
// Gateway's Listener, so it is decoded as one.
type ListenerSet struct {
	ParentRef *ParentGatewayRef `yaml:"parentRef"`
	Listeners []Listener        `yaml:"listeners"`
}

// ParentGatewayRef is a ListenerSet's parentRef (a ParentGatewayReference):
// without group and kind it names a gateway.networking.k8s.io Gateway.
type ParentGatewayRef struct {
	At        `yaml:"-"`
	Group     Str `yaml:"group"`
	Kind      Str `yaml:"kind"`
	Name      Str `yaml:"name"`
	Namespace Str `yaml:"namespace"`
}

// UnmarshalYAML records the reference's location.
func (r *ParentGatewayRef) UnmarshalYAML(n *yaml.Node) error {
	type plain ParentGatewayRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// AllowedListeners is spec.allowedListeners of a Gateway: the namespaces
// whose ListenerSets may attach to it. Without it, or without from, none
// may (from: None).
type AllowedListeners struct {
	At         `yaml:"-"`
	Namespaces *ListenerNamespaces `yaml:"namespaces"`
}

// UnmarshalYAML records the field's location.
func (a *AllowedListeners) UnmarshalYAML(n *yaml.Node) error {
	type plain AllowedListeners
	return decodeAt(n, &a.At, (*plain)(a))
}

// ListenerNamespaces is spec.allowedListeners.namespaces of a Gateway.
type ListenerNamespaces struct {
	At       `yaml:"-"`
	From     Str            `yaml:"from"`
	Selector *LabelSelector `yaml:"selector"`
}

// UnmarshalYAML records the field's location.
func (l *ListenerNamespaces) UnmarshalYAML(n *yaml.Node) error {
	type plain ListenerNamespaces
	return decodeAt(n, &l.At, (*plain)(l))
}
