package routing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// DestinationPortUnknown reports destination ports the host does not expose.
var DestinationPortUnknown = &rules.Rule{
	ID:      "MR113",
	Name:    "destination-port-unknown",
	Summary: "route destination port is not a port of the destination host",
	Doc: `A destination's ` + "`port.number`" + ` selects the cluster of that port of the host, so it must be
one of the ports of the Service (its ` + "`port`" + `, not its ` + "`targetPort`" + `) or of the ServiceEntry.
Traffic routed to a port the host does not expose has no cluster and fails with 503 (NC).

Use the Service port, or add the port to the Service or ServiceEntry. Only destinations whose
host resolves are checked (see MR112 for the others), where the routes are used: for a
VirtualService bound to gateways, from the namespaces of the gateway pods; for a delegate, from
where the routes that delegate to it are used.`,
	Bad:      destPortExample("8080"),
	Good:     destPortExample("9080"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Service, kinds.ServiceEntry, kinds.Gateway, kinds.Pod, kinds.Deployment},
	Related:  []string{"IST0101"},
	Deps:     rules.DepHOST | rules.DepGW | rules.DepREF | rules.DepREV,
	Run:      runDestinationPortUnknown,
}

// destPortExample is a route of VirtualService shop/reviews to port of
// Service shop/reviews, which exposes 9080: the examples of MR113.
func destPortExample(port string) string {
	return `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, port: {number: ` + port + `}}
`
}

func runDestinationPortUnknown(p *rules.Pass) error {
	eachHostDestination(p, func(vs *graph.VirtualService, ref destRef, targets []graph.HostTarget) {
		d := ref.Dest
		if d.Port == nil || !d.Port.Number.Set || len(targets) == 0 {
			return
		}
		ports := targetPorts(targets)
		if slices.Contains(ports, d.Port.Number.V) {
			return
		}
		p.Reportf(vs.Obj, d.Port.Number.Loc, "%s: port %d is not a port of %s (ports: %s)", ref.Where(), d.Port.Number.V, targetName(targets[0]), portList(ports))
	})
	return nil
}

// DestinationPortRequired reports destinations without a port whose port
// Istio takes from the listener, where the host does not expose it.
var DestinationPortRequired = &rules.Rule{
	ID:      "MR114",
	Name:    "destination-port-required",
	Summary: "route destination has no port, and the host has several ports none of which is the listener's",
	Doc: `When a destination has no ` + "`port`" + ` and its host exposes a single port, Istio uses that port.
When the host exposes several ports, Istio uses the port of the listener the request came in
on: the Gateway server's port for a VirtualService bound to a Gateway, and the port of the
VirtualService's host for sidecars. If the host does not expose that port, the route points at
a cluster that does not exist and requests fail with 503 (NC). The classic case is an ingress
route on port 80 or 443 to a Service with ports 9080 and 9090. A Gateway takes the routes only
on its servers whose hosts admit a host of the VirtualService, and only on those that carry the
route's kind: http routes on HTTP servers and on HTTPS servers that terminate TLS, tls routes on
PASSTHROUGH servers, tcp routes on the others. A route whose match entries all name a
` + "`port`" + ` is only built for the listeners of those ports; the other listeners do not count.

Set ` + "`port.number`" + ` on the destination.

istioctl analyze (IST0112) reports every destination without a port to a multi-port host,
also for mesh routes where the port is found; meshlint reports only the listener ports that
the host does not expose. A delegate VirtualService (one without hosts) receives the traffic
of the VirtualServices that delegate to it, on their listeners. When a Gateway, or the
VirtualService delegating to a delegate, is not in the input, the listener ports are unknown
and the destination is reported.`,
	Bad:      destPortRequiredExample("{host: web}"),
	Good:     destPortRequiredExample("{host: web, port: {number: 8080}}"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Service, kinds.ServiceEntry, kinds.Gateway, kinds.Pod, kinds.Deployment},
	Related:  []string{"IST0112"},
	Deps:     rules.DepHOST | rules.DepGW | rules.DepREF | rules.DepREV,
	Run:      runDestinationPortRequired,
}

// destPortRequiredExample is a route of a VirtualService bound to a
// Gateway on port 80 to Service shop/web, which exposes 8080 and 9090:
// the examples of MR114.
func destPortRequiredExample(destination string) string {
	return `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8080}, {name: http-admin, port: 9090}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http:
  - route:
    - destination: ` + destination + "\n"
}

