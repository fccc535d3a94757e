package graph

import "github.com/meshlint/meshlint/internal/spec"

// ContainerPort returns the number of the container port called name in
// the workload's pod template. Native sidecars count: the endpoints
// controller resolves a named targetPort against the ports of init
// containers with restartPolicy Always too (podutil.FindPort).
func (w *Workload) ContainerPort(name string) (int64, bool) {
	for c := range w.ServingContainers() {
		for _, p := range c.Ports {
			if p.Name.V == name {
				return p.ContainerPort.V, true
			}
		}
	}
	return 0, false
}

// TargetPort returns the port of workload w that Service port p sends
// traffic to: the targetPort number, a named targetPort resolved against
// the workload's container ports, or the service port itself when
// targetPort is unset. It returns 0 when a named port does not resolve.
func TargetPort(p spec.ServicePort, w *Workload) int64 {
	t := p.TargetPort
	switch {
	case !t.Set:
		return p.Port.V
	case t.IsStr:
		n, _ := w.ContainerPort(t.Str)
		return n
	case t.Int == 0:
		return p.Port.V
	}
	return t.Int
}
