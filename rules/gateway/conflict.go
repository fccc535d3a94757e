package gateway

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// GatewayServerConflict reports servers on the same pods, listener and
// bind address that Istio cannot merge, of different Gateways or of one:
// TLS servers that declare the same host, or hosts with the same SNI name,
// and servers of kinds that cannot share a port.
var GatewayServerConflict = &rules.Rule{
	ID:      "MR214",
	Name:    "gateway-server-conflict",
	Summary: "gateway servers on the same pods and port that Istio cannot merge",
	Doc: `Istio merges the servers of every Gateway that selects a gateway pod, oldest Gateway first,
into one listener per port (and bind address). A port carries one of three things:

- plaintext HTTP servers (HTTP, HTTP2, GRPC, GRPC-WEB), merged into one route table;
- TLS servers (a ` + "`tls`" + ` block, protocol HTTPS, TLS or TCP), one filter chain per server, told
  apart by SNI, so their hosts must differ;
- one plaintext TCP server (TCP, MONGO, REDIS, MYSQL...), which has no way to tell hosts apart.

The port is the one the pods listen on: when the input holds the gateway pods and their Service,
a server port that is a Service port stands for its ` + "`targetPort`" + `, as Istio translates it, so a
server on 80 shares a listener with a server on 8080 when the Service maps 80 to 8080.

When servers of different Gateways on the same pods and port do not fit together (two TLS
servers that declare the same host, two plaintext TCP servers, a TCP and an HTTP server),
Istio keeps the server of the oldest Gateway and drops the other, with its certificate and
routes, so which one serves depends on creation order. A plaintext and a TLS server do not fit
either: Istio drops the TLS server when the plaintext one's Gateway is older.

The servers of one Gateway are merged in order, so there the later server is the one dropped:
a TLS server that declares a host an earlier TLS server of the port declares, and a server that
cannot merge with the first plaintext server of the port (a plaintext server after TLS servers
only is kept beside them).

Istio compares the hosts of TLS servers as written, once ` + "`./`" + ` is read as the Gateway's namespace
and ` + "`*/`" + ` dropped. The same host written another way (` + "`shop/shop.example.com`" + ` and
` + "`shop.example.com`" + `, or ` + "`./shop.example.com`" + ` in two namespaces) is not a duplicate to it: it keeps
both servers, whose filter chains match the same SNI name, since SNI has no namespace. Envoy
refuses a listener where two filter chains match the same name, so the whole port keeps its
previous configuration, or gets none on a new pod. meshlint reports this between two servers
that terminate TLS, and between a terminating and a passthrough server (whose filter chains are
those of the routes through it), of one Gateway or of two. A terminating server with a ` + "`*`" + ` host
lists no SNI name, and clashes only with another such server. Hosts that differ in case only are
reported between terminating servers: Istio keeps both, and Envoy either refuses the listener or
serves each client the server spelled as it sends the name.

An ` + "`AUTO_PASSTHROUGH`" + ` server builds a filter chain for each mesh service its hosts match, for the
SNI name ` + "`outbound_.PORT_._.HOST`" + `. Two such servers on one listener whose hosts are written
differently but match the same services (` + "`*.local`" + ` and ` + "`./*.local`" + `, or ` + "`*.local`" + ` and
` + "`*.svc.cluster.local`" + `) are both kept, and both build those filter chains: Envoy refuses the
listener. Declared alike, the later server is dropped and nothing is lost.

An HTTP server with a ` + "`tls`" + ` block (` + "`httpsRedirect: true`" + `) is merged as plaintext HTTP, but Istio checks
its hosts for duplicates as it does those of TLS servers: of two such servers on one listener that
declare the same host, the later (or the one of the younger Gateway) is dropped, with all its
hosts. Its hosts that the server kept redirects are still redirected, since the redirect does not
depend on routes, so two redirect servers for the same hosts are fine; meshlint reports the drop
only when it loses hosts that the other server does not redirect (they are then no longer
redirected, or, for a server that does not redirect, its Gateway's routes are lost on the port).
The hosts of such a server and those of TLS servers go into one table per port, checked before
the kinds of the servers are: where an HTTP server with a ` + "`tls`" + ` block and a TLS server declare the
same host on one listener, the later (or the one of the younger Gateway) is dropped with all its
hosts, so a redirect server after a TLS server loses its redirects, although a plaintext server
after TLS servers is otherwise kept beside them. meshlint reports this host drop on both
servers, not as a conflict of kinds.

Declare a host once per port, in one server, keep plaintext TCP servers on ports of their own,
or move one server to another port or gateway deployment.

Plain HTTP servers that declare the same host are merged into one route table without dropping
anything, so meshlint leaves them alone (istioctl analyze reports them as IST0145). Conversely,
istioctl analyze only reports servers that share a host string, while Istio also drops a
plaintext TCP server, or a server of the other kind, whatever its hosts: meshlint reports
those. Wildcard hosts that overlap a concrete host are not a collision (the concrete SNI wins).
Two Gateways share pods when the input holds a pod both select, or, when it holds none of their
pods, when one selector's labels include the other's. With ` + "`mesh.scope-gateway-to-namespace`" + `
(istiod's ` + "`PILOT_SCOPE_GATEWAY_TO_NAMESPACE`" + `), a gateway pod takes the Gateways of its own
namespace only, so Gateways of two namespaces never share one.`,
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
	Inputs:   append([]kinds.Kind{kinds.Gateway, kinds.Service}, kinds.Workloads()...),
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

// terminates reports whether TLS server s terminates TLS, so that its
// filter chain matches the SNI names of its hosts (GetSNIHostsForServer).
// A passthrough server's filter chains take their SNI names from the
// VirtualServices routed through it; an unset mode is PASSTHROUGH.
func terminates(s *spec.Server) bool {
	switch strings.ToUpper(s.TLS.Mode.V) {
	case "SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL", "ISTIO_MUTUAL":
		return true
	}
	return false
}

// autoPassthrough reports whether TLS server s is AUTO_PASSTHROUGH: its
// filter chains match the SNI names outbound_.PORT_._.HOST of the mesh
// services its hosts match (builtAutoPassthroughFilterChains), one chain
// per service, whatever other server builds the same.
func autoPassthrough(s *spec.Server) bool {
	return strings.ToUpper(s.TLS.Mode.V) == "AUTO_PASSTHROUGH"
}

// redirectBlock reports whether s is an HTTP server with a tls block,
// typically httpsRedirect: merged as plaintext HTTP, but mergeGateways
// checks its hosts for duplicates (CheckDuplicates) as it does those of
// every server with a tls block.
func redirectBlock(s *spec.Server) bool {
	return s.TLS != nil && kindOf(s) == httpServer
}

// passthrough reports whether TLS server s passes TLS through to the
// destinations of its routes, whose SNI names make its filter chains.
// AUTO_PASSTHROUGH is not: its filter chains match Istio's own SNI names
// (outbound_.port_._.host), not the server's hosts.
func passthrough(s *spec.Server) bool {
	return strings.ToUpper(s.TLS.Mode.V) == "PASSTHROUGH" || s.TLS.Mode.V == ""
}

// clash is how two hosts of TLS servers on one listener collide.
type clash int

const (
	noClash clash = iota
	// sameHost: written alike, once "./" and "*/" are resolved:
	// mergeGateways (CheckDuplicates) drops the later server.
	sameHost
	// sameSNI: written differently (ns/h and h, ./h and h...), so both
	// servers are kept, with one SNI name: two terminating servers give
	// the listener two filter chains for it.
	sameSNI
	// routedSNI: sameSNI between a terminating and a passthrough server,
	// whose filter chains come from the routes through it.
	routedSNI
	// caseSNI: two terminating servers whose SNI names differ in case only.
	caseSNI
	// autoSNI: two AUTO_PASSTHROUGH servers whose hosts, written
	// differently, match the same services: both are kept, and both build
	// a filter chain for each such service.
	autoSNI
)

// hostClash compares host ha of server sa of a Gateway of namespace nsA
// with host hb of server sb of a Gateway of namespace nsB, both TLS servers
// on one listener, as Istio's gateway merge and listener build see them.
func hostClash(ha, nsA string, sa *spec.Server, hb, nsB string, sb *spec.Server) clash {
	if mergedHost(ha, nsA) == mergedHost(hb, nsB) {
		return sameHost
	}
	na, nb := sniName(ha), sniName(hb)
	ta, tb := terminates(sa), terminates(sb)
	// A terminating server with a "*" host matches every SNI name: its
	// filter chain lists none (toFilterChainMatch), so it only clashes
	// with another such chain, on the "*" hosts.
	if alla, allb := ta && matchesAll(sa), tb && matchesAll(sb); alla || allb {
		if !alla || !allb || na != "*" || nb != "*" {
			return noClash
		}
	}
	switch {
	case na == nb && ta && tb:
		return sameSNI
	case na == nb && (ta && passthrough(sb) || tb && passthrough(sa)):
		return routedSNI
	case na != nb && strings.EqualFold(na, nb) && ta && tb:
		return caseSNI
	case autoPassthrough(sa) && autoPassthrough(sb) && host.Matches(na, nb):
		return autoSNI
	}
	return noClash
}

// matchesAll reports whether server s has a host of SNI name "*".
func matchesAll(s *spec.Server) bool {
	for _, h := range s.Hosts {
		if sniName(h.V) == "*" {
			return true
		}
	}
	return false
}

// sniName is the SNI name a server host gives its filter chain: the host
// without its namespace part (GetSNIHostsForServer).
func sniName(h string) string {
	if _, after, ok := strings.Cut(h, "/"); ok {
		return after
	}
	return h
}

// consequence says what becomes of the servers of a clash other than
// sameHost, whose message says which server is dropped.
func consequence(c clash, ha, hb string) string {
	const kept = "Istio compares hosts as written and keeps both servers, so "
	switch {
	case c == sameSNI && sniName(ha) == "*":
		return kept + "two filter chains of the listener match every SNI name (a \"*\" host lists none): Envoy refuses the listener, which keeps its previous configuration or gets none"
	case c == sameSNI:
		return kept + fmt.Sprintf("two filter chains of the listener match SNI %q: Envoy refuses the listener, which keeps its previous configuration or gets none", sniName(ha))
	case c == autoSNI:
		return kept + "both AUTO_PASSTHROUGH servers build a filter chain for each mesh service that both hosts match, for its SNI name outbound_.PORT_._.HOST: two filter chains of the listener match the same name, and Envoy refuses the listener, which keeps its previous configuration or gets none"
	case c == routedSNI:
		return kept + fmt.Sprintf("once a VirtualService routes SNI %q through the passthrough server, two filter chains of the listener match it: Envoy refuses the listener, which keeps its previous configuration or gets none", sniName(ha))
	}
	return kept + fmt.Sprintf("the listener gets filter chains for SNI %q and %q, which differ in case only: Envoy either refuses the listener or picks the server by the spelling each client sends", sniName(ha), sniName(hb))
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
			if redirectBlock(sa) {
				checkRedirectConflict(p, others, copies, a, sa)
			}
			checkMixedHostConflict(p, others, copies, a, sa)
			checkKindConflict(p, others, copies, a, sa)
		}
	}
	return nil
}