func runDestinationPortRequired(p *rules.Pass) error {
	g := p.Graph
	eachHostDestination(p, func(vs *graph.VirtualService, ref destRef, targets []graph.HostTarget) {
		d := ref.Dest
		if d.Port != nil && d.Port.Number.Set || len(targets) == 0 {
			return
		}
		ports := targetPorts(targets)
		if len(ports) < 2 {
			return
		}
		if len(vs.Spec.Hosts) == 0 {
			// A delegate: its routes serve the listeners of the
			// VirtualServices that delegate to it.
			parents := delegateParents(g, vs)
			if len(parents) == 0 {
				p.Reportf(vs.Obj, d.Host.Loc, "%s: destination %q has no port and %s exposes ports %s: this delegate VirtualService (it has no hosts) takes the listener port of the VirtualService that delegates to it, which is not in the input and may not be one of them",
					ref.Where(), d.Host.V, targetName(targets[0]), portList(ports))
				return
			}
			for _, parent := range parents {
				reportPortRequired(p, vs, ref, targets, ports, parent)
			}
			return
		}
		reportPortRequired(p, vs, ref, targets, ports, vs)
	})
	return nil
}

// reportPortRequired reports destination ref of vs, which has no port, if
// the listeners that VirtualService on receives traffic on are not all
// among the host's ports. on is vs itself, or a VirtualService that
// delegates to it.
func reportPortRequired(p *rules.Pass, vs *graph.VirtualService, ref destRef, targets []graph.HostTarget, ports []int64, on *graph.VirtualService) {
	d := ref.Dest
	via := ""
	if on != vs {
		via = fmt.Sprintf(" (through VirtualService %s/%s, which delegates to this one)", on.Namespace(), on.Name())
	}
	missing, unknownGateway := listenerPortsMissing(p.Graph, on, ref.kind, ports, routeMatchPorts(vs, ref))
	switch {
	case len(missing) > 0:
		p.Reportf(vs.Obj, d.Host.Loc, "%s: destination %q has no port and %s exposes ports %s: requests arriving on listener port %s%s go to that port of the host, which it does not expose",
			ref.Where(), d.Host.V, targetName(targets[0]), portList(ports), portList(missing), via)
	case unknownGateway != "":
		p.Reportf(vs.Obj, d.Host.Loc, "%s: destination %q has no port and %s exposes ports %s: requests take the port of the listener of gateway %s (not in the input)%s, which may not be one of them",
			ref.Where(), d.Host.V, targetName(targets[0]), portList(ports), unknownGateway, via)
	}
}

// delegateParents returns the VirtualServices with hosts whose http routes
// delegate to vs.
func delegateParents(g *graph.Graph, vs *graph.VirtualService) []*graph.VirtualService {
	var out []*graph.VirtualService
	for _, parent := range g.VirtualServices {
		if len(parent.Spec.Hosts) == 0 {
			continue // a delegate cannot delegate again
		}
		for _, r := range parent.Spec.HTTP {
			if r.Delegate == nil || r.Delegate.Name.V != vs.Name() {
				continue
			}
			ns := r.Delegate.Namespace.V
			if ns == "" {
				ns = parent.Namespace()
			}
			if ns == vs.Namespace() {
				out = append(out, parent)
				break
			}
		}
	}
	return out
}

// routeMatchPorts returns the ports the match entries of the route of ref
// restrict it to, or nil when some entry (or the route, having none) takes
// every port: Istio builds an entry with a port only for the listener of
// that port (TranslateRoute), so the destination's port is never taken
// from another listener. Merged into the route that delegates to it, a
// delegate's entry keeps its own port.
func routeMatchPorts(vs *graph.VirtualService, ref destRef) []int64 {
	var ports []spec.Int
	switch ref.kind {
	case "http":
		for _, m := range vs.Spec.HTTP[ref.route].Match {
			ports = append(ports, m.Port)
		}
	case "tcp":
		for _, m := range vs.Spec.TCP[ref.route].Match {
			ports = append(ports, m.Port)
		}
	case "tls":
		for _, m := range vs.Spec.TLS[ref.route].Match {
			ports = append(ports, m.Port)
		}
	}
	if len(ports) == 0 {
		return nil
	}
	out := make([]int64, 0, len(ports))
	for _, p := range ports {
		if !p.Set || p.V == 0 {
			return nil
		}
		out = append(out, p.V)
	}
	return out
}

