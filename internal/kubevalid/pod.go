package kubevalid

import "github.com/meshlint/meshlint/internal/spec"

// MaxDNSNameservers is how many nameservers a pod's dnsConfig may list
// (k8s.io/kubernetes pkg/apis/core/validation, validatePodDNSConfig).
const MaxDNSNameservers = 3

// PodIPProblem says why validation refuses an IP address of a pod's
// hostAliases or dnsConfig.nameservers (IsValidIPForLegacyField), or "":
// not an IP address, or, with StrictIPCIDRValidation, leading zeros or
// an IPv4-mapped IPv6 address.
func PodIPProblem(v string, g Gates) string {
	a, ok := ParseIPSloppy(v)
	switch {
	case !ok:
		return "is not an IP address"
	case g.StrictIPCIDR:
		return StrictIPProblem(v, a)
	}
	return ""
}

// PodNameserversRefused reports whether the API server refuses a pod for
// the nameservers of its DNS settings (validatePodDNSConfig): dnsPolicy
// None with no dnsConfig nameserver, more than MaxDNSNameservers, or one
// that PodIPProblem refuses.
func PodNameserversRefused(ps *spec.PodSpec, g Gates) bool {
	var servers []spec.Str
	if ps.DNSConfig != nil {
		servers = ps.DNSConfig.Nameservers
	}
	if ps.DNSPolicy.V == "None" && len(servers) == 0 || len(servers) > MaxDNSNameservers {
		return true
	}
	for _, s := range servers {
		if PodIPProblem(s.V, g) != "" {
			return true
		}
	}
	return false
}
