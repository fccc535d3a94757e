package graph

import "github.com/meshlint/meshlint/internal/spec"

// ContainerPort returns the number of the container port called name, of
// protocol protocol (empty is TCP, as on both sides of the API), in the
// workload's pod template. The endpoints controller resolves a Service's
// named targetPort by name and the Service port's protocol
// (podutil.FindPort): a TCP Service port whose targetPort names a UDP
// container port gets no endpoint. Native sidecars count: FindPort looks
// at the ports of init containers with restartPolicy Always too.
func (w *Workload) ContainerPort(name, protocol string) (int64, bool) {
	for c := range w.ServingContainers() {
		for _, p := range c.Ports {
			if p.Name.V == name && sameProtocol(p.Protocol.V, protocol) {
				return p.ContainerPort.V, true
			}
		}
	}
	return 0, false
}

// TargetPort returns the port of workload w that Service port p sends
// traffic to: the targetPort number, a named targetPort resolved against
// the workload's container ports of p's protocol, or the service port
// itself when targetPort is unset. It returns 0 when a named port does
// not resolve.
func TargetPort(p spec.ServicePort, w *Workload) int64 {
	t := p.TargetPort
	switch {
	case !t.Set:
		return p.Port.V
	case t.IsStr:
		n, _ := w.ContainerPort(t.Str, p.Protocol.V)
		return n
	case t.Int == 0:
		return p.Port.V
	}
	return t.Int
}