// listenerPortsMissing returns the listener ports the VirtualService's
// routes of kind ("http", "tcp" or "tls") receive traffic on that are not
// among ports, and the name of a bound gateway that is not in the input. A
// gateway serves the VirtualService only on the servers whose hosts admit
// one of its hosts (Istio's pickMatchingGatewayHosts), that build routes
// of that kind (serverServes), and only, when only is not nil, on the
// listener ports it lists.
func listenerPortsMissing(g *graph.Graph, vs *graph.VirtualService, kind string, ports, only []int64) (missing []int64, unknownGateway string) {
	var listen []int64
	if meshBound(vs) {
		for _, h := range vs.Hosts {
			listen = append(listen, targetPorts(g.LookupHost(h, vs.Namespace()))...)
		}
	}
	for _, ref := range vs.Gateways {
		switch {
		case ref.Mesh:
		case ref.Gateway == nil:
			if unknownGateway == "" {
				unknownGateway = ref.Written.V
			}
		default:
			for _, s := range ref.Gateway.Spec.Servers {
				if s.Port != nil && s.Port.Number.Set && serverServes(s, kind) && serverAdmits(s, ref.Gateway.Namespace(), vs) {
					listen = append(listen, s.Port.Number.V)
				}
			}
		}
	}
	for _, l := range listen {
		if only != nil && !slices.Contains(only, l) {
			continue
		}
		if !slices.Contains(ports, l) && !slices.Contains(missing, l) {
			missing = append(missing, l)
		}
	}
	slices.Sort(missing)
	return missing, unknownGateway
}

// serverServes reports whether a Gateway server builds the routes of a
// kind of VirtualService route, as serverRouteKind (MR119) reads Istio's
// gateway listeners. A server whose routes the rule cannot tell (one the
// webhook rejects, or of a protocol Istio does not know) serves every
// kind.
func serverServes(s spec.Server, kind string) bool {
	k, known := serverRouteKind(s)
	return !known || k == kind
}

type targetsKey struct{}

// allDestTargets returns destTargets of every destination of
// allDestinations (nil for one without a host), looked up once per run for
// the rules that read them. Do not modify it.
func allDestTargets(p *rules.Pass) [][][]graph.HostTarget {
	return p.Memo(targetsKey{}, func() any {
		g := p.Graph
		dests := allDestinations(p)
		out := make([][][]graph.HostTarget, len(g.VirtualServices))
		for i, vs := range g.VirtualServices {
			if len(dests[i]) == 0 {
				continue
			}
			out[i] = make([][]graph.HostTarget, len(dests[i]))
			nss, _ := destNamespaces(p, vs)
			for k, ref := range dests[i] {
				if ref.Dest.Host.V != "" {
					out[i][k] = destTargets(g, vs, ref.Dest, nss)
				}
			}
		}
		return out
	}).([][][]graph.HostTarget)
}

// eachHostDestination calls f for every destination that names a host, of
// every VirtualService, with the registry entries the host resolves to
// (allDestTargets): none when it resolves to nothing.
func eachHostDestination(p *rules.Pass, f func(vs *graph.VirtualService, ref destRef, targets []graph.HostTarget)) {
	dests, targetsOf := allDestinations(p), allDestTargets(p)
	for i, vs := range p.Graph.VirtualServices {
		for k, ref := range dests[i] {
			if ref.Dest.Host.V != "" {
				f(vs, ref, targetsOf[i][k])
			}
		}
	}
}

