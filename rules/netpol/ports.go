package netpol

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// PortNotExposed reports policy ports that no selected container exposes.
var PortNotExposed = &rules.Rule{
	ID:      "MR410",
	Name:    "networkpolicy-port-not-exposed",
	Summary: "network policy port is exposed by no container it applies to",
	Doc: `An ingress rule's ports are ports of the selected pods. A port name resolves against
the selected pod's container ports, by name and protocol: a name no selected container
declares allows nothing, so the traffic it was written for is dropped. A port number that no
selected container declares usually means the policy names the Service port (80) instead of
the container port it targets (8080): NetworkPolicies see the pod's port, after the Service
translated it.

The rule checks the ingress rules of each policy against the workloads it selects: a named
port must be declared (with its protocol) by one of them; a number (or ` + "`port`" + `-` + "`endPort`" + ` range)
must be declared by one of them, checked only when every selected workload declares its
ports, since a container may listen on ports it does not declare. Egress ports belong to the
destinations: with the closed-world setting, an egress port name that no workload of the
input declares is reported too. Workloads that get an injected sidecar also listen on the
proxy's ports 15020 (merged Prometheus metrics), 15021 (health) and 15090 (Envoy metrics,
named ` + "`http-envoy-prom`" + `), and workloads in ambient mode on ztunnel's HBONE port, TCP 15008,
where mesh traffic arrives (a policy of an ambient pod must admit it): their pod template
shows neither.`,
	Bad:      apiPortExample("80"),
	Good:     apiPortExample("http"),
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy),
	Deps:     rules.DepINJ | rules.DepPEER | rules.DepOrder,
	Run:      runPortNotExposed,
}

// apiPortExample is Deployment shop/api, whose container port 8080 is
// named http, and the NetworkPolicy that admits its pods on port: the
// examples of MR410.
func apiPortExample(port string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api:1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - ports: [{port: ` + port + `}]
`
}

func runPortNotExposed(p *rules.Pass) error {
	g := p.Graph
	for _, np := range g.NetworkPolicies {
		if np.Ingress && len(np.Workloads) > 0 {
			declared := true
			for _, w := range np.Workloads {
				declared = declared && w.DeclaresPorts()
			}
			for i, r := range np.Spec.Ingress {
				for _, pp := range r.Ports {
					checkIngressPort(p, np, i, pp, declared)
				}
			}
		}
		if np.Egress && g.Mesh.ClosedWorld {
			for i, r := range np.Spec.Egress {
				for _, pp := range r.Ports {
					if pp.Port.IsStr && !anyNamedPort(g.Workloads, pp.Port.Str, pp.Protocol.V) {
						p.Reportf(np.Obj, pp.Port.Loc, "egress[%d] of NetworkPolicy %s/%s names port %q (%s), which no workload of the input declares: the entry allows nothing",
							i, np.Namespace(), np.Name(), pp.Port.Str, protocol(pp))
					}
				}
			}
		}
	}
	return nil
}

func checkIngressPort(p *rules.Pass, np *graph.NetworkPolicy, i int, pp spec.NetworkPolicyPort, declared bool) {
	if !pp.Port.Set {
		return
	}
	if pp.Port.IsStr {
		if !anyNamedPort(np.Workloads, pp.Port.Str, pp.Protocol.V) && !anySidecarPort(np.Workloads, pp.Protocol.V, pp.Port.Str, 0, 0) {
			p.Reportf(np.Obj, pp.Port.Loc, "ingress[%d] of NetworkPolicy %s/%s names port %q (%s), which none of the workloads it selects declares (%s): the entry allows nothing",
				i, np.Namespace(), np.Name(), pp.Port.Str, protocol(pp), workloadNames(p, np.Workloads))
		}
		return
	}
	if !declared {
		return
	}
	lo, hi := pp.Port.Int, pp.Port.Int
	if pp.EndPort.Set && pp.EndPort.V > lo {
		hi = pp.EndPort.V
	}
	for _, w := range np.Workloads {
		if w.HasPortIn(pp.Protocol.V, lo, hi) {
			return
		}
	}
	if anySidecarPort(np.Workloads, pp.Protocol.V, "", lo, hi) || anyHBONEPort(p.Graph, np.Workloads, pp.Protocol.V, lo, hi) {
		return
	}
	port := fmt.Sprint(lo)
	if hi > lo {
		port = fmt.Sprintf("%d-%d", lo, hi)
	}
	p.Reportf(np.Obj, pp.Port.Loc, "ingress[%d] of NetworkPolicy %s/%s allows port %s (%s), which none of the workloads it selects declares (%s); NetworkPolicies match the pod's port, not the Service's",
		i, np.Namespace(), np.Name(), port, protocol(pp), workloadNames(p, np.Workloads))
}

// sidecarPorts are the ports the injected istio-proxy container listens on
// that a NetworkPolicy may have to admit, which the manifest's pod
// template does not show: the agent's merged Prometheus metrics (15020),
// its health check (15021) and Envoy's own metrics (15090, which the
// injection template declares as http-envoy-prom).
var sidecarPorts = []struct {
	name string
	port int64
}{{"", 15020}, {"", 15021}, {"http-envoy-prom", 15090}}

// anySidecarPort reports whether a workload with a sidecar (injected or
// written as an istio-proxy container) listens on the sidecar port called name (when name is set) or on one in
// lo-hi, over TCP.
func anySidecarPort(ws []*graph.Workload, proto, name string, lo, hi int64) bool {
	if !sameTCP(proto) {
		return false
	}
	for _, w := range ws {
		if !w.Sidecar {
			continue
		}
		for _, sp := range sidecarPorts {
			if (name != "" && sp.name == name) || (name == "" && sp.port >= lo && sp.port <= hi) {
				return true
			}
		}
	}
	return false
}

// ztunnelHBONE is the port ztunnel receives mesh traffic on (HBONE) in
// the network namespace of every pod in ambient mode, which the pod
// template does not show.
const ztunnelHBONE = 15008

// anyHBONEPort reports whether a workload of ws is in ambient mode and
// lo-hi holds HBONE's port, over TCP.
func anyHBONEPort(g *graph.Graph, ws []*graph.Workload, proto string, lo, hi int64) bool {
	if !sameTCP(proto) || lo > ztunnelHBONE || hi < ztunnelHBONE {
		return false
	}
	return slices.ContainsFunc(ws, g.Ambient)
}

func sameTCP(proto string) bool { return proto == "" || strings.EqualFold(proto, "TCP") }

func anyNamedPort(ws []*graph.Workload, name, proto string) bool {
	for _, w := range ws {
		if w.HasNamedPort(name, proto) {
			return true
		}
	}
	return false
}

func protocol(pp spec.NetworkPolicyPort) string {
	if pp.Protocol.V == "" {
		return "TCP"
	}
	return pp.Protocol.V
}

// workloadNames lists workloads as ns/name, the first few only, each
// once whatever the copies of it the input defines (MR017 reports them).
func workloadNames(p *rules.Pass, ws []*graph.Workload) string {
	ws = rules.Distinct(p, ws)
	var out []string
	for i, w := range ws {
		if i == 3 {
			out = append(out, fmt.Sprintf("and %d more", len(ws)-3))
			break
		}
		out = append(out, w.Namespace()+"/"+w.Name())
	}
	return strings.Join(out, ", ")
}
