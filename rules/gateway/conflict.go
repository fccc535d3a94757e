package gateway

import (
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// GatewayServerConflict reports servers on the same pods, port and bind
// address that Istio cannot merge, of different Gateways or of one: TLS
// servers that declare the same host, and servers of kinds that cannot
// share a port.
var GatewayServerConflict = &rules.Rule{
	ID:      "MR214",
	Name:    "gateway-server-conflict",
	Summary: "gateways on the same pods declare servers on the same port that Istio cannot merge",
	Doc: `Istio merges the servers of every Gateway that selects a gateway pod, oldest Gateway first,
into one listener per port (and bind address). A port carries one of three things:

- plaintext HTTP servers (HTTP, HTTP2, GRPC, GRPC-WEB), merged into one route table;
- TLS servers (a ` + "`tls`" + ` block, protocol HTTPS, TLS or TCP), one filter chain per server, told
  apart by SNI, so their hosts must differ;
- one plaintext TCP server (TCP, MONGO, REDIS, MYSQL...), which has no way to tell hosts apart.

When servers of different Gateways on the same pods and port do not fit together (two TLS
servers that declare the same host, two plaintext TCP servers, a TCP and an HTTP server),
Istio keeps the server of the oldest Gateway and drops the other, with its certificate and
routes, so which one serves depends on creation order. A plaintext and a TLS server do not fit
either: Istio drops the TLS server when the plaintext one's Gateway is older.

The servers of one Gateway are merged in order, so there the later server is the one dropped:
a TLS server that declares a host an earlier TLS server of the port declares (compared as
Istio's merge compares them: as written, with ` + "`./`" + ` and ` + "`*/`" + ` resolved), and a server that
cannot merge with the first plaintext server of the port (a plaintext server after TLS servers
only is kept beside them).

Declare a host once per port, in one server, keep plaintext TCP servers on ports of their own,
or move one server to another port or gateway deployment.

Plain HTTP servers that declare the same host are merged into one route table without dropping
anything, so meshlint leaves them alone (istioctl analyze reports them as IST0145). Conversely,
istioctl analyze only reports servers that share a host string, while Istio also drops a
plaintext TCP server, or a server of the other kind, whatever its hosts: meshlint reports
those. Hosts are compared without their namespace part (` + "`ns/`" + `); wildcard hosts that overlap a
concrete host are not a collision (the concrete SNI wins). Two Gateways share pods when the
input holds a pod both select, or, when it holds none of their pods, when one selector's labels
include the other's.`,
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
	Deps:     rules.DepGW,
	Run:      runGatewayServerConflict,
}

// serverKind is what a server makes of its port, as Istio's gateway merge
// sees it.
type serverKind int

const (
	httpServer serverKind = iota // plaintext HTTP: one shared route table per port
	tlsServer                    // TLS settings: one filter chain per server, by SNI
	tcpServer                    // plaintext TCP: the only server of its port
)

func kindOf(s *spec.Server) serverKind {
	switch strings.ToUpper(s.Port.Protocol.V) {
	case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB":
		// With or without tls (httpsRedirect), Istio merges it as plaintext.
		return httpServer
	}
	if s.TLS != nil {
		return tlsServer
	}
	return tcpServer
}

func (k serverKind) String() string {
	switch k {
	case httpServer:
		return "plaintext HTTP"
	case tlsServer:
		return "TLS"
	}
	return "plaintext TCP"
}

func runGatewayServerConflict(p *rules.Pass) error {
	g := p.Graph
	// Two definitions of one Gateway are one Gateway (MR017 reports
	// them): each is compared with the others, as the one it is, and
	// with the definition of each other Gateway it goes with (its
	// layout's: prod/'s, not dev/'s).
	others := rules.Distinct(p, g.Gateways)
	copies := rules.CopiesOf(p, g.Gateways)
	for _, a := range g.Gateways {
		checkOwnServers(p, a)
		for i := range a.Spec.Servers {
			sa := &a.Spec.Servers[i]
			if sa.Port == nil {
				continue
			}
			if kindOf(sa) == tlsServer {
				for _, ha := range sa.Hosts {
					checkHostConflict(p, others, copies, a, sa, ha)
				}
			}
			checkKindConflict(p, others, copies, a, sa)
		}
	}
	return nil
}

// samePort reports whether two servers land on the same listener.
func samePort(sa, sb *spec.Server) bool {
	return sb.Port != nil && sb.Port.Number.V == sa.Port.Number.V && sb.Bind.V == sa.Bind.V
}

// portLoc is where a finding about a server's port points.
func portLoc(s *spec.Server) spec.Loc {
	if !s.Port.Number.Loc.IsZero() {
		return s.Port.Number.Loc
	}
	return s.Port.Loc
}

func checkHostConflict(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server, ha spec.Str) {
	hostA := strings.ToLower(host.ParseScoped(ha.V, a.Namespace()).Host)
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) || !graph.SharePods(a, b) {
			continue
		}
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if !samePort(sa, sb) || kindOf(sb) != tlsServer {
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

// checkKindConflict reports the first server of another Gateway of gws on
// the same pods and port whose kind cannot share the port with sa's.
func checkKindConflict(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server) {
	ka := kindOf(sa)
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) || !graph.SharePods(a, b) {
			continue
		}
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if !samePort(sa, sb) {
				continue
			}
			kb := kindOf(sb)
			if ka == kb && ka != tcpServer {
				continue // HTTP servers merge; TLS servers are told apart by SNI
			}
			why := "Istio keeps only the server of the oldest Gateway"
			if ka == tlsServer || kb == tlsServer {
				why = "Istio drops the TLS server when the Gateway of the plaintext one is older"
			}
			p.Reportf(a.Obj, portLoc(sa), "port %d: this %s server and the %s server of Gateway %s/%s on the same pods cannot share the port: %s",
				sa.Port.Number.V, ka, kb, b.Namespace(), b.Name(), why).
				Relate(b.Obj, portLoc(sb), "the other server")
			return
		}
	}
}