// listener returns the port gateway pod w listens on for server port n.
func listener(p *rules.Pass, w *graph.Workload, n int64) int64 {
	l, _ := graph.GatewayListenerPort(n, w, p.Lookup().ServicesSelecting(w))
	return l
}

// sharedListener reports whether servers sa of Gateway a and sb of Gateway
// b land on the same listener of some gateway pod, and returns its port.
// Istio keys listeners by the port after translation through the pod's
// Services (resolvePorts) and by bind address. Without pods of either in
// the input, the Gateways share pods when their selectors (and namespaces,
// with the gateway scope setting) say so (Graph.SharePods), and the ports
// are compared as written.
func sharedListener(p *rules.Pass, a, b *graph.Gateway, sa, sb *spec.Server) (int64, bool) {
	if sb.Port == nil || sa.Bind.V != sb.Bind.V {
		return 0, false
	}
	if sa.Port.Number.V == sb.Port.Number.V {
		// One port is one listener, whatever the translation.
		return sa.Port.Number.V, p.Graph.SharePods(a, b)
	}
	for _, w := range a.Workloads {
		if !slices.Contains(b.Workloads, w) {
			continue
		}
		if l := listener(p, w, sa.Port.Number.V); l == listener(p, w, sb.Port.Number.V) {
			return l, true
		}
	}
	return 0, false
}

