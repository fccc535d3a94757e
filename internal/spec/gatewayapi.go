package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// This file holds the Gateway API (gateway.networking.k8s.io) specs. The
// fields are decoded as written: the API's defaults (a backendRef without
// kind is a Service, a parentRef without kind is a Gateway, an unset weight
// is 1, ...) are applied by the graph, which keeps Set false for every field
// the manifest leaves out.

// K8sGateway is a gateway.networking.k8s.io Gateway spec. It is named
// apart from Istio's Gateway (networking.istio.io), whose kind name it
// shares.
type K8sGateway struct {
	GatewayClassName Str        `yaml:"gatewayClassName"`
	Listeners        []Listener `yaml:"listeners"`
	// AllowedListeners says which ListenerSets may attach to the Gateway.
	AllowedListeners *AllowedListeners `yaml:"allowedListeners"`
	// TLS holds the Gateway's TLS settings that are not a listener's own.
	TLS *GatewayTLS `yaml:"tls"`
	// Infrastructure holds the labels and annotations Istio puts on what it
	// deploys for the Gateway, its pods included.
	Infrastructure *GatewayInfrastructure `yaml:"infrastructure"`
}

// GatewayInfrastructure is spec.infrastructure of a Gateway API Gateway.
type GatewayInfrastructure struct {
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
	// ParametersRef names the object that configures what the controller
	// deploys for the Gateway (Istio: a ConfigMap of its namespace).
	ParametersRef *LocalParametersRef `yaml:"parametersRef"`
}

// LocalParametersRef is a LocalParametersReference: an object of the
// referrer's namespace. The API requires group and kind; there is no
// default kind.
type LocalParametersRef struct {
	At    `yaml:"-"`
	Group Str `yaml:"group"`
	Kind  Str `yaml:"kind"`
	Name  Str `yaml:"name"`
}

