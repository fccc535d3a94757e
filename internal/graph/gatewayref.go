package graph

import "github.com/meshlint/meshlint/internal/spec"

// ResolveGateway resolves a gateway name written in a VirtualService of
// namespace vsNS, as Istio's ResolveGatewayName does: "mesh", "name" (same
// namespace), "ns/name", "./name" and the legacy "name.namespace" form. The
// spec.gateways entries are resolved once in VirtualService.Gateways; rules
// use this for the gateways of http, tcp and tls match clauses.
func (g *Graph) ResolveGateway(ref spec.Str, vsNS string) GatewayRef {
	return g.resolveGateway(ref, vsNS)
}

// GatewaysNamed returns the gateways called name, in any namespace, in input
// order.
func (g *Graph) GatewaysNamed(name string) []*Gateway {
	var out []*Gateway
	for _, gw := range g.Gateways {
		if gw.Name() == name {
			out = append(out, gw)
		}
	}
	return out
}