// portText names the port of server s, and the listener port l when the
// pods' Services translate it there. l is s's port when the servers
// compared have the same port: then the translation does not matter.
func portText(s *spec.Server, l int64) string {
	if l == s.Port.Number.V {
		return fmt.Sprintf("port %d", l)
	}
	return fmt.Sprintf("port %d (listener %d on the pods, through their Service)", s.Port.Number.V, l)
}

// shown is the listener port l of servers s and other as a message shows
// it: their port when they have the same, whatever the pods make of it.
func shown(s, other *spec.Server, l int64) int64 {
	if s.Port.Number.V == other.Port.Number.V {
		return s.Port.Number.V
	}
	return l
}

// otherPort names the port of the other server sb on listener l when it
// is written differently from sa's, for messages about one listener.
func otherPort(sa, sb *spec.Server, l int64) string {
	switch sb.Port.Number.V {
	case sa.Port.Number.V:
		return ""
	case l:
		return fmt.Sprintf(" on its port %d", l)
	}
	return fmt.Sprintf(" on its port %d (listener %d)", sb.Port.Number.V, l)
}

func checkHostConflict(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server, ha spec.Str) {
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) {
			continue
		}
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if sb.Port == nil || kindOf(sb) != tlsServer {
				continue
			}
			l, ok := sharedListener(p, a, b, sa, sb)
			if !ok {
				continue
			}
			for _, hb := range sb.Hosts {
				c := hostClash(ha.V, a.Namespace(), sa, hb.V, b.Namespace(), sb)
				if c == noClash {
					continue
				}
				name := sniName(mergedHost(ha.V, a.Namespace()))
				if c == sameHost {
					p.Reportf(a.Obj, ha.Loc, "host %q on %s is also declared by Gateway %s/%s%s on the same pods: Istio keeps only the server of the oldest Gateway",
						name, portText(sa, l), b.Namespace(), b.Name(), otherPort(sa, sb, l)).
						Relate(b.Obj, hb.Loc, "the same host and port")
					return
				}
				p.Reportf(a.Obj, ha.Loc, "host %q on %s is also declared, as %q, by Gateway %s/%s%s on the same pods: %s",
					ha.V, portText(sa, l), hb.V, b.Namespace(), b.Name(), otherPort(sa, sb, l), consequence(c, ha.V, hb.V)).
					Relate(b.Obj, hb.Loc, "the same SNI name on the same listener")
				return
			}
		}
	}
}

