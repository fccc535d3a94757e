package graph

import (
	"net/netip"

	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/internal/spec"
)

// IPv6Blocks reports where the input names IPv6 address blocks: in the
// networks of an admin policy's egress rules (admin), and in the ipBlocks
// of each namespace's NetworkPolicies (namespaces, true for each that
// does). Most clusters are IPv4-only, where a policy about 0.0.0.0/0
// covers every address: only a policy written for IPv6 tells that pods
// have IPv6 addresses too.
func (g *Graph) IPv6Blocks() (admin bool, namespaces map[string]bool) {
	namespaces = map[string]bool{}
	for _, np := range g.NetworkPolicies {
		if namespaces[np.Namespace()] {
			continue
		}
		for _, rs := range [][]spec.NetworkPolicyRule{np.Spec.Ingress, np.Spec.Egress} {
			for _, r := range rs {
				for _, peers := range [][]spec.NetworkPolicyPeer{r.From, r.To} {
					for _, peer := range peers {
						if peer.IPBlock != nil && isIPv6Block(peer.IPBlock.CIDR.V) {
							namespaces[np.Namespace()] = true
						}
					}
				}
			}
		}
	}
	networks := func(peers []spec.AdminPeer) {
		for _, peer := range peers {
			for _, n := range peer.Networks {
				admin = admin || isIPv6CIDR(n.V)
			}
		}
	}
	for _, a := range g.AdminNetworkPolicies {
		for _, r := range a.Spec.Egress {
			networks(r.To)
		}
	}
	for _, b := range g.BaselineAdminNetworkPolicies {
		for _, r := range b.Spec.Egress {
			networks(r.To)
		}
	}
	for _, c := range g.ClusterNetworkPolicies {
		for _, r := range c.Spec.Egress {
			networks(r.To)
		}
	}
	return admin, namespaces
}

// isIPv6Block reports whether ipBlock CIDR s is an IPv6 one, as the API
// server reads this legacy field (leading zeros allowed).
func isIPv6Block(s string) bool {
	p, err := kubevalid.ParseCIDRSloppy(s)
	return err == nil && !p.Addr().Is4()
}

// isIPv6CIDR reports whether s is an IPv6 CIDR, IPv4-mapped ones
// included, as netpol.ParseCIDR reads them.
func isIPv6CIDR(s string) bool {
	p, err := netip.ParsePrefix(s)
	return err == nil && !p.Addr().Is4()
}