// destTargets looks up the host of destination d of vs from nss, the
// namespaces of its clients (clientNamespaces): the registry entries
// visible from at least one of them.
func destTargets(g *graph.Graph, vs *graph.VirtualService, d *spec.Destination, nss []string) []graph.HostTarget {
	fqdn := g.FQDN(d.Host.V, vs.Namespace())
	if len(nss) == 1 {
		return g.LookupHost(fqdn, nss[0])
	}
	var out []graph.HostTarget
	for _, ns := range nss {
		for _, t := range g.LookupHost(fqdn, ns) {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// destNamespaces returns the namespaces from which the destinations of vs
// are looked up, for the lookups of allDestTargets, and how to say where
// they come from. The sidecars that take the routes of a VirtualService
// bound to the mesh look them up from their namespaces (clientNamespaces);
// a gateway looks them up from the namespace of its pods, as Istio's
// buildNameToServiceMapForHTTPRoutes and the gateway's SidecarScope do, so
// that a Service exported to its own namespace alone has no cluster in a
// gateway of istio-system (ProxyNamespaces stands the Gateway's and the
// root namespace in for pods not in the input). A delegate (no hosts) is
// merged into the routes that delegate to it (mergeVirtualServicesIfNeeded)
// and serves from their proxies: its destinations are looked up from the
// namespaces of its roots. A delegate that no route delegates to reaches
// no proxy; it is looked up as a mesh VirtualService.
func destNamespaces(p *rules.Pass, vs *graph.VirtualService) (nss []string, where string) {
	g := p.Graph
	if len(vs.Spec.Hosts) == 0 {
		if roots := delegateRoots(p)[vs]; len(roots) > 0 {
			for _, r := range roots {
				rn, _ := destNamespaces(p, r)
				for _, ns := range rn {
					nss = appendNew(nss, ns)
				}
			}
			return nss, "where the routes that delegate to it are served"
		}
	}
	var listed bool
	if meshBound(vs) || len(vs.Spec.Hosts) == 0 {
		nss, listed = clientNamespaces(vs)
		if listed {
			where = "where the VirtualService is exported"
		}
		if len(vs.Spec.Hosts) == 0 {
			return nss, where
		}
	}
	var gws []string
	for _, ref := range vs.Gateways {
		if ref.Mesh {
			continue
		}
		for _, ns := range g.GatewayPodNamespaces(ref) {
			gws = appendNew(gws, ns)
		}
	}
	if len(gws) == 0 {
		return nss, where
	}
	slices.Sort(gws)
	switch {
	case len(nss) == 0:
		where = "where the pods of its gateways run"
	case where != "":
		where += " and where the pods of its gateways run"
	default:
		where = "its own and where the pods of its gateways run"
	}
	for _, ns := range gws {
		nss = appendNew(nss, ns)
	}
	return nss, where
}

type delegateRootsKey struct{}

// delegateRoots returns, for each delegate VirtualService of the input,
// the VirtualServices with a route that delegates to it (Delegations),
// each once, in input order. Do not modify it.
func delegateRoots(p *rules.Pass) map[*graph.VirtualService][]*graph.VirtualService {
	return p.Memo(delegateRootsKey{}, func() any {
		out := map[*graph.VirtualService][]*graph.VirtualService{}
		for _, d := range p.Graph.Delegations() {
			if !slices.Contains(out[d.Delegate], d.Root) {
				out[d.Delegate] = append(out[d.Delegate], d.Root)
			}
		}
		return out
	}).(map[*graph.VirtualService][]*graph.VirtualService)
}

// appendNew appends s to list unless it holds it.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// clientNamespaces returns the namespaces whose sidecars take the routes of
// vs, from which its destinations must be visible. A VirtualService whose
// exportTo lists namespaces ("." for its own) serves those; one exported to
// every namespace (no list, or "*") is checked from its own namespace.
// listed is true in the first case, unless the list is the own namespace
// alone. A list of "~" alone exports it nowhere; its own namespace is used
// then too.
func clientNamespaces(vs *graph.VirtualService) (nss []string, listed bool) {
	for _, e := range vs.ExportTo {
		switch e {
		case "*":
			return []string{vs.Namespace()}, false
		case "~":
			continue
		case ".":
			e = vs.Namespace()
		}
		if !slices.Contains(nss, e) {
			nss = append(nss, e)
		}
	}
	if len(nss) == 0 {
		return []string{vs.Namespace()}, false
	}
	return nss, len(nss) > 1 || nss[0] != vs.Namespace()
}

// targetPorts lists the ports of the targets, each once, in order.
func targetPorts(ts []graph.HostTarget) []int64 {
	var out []int64
	for _, t := range ts {
		out = t.AppendPorts(out)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func targetName(t graph.HostTarget) string {
	if t.Service != nil {
		return fmt.Sprintf("Service %s/%s", t.Service.Namespace(), t.Service.Name())
	}
	return fmt.Sprintf("ServiceEntry %s/%s", t.Entry.Namespace(), t.Entry.Name())
}

func portList(ps []int64) string {
	if len(ps) == 0 {
		return "none"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.FormatInt(p, 10)
	}
	return strings.Join(s, ", ")
}

// serverAdmits reports whether a server of a Gateway of namespace gwNS
// admits a host of vs.
func serverAdmits(s spec.Server, gwNS string, vs *graph.VirtualService) bool {
	for _, sh := range s.Hosts {
		scoped := host.ParseScoped(sh.V, gwNS)
		for _, h := range vs.Hosts {
			if scoped.Admits(vs.Namespace(), h) {
				return true
			}
		}
	}
	return false
}
