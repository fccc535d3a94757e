package graph

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
)

// RouteBackend is one destination of a VirtualService route resolved to
// the pods that serve it: the Service of its host, the Service port it
// uses and, for each workload behind it, the container port that port
// sends traffic to.
type RouteBackend struct {
	// Route names the destination as "http[0].route[1]".
	Route string
	// RouteKind ("http", "tcp" or "tls") and RouteIndex locate the route
	// in the VirtualService's spec, for callers that need it without
	// reading Route: in DelegatedBackends, the delegate's route.
	RouteKind  string
	RouteIndex int
	Dest       *spec.Destination
	// Host is the destination host as an FQDN.
	Host    string
	Service *Service
	Port    spec.ServicePort
	// Targets are the workloads of the Service (of the destination's
	// subset, when a DestinationRule visible to the VirtualService's
	// namespace defines it) and their target ports.
	Targets []BackendTarget
	// Gateways are the gateways the route's match entries restrict it to
	// (match[].gateways); empty when the route applies to every gateway
	// of the VirtualService. See AppliesTo.
	Gateways []spec.Str
}

// AppliesTo reports whether the route of b serves the proxies of gateway
// gw, or the sidecars (the reserved gateway "mesh") when gw is nil. As in
// Istio, a route whose match entries all name gateways applies only to
// those; an entry without gateways inherits the VirtualService's.
func (g *Graph) AppliesTo(vs *VirtualService, b RouteBackend, gw *Gateway) bool {
	if len(b.Gateways) == 0 {
		return true
	}
	for _, ref := range b.Gateways {
		r := g.ResolveGateway(ref, vs.Namespace())
		if (gw == nil && r.Mesh) || (gw != nil && r.Gateway == gw) {
			return true
		}
	}
	return false
}

// matchGateways returns the gateways that match entries restrict a route
// to: nil when there are no entries or one of them names no gateway.
func matchGateways(entries [][]spec.Str) []spec.Str {
	var out []spec.Str
	for _, gws := range entries {
		if len(gws) == 0 {
			return nil
		}
		out = append(out, gws...)
	}
	return out
}

// BackendTarget is a workload behind a route and the port it receives on.
type BackendTarget struct {
	Workload *Workload
	Port     int64
	// Protocol is the Service port's protocol: TCP, UDP or SCTP.
	Protocol string
}

// RouteBackends resolves the destinations of every http, tcp and tls
// route of vs that name a Service of the input. A destination is left out
// when its port is ambiguous (no port on a Service with several) or names
// no port of the Service, and targets whose named targetPort resolves to
// nothing are left out: other rules report those.
func (g *Graph) RouteBackends(vs *VirtualService) []RouteBackend {
	var out []RouteBackend
	add := func(kind string, i int, rds []spec.RouteDestination, gws []spec.Str) {
		for j := range rds {
			d := rds[j].Destination
			if d == nil || !d.Host.Set {
				continue
			}
			fqdn := g.FQDN(d.Host.V, vs.Namespace())
			for _, t := range g.LookupHost(fqdn, vs.Namespace()) {
				if t.Service == nil || host.IsWildcard(fqdn) {
					continue
				}
				sp, ok := servicePort(t.Service, d)
				if !ok {
					continue
				}
				b := RouteBackend{Route: fmt.Sprintf("%s[%d].route[%d]", kind, i, j), RouteKind: kind, RouteIndex: i, Dest: d, Host: fqdn, Service: t.Service, Port: sp, Gateways: gws}
				ws := t.Service.Workloads
				if d.Subset.Set {
					if _, ss := Subset(g.DestinationRulesFor(fqdn, vs.Namespace()), d.Subset.V); ss != nil {
						var in []*Workload
						for _, w := range ws {
							if labels.SubsetOf(ss.Labels, w.Labels) {
								in = append(in, w)
							}
						}
						ws = in
					}
				}
				proto := sp.Protocol.V
				if proto == "" {
					proto = "TCP"
				}
				for _, w := range ws {
					if p := TargetPort(sp, w); p > 0 {
						b.Targets = append(b.Targets, BackendTarget{Workload: w, Port: p, Protocol: proto})
					}
				}
				out = append(out, b)
			}
		}
	}
	for i, r := range vs.Spec.HTTP {
		var m [][]spec.Str
		for _, e := range r.Match {
			m = append(m, e.Gateways)
		}
		add("http", i, r.Route, matchGateways(m))
	}
	for i, r := range vs.Spec.TCP {
		var m [][]spec.Str
		for _, e := range r.Match {
			m = append(m, e.Gateways)
		}
		add("tcp", i, r.Route, matchGateways(m))
	}
	for i, r := range vs.Spec.TLS {
		var m [][]spec.Str
		for _, e := range r.Match {
			m = append(m, e.Gateways)
		}
		add("tls", i, r.Route, matchGateways(m))
	}
	return out
}

// servicePort returns the port of s a destination uses: the one it names,
// or the only one.
func servicePort(s *Service, d *spec.Destination) (spec.ServicePort, bool) {
	ports := s.Spec.Ports
	if d.Port != nil && d.Port.Number.Set {
		for _, p := range ports {
			if p.Port.V == d.Port.Number.V {
				return p, true
			}
		}
		return spec.ServicePort{}, false
	}
	if len(ports) == 1 {
		return ports[0], true
	}
	return spec.ServicePort{}, false
}

// MeshParent returns the parentRef through which r is a mesh route
// (GAMMA) for the most clients, and whether it makes r a producer route.
// The Gateway API (apis/v1/shared_types.go, ParentReference.Namespace)
// applies a route attached to a Service of its own namespace to
// connections from every namespace, and one attached to a Service of
// another namespace only to connections from the route's namespace: the
// clients of a route with both are those of the first. It returns nil
// when r is of a kind the mesh does not carry (UDP), or attaches to no
// Service of the input.
func (r *GatewayRoute) MeshParent() (*ParentRef, bool) {
	switch r.Kind() {
	case kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute:
	default:
		return nil, false
	}
	var consumer *ParentRef
	for _, pr := range r.Parents {
		// A sectionName or port that selects no port of the Service
		// attaches the route to nothing.
		if !pr.IsService() || pr.Service == nil || ((pr.SectionName != "" || pr.Port != 0) && pr.ServicePort == nil) {
			continue
		}
		if pr.Service.Namespace() == r.Namespace() {
			return pr, true
		}
		if consumer == nil {
			consumer = pr
		}
	}
	return consumer, false
}

// Targets are the workloads behind backendRef b, on the port its Service
// port targets: none for a backend that is not a Service of the input,
// has weight 0 or no port.
func (b *BackendRef) Targets() []BackendTarget {
	if !b.IsService() || b.Service == nil || b.Weight == 0 || !b.Port.Set {
		return nil
	}
	for _, sp := range b.Service.Spec.Ports {
		if sp.Port.V != b.Port.V {
			continue
		}
		proto := sp.Protocol.V
		if proto == "" {
			proto = "TCP"
		}
		var out []BackendTarget
		for _, w := range b.Service.Workloads {
			if port := TargetPort(sp, w); port > 0 {
				out = append(out, BackendTarget{Workload: w, Port: port, Protocol: proto})
			}
		}
		return out
	}
	return nil
}