// checkRedirectConflict reports HTTP server sa of Gateway a, which has a
// tls block, when a server with a tls block of another Gateway on the same
// pods and listener declares one of its hosts, and dropping sa loses
// something. mergeGateways runs CheckDuplicates on the hosts of every
// server with a tls block: of two such servers that share a host, the one
// of the younger Gateway is dropped, with all its hosts. Its hosts that an
// httpsRedirect server of the other Gateway declares are still redirected
// (the vhost requires TLS whatever routes it has), so only the others are
// lost: their redirect, or the routes of sa's Gateway when sa has none.
func checkRedirectConflict(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server) {
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) {
			continue
		}
		var on []*spec.Server // b's servers with a tls block on sa's listener
		var l int64
		var dup *spec.Str
		var dupOf spec.Str
		var dupServer *spec.Server
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if sb.Port == nil || !redirectBlock(sb) {
				continue
			}
			at, ok := sharedListener(p, a, b, sa, sb)
			if !ok {
				continue
			}
			on = append(on, sb)
			if dup != nil {
				continue
			}
			if ha, hb, ok := sharedHost(sa, a.Namespace(), sb, b.Namespace()); ok {
				dup, dupOf, dupServer, l = ha, hb, sb, at
			}
		}
		if dup == nil {
			continue
		}
		lost := lostHosts(sa, a.Namespace(), on, b.Namespace(), false)
		if len(lost) == 0 {
			continue
		}
		p.Reportf(a.Obj, dup.Loc, "host %q on %s is also declared by Gateway %s/%s%s on the same pods, and both servers have a tls block: Istio checks their hosts for duplicates as it does those of TLS servers, and keeps only the server of the oldest Gateway: if it drops this one, with all its hosts, %s",
			mergedHost(dup.V, a.Namespace()), portText(sa, l), b.Namespace(), b.Name(), otherPort(sa, dupServer, l), lostText(sa, lost)).
			Relate(b.Obj, dupOf.Loc, "the same host and port")
		return
	}
}

