package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/host"
)

// ExportsOverlap reports whether some namespace sees both a config of
// namespace nsA exported to a and one of namespace nsB exported to b
// (empty lists mean "*").
func ExportsOverlap(a []string, nsA string, b []string, nsB string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	candidates := []string{nsA, nsB}
	for _, l := range [][]string{a, b} {
		for _, e := range l {
			switch e {
			case "*":
			case ".", "~":
			default:
				candidates = append(candidates, e)
			}
		}
	}
	star := func(l []string) bool {
		for _, e := range l {
			if e == "*" {
				return true
			}
		}
		return false
	}
	if star(a) && star(b) {
		return true
	}
	for _, ns := range candidates {
		if Visible(a, nsA, ns) && Visible(b, nsB, ns) {
			return true
		}
	}
	return false
}

// ClusterLocalNamespace returns the namespace of a "name.ns.svc.<domain>"
// host, or "" for any other host.
func (g *Graph) ClusterLocalNamespace(fqdn string) string {
	suffix := ".svc." + g.Mesh.ClusterDomain
	if !strings.HasSuffix(fqdn, suffix) {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(fqdn, suffix), ".")
	if len(parts) != 2 {
		return ""
	}
	return parts[1]
}

// HostDescribed reports whether the input would show a registry entry for
// host fqdn if there were one: for a cluster-local name, the input holds a
// Service or ServiceEntry of its namespace; for any other name, it holds a
// ServiceEntry somewhere. The closed-world setting makes every host
// described. Rules that report unknown hosts stay quiet otherwise.
func (g *Graph) HostDescribed(fqdn string) bool {
	if g.Mesh.ClosedWorld {
		return true
	}
	if ns := g.ClusterLocalNamespace(fqdn); ns != "" {
		return g.HostsKnown(ns)
	}
	return len(g.ServiceEntries) > 0
}

// HostDefined reports whether some Service or ServiceEntry of the input
// serves fqdn, whatever its exportTo.
func (g *Graph) HostDefined(fqdn string) bool {
	if len(g.servicesByHost[strings.ToLower(fqdn)]) > 0 {
		return true
	}
	for _, se := range g.ServiceEntries {
		for _, h := range se.Spec.Hosts {
			if host.Matches(h.V, fqdn) {
				return true
			}
		}
	}
	return false
}
