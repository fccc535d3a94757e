// Package config holds the settings of a run: which rules run at what
// severity, and what meshlint assumes about the mesh it cannot see.
//
// The settings come from a .meshlint.yaml file (see File and docs/config.md)
// and from an Istio MeshConfig (see ReadMeshConfig). Both are read as
// yaml.v3 nodes so that every mistake is reported with its file and line.
package config

// Mesh describes the mesh installation the manifests are meant for. These
// are the MeshConfig values that change what the rules conclude.
//
// The zero value of every field stands for Istio's default, so that a
// partly filled Mesh behaves like DefaultMesh; Complete fills the names in.
type Mesh struct {
	// RootNamespace is Istio's config root namespace: PeerAuthentication,
	// DestinationRules and Sidecars there apply mesh-wide.
	RootNamespace string
	// ClusterDomain is the Kubernetes cluster domain used to expand short
	// host names.
	ClusterDomain string
	// ClosedWorld asserts that the input holds every object of the cluster,
	// so that absence ("no Service for this host") is an error rather than
	// something meshlint cannot see.
	ClosedWorld bool
	// TrustDomain is the SPIFFE trust domain of workload identities
	// (MeshConfig trustDomain), as in principals
	// "<trust-domain>/ns/<namespace>/sa/<service-account>".
	TrustDomain string
	// TrustDomainAliases are the other trust domains whose principals
	// Istio treats as the mesh's own (MeshConfig trustDomainAliases, used
	// while a mesh moves from one trust domain to another).
	TrustDomainAliases []string
	// DefaultServiceExportTo is the exportTo of Services (without the
	// networking.istio.io/exportTo annotation) and ServiceEntries (without
	// exportTo): MeshConfig defaultServiceExportTo. Empty means "*".
	DefaultServiceExportTo []string
	// DefaultVirtualServiceExportTo is the exportTo of VirtualServices that
	// set none (MeshConfig defaultVirtualServiceExportTo). Empty means "*".
	DefaultVirtualServiceExportTo []string
	// DefaultDestinationRuleExportTo is the exportTo of DestinationRules
	// that set none (MeshConfig defaultDestinationRuleExportTo). Empty
	// means "*".
	DefaultDestinationRuleExportTo []string
	// OutboundTrafficPolicy is the sidecars' default handling of traffic to
	// hosts outside the service registry (MeshConfig
	// outboundTrafficPolicy.mode). Empty means AllowAny.
	OutboundTrafficPolicy OutboundMode
	// DisableAutoMTLS is MeshConfig enableAutoMtls: false. With auto mTLS
	// (the default) a client without DestinationRule TLS settings uses
	// Istio mTLS towards servers that accept it.
	DisableAutoMTLS bool
	// ExtensionProviders are the MeshConfig's extensionProviders merged
	// into Istio's built-in ones, and ProvidersKnown whether a MeshConfig
	// was read: without one, meshlint cannot tell a provider the mesh
	// defines from a mistake.
	ExtensionProviders []ExtensionProvider
	ProvidersKnown     bool
	// DefaultProviders is MeshConfig defaultProviders (none by default).
	DefaultProviders DefaultProviders
	// ScopeGatewayToNamespace is istiod's environment variable
	// PILOT_SCOPE_GATEWAY_TO_NAMESPACE, not a MeshConfig field: when set,
	// a gateway proxy takes only the Gateways of its own namespace
	// (PushContext.mergeGateways reads gatewayIndex.namespace[proxy's
	// namespace]), so a Gateway's selector picks pods of its namespace
	// only. Off by default, as in Istio.
	ScopeGatewayToNamespace bool
	// FlaggerMeshProvider is the -mesh-provider flag of the Flagger
	// controller: the provider of the Canaries that set no spec.provider
	// (the scheduler's advanceCanary and the finalizer take it then).
	// Empty means Flagger's default, istio, which only the graph assumes:
	// MR156 says nothing about such a Canary until it is set, since an
	// installation may have changed the flag.
	FlaggerMeshProvider string
	// FlaggerSelectorLabels is the -selector-labels flag of the Flagger
	// controller, split at its commas: the pod labels of which Flagger
	// takes the first that a Canary target's selector has. Nil means the
	// flag's default (FlaggerLabels).
	FlaggerSelectorLabels []string
	// KubernetesMinor is the minor version N of the Kubernetes release
	// 1.N whose API server the manifests are applied to: the validation
	// of some fields changed between releases (kubevalid.GatesFor). 0
	// means DefaultKubernetesVersion; read it with Kubernetes.
	KubernetesMinor int
}

// OutboundMode is a MeshConfig outboundTrafficPolicy mode.
type OutboundMode string