// sharedHost returns the first host of server sa (of a Gateway of
// namespace nsA) that server sb (of namespace nsB) declares as written,
// once "./" and "*/" are resolved (CheckDuplicates), and sb's.
func sharedHost(sa *spec.Server, nsA string, sb *spec.Server, nsB string) (*spec.Str, spec.Str, bool) {
	for i := range sa.Hosts {
		for _, hb := range sb.Hosts {
			if mergedHost(sa.Hosts[i].V, nsA) == mergedHost(hb.V, nsB) {
				return &sa.Hosts[i], hb, true
			}
		}
	}
	return nil, spec.Str{}, false
}

// lostHosts returns the hosts of HTTP server s (of a Gateway of namespace
// ns) with a tls block that are lost when Istio drops it for a duplicate
// host, kept being the servers with a tls block on its listener that stay
// (of namespace keptNS): those that no kept server redirects, and when s
// does not redirect and the kept servers are of its own Gateway, whose
// VirtualServices are then still read, those that none declares.
func lostHosts(s *spec.Server, ns string, kept []*spec.Server, keptNS string, own bool) []string {
	var lost []string
	for _, h := range s.Hosts {
		covered := false
		for _, k := range kept {
			for _, hk := range k.Hosts {
				if mergedHost(hk.V, keptNS) == mergedHost(h.V, ns) && (k.TLS.HTTPSRedirect.V || own && !s.TLS.HTTPSRedirect.V) {
					covered = true
				}
			}
		}
		if !covered {
			lost = append(lost, fmt.Sprintf("%q", h.V))
		}
	}
	return lost
}

// lostText says what becomes of hosts lost, quoted, of HTTP server s with a
// tls block when Istio drops it.
func lostText(s *spec.Server, lost []string) string {
	if s.TLS.HTTPSRedirect.V {
		return fmt.Sprintf("requests for %s are no longer redirected to HTTPS", strings.Join(lost, ", "))
	}
	return fmt.Sprintf("the routes of this Gateway's VirtualServices for %s are lost on the port", strings.Join(lost, ", "))
}

// mixedTLSBlocks reports whether one of servers sa and sb is an HTTP
// server with a tls block and the other a TLS server. mergeGateways keeps
// the hosts of every server with a tls block in one table per port
// (tlsHostsByPort), whatever its protocol, and runs CheckDuplicates before
// it looks at the kinds: of two such servers that share a host, the later
// is dropped, with all its hosts, even a plaintext one that the kind check
// would have kept beside the TLS server.
func mixedTLSBlocks(sa, sb *spec.Server) bool {
	return redirectBlock(sa) && kindOf(sb) == tlsServer || kindOf(sa) == tlsServer && redirectBlock(sb)
}

// tlsBlockText names the kind of server s with a tls block in messages
// about CheckDuplicates.
func tlsBlockText(s *spec.Server) string {
	if redirectBlock(s) {
		return "HTTP server with a tls block"
	}
	return "TLS server"
}

// lostMixed says what server s, of a Gateway of namespace ns, loses when
// Istio drops it for a host that a server of the other kind with a tls
// block declares, kept being the HTTP servers with a tls block of the
// Gateway kept on its listener (own: of the same Gateway), which still
// redirect their hosts; "" when nothing is lost.
func lostMixed(s *spec.Server, ns string, kept []*spec.Server, keptNS string, own bool) string {
	if redirectBlock(s) {
		if lost := lostHosts(s, ns, kept, keptNS, own); len(lost) > 0 {
			return lostText(s, lost)
		}
		return ""
	}
	var hosts []string
	for _, h := range s.Hosts {
		hosts = append(hosts, fmt.Sprintf("%q", h.V))
	}
	return fmt.Sprintf("its TLS settings and routes for %s are lost on the port", strings.Join(hosts, ", "))
}

