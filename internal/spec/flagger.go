package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// Canary is the part of a Flagger Canary spec (flagger.app/v1beta1) that
// meshlint reads: what decides the objects Flagger creates for it at run
// time, the primary workload, the apex, primary and canary Services, and,
// for the Istio provider, the VirtualService and the DestinationRules, for
// the Gateway API provider the HTTPRoute.
// Field names are those of Flagger's pkg/apis/flagger/v1beta1/canary.go.
type Canary struct {
	// Provider overrides Flagger's -mesh-provider flag for this Canary.
	Provider  Str             `yaml:"provider"`
	TargetRef CanaryTargetRef `yaml:"targetRef"`
	Service   CanaryService   `yaml:"service"`
	Analysis  *CanaryAnalysis `yaml:"analysis"`
}

// CanaryAnalysis is the part of spec.analysis of a Canary that shapes the
// VirtualService or HTTPRoute Flagger creates.
type CanaryAnalysis struct {
	// Match makes the analysis an A/B test: the first route of Flagger's
	// VirtualService (the first rule of its HTTPRoute) matches these
	// merged into spec.service.match, and a second one sends
	// spec.service.match to the primary Service alone.
	Match []HTTPMatch `yaml:"match"`
}

// CanaryTargetRef is spec.targetRef of a Canary: the Deployment, DaemonSet
// or Service of the Canary's namespace that Flagger rolls out.
type CanaryTargetRef struct {
	At         `yaml:"-"`
	APIVersion Str `yaml:"apiVersion"`
	Kind       Str `yaml:"kind"`
	Name       Str `yaml:"name"`
}

// UnmarshalYAML records the reference's location.
func (r *CanaryTargetRef) UnmarshalYAML(n *yaml.Node) error {
	type plain CanaryTargetRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// CanaryService is spec.service of a Canary: the name and port of the
// Services Flagger generates, and the metadata it gives each.
type CanaryService struct {
	At `yaml:"-"`
	// Name is the apex Service's name; Flagger defaults it to the
	// targetRef's name.
	Name Str `yaml:"name"`
	Port Int `yaml:"port"`
	// PortName defaults to "http".
	PortName Str `yaml:"portName"`
	// TargetPort defaults to Port.
	TargetPort  IntOrString `yaml:"targetPort"`
	AppProtocol Str         `yaml:"appProtocol"`
	// PortDiscovery adds the target's container ports to the Services.
	PortDiscovery Bool `yaml:"portDiscovery"`
	// Gateways and Hosts are those of Flagger's VirtualService, which adds
	// the apex host, and the mesh gateway when Gateways is empty. Hosts
	// are also the hostnames of the HTTPRoute of the Gateway API provider,
	// as written.
	Gateways []Str `yaml:"gateways"`
	Hosts    []Str `yaml:"hosts"`
	// GatewayRefs are the parentRefs of the HTTPRoute that Flagger's
	// Gateway API router creates, which creates none without them. The
	// Canary CRD defaults their group and kind as the HTTPRoute's does
	// (gateway.networking.k8s.io, Gateway).
	GatewayRefs []ParentRef `yaml:"gatewayRefs"`
	// Mirror are the RequestMirror filters of that HTTPRoute's rules
	// (Gateway API HTTPRequestMirrorFilters, of the type of
	// GatewayRouteFilter.RequestMirror; the Canary CRD defaults group ""
	// and kind Service, as the HTTPRoute's does).
	Mirror []struct {
		BackendRef *BackendRef `yaml:"backendRef"`
	} `yaml:"mirror"`
	// Delegation makes the VirtualService a delegate, without hosts or
	// gateways, whose routes Istio merges into those that delegate to it.
	Delegation Bool `yaml:"delegation"`
	// Match, Rewrite, Timeout and Retries are copied into the
	// VirtualService's route (of Rewrite, its uri and authority). The
	// Gateway API router turns Match into the HTTPRoute rule's matches,
	// failing on a matcher the Gateway API lacks, and Rewrite into a
	// URLRewrite filter.
	Match   []HTTPMatch    `yaml:"match"`
	Rewrite *CanaryRewrite `yaml:"rewrite"`
	Timeout Str            `yaml:"timeout"`
	Retries *Retries       `yaml:"retries"`
	// Headers are Istio header operations, which Flagger copies into the
	// VirtualService's routes; the rules that check their values read the
	// Canary's nodes. The Gateway API router turns them into the
	// HTTPRoute rules' RequestHeaderModifier and ResponseHeaderModifier
	// filters.
	Headers *HTTPHeaders `yaml:"headers"`
	// CorsPolicy is Istio's, which Flagger copies into each HTTP route of
	// the VirtualService, held as HTTPRoute.CorsPolicy is: the names of
	// the fields it sets. The Gateway API router ignores it.
	CorsPolicy *HeaderNames `yaml:"corsPolicy"`
	// Keys are where the keys of the fields copied into the routes are,
	// for the findings on those routes' headers and corsPolicy.
	Keys KeyLocs `yaml:"-" keys:"headers,corsPolicy"`
	// TrafficPolicy is the traffic policy of the DestinationRules Flagger
	// creates for the primary and canary Services. The Canary CRD's schema
	// has no portLevelSettings, nor tls.credentialName and
	// tls.insecureSkipVerify: the API server drops them.
	TrafficPolicy *TrafficPolicy `yaml:"trafficPolicy"`
	// Apex, Primary and Canary are the labels and annotations Flagger
	// adds to each Service; Apex's also to the VirtualService.
	Apex    *CanaryMetadata `yaml:"apex"`
	Primary *CanaryMetadata `yaml:"primary"`
	Canary  *CanaryMetadata `yaml:"canary"`
}

// UnmarshalYAML records the field's location.
func (s *CanaryService) UnmarshalYAML(n *yaml.Node) error {
	type plain CanaryService
	return decodeAt(n, &s.At, (*plain)(s))
}

// CanaryMetadata is Flagger's CustomMetadata: labels and annotations of a
// generated object.
type CanaryMetadata struct {
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// CanaryRewrite is spec.service.rewrite of a Canary.
type CanaryRewrite struct {
	At        `yaml:"-"`
	URI       Str `yaml:"uri"`
	Authority Str `yaml:"authority"`
	// Type is the Gateway API path modifier: ReplacePrefixMatch, or
	// anything else for ReplaceFullPath.
	Type Str `yaml:"type"`
}

// UnmarshalYAML records the field's location.
func (r *CanaryRewrite) UnmarshalYAML(n *yaml.Node) error {
	type plain CanaryRewrite
	return decodeAt(n, &r.At, (*plain)(r))
}
