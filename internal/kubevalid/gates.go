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
}

// StrictSince is the release since which StrictIPCIDRValidation is on
// by default, for messages that tell a user of an older one to say so.
const StrictSince = "1.36"

// GatesFor returns the gates of Kubernetes 1.minor.
func GatesFor(minor int) Gates {
	return Gates{StrictIPCIDR: minor >= 36, RelaxedServiceName: minor >= 36}
}