// UnmarshalYAML records the reference's location.
func (r *LocalParametersRef) UnmarshalYAML(n *yaml.Node) error {
	type plain LocalParametersRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// GatewayTLS is spec.tls of a Gateway API Gateway: how its listeners
// validate client certificates (frontend), and the client certificate it
// presents to backends (backend).
type GatewayTLS struct {
	Frontend *FrontendTLS       `yaml:"frontend"`
	Backend  *GatewayBackendTLS `yaml:"backend"`
}

// GatewayBackendTLS is spec.tls.backend: the Gateway as a TLS client.
type GatewayBackendTLS struct {
	// ClientCertificateRef is a SecretObjectReference (default kind
	// Secret) to the certificate and key the Gateway presents to backends
	// that BackendTLSPolicies make it connect to with TLS.
	ClientCertificateRef *SecretRef `yaml:"clientCertificateRef"`
}

// FrontendTLS is spec.tls.frontend: how the listeners that terminate TLS
// validate client certificates, per port, or by default for the ports
// PerPort does not name.
type FrontendTLS struct {
	Default FrontendTLSConfig `yaml:"default"`
	PerPort []FrontendTLSPort `yaml:"perPort"`
}

// FrontendTLSConfig is the TLS configuration that spec.tls.frontend applies
// to listeners.
type FrontendTLSConfig struct {
	Validation *FrontendTLSValidation `yaml:"validation"`
}

// FrontendTLSPort is a spec.tls.frontend.perPort entry.
type FrontendTLSPort struct {
	At   `yaml:"-"`
	Port Int               `yaml:"port"`
	TLS  FrontendTLSConfig `yaml:"tls"`
}

// UnmarshalYAML records the entry's location.
func (p *FrontendTLSPort) UnmarshalYAML(n *yaml.Node) error {
	type plain FrontendTLSPort
	return decodeAt(n, &p.At, (*plain)(p))
}

// FrontendTLSValidation is the client certificate validation of listeners:
// the CA certificates client certificates must chain to.
type FrontendTLSValidation struct {
	At `yaml:"-"`
	// CACertificateRefs are ObjectReferences: group and kind are required,
	// there is no default kind.
	CACertificateRefs []SecretRef `yaml:"caCertificateRefs"`
	Mode              Str         `yaml:"mode"`
}

// UnmarshalYAML records the validation's location.
func (v *FrontendTLSValidation) UnmarshalYAML(n *yaml.Node) error {
	type plain FrontendTLSValidation
	return decodeAt(n, &v.At, (*plain)(v))
}

// Listener is one listener of a Gateway API Gateway.
type Listener struct {
	At            `yaml:"-"`
	Name          Str            `yaml:"name"`
	Hostname      Str            `yaml:"hostname"`
	Port          Int            `yaml:"port"`
	Protocol      Str            `yaml:"protocol"`
	TLS           *ListenerTLS   `yaml:"tls"`
	AllowedRoutes *AllowedRoutes `yaml:"allowedRoutes"`
}

// UnmarshalYAML records the listener's location.
func (l *Listener) UnmarshalYAML(n *yaml.Node) error {
	type plain Listener
	return decodeAt(n, &l.At, (*plain)(l))
}

// ListenerTLS is the TLS configuration of a listener.
type ListenerTLS struct {
	At              `yaml:"-"`
	Mode            Str         `yaml:"mode"`
	CertificateRefs []SecretRef `yaml:"certificateRefs"`
	// Options are implementation-specific settings: Istio reads
	// gateway.istio.io/tls-terminate-mode, which can make it serve the
	// gateway's own workload certificate instead of certificateRefs.
	Options map[string]string `yaml:"options"`
}

// UnmarshalYAML records the configuration's location.
func (t *ListenerTLS) UnmarshalYAML(n *yaml.Node) error {
	type plain ListenerTLS
	return decodeAt(n, &t.At, (*plain)(t))
}

// SecretRef is a SecretObjectReference: a reference to a Secret (by
// default) holding a certificate. It spells an ObjectReference too, which
// has the same fields without a default kind.
type SecretRef struct {
	At        `yaml:"-"`
	Group     Str `yaml:"group"`
	Kind      Str `yaml:"kind"`
	Name      Str `yaml:"name"`
	Namespace Str `yaml:"namespace"`
}

// UnmarshalYAML records the reference's location.
func (r *SecretRef) UnmarshalYAML(n *yaml.Node) error {
	type plain SecretRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// AllowedRoutes says which routes may attach to a listener.
type AllowedRoutes struct {
	At         `yaml:"-"`
	Namespaces *RouteNamespaces `yaml:"namespaces"`
	Kinds      []RouteGroupKind `yaml:"kinds"`
}

// UnmarshalYAML records the field's location.
func (a *AllowedRoutes) UnmarshalYAML(n *yaml.Node) error {
	type plain AllowedRoutes
	return decodeAt(n, &a.At, (*plain)(a))
}

// RouteNamespaces says from which namespaces routes may attach.
type RouteNamespaces struct {
	At       `yaml:"-"`
	From     Str            `yaml:"from"`
	Selector *LabelSelector `yaml:"selector"`
}

// UnmarshalYAML records the field's location.
func (r *RouteNamespaces) UnmarshalYAML(n *yaml.Node) error {
	type plain RouteNamespaces
	return decodeAt(n, &r.At, (*plain)(r))
}

// RouteGroupKind is a kind of route a listener admits.
type RouteGroupKind struct {
	At    `yaml:"-"`
	Group Str `yaml:"group"`
	Kind  Str `yaml:"kind"`
}

// UnmarshalYAML records the entry's location.
func (k *RouteGroupKind) UnmarshalYAML(n *yaml.Node) error {
	type plain RouteGroupKind
	return decodeAt(n, &k.At, (*plain)(k))
}

// GatewayRoute is the spec of every Gateway API route kind: HTTPRoute,
// GRPCRoute, TCPRoute, TLSRoute and UDPRoute. The kinds differ in their
// matches, which meshlint does not read, and in their filters' types;
// TCPRoute and UDPRoute have neither hostnames nor filters.
type GatewayRoute struct {
	ParentRefs []ParentRef        `yaml:"parentRefs"`
	Hostnames  []Str              `yaml:"hostnames"`
	Rules      []GatewayRouteRule `yaml:"rules"`
}

// ParentRef is a parentRefs entry of a route.
type ParentRef struct {
	At          `yaml:"-"`
	Group       Str `yaml:"group"`
	Kind        Str `yaml:"kind"`
	Namespace   Str `yaml:"namespace"`
	Name        Str `yaml:"name"`
	SectionName Str `yaml:"sectionName"`
	Port        Int `yaml:"port"`
}

// UnmarshalYAML records the reference's location.
func (r *ParentRef) UnmarshalYAML(n *yaml.Node) error {
	type plain ParentRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// GatewayRouteRule is one rule of a route.
type GatewayRouteRule struct {
	At          `yaml:"-"`
	Name        Str                  `yaml:"name"`
	BackendRefs []BackendRef         `yaml:"backendRefs"`
	Filters     []GatewayRouteFilter `yaml:"filters"`
}

// UnmarshalYAML records the rule's location.
func (r *GatewayRouteRule) UnmarshalYAML(n *yaml.Node) error {
	type plain GatewayRouteRule
	return decodeAt(n, &r.At, (*plain)(r))
}

// BackendRef is a backendRefs entry of a route rule, or the backendRef of
// a RequestMirror filter (which has no weight).
type BackendRef struct {
	At        `yaml:"-"`
	Group     Str                  `yaml:"group"`
	Kind      Str                  `yaml:"kind"`
	Name      Str                  `yaml:"name"`
	Namespace Str                  `yaml:"namespace"`
	Port      Int                  `yaml:"port"`
	Weight    Int                  `yaml:"weight"`
	Filters   []GatewayRouteFilter `yaml:"filters"`
}

// UnmarshalYAML records the reference's location.
func (r *BackendRef) UnmarshalYAML(n *yaml.Node) error {
	type plain BackendRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// GatewayRouteFilter is a filter of an HTTPRoute or GRPCRoute rule or
// backend. Its type is read, and a RequestMirror's backend, which is a
// reference of the route too, and share; the other filters' settings are
// not.
type GatewayRouteFilter struct {
	At            `yaml:"-"`
	Type          Str            `yaml:"type"`
	RequestMirror *RequestMirror `yaml:"requestMirror"`
}

// RequestMirror is a Gateway API HTTPRequestMirrorFilter. The API allows
// one of Percent and Fraction; with neither, every request is mirrored.
type RequestMirror struct {
	BackendRef *BackendRef     `yaml:"backendRef"`
	Percent    Int             `yaml:"percent"`
	Fraction   *MirrorFraction `yaml:"fraction"`
}

// MirrorFraction is the fraction of a RequestMirror filter, the API's
// Fraction. The API defaults an unset Denominator to 100.
type MirrorFraction struct {
	Numerator   Int `yaml:"numerator"`
	Denominator Int `yaml:"denominator"`
}

// UnmarshalYAML records the filter's location.
func (f *GatewayRouteFilter) UnmarshalYAML(n *yaml.Node) error {
	type plain GatewayRouteFilter
	return decodeAt(n, &f.At, (*plain)(f))
}

// ReferenceGrant is a gateway.networking.k8s.io ReferenceGrant spec: it
// lets the objects described in From refer to the objects described in To,
// which live in the grant's own namespace.
type ReferenceGrant struct {
	From []ReferenceGrantFrom `yaml:"from"`
	To   []ReferenceGrantTo   `yaml:"to"`
}

// ReferenceGrantFrom describes trusted referrers.
type ReferenceGrantFrom struct {
	At        `yaml:"-"`
	Group     Str `yaml:"group"`
	Kind      Str `yaml:"kind"`
	Namespace Str `yaml:"namespace"`
}

// UnmarshalYAML records the entry's location.
func (f *ReferenceGrantFrom) UnmarshalYAML(n *yaml.Node) error {
	type plain ReferenceGrantFrom
	return decodeAt(n, &f.At, (*plain)(f))
}

// ReferenceGrantTo describes the objects that may be referred to. An unset
// name means every object of the group and kind.
type ReferenceGrantTo struct {
	At    `yaml:"-"`
	Group Str `yaml:"group"`
	Kind  Str `yaml:"kind"`
	Name  Str `yaml:"name"`
}

// UnmarshalYAML records the entry's location.
func (t *ReferenceGrantTo) UnmarshalYAML(n *yaml.Node) error {
	type plain ReferenceGrantTo
	return decodeAt(n, &t.At, (*plain)(t))
}

// GatewayClass is a gateway.networking.k8s.io GatewayClass spec.
type GatewayClass struct {
	ControllerName Str `yaml:"controllerName"`
}
