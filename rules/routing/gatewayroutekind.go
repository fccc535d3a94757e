package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// GatewayRouteKindUnserved reports the http, tls and tcp routes of a
// VirtualService that no server of its bound Gateways builds: the kind
// of route no server takes, or a match port no such server listens on.
var GatewayRouteKindUnserved = &rules.Rule{
	ID:      "MR119",
	Name:    "gateway-route-kind-unserved",
	Summary: "no server of the bound Gateways that serves the VirtualService's hosts takes its http, tls or tcp routes, or listens on their match port, so they never apply",
	Doc: `A Gateway server takes one kind of VirtualService route, chosen by its protocol and TLS mode:

| server | routes it takes |
|---|---|
| ` + "`HTTP`, `HTTP2`, `GRPC`, `GRPC-WEB`, `HTTP_PROXY`" + ` | ` + "`http`" + ` |
| ` + "`HTTPS`" + ` that terminates TLS (mode ` + "`SIMPLE`, `MUTUAL`, `OPTIONAL_MUTUAL`, `ISTIO_MUTUAL`" + `) | ` + "`http`" + ` |
| ` + "`HTTPS`" + ` or ` + "`TLS`" + ` in mode ` + "`PASSTHROUGH`" + ` | ` + "`tls`" + ` |
| ` + "`TLS`" + ` that terminates TLS | ` + "`tcp`" + ` |
| ` + "`TCP`, `MONGO`, `MYSQL`, `REDIS`" + ` | ` + "`tcp`" + ` |
| ` + "`AUTO_PASSTHROUGH`" + ` | none: it routes by SNI straight to services |

Istio builds an HTTP route table only for HTTP servers and HTTPS servers that terminate TLS
(` + "`buildGatewayHTTPRouteConfig`" + `), reads the ` + "`tls`" + ` routes only on passthrough servers and
the ` + "`tcp`" + ` routes only on the other TCP and TLS servers (` + "`createGatewayTCPFilterChainOpts`" + `).
Routes of a kind that no server admitting a host of the VirtualService takes are silently
dropped: the listener has no filter chain for them and connections are reset or get 404.

The most common cause is a ` + "`tls`" + ` block without ` + "`mode`" + ` on an HTTPS server: the default mode is
` + "`PASSTHROUGH`" + `, so the gateway forwards the encrypted stream and ignores the ` + "`http`" + ` routes.
Set ` + "`mode: SIMPLE`" + ` to terminate TLS there, or write ` + "`tls`" + ` routes (matching ` + "`sniHosts`" + `) for a
passthrough server, and ` + "`tcp`" + ` routes for a TLS server that terminates TLS.

A route whose match entries all name a ` + "`port`" + ` applies only on the servers of those port numbers
(Istio's TranslateRoute and l4MultiMatch compare a match port with the server's ` + "`port.number`" + `,
not with a Service port or target port): when no server that takes the route's kind for the
VirtualService's hosts has one of them, the route never applies either. Matching the
gateway Service's or the pods' port (8080 for a server on 80) is the usual mistake.

A finding about a whole list is at its first route. Only Gateways of the input whose servers admit a
host of the VirtualService and which see it (its exportTo) count; a VirtualService also bound to
` + "`mesh`" + `, or to a Gateway that is not in the input, is not reported, since its routes may
apply there. MR202 reports a VirtualService that no server admits at all.`,
	Bad:      routeKindExample("{mode: PASSTHROUGH}"),
	Good:     routeKindExample("{mode: SIMPLE, credentialName: shop-cert}"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Gateway},
	Deps:     rules.DepGW | rules.DepREF,
	Run:      runGatewayRouteKindUnserved,
}

