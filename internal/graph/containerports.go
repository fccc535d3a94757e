package graph

import (
	"iter"
	"strings"

	"github.com/meshlint/meshlint/internal/spec"
)

// ServingContainers yields the containers that run for the pod's life,
// whose ports are the pod's: its containers, then its init containers
// with restartPolicy Always, the sidecars that Kubernetes starts first and
// keeps running beside the containers (native sidecars, Kubernetes 1.29
// on). Other init containers run to completion before the containers
// start, so nothing ever connects to their ports.
func (w *Workload) ServingContainers() iter.Seq[*spec.Container] {
	ps := &w.Spec.Spec
	return func(yield func(*spec.Container) bool) {
		for i := range ps.Containers {
			if !yield(&ps.Containers[i]) {
				return
			}
		}
		for i := range ps.InitContainers {
			if c := &ps.InitContainers[i]; c.RestartPolicy.V == "Always" && !yield(c) {
				return
			}
		}
	}
}

// DeclaresPorts reports whether any container of the workload declares a
// port. Pods may listen on ports they do not declare, so checks against
// the declared ports only hold for workloads that declare some.
func (w *Workload) DeclaresPorts() bool {
	for c := range w.ServingContainers() {
		if len(c.Ports) > 0 {
			return true
		}
	}
	return false
}

// HasPortIn reports whether a container of the workload declares a port
// of protocol proto (empty means TCP) between lo and hi inclusive.
func (w *Workload) HasPortIn(proto string, lo, hi int64) bool {
	for c := range w.ServingContainers() {
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
	for c := range w.ServingContainers() {
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
