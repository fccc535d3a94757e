package spec

import (
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Telemetry is telemetry.istio.io Telemetry spec.
type Telemetry struct {
	Selector      *MatchLabelsSelector    `yaml:"selector"`
	TargetRef     *PolicyTargetReference  `yaml:"targetRef"`
	TargetRefs    []PolicyTargetReference `yaml:"targetRefs"`
	AccessLogging []TelemetryAccessLog    `yaml:"accessLogging"`
	Tracing       []TelemetryTracing      `yaml:"tracing"`
	Metrics       []TelemetryMetrics      `yaml:"metrics"`
}

// TelemetryProvider names a MeshConfig extension provider.
type TelemetryProvider struct {
	At   `yaml:"-"`
	Name Str `yaml:"name"`
}

// UnmarshalYAML records the provider's location.
func (p *TelemetryProvider) UnmarshalYAML(n *yaml.Node) error {
	type plain TelemetryProvider
	return decodeAt(n, &p.At, (*plain)(p))
}

// TelemetryAccessLog is one entry of Telemetry accessLogging.
type TelemetryAccessLog struct {
	At        `yaml:"-"`
	Providers []TelemetryProvider `yaml:"providers"`
	Disabled  Bool                `yaml:"disabled"`
}

// UnmarshalYAML records the entry's location.
func (a *TelemetryAccessLog) UnmarshalYAML(n *yaml.Node) error {
	type plain TelemetryAccessLog
	return decodeAt(n, &a.At, (*plain)(a))
}

// TelemetryTracing is one entry of Telemetry tracing.
type TelemetryTracing struct {
	At        `yaml:"-"`
	Providers []TelemetryProvider `yaml:"providers"`
}

// UnmarshalYAML records the entry's location.
func (t *TelemetryTracing) UnmarshalYAML(n *yaml.Node) error {
	type plain TelemetryTracing
	return decodeAt(n, &t.At, (*plain)(t))
}

// TelemetryMetrics is one entry of Telemetry metrics.
type TelemetryMetrics struct {
	At        `yaml:"-"`
	Providers []TelemetryProvider `yaml:"providers"`
}

// UnmarshalYAML records the entry's location.
func (m *TelemetryMetrics) UnmarshalYAML(n *yaml.Node) error {
	type plain TelemetryMetrics
	return decodeAt(n, &m.At, (*plain)(m))
}

// EnvoyFilter is networking.istio.io EnvoyFilter spec.
type EnvoyFilter struct {
	WorkloadSelector *WorkloadSelector       `yaml:"workloadSelector"`
	TargetRefs       []PolicyTargetReference `yaml:"targetRefs"`
	Priority         Int                     `yaml:"priority"`
	ConfigPatches    []EnvoyConfigPatch      `yaml:"configPatches"`
}

// EnvoyConfigPatch is one entry of EnvoyFilter configPatches.
type EnvoyConfigPatch struct {
	At      `yaml:"-"`
	ApplyTo Str         `yaml:"applyTo"`
	Match   *EnvoyMatch `yaml:"match"`
	Patch   *EnvoyPatch `yaml:"patch"`
}

// UnmarshalYAML records the patch's location.
func (p *EnvoyConfigPatch) UnmarshalYAML(n *yaml.Node) error {
	type plain EnvoyConfigPatch
	return decodeAt(n, &p.At, (*plain)(p))
}

// EnvoyMatch is the match of an EnvoyFilter patch; only the parts rules
// read are declared.
type EnvoyMatch struct {
	Context Str `yaml:"context"`
	Proxy   *struct {
		ProxyVersion Str `yaml:"proxyVersion"`
	} `yaml:"proxy"`
	Listener *struct {
		FilterChain *struct {
			Filter *struct {
				Name Str `yaml:"name"`
			} `yaml:"filter"`
		} `yaml:"filterChain"`
	} `yaml:"listener"`
}

// EnvoyPatch is the patch of an EnvoyFilter config patch.
type EnvoyPatch struct {
	At        `yaml:"-"`
	Operation Str `yaml:"operation"`
	Value     *struct {
		Name Str `yaml:"name"`
	} `yaml:"value"`
}

// UnmarshalYAML records the patch's location.
func (p *EnvoyPatch) UnmarshalYAML(n *yaml.Node) error {
	type plain EnvoyPatch
	return decodeAt(n, &p.At, (*plain)(p))
}

// Secret is a core/v1 Secret: its type and data (base64, as written) or
// stringData. Rules may read the values to check a certificate but must
// never print them.
type Secret struct {
	Type       Str               `yaml:"type"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
}

// SecurityContext is the part of a pod or container security context
// meshlint reads.
type SecurityContext struct {
	At         `yaml:"-"`
	RunAsUser  Int `yaml:"runAsUser"`
	RunAsGroup Int `yaml:"runAsGroup"`
}

// UnmarshalYAML records the context's location.
func (s *SecurityContext) UnmarshalYAML(n *yaml.Node) error {
	type plain SecurityContext
	return decodeAt(n, &s.At, (*plain)(s))
}

// Fault is the part of an HTTP route's fault injection rules read.
type Fault struct {
	Delay *struct {
		Percent Int `yaml:"percent"`
	} `yaml:"delay"`
}

// SidecarEgressProxy is the outboundTrafficPolicy.egressProxy of a Sidecar
// (undocumented: $hide_from_docs, not deprecated), a Destination in the
// API: Pilot names the cluster of unknown traffic after its host, subset
// and port.
type SidecarEgressProxy struct {
	At   `yaml:"-"`
	Host Str `yaml:"host"`
	// Subset and Port (port.number) are read as yamlpath reads them: a
	// value of the wrong type is left to schema validation (MR001), not
	// made an input error that would drop the Sidecar. Each is set only
	// when Value reads it without a mismatch.
	Subset Str `yaml:"-"`
	Port   Int `yaml:"-"`
}

// UnmarshalYAML records the setting's location.
func (e *SidecarEgressProxy) UnmarshalYAML(n *yaml.Node) error {
	type plain SidecarEgressProxy
	if err := decodeAt(n, &e.At, (*plain)(e)); err != nil {
		return err
	}
	var subset Str
	if s := yamlpath.Field(n, "subset"); s != nil && subset.UnmarshalYAML(s) == nil {
		e.Subset = subset
	}
	var port Int
	if num := yamlpath.Field(yamlpath.Field(n, "port"), "number"); num != nil && port.UnmarshalYAML(num) == nil {
		e.Port = port
	}
	return nil
}