// checkOwnServers reports the servers of one Gateway that Istio drops in
// favour of an earlier server of the same Gateway. mergeGateways takes a
// Gateway's servers in order, so which one survives is known: a TLS server
// whose host an earlier TLS server on the port declares (CheckDuplicates),
// and a server that cannot merge with the first plaintext server of the
// port (canMergeProtocols). A plaintext server after TLS servers only is
// kept beside them.
func checkOwnServers(p *rules.Pass, gw *graph.Gateway) {
	type listener struct {
		number int64
		bind   string
	}
	type state struct {
		seen     bool
		plain    int            // index of the first plaintext server, or -1
		tlsHosts map[string]int // host → index of the TLS server declaring it
	}
	states := map[listener]*state{}
	servers := gw.Spec.Servers
	for i := range servers {
		s := &servers[i]
		if s.Port == nil {
			continue
		}
		key := listener{s.Port.Number.V, s.Bind.V}
		st := states[key]
		if st == nil {
			st = &state{plain: -1, tlsHosts: map[string]int{}}
			states[key] = st
		}
		k := kindOf(s)
		if k == tlsServer && reportOwnDuplicateHost(p, gw, i, st.tlsHosts) {
			continue
		}
		if !st.seen {
			st.seen = true
			if k != tlsServer {
				st.plain = i
			}
			continue
		}
		if st.plain < 0 {
			if k != tlsServer {
				st.plain = i
			}
			continue
		}
		first := &servers[st.plain]
		if kp := kindOf(first); kp == httpServer && k == httpServer {
			continue
		}
		p.Reportf(gw.Obj, portLoc(s), "port %d: this %s server cannot share the port with the %s server servers[%d] of this Gateway: Istio keeps the earlier server and drops this one",
			s.Port.Number.V, k, kindOf(first), st.plain).
			Relate(gw.Obj, portLoc(first), "the earlier server")
	}
}

// reportOwnDuplicateHost reports the first host of TLS server i of gw that
// an earlier TLS server of the port declares, and returns true when there
// is one: Istio then drops the whole server. Otherwise it records the
// server's hosts in known. Hosts compare as mergeGateways compares them,
// as written once "./" and "*/" are resolved (sanitizeServerHostNamespace).
func reportOwnDuplicateHost(p *rules.Pass, gw *graph.Gateway, i int, known map[string]int) bool {
	s := &gw.Spec.Servers[i]
	for _, h := range s.Hosts {
		name := mergedHost(h.V, gw.Namespace())
		j, dup := known[name]
		if !dup {
			continue
		}
		f := p.Reportf(gw.Obj, h.Loc, "host %q on port %d is also declared by servers[%d] of this Gateway: Istio keeps the earlier server and drops this one, with all its hosts",
			name, s.Port.Number.V, j)
		for _, hb := range gw.Spec.Servers[j].Hosts {
			if mergedHost(hb.V, gw.Namespace()) == name {
				f.Relate(gw.Obj, hb.Loc, "the same host and port")
				break
			}
		}
		return true
	}
	for _, h := range s.Hosts {
		known[mergedHost(h.V, gw.Namespace())] = i
	}
	return false
}

// mergedHost is server host h of a Gateway of namespace ns as Istio's
// gateway merge sees it: "./h" is "ns/h", and "*/h" is "h".
func mergedHost(h, ns string) string {
	sc := host.ParseScoped(h, ns)
	if sc.Namespace == "*" {
		return sc.Host
	}
	return sc.Namespace + "/" + sc.Host
}