// The outboundTrafficPolicy modes.
const (
	// AllowAny lets traffic to unknown hosts through (Istio's default).
	AllowAny OutboundMode = "ALLOW_ANY"
	// RegistryOnly drops traffic to hosts outside the service registry.
	RegistryOnly OutboundMode = "REGISTRY_ONLY"
	// AllowAnyDynamicDNS lets traffic to unknown hosts through, resolved
	// by dynamic DNS.
	AllowAnyDynamicDNS OutboundMode = "ALLOW_ANY_DYNAMIC_DNS"
)

// outboundModes are the valid modes, in the order messages list them.
var outboundModes = []OutboundMode{AllowAny, RegistryOnly, AllowAnyDynamicDNS}

// AutoMTLS reports whether MeshConfig enableAutoMtls is on.
func (m Mesh) AutoMTLS() bool { return !m.DisableAutoMTLS }

// DefaultMesh returns Istio's defaults.
func DefaultMesh() Mesh {
	return Mesh{
		RootNamespace:         "istio-system",
		ClusterDomain:         "cluster.local",
		TrustDomain:           "cluster.local",
		OutboundTrafficPolicy: AllowAny,
	}
}

// Complete returns m with its empty names set to Istio's defaults.
func (m Mesh) Complete() Mesh {
	d := DefaultMesh()
	if m.RootNamespace == "" {
		m.RootNamespace = d.RootNamespace
	}
	if m.ClusterDomain == "" {
		m.ClusterDomain = d.ClusterDomain
	}
	if m.TrustDomain == "" {
		m.TrustDomain = d.TrustDomain
	}
	if m.OutboundTrafficPolicy == "" {
		m.OutboundTrafficPolicy = d.OutboundTrafficPolicy
	}
	return m
}

// MeshSettings is a partial Mesh, as read from a configuration file or a
// MeshConfig: empty fields are not set and leave the Mesh as it is.
type MeshSettings struct {
	RootNamespace, ClusterDomain, TrustDomain string
	TrustDomainAliases                        []string

	DefaultServiceExportTo, DefaultVirtualServiceExportTo, DefaultDestinationRuleExportTo []string

	OutboundTrafficPolicy OutboundMode
	EnableAutoMTLS        *bool
	// ScopeGatewayToNamespace is set from the configuration file or from
	// an IstioOperator's istiod environment, never from a MeshConfig.
	ScopeGatewayToNamespace *bool
	// FlaggerMeshProvider and FlaggerSelectorLabels are set from the
	// file's flagger section only.
	FlaggerMeshProvider   string
	FlaggerSelectorLabels []string
	// KubernetesMinor is set from the file's kubernetes section only; 0
	// is unset.
	KubernetesMinor int

	// FromMeshConfig is set on the settings read from a MeshConfig, whose
	// extensionProviders and defaultProviders are then known (Istio's
	// defaults when it sets none).
	FromMeshConfig     bool
	ExtensionProviders []ExtensionProvider
	DefaultProviders   *DefaultProviders
}

// Apply sets the fields of m that s sets.
func (s MeshSettings) Apply(m *Mesh) {
	setString := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setString(&m.RootNamespace, s.RootNamespace)
	setString(&m.ClusterDomain, s.ClusterDomain)
	setString(&m.TrustDomain, s.TrustDomain)
	setList := func(dst *[]string, v []string) {
		if len(v) > 0 {
			*dst = v
		}
	}
	setList(&m.TrustDomainAliases, s.TrustDomainAliases)
	setList(&m.DefaultServiceExportTo, s.DefaultServiceExportTo)
	setList(&m.DefaultVirtualServiceExportTo, s.DefaultVirtualServiceExportTo)
	setList(&m.DefaultDestinationRuleExportTo, s.DefaultDestinationRuleExportTo)
	if s.OutboundTrafficPolicy != "" {
		m.OutboundTrafficPolicy = s.OutboundTrafficPolicy
	}
	if s.EnableAutoMTLS != nil {
		m.DisableAutoMTLS = !*s.EnableAutoMTLS
	}
	if s.ScopeGatewayToNamespace != nil {
		m.ScopeGatewayToNamespace = *s.ScopeGatewayToNamespace
	}
	if s.FlaggerMeshProvider != "" {
		m.FlaggerMeshProvider = s.FlaggerMeshProvider
	}
	setList(&m.FlaggerSelectorLabels, s.FlaggerSelectorLabels)
	if s.KubernetesMinor > 0 {
		m.KubernetesMinor = s.KubernetesMinor
	}
	if s.FromMeshConfig {
		if !m.ProvidersKnown {
			m.ExtensionProviders = builtinProviders
		}
		m.ExtensionProviders = mergeProviders(m.ExtensionProviders, s.ExtensionProviders)
		m.ProvidersKnown = true
	}
	if s.DefaultProviders != nil {
		m.DefaultProviders = *s.DefaultProviders
	}
}
