package validation

import (
	"net/netip"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// The CEL rules of the network policy API's CRDs (schema/netpolapi),
// which no webhook repeats: the kubebuilder XValidation markers of
// apis/v1alpha1 (v0.1.5) and apis/v1alpha2 (v0.3.0, the same as v1beta1).
// The graph leaves a policy they refuse out of the model
// (graph.RefusedAdminPolicies), on the same grounds.

const (
	celBANPName    = `Only one baseline admin network policy with metadata.name="default" can be created in the cluster`
	celANPNamed    = "networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes"
	celCNPNamed    = "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames"
	celANPCIDR     = "CIDR must be either an IPv4 or IPv6 address. IPv4 address embedded in IPv6 addresses are not supported"
	celCNPCIDR     = "Invalid CIDR format provided"
	celCNPPortSpan = "Start port must be less than End port"
)

func runNetpolCELChecks(p *rules.Pass) {
	for o := range objectsOf(p, kinds.GroupPolicyAPI, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy) {
		s := specOf(o)
		switch {
		case o.Kind == kinds.ClusterNetworkPolicy && (o.APIVersion == kinds.GroupPolicyAPI+"/v1alpha2" || o.APIVersion == kinds.GroupPolicyAPI+"/v1beta1"):
			celClusterNetworkPolicy(p, o, s)
		case o.Kind != kinds.ClusterNetworkPolicy && o.APIVersion == kinds.GroupPolicyAPI+"/v1alpha1":
			if o.Kind == kinds.BaselineAdminNetworkPolicy && o.Name != "default" {
				p.Reportf(o, o.NameLoc, "metadata.name: the API server rejects it: %s", celBANPName)
			}
			celAdminEgress(p, o, s, "ports", "namedPort", celANPNamed, "networks", "nodes")
			for r := range s.get("egress").items() {
				for peer := range r.get("to").items() {
					for n := range peer.get("networks").items() {
						if v, ok := n.str(); ok && strings.Contains(v, ":") == strings.Contains(v, ".") {
							celReport(p, o, n.loc(), n.where(), celANPCIDR)
						}
					}
				}
			}
		}
	}
}

// celAdminEgress reports an egress rule that names a port beside a peer
// of the given fields, which have no named ports, at the named port.
func celAdminEgress(p *rules.Pass, o *manifest.Object, s node, portsKey, namedKey, msg string, peerKeys ...string) {
	for r := range s.get("egress").items() {
		var named node
		for port := range r.get(portsKey).items() {
			if port.has(namedKey) {
				named = port
				break
			}
		}
		if named.n == nil {
			continue
		}
		for peer := range r.get("to").items() {
			if peerHasAny(peer, peerKeys) {
				celReport(p, o, named.keyLoc(namedKey), joinPath(named.where(), namedKey), msg)
				break
			}
		}
	}
}

func peerHasAny(peer node, keys []string) bool {
	for _, k := range keys {
		if peer.has(k) {
			return true
		}
	}
	return false
}

// celClusterNetworkPolicy applies the ClusterNetworkPolicy CRD's CEL
// rules. isCIDR and cidr() are Kubernetes' CEL library (k8s.io/apiserver
// pkg/cel/library/cidr.go), which parses with netip.ParsePrefix and
// refuses an IPv4-mapped IPv6 prefix; masked() zeroes the host bits.
func celClusterNetworkPolicy(p *rules.Pass, o *manifest.Object, s node) {
	celAdminEgress(p, o, s, "protocols", "destinationNamedPort", celCNPNamed, "networks", "nodes", "domainNames")
	for r := range s.get("egress").items() {
		for peer := range r.get("to").items() {
			for n := range peer.get("networks").items() {
				v, ok := n.str()
				if !ok {
					continue
				}
				if pre, err := netip.ParsePrefix(v); err != nil || pre.Addr().Is4In6() || pre != pre.Masked() {
					celReport(p, o, n.loc(), n.where(), celCNPCIDR)
				}
			}
		}
	}
	for _, dir := range [...]string{"ingress", "egress"} {
		for r := range s.get(dir).items() {
			for proto := range r.get("protocols").items() {
				for _, name := range [...]string{"tcp", "udp", "sctp"} {
					rg := proto.get(name).get("destinationPort").get("range")
					start, ok1 := rg.get("start").int()
					end, ok2 := rg.get("end").int()
					if ok1 && ok2 && start >= end {
						celReport(p, o, rg.loc(), rg.where(), celCNPPortSpan)
					}
				}
			}
		}
	}
}
