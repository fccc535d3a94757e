package netpol

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/rules"
)

// ipv6Key memoizes indexIPv6.
type ipv6Key struct{}

// ipv6Index records where the input names IPv6 address blocks: in the
// admin policies' networks, and in the ipBlocks of each namespace's
// NetworkPolicies.
type ipv6Index struct {
	admin bool
	ns    map[string]bool
}

// namesIPv6 reports whether the policies that bear on namespace ns name
// an IPv6 block: an admin policy's network, or an ipBlock of one of its
// own NetworkPolicies. Most clusters are IPv4-only, where a policy about
// 0.0.0.0/0 covers every address; only a policy written for IPv6 tells
// that the pods have IPv6 addresses too, whose traffic an IPv4 rule
// neither allows nor denies. Other namespaces' NetworkPolicies are not
// read, so that a namespace's findings depend on its own objects and the
// cluster's.
func namesIPv6(p *rules.Pass, ns string) bool {
	x := p.Memo(ipv6Key{}, func() any { return indexIPv6(p.Graph) }).(*ipv6Index)
	return x.admin || x.ns[ns]
}

func indexIPv6(g *graph.Graph) *ipv6Index {
	admin, ns := g.IPv6Blocks()
	return &ipv6Index{admin: admin, ns: ns}
}