// checkMixedHostConflict reports server sa of Gateway a when a server of
// another Gateway on the same pods and listener declares one of its hosts,
// one of the two being an HTTP server with a tls block and the other a TLS
// server (mixedTLSBlocks): Istio keeps the server of the oldest Gateway and
// drops the other, with all its hosts. checkKindConflict leaves such pairs
// alone, since the host, not the kind, decides which server goes.
func checkMixedHostConflict(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server) {
	if kindOf(sa) != tlsServer && !redirectBlock(sa) {
		return
	}
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) {
			continue
		}
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if sb.Port == nil || !mixedTLSBlocks(sa, sb) {
				continue
			}
			l, ok := sharedListener(p, a, b, sa, sb)
			if !ok {
				continue
			}
			dup, was, ok := sharedHost(sa, a.Namespace(), sb, b.Namespace())
			if !ok {
				continue
			}
			var redirects []*spec.Server // b's, on the listener, that still redirect
			for k := range b.Spec.Servers {
				if sk := &b.Spec.Servers[k]; sk.Port != nil && redirectBlock(sk) {
					if _, on := sharedListener(p, a, b, sa, sk); on {
						redirects = append(redirects, sk)
					}
				}
			}
			lost := lostMixed(sa, a.Namespace(), redirects, b.Namespace(), false)
			if lost == "" {
				continue
			}
			p.Reportf(a.Obj, dup.Loc, "host %q on %s is also declared by the %s of Gateway %s/%s%s on the same pods: Istio checks the hosts of every server with a tls block for duplicates, whatever its protocol, and keeps only the server of the oldest Gateway: if it drops this one, with all its hosts, %s",
				mergedHost(dup.V, a.Namespace()), portText(sa, l), tlsBlockText(sb), b.Namespace(), b.Name(), otherPort(sa, sb, l), lost).
				Relate(b.Obj, was.Loc, "the same host and port")
			return
		}
	}
}

// checkKindConflict reports the first server of another Gateway of gws on
// the same pods and listener whose kind cannot share it with sa's. An HTTP
// server with a tls block and a TLS server that share a host are
// checkMixedHostConflict's.
func checkKindConflict(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server) {
	ka := kindOf(sa)
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) {
			continue
		}
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			l, ok := sharedListener(p, a, b, sa, sb)
			if !ok {
				continue
			}
			kb := kindOf(sb)
			if ka == kb && ka != tcpServer {
				continue // HTTP servers merge; TLS servers are told apart by SNI
			}
			if _, _, dup := sharedHost(sa, a.Namespace(), sb, b.Namespace()); dup && mixedTLSBlocks(sa, sb) {
				continue
			}
			why := "Istio keeps only the server of the oldest Gateway"
			if ka == tlsServer || kb == tlsServer {
				why = "Istio drops the TLS server when the Gateway of the plaintext one is older"
			}
			p.Reportf(a.Obj, portLoc(sa), "%s: this %s server and the %s server of Gateway %s/%s%s on the same pods cannot share the port: %s",
				portText(sa, l), ka, kb, b.Namespace(), b.Name(), otherPort(sa, sb, l), why).
				Relate(b.Obj, portLoc(sb), "the other server")
			return
		}
	}
}

// portLoc is where a finding about a server's port points.
func portLoc(s *spec.Server) spec.Loc {
	if !s.Port.Number.Loc.IsZero() {
		return s.Port.Number.Loc
	}
	return s.Port.Loc
}

// ownListeners returns the ways the pods of gw translate its server ports
// to listener ports, one function for each distinct translation (the pods
// of a Deployment share their Services), or the ports as written when the
// input holds none of its pods.
func ownListeners(p *rules.Pass, gw *graph.Gateway) []func(int64) int64 {
	asWritten := func(n int64) int64 { return n }
	var out []func(int64) int64
	seen := map[string]bool{}
	for _, w := range gw.Workloads {
		var key strings.Builder
		for _, s := range gw.Spec.Servers {
			if s.Port != nil {
				fmt.Fprintf(&key, "%d,", listener(p, w, s.Port.Number.V))
			}
		}
		if seen[key.String()] {
			continue
		}
		seen[key.String()] = true
		out = append(out, func(n int64) int64 { return listener(p, w, n) })
	}
	if len(out) == 0 {
		out = append(out, asWritten)
	}
	return out
}