// routeKindExample is an HTTPS Gateway with the given tls settings and an
// http route bound to it: the examples of MR119.
func routeKindExample(tls string) string {
	return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: ` + tls + `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http:
  - route:
    - destination: {host: web.shop.svc.cluster.local, port: {number: 8080}}
`
}

func runGatewayRouteKindUnserved(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		servers, open := admittingServers(vs)
		if open || len(servers) == 0 {
			continue
		}
		for _, kind := range []string{"http", "tls", "tcp"} {
			locs := routeLocs(vs, kind)
			if len(locs) == 0 {
				continue
			}
			var taking []boundServer
			var ports []int64
			for _, s := range servers {
				if k, known := serverRouteKind(s.server); !known || k == kind {
					taking = append(taking, s)
					ports = append(ports, s.server.Port.Number.V)
				}
			}
			if ports == nil {
				f := p.Reportf(vs.Obj, locs[0], "%s routes never apply: %s%s",
					kind, describeServers(servers), routeKindHint(kind, servers))
				relateGateways(f, servers)
				continue
			}
			for i, at := range locs {
				only := routeMatchPorts(vs, destRef{kind: kind, route: i})
				if only == nil || slices.ContainsFunc(only, func(n int64) bool { return slices.Contains(ports, n) }) {
					continue
				}
				name := ""
				if kind == "http" {
					name = vs.Spec.HTTP[i].Name.V
				}
				f := p.Reportf(vs.Obj, at, "%s never applies: its match entries take port %s only, and the servers of %s that take %s routes for the hosts of this VirtualService listen on port %s; a gateway compares a match port with its server's port number, not a Service or target port",
					routeName(kind, i, name), portList(only), gatewayNames(taking), kind, portList(uniquePorts(ports)))
				relateGateways(f, taking)
			}
		}
	}
	return nil
}

// routeLocs returns the locations of the routes of kind of vs.
func routeLocs(vs *graph.VirtualService, kind string) []spec.Loc {
	var out []spec.Loc
	switch kind {
	case "http":
		for _, r := range vs.Spec.HTTP {
			out = append(out, r.Loc)
		}
	case "tls":
		for _, r := range vs.Spec.TLS {
			out = append(out, r.Loc)
		}
	case "tcp":
		for _, r := range vs.Spec.TCP {
			out = append(out, r.Loc)
		}
	}
	return out
}

// relateGateways relates f to each Gateway of servers once.
func relateGateways(f *rules.Finding, servers []boundServer) {
	var seen []*graph.Gateway
	for _, s := range servers {
		if !slices.Contains(seen, s.gw) {
			seen = append(seen, s.gw)
			f.Relate(s.gw.Obj, s.gw.Obj.NameLoc, "Gateway %s/%s", s.gw.Namespace(), s.gw.Name())
		}
	}
}

// gatewayNames names the Gateways of servers, for messages: "gateway
// shop/public" or "gateways shop/public, shop/admin".
func gatewayNames(servers []boundServer) string {
	var names []string
	for _, s := range servers {
		if n := s.gw.Namespace() + "/" + s.gw.Name(); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 1 {
		return "gateway " + names[0]
	}
	return "gateways " + strings.Join(names, ", ")
}

// uniquePorts returns ports sorted, without repeats.
func uniquePorts(ports []int64) []int64 {
	out := slices.Clone(ports)
	slices.Sort(out)
	return slices.Compact(out)
}

// boundServer is a server of a Gateway a VirtualService is bound to.
type boundServer struct {
	gw     *graph.Gateway
	server spec.Server
}

// admittingServers returns the servers of the Gateways vs binds to that
// admit one of its hosts (Istio's pickMatchingGatewayHosts and
// buildGatewayHTTPRouteConfig pick the VirtualServices of a server by its
// hosts), from the Gateways that see vs. open is true when vs is bound to
// the mesh or to a Gateway that is not in the input, where its routes may
// apply whatever the servers here take.
func admittingServers(vs *graph.VirtualService) (out []boundServer, open bool) {
	for _, ref := range vs.Gateways {
		gw := ref.Gateway
		if ref.Mesh || gw == nil {
			return nil, true
		}
		if !gw.Sees(vs) {
			continue // MR202 reports it
		}
		for _, s := range gw.Spec.Servers {
			if s.Port != nil && serverAdmits(s, gw.Namespace(), vs) {
				out = append(out, boundServer{gw, s})
			}
		}
	}
	return out, false
}

// serverRouteKind returns the kind of VirtualService route ("http", "tls",
// "tcp", or "" for none) a Gateway server takes, as Istio builds its
// listener: buildGatewayTCPBasedFilterChains gives HTTP servers and HTTPS
// servers that terminate TLS (IsHTTPSServerWithTLSTermination) an HTTP
// connection manager; createGatewayTCPFilterChainOpts reads tcp routes on
// servers without TLS or terminating it, tls routes on PASSTHROUGH ones,
// and no VirtualService on AUTO_PASSTHROUGH ones. A tls block without mode
// is PASSTHROUGH, the enum's zero value. known is false for a server the
// webhook rejects (no port, unknown protocol, HTTPS or TLS without tls
// settings, TLS settings on a TCP server) or a UDP one, whose routes the
// rule cannot tell.
func serverRouteKind(s spec.Server) (kind string, known bool) {
	if s.Port == nil {
		return "", false
	}
	mode := ""
	if s.TLS != nil {
		mode = strings.ToUpper(s.TLS.Mode.V)
		if mode == "" {
			mode = "PASSTHROUGH"
		}
	}
	switch strings.ToUpper(s.Port.Protocol.V) {
	case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB":
		return "http", true
	case "HTTPS", "TLS":
		switch mode {
		case "":
			return "", false
		case "AUTO_PASSTHROUGH":
			return "", true
		case "PASSTHROUGH":
			return "tls", true
		}
		if strings.EqualFold(s.Port.Protocol.V, "HTTPS") {
			return "http", true
		}
		return "tcp", true
	case "TCP", "MONGO", "MYSQL", "REDIS":
		if s.TLS != nil {
			return "", false
		}
		return "tcp", true
	}
	return "", false
}

// describeServers says which servers admit the VirtualService and what
// they take, for messages, e.g. `gateway shop/public serves its hosts only
// on server port 443 (HTTPS, tls mode PASSTHROUGH), which takes tls
// routes`.
func describeServers(servers []boundServer) string {
	var gws []string
	for _, s := range servers {
		if name := s.gw.Namespace() + "/" + s.gw.Name(); !slices.Contains(gws, name) {
			gws = append(gws, name)
		}
	}
	parts := make([]string, len(servers))
	for i, s := range servers {
		what := fmt.Sprintf("port %d (%s", s.server.Port.Number.V, s.server.Port.Protocol.V)
		if len(gws) > 1 {
			what = s.gw.Namespace() + "/" + s.gw.Name() + " " + what
		}
		if s.server.TLS != nil {
			if s.server.TLS.Mode.V == "" {
				what += ", tls without mode, which is PASSTHROUGH"
			} else {
				what += ", tls mode " + s.server.TLS.Mode.V
			}
		}
		if k, _ := serverRouteKind(s.server); k == "" {
			what += "), which routes by SNI to services and takes no VirtualService routes"
		} else {
			what += "), which takes " + k + " routes"
		}
		parts[i] = what
	}
	if len(gws) == 1 {
		return fmt.Sprintf("gateway %s serves the hosts of this VirtualService only on server %s", gws[0], strings.Join(parts, "; "))
	}
	return fmt.Sprintf("gateways %s serve the hosts of this VirtualService only on servers %s", strings.Join(gws, ", "), strings.Join(parts, "; "))
}

// routeKindHint suggests the fix for routes of kind that the servers do
// not take.
func routeKindHint(kind string, servers []boundServer) string {
	for _, s := range servers {
		k, _ := serverRouteKind(s.server)
		switch {
		case kind == "http" && k == "tls" && strings.EqualFold(s.server.Port.Protocol.V, "HTTPS"):
			return "; set the server's tls mode to SIMPLE (or MUTUAL) to terminate TLS, or route the passthrough traffic with tls routes"
		case kind == "tls" && k == "tcp":
			return "; the server terminates TLS, so route the decrypted stream with tcp routes, or set its tls mode to PASSTHROUGH"
		case kind == "tls" && k == "http" && strings.EqualFold(s.server.Port.Protocol.V, "HTTPS"):
			return "; the server terminates TLS, so route with http routes, or set its tls mode to PASSTHROUGH"
		}
	}
	return ""
}
