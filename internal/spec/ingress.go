package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// Ingress is a networking.k8s.io/v1 Ingress spec.
type Ingress struct {
	DefaultBackend *IngressBackend `yaml:"defaultBackend"`
	Rules          []IngressRule   `yaml:"rules"`
}

// IngressRule is one host rule of an Ingress.
type IngressRule struct {
	At   `yaml:"-"`
	Host Str `yaml:"host"`
	HTTP *struct {
		Paths []IngressPath `yaml:"paths"`
	} `yaml:"http"`
}

// UnmarshalYAML records the rule's location.
func (r *IngressRule) UnmarshalYAML(n *yaml.Node) error {
	type plain IngressRule
	return decodeAt(n, &r.At, (*plain)(r))
}

// IngressPath is one path of an Ingress rule.
type IngressPath struct {
	At      `yaml:"-"`
	Path    Str            `yaml:"path"`
	Backend IngressBackend `yaml:"backend"`
}

// UnmarshalYAML records the path's location.
func (p *IngressPath) UnmarshalYAML(n *yaml.Node) error {
	type plain IngressPath
	return decodeAt(n, &p.At, (*plain)(p))
}

// IngressBackend is where an Ingress sends traffic: a Service, or another
// resource (which meshlint does not follow).
type IngressBackend struct {
	At      `yaml:"-"`
	Service *IngressServiceBackend `yaml:"service"`
}

// UnmarshalYAML records the backend's location.
func (b *IngressBackend) UnmarshalYAML(n *yaml.Node) error {
	type plain IngressBackend
	return decodeAt(n, &b.At, (*plain)(b))
}

// IngressServiceBackend names a Service and one of its ports, by name or
// by number.
type IngressServiceBackend struct {
	Name Str `yaml:"name"`
	Port struct {
		Name   Str `yaml:"name"`
		Number Int `yaml:"number"`
	} `yaml:"port"`
}

// Route is a route.openshift.io/v1 Route spec.
type Route struct {
	To                RouteTarget   `yaml:"to"`
	AlternateBackends []RouteTarget `yaml:"alternateBackends"`
	Port              *struct {
		TargetPort IntOrString `yaml:"targetPort"`
	} `yaml:"port"`
}

// RouteTarget is a backend of a Route; Kind is Service or empty.
type RouteTarget struct {
	At   `yaml:"-"`
	Kind Str `yaml:"kind"`
	Name Str `yaml:"name"`
}

// UnmarshalYAML records the target's location.
func (t *RouteTarget) UnmarshalYAML(n *yaml.Node) error {
	type plain RouteTarget
	return decodeAt(n, &t.At, (*plain)(t))
}