// checkOwnServers reports the servers of one Gateway that Istio drops in
// favour of an earlier server of the same Gateway, or keeps beside an
// earlier server with the same SNI name. mergeGateways takes a Gateway's
// servers in order, so which one survives is known: a TLS server whose
// host an earlier TLS server on the listener declares (CheckDuplicates),
// and a server that cannot merge with the first plaintext server of the
// listener (canMergeProtocols). A plaintext server after TLS servers only
// is kept beside them. Each server is reported once, whatever the pods.
func checkOwnServers(p *rules.Pass, gw *graph.Gateway) {
	reported := map[int]bool{}
	for _, listen := range ownListeners(p, gw) {
		checkOwnServersOn(p, gw, listen, reported)
	}
}

func checkOwnServersOn(p *rules.Pass, gw *graph.Gateway, listen func(int64) int64, reported map[int]bool) {
	type key struct {
		port int64
		bind string
	}
	type state struct {
		seen     bool
		plain    int   // index of the first plaintext server, or -1
		tls      []int // the TLS servers merged so far
		redirect []int // the HTTP servers with a tls block merged so far
	}
	states := map[key]*state{}
	servers := gw.Spec.Servers
	for i := range servers {
		s := &servers[i]
		if s.Port == nil {
			continue
		}
		l := listen(s.Port.Number.V)
		k := key{l, s.Bind.V}
		st := states[k]
		if st == nil {
			st = &state{plain: -1}
			states[k] = st
		}
		kind := kindOf(s)
		if kind == tlsServer {
			dropped, kept := ownHostClash(gw, i, st.tls)
			if dropped != nil || kept != nil {
				if !reported[i] {
					reported[i] = true
					reportOwnHostClash(p, gw, i, l, dropped, kept)
				}
			}
			if dropped != nil {
				continue
			}
			if ownMixedClash(p, gw, i, l, st.redirect, st.redirect, reported) {
				continue
			}
			st.tls = append(st.tls, i)
		}
		if redirectBlock(s) {
			if dropped := ownRedirectClash(p, gw, i, l, st.redirect, reported); dropped {
				continue
			}
			if ownMixedClash(p, gw, i, l, st.tls, st.redirect, reported) {
				continue
			}
			st.redirect = append(st.redirect, i)
		}
		if !st.seen {
			st.seen = true
			if kind != tlsServer {
				st.plain = i
			}
			continue
		}
		if st.plain < 0 {
			if kind != tlsServer {
				st.plain = i
			}
			continue
		}
		first := &servers[st.plain]
		if kp := kindOf(first); kp == httpServer && kind == httpServer {
			continue
		}
		if reported[i] {
			continue
		}
		reported[i] = true
		at := shown(s, first, l)
		p.Reportf(gw.Obj, portLoc(s), "%s: this %s server cannot share the port with the %s server servers[%d] of this Gateway%s: Istio keeps the earlier server and drops this one",
			portText(s, at), kind, kindOf(first), st.plain, otherPort(s, first, at)).
			Relate(gw.Obj, portLoc(first), "the earlier server")
	}
}

// ownRedirectClash reports whether Istio drops HTTP server i of gw, which
// has a tls block, for a host that an earlier such server of its listener
// declares (CheckDuplicates runs on every server with a tls block), and
// reports the server when that loses one of its hosts.
func ownRedirectClash(p *rules.Pass, gw *graph.Gateway, i int, l int64, earlier []int, reported map[int]bool) bool {
	s := &gw.Spec.Servers[i]
	ns := gw.Namespace()
	var kept []*spec.Server
	for _, j := range earlier {
		kept = append(kept, &gw.Spec.Servers[j])
	}
	for _, j := range earlier {
		other := &gw.Spec.Servers[j]
		dup, was, ok := sharedHost(s, ns, other, ns)
		if !ok {
			continue
		}
		lost := lostHosts(s, ns, kept, ns, true)
		if len(lost) > 0 && !reported[i] {
			reported[i] = true
			at := shown(s, other, l)
			p.Reportf(gw.Obj, dup.Loc, "host %q on %s is also declared by servers[%d] of this Gateway%s, and both servers have a tls block: Istio checks their hosts for duplicates as it does those of TLS servers, and drops this server, with all its hosts: %s",
				mergedHost(dup.V, ns), portText(s, at), j, otherPort(s, other, at), lostText(s, lost)).
				Relate(gw.Obj, was.Loc, "the same host and port")
		}
		return true
	}
	return false
}

