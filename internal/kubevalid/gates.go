package kubevalid

// Gates are the feature gates of the API server's validation that
// meshlint follows, as a Kubernetes release sets them by default
// (k8s.io/kubernetes pkg/features/kube_features.go,
// defaultVersionedKubernetesFeatureGates). A cluster may turn a Beta gate
// off; meshlint assumes the default of the release the configuration
// names (kubernetes.version).
type Gates struct {
	// StrictIPCIDR is StrictIPCIDRValidation: Alpha in 1.33, Beta and on
	// by default since 1.36. The legacy IP and CIDR fields of a new
	// object (core/validation's IsValidIPForLegacyField and
	// IsValidCIDRForLegacyField: a NetworkPolicy ipBlock's cidr and
	// except, a Service's clusterIP, externalIPs and source ranges) then
	// refuse leading zeros, IPv4-mapped IPv6 addresses and, in a CIDR,
	// bits set beyond the prefix length.
	StrictIPCIDR bool
	// RelaxedServiceName is RelaxedServiceNameValidation: Beta and on by
	// default in 1.36, GA and locked on since 1.37. A new Service's name
	// (ValidateServiceCreate) and an Ingress backend's service name
	// (allowRelaxedServiceNameValidation) need then only be DNS-1123
	// labels, which may begin with a digit, instead of DNS-1035 labels.
	RelaxedServiceName bool
	// RelaxedDNSSearch is RelaxedDNSSearchValidation: Alpha in 1.32, Beta
	// and on by default in 1.33, GA and locked on in 1.34, removed in 1.37.
	// A pod's dnsConfig.searches entry may then be "." or hold '_'
	// (IsDNS1123SubdomainWithUnderscore); before, validatePodDNSConfig
	// wants a DNS-1123 subdomain, less one final dot.
	RelaxedDNSSearch bool
	// PodLevelResources is PodLevelResources: Alpha in 1.32, Beta and on by
	// default since 1.34. Off, the API server drops a pod spec's resources
	// (dropDisabledPodLevelResources) rather than validate them.
	PodLevelResources bool
	// HostnameOverride is HostnameOverride: Alpha in 1.34, Beta and on by
	// default in 1.35, GA and locked on since 1.37. Off, the API server
	// drops a pod spec's hostnameOverride rather than validate it.
	HostnameOverride bool
}

// StrictSince is the release since which StrictIPCIDRValidation is on
// by default, for messages that tell a user of an older one to say so.
const StrictSince = "1.36"

// GatesFor returns the gates of Kubernetes 1.minor.
func GatesFor(minor int) Gates {
	return Gates{
		StrictIPCIDR:       minor >= 36,
		RelaxedServiceName: minor >= 36,
		RelaxedDNSSearch:   minor >= 33,
		PodLevelResources:  minor >= 34,
		HostnameOverride:   minor >= 35,
	}
}
