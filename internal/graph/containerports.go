package graph

import "strings"

// DeclaresPorts reports whether any container of the workload declares a
// port. Pods may listen on ports they do not declare, so checks against
// the declared ports only hold for workloads that declare some.
func (w *Workload) DeclaresPorts() bool {
	for _, c := range w.Spec.Spec.Containers {
		if len(c.Ports) > 0 {
			return true
		}
	}
	return false
}

// HasPortIn reports whether a container of the workload declares a port
// of protocol proto (empty means TCP) between lo and hi inclusive.
func (w *Workload) HasPortIn(proto string, lo, hi int64) bool {
	for _, c := range w.Spec.Spec.Containers {
		for _, p := range c.Ports {
			if sameProtocol(p.Protocol.V, proto) && p.ContainerPort.V >= lo && p.ContainerPort.V <= hi {
				return true
			}
		}
	}
	return false
}

// HasNamedPort reports whether a container of the workload declares a port
// called name with protocol proto (empty means TCP), as a NetworkPolicy's
// named port must match both.
func (w *Workload) HasNamedPort(name, proto string) bool {
	for _, c := range w.Spec.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name.V == name && sameProtocol(p.Protocol.V, proto) {
				return true
			}
		}
	}
	return false
}

// sameProtocol compares protocols, an empty one being TCP.
func sameProtocol(a, b string) bool {
	if a == "" {
		a = "TCP"
	}
	if b == "" {
		b = "TCP"
	}
	return strings.EqualFold(a, b)
}