// ownMixedClash reports whether Istio drops server i of gw, a TLS server
// or an HTTP server with a tls block, for a host that an earlier server of
// the other of those kinds on its listener, among earlier, declares
// (CheckDuplicates shares one table between them: mixedTLSBlocks), and
// reports the server when that loses one of its hosts. redirects are the
// earlier HTTP servers with a tls block, which still redirect their hosts.
func ownMixedClash(p *rules.Pass, gw *graph.Gateway, i int, l int64, earlier, redirects []int, reported map[int]bool) bool {
	s := &gw.Spec.Servers[i]
	ns := gw.Namespace()
	for _, j := range earlier {
		other := &gw.Spec.Servers[j]
		if !mixedTLSBlocks(s, other) {
			continue
		}
		dup, was, ok := sharedHost(s, ns, other, ns)
		if !ok {
			continue
		}
		var kept []*spec.Server
		for _, k := range redirects {
			kept = append(kept, &gw.Spec.Servers[k])
		}
		if lost := lostMixed(s, ns, kept, ns, true); lost != "" && !reported[i] {
			reported[i] = true
			at := shown(s, other, l)
			p.Reportf(gw.Obj, dup.Loc, "host %q on %s is also declared by the %s servers[%d] of this Gateway%s: Istio checks the hosts of every server with a tls block for duplicates, whatever its protocol, and drops this server, with all its hosts: %s",
				mergedHost(dup.V, ns), portText(s, at), tlsBlockText(other), j, otherPort(s, other, at), lost).
				Relate(gw.Obj, was.Loc, "the same host and port")
		}
		return true
	}
	return false
}

// hostPair is a host of a server of a Gateway and the host of an earlier
// server it clashes with.
type hostPair struct {
	clash   clash
	j       int // the earlier server
	at, was spec.Str
}

// ownHostClash compares the hosts of TLS server i of gw with those of the
// earlier TLS servers tls of its listener. dropped is the first host an
// earlier server declares as written (Istio then drops server i, with all
// its hosts); otherwise kept is the first host whose SNI name an earlier
// server's host gives too (Istio keeps both servers).
func ownHostClash(gw *graph.Gateway, i int, tls []int) (dropped, kept *hostPair) {
	s := &gw.Spec.Servers[i]
	ns := gw.Namespace()
	for _, h := range s.Hosts {
		for _, j := range tls {
			for _, hb := range gw.Spec.Servers[j].Hosts {
				switch c := hostClash(h.V, ns, s, hb.V, ns, &gw.Spec.Servers[j]); {
				case c == sameHost:
					return &hostPair{c, j, h, hb}, nil
				case c != noClash && kept == nil:
					kept = &hostPair{c, j, h, hb}
				}
			}
		}
	}
	return nil, kept
}

func reportOwnHostClash(p *rules.Pass, gw *graph.Gateway, i int, l int64, dropped, kept *hostPair) {
	s := &gw.Spec.Servers[i]
	if dropped != nil {
		other := &gw.Spec.Servers[dropped.j]
		at := shown(s, other, l)
		p.Reportf(gw.Obj, dropped.at.Loc, "host %q on %s is also declared by servers[%d] of this Gateway%s: Istio keeps the earlier server and drops this one, with all its hosts",
			mergedHost(dropped.at.V, gw.Namespace()), portText(s, at), dropped.j, otherPort(s, other, at)).
			Relate(gw.Obj, dropped.was.Loc, "the same host and port")
		return
	}
	other := &gw.Spec.Servers[kept.j]
	at := shown(s, other, l)
	p.Reportf(gw.Obj, kept.at.Loc, "host %q on %s is also declared, as %q, by servers[%d] of this Gateway%s: %s",
		kept.at.V, portText(s, at), kept.was.V, kept.j, otherPort(s, other, at), consequence(kept.clash, kept.at.V, kept.was.V)).
		Relate(gw.Obj, kept.was.Loc, "the same SNI name on the same listener")
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
