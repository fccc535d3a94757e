package gateway

import (
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// GatewayServerConflict reports TLS and TCP servers of different Gateways
// on the same pods and port that declare the same host.
var GatewayServerConflict = &rules.Rule{
	ID:      "MR214",
	Name:    "gateway-server-conflict",
	Summary: "gateways on the same pods declare the same host on the same port",
	Doc: `Istio merges the servers of every Gateway that selects a gateway pod. For HTTPS, TLS and TCP
servers, each host of a port becomes a filter chain matched by SNI, so two servers of
different Gateways that declare the same host (and bind address) on the same port collide:
Istio keeps the server of the oldest Gateway and drops the other, with its certificate and
routes, depending on creation order.

Declare the host once per port, in one Gateway, or move one server to another port or gateway
deployment.

istioctl analyze (IST0145) also reports plain HTTP servers; Istio merges those into one route
table without dropping anything, so meshlint leaves them alone. Hosts are compared without
their namespace part (` + "`ns/`" + `); wildcard hosts that overlap a concrete host are not a
collision (the concrete SNI wins). Two Gateways share pods when the input holds a pod both
select, or, when it holds none of their pods, when one selector's labels include the other's.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop-new, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert-2025}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert-2025}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Gateway},
	Related:  []string{"IST0145", "KIA0301"},
	Run:      runGatewayServerConflict,
}

// plainHTTP reports whether Istio merges the server into a shared route
// table instead of a filter chain per host.
func plainHTTP(s *spec.Server) bool {
	if s.Port == nil {
		return false
	}
	switch strings.ToUpper(s.Port.Protocol.V) {
	case "HTTP", "HTTP2", "GRPC", "GRPC-WEB":
		return true
	}
	return false
}

func runGatewayServerConflict(p *rules.Pass) error {
	g := p.Graph
	for _, a := range g.Gateways {
		for i := range a.Spec.Servers {
			sa := &a.Spec.Servers[i]
			if sa.Port == nil || plainHTTP(sa) {
				continue
			}
			for _, ha := range sa.Hosts {
				checkHostConflict(p, g, a, sa, ha)
			}
		}
	}
	return nil
}

func checkHostConflict(p *rules.Pass, g *graph.Graph, a *graph.Gateway, sa *spec.Server, ha spec.Str) {
	hostA := strings.ToLower(host.ParseScoped(ha.V, a.Namespace()).Host)
	for _, b := range g.Gateways {
		if a == b || !graph.SharePods(a, b) {
			continue
		}
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if sb.Port == nil || plainHTTP(sb) || sb.Port.Number.V != sa.Port.Number.V || sb.Bind.V != sa.Bind.V {
				continue
			}
			for _, hb := range sb.Hosts {
				if strings.ToLower(host.ParseScoped(hb.V, b.Namespace()).Host) == hostA {
					p.Reportf(a.Obj, ha.Loc, "host %q on port %d is also declared by Gateway %s/%s on the same pods: Istio keeps only the server of the oldest Gateway",
						hostA, sa.Port.Number.V, b.Namespace(), b.Name()).
						Relate(b.Obj, hb.Loc, "the same host and port")
					return
				}
			}
		}
	}
}
