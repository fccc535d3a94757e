package gateway

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// GatewayPortNotOnService reports Gateway server ports that no Service of
// the gateway pods forwards to.
var GatewayPortNotOnService = &rules.Rule{
	ID:      "MR211",
	Name:    "gateway-port-not-on-service",
	Summary: "gateway server port is not exposed by any Service of the gateway pods",
	Doc: `A Gateway server's ` + "`port.number`" + ` is the port the gateway pod listens on. Traffic reaches it
only through a Service of the gateway pods whose ` + "`targetPort`" + ` is that port (Istio also
accepts the Service's ` + "`port`" + `, which it maps to the targetPort, except for a Service labelled
` + "`experimental.istio.io/disable-gateway-port-translation`" + `). A server on a port that no Service
exposes is programmed but unreachable from outside the pod.

Add the port to the gateway's Service, or use a port the Service exposes (for Istio's chart:
80 and 443, with targetPorts 8080 and 8443). Only TCP Service ports count.

The rule judges only Gateways whose pods are in the input with at least one Service selecting
them; the gateway Service is often installed apart from the application.`,
	Bad:      gatewayPortExample("8081"),
	Good:     gatewayPortExample("8080"),
	Severity: rules.Warning,
	Inputs:   append([]kinds.Kind{kinds.Gateway, kinds.Service}, kinds.Workloads()...),
	Related:  []string{"IST0162"},
	Deps:     rules.DepGW,
	Run:      runGatewayPortNotOnService,
}

// gatewayPortExample is Gateway istio-system/public with an HTTP server on
// port, on the ingress pods, whose Service forwards to 8080 and 8443: the
// examples of MR211.
func gatewayPortExample(port string) string {
	return ingressPods + `apiVersion: v1
kind: Service
metadata: {name: ingress, namespace: istio-system}
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: ` + port + `, name: http, protocol: HTTP}
    hosts: ["*"]
`
}

func runGatewayPortNotOnService(p *rules.Pass) error {
	g := p.Graph
	for _, gw := range g.Gateways {
		ports, svcs := gatewayServicePorts(g, gw)
		if len(svcs) == 0 {
			continue
		}
		for _, s := range gw.Spec.Servers {
			if s.Port == nil || !s.Port.Number.Set || slices.Contains(ports, s.Port.Number.V) {
				continue
			}
			p.Reportf(gw.Obj, s.Port.Number.Loc, "port %d of Gateway %s/%s is exposed by no Service of its pods (%s forward to %s)",
				s.Port.Number.V, gw.Namespace(), gw.Name(), strings.Join(svcs, ", "), portNumbers(ports))
		}
	}
	return nil
}

// gatewayServicePorts returns the ports that the Services of a Gateway's
// pods reach (TCP targetPorts, and Service ports, which Istio translates
// to their targetPorts: resolvePorts), and those Services.
func gatewayServicePorts(g *graph.Graph, gw *graph.Gateway) ([]int64, []string) {
	var ports []int64
	var svcs []string
	add := func(n int64) {
		if n != 0 && !slices.Contains(ports, n) {
			ports = append(ports, n)
		}
	}
	for _, s := range g.Services {
		for _, w := range s.Workloads {
			if !slices.Contains(gw.Workloads, w) {
				continue
			}
			name := "Service " + s.Namespace() + "/" + s.Name()
			if !slices.Contains(svcs, name) {
				svcs = append(svcs, name)
			}
			// Istio does not translate the ports of a Service so labelled:
			// a server on such a Service port listens on that port.
			_, untranslated := s.Obj.Labels[graph.DisableGatewayPortTranslationLabel]
			for _, sp := range s.Spec.Ports {
				if proto := strings.ToUpper(sp.Protocol.V); proto != "" && proto != "TCP" {
					continue
				}
				if !untranslated {
					add(sp.Port.V)
				}
				add(graph.TargetPort(sp, w))
			}
		}
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	sort.Strings(svcs)
	return ports, svcs
}

func portNumbers(ps []int64) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ", ")
}
