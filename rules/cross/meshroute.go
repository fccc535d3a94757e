package cross

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
	rnetpol "github.com/meshlint/meshlint/rules/netpol"
)

// MeshRouteBlocked reports mesh routes whose destination pods no in-mesh
// client of the input may connect to.
var MeshRouteBlocked = &rules.Rule{
	ID:      "MR502",
	Name:    "mesh-route-blocked-by-networkpolicy",
	Summary: "network policies block a mesh route: no in-mesh client can reach the destination pods",
	Doc: `A VirtualService bound to the mesh (no ` + "`gateways`" + `, or ` + "`mesh`" + ` among them) configures the
sidecars of every namespace it is exported to. Which of them actually call the host is not
written anywhere, so the rule takes a definition that cannot cry wolf: a route destination is
reported when **no** in-mesh workload of the input (a workload with a sidecar or in ambient
mode, in a namespace the VirtualService is exported to, other than the destination itself)
may open a connection to a destination workload on its target port under the
NetworkPolicies (for a destination pod in ambient mode, on ztunnel's HBONE port, TCP 15008,
where sidecars and ztunnel tunnel to it; a destination Service that uses a waypoint,
` + "`istio.io/use-waypoint`" + `, is not checked, since its pods see the waypoint's pods). Then no client
the input knows of can use the route, and the VirtualService's traffic shaping, retries and
subsets there are dead configuration, or the policies forgot the clients.

A route that delegates (` + "`delegate: {name, namespace}`" + `) is followed into the delegate
VirtualService, as Istio merges it (without the delegate routes that the merge drops, which
MR107 reports): the clients of its destinations are those of the root
(the root's exportTo, not the delegate's), and the finding is on the delegate's destination,
where the backend is named. A VirtualService without hosts is a delegate, which Istio never
applies on its own: it is checked only through the roots that name it.

Gateway API mesh routes (GAMMA) are checked the same way: an HTTPRoute, GRPCRoute, TCPRoute
or TLSRoute with a parentRef to a Service of the input (` + "`group: \"\"`" + `, ` + "`kind: Service`" + `). Attached
to a Service of its own namespace, it is a producer route, which applies to the clients of
every namespace; attached only to Services of other namespaces, a consumer route, which
applies to the clients of its own namespace alone. Its destinations are its backendRefs
with a weight (not its mirrors), on the port their Service port targets. A parentRef whose
` + "`sectionName`" + ` or ` + "`port`" + ` matches no port of the Service attaches nothing and is not counted.

The destination must be a Service of the input with in-mesh workloads, and the input must
hold at least one other in-mesh workload that the route applies to; otherwise the rule
stays quiet. A route that some clients can use and others cannot is not reported: that is
what policies are for.`,
	Bad:      meshRouteExample(false),
	Good:     meshRouteExample(true),
	Severity: rules.Warning,
	Inputs:   inputs(append([]kinds.Kind{kinds.VirtualService, kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute, kinds.Service, kinds.DestinationRule}, netpolInputs...)...),
	Deps:     rules.DepINJ | rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepNPAll | rules.DepREV | rules.DepOrder,
	Run:      runMeshRouteBlocked,
}

func meshRouteExample(good bool) string {
	from := `[{podSelector: {matchLabels: {app: admin}}}]`
	if good {
		from = `[{podSelector: {matchLabels: {app: web}}}]`
	}
	return injectedShop + `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews}}
    spec: {containers: [{name: reviews, image: reviews:1, ports: [{containerPort: 9080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews}}]
---
` + ingressPolicy("reviews", from)
}

func runMeshRouteBlocked(p *rules.Pass) error {
	g := p.Graph
	m := newMeshClients(p)
	delegations := delegationsByRoot(g)
	for _, vs := range g.VirtualServices {
		if len(vs.Spec.Hosts) == 0 {
			// A delegate: Istio applies its routes only merged into
			// a root's, whose exportTo and gateways decide the clients.
			continue
		}
		mesh := len(vs.Gateways) == 0
		for _, ref := range vs.Gateways {
			mesh = mesh || ref.Mesh
		}
		if !mesh {
			continue
		}
		view := m.view(vs)
		if view.mayBlock(vs) {
			for _, b := range g.RouteBackends(vs) {
				if g.AppliesTo(vs, b, nil) {
					checkMeshBackend(p, vs, nil, b, view)
				}
			}
		}
		ds := delegations[vs]
		for i := range ds {
			// mayBlock resolves the delegate's hosts in its own
			// namespace, as DelegatedBackends does.
			if !view.mayBlock(ds[i].Delegate) {
				continue
			}
			for _, b := range g.DelegatedBackends(ds[i]) {
				if g.AppliesTo(vs, b, nil) {
					checkMeshBackend(p, vs, &ds[i], b, view)
				}
			}
		}
	}
	for _, r := range g.GatewayRoutes {
		parent, producer := r.MeshParent()
		if parent == nil {
			continue
		}
		view := m.routeView(r, producer)
		unsafe := view.suspects()
		if len(unsafe) == 0 {
			continue
		}
		for _, rule := range r.Rules {
			// Mirrors are left out: their traffic is a copy, whose
			// failure no client sees.
			for _, b := range rule.Backends {
				if b.Service != nil && unsafe[b.Service] {
					checkMeshRouteBackend(p, r, parent, producer, b, view)
				}
			}
		}
	}
	return nil
}

// meshClients indexes the in-mesh workloads, the clients of mesh routes.
//
// Listing the clients of every route and asking about each pair would cost
// routes times workloads. Instead, each view (the clients that one set of
// namespaces holds) first finds the Services whose pods it may fail to
// reach, asking about each workload once and only about the groups of
// sources the policies let near it; resolving the backends of a route,
// which costs more than the rest of the check in a tree without findings,
// is left to the routes that lead to such a Service.
type meshClients struct {
	p *rules.Pass
	g *graph.Graph
	// lk is the run's Lookup, whose ServicesSelecting lists the Services
	// whose workloads include a workload.
	lk *graph.Lookup
	// Namespaces with in-mesh workloads are numbered, so that views can
	// tell visibility without hashing names.
	nsID map[string]int
	byNS [][]*graph.Workload // in graph order
	// The rest needs the connectivity model, and is built with it.
	a *netpol.Analysis
	// byGroup lists, per group of the analysis, its in-mesh workloads
	// by namespace, in graph order.
	byGroup [][]nsWorkloads
	views   map[string]*clientView // by the key viewOf's callers give
	bySet   map[string]*clientView // by visible namespaces
}

type nsWorkloads struct {
	ns int
	ws []*graph.Workload
}

func newMeshClients(p *rules.Pass) *meshClients {
	g := p.Graph
	m := &meshClients{p: p, g: g, lk: p.Lookup(), nsID: map[string]int{}, views: map[string]*clientView{}, bySet: map[string]*clientView{}}
	for _, w := range g.Workloads {
		if !g.InMesh(w) {
			continue
		}
		id, ok := m.nsID[w.Namespace()]
		if !ok {
			id = len(m.byNS)
			m.nsID[w.Namespace()] = id
			// Room for every workload of the namespace, which are
			// mostly in the mesh when one is.
			m.byNS = append(m.byNS, make([]*graph.Workload, 0, len(g.WorkloadsIn(w.Namespace()))))
		}
		m.byNS[id] = append(m.byNS[id], w)
	}
	return m
}

// analysis builds the indexes that need the connectivity model, on first
// use, so that an input without mesh routes does not pay for them.
func (m *meshClients) analysis() *netpol.Analysis {
	if m.a != nil {
		return m.a
	}
	a := rnetpol.Analysis(m.p)
	m.byGroup = make([][]nsWorkloads, a.Groups())
	for id, ws := range m.byNS {
		for _, w := range ws {
			grp := a.Group(w)
			if grp < 0 {
				continue
			}
			es := m.byGroup[grp]
			if n := len(es); n > 0 && es[n-1].ns == id {
				es[n-1].ws = append(es[n-1].ws, w)
				continue
			}
			m.byGroup[grp] = append(es, nsWorkloads{ns: id, ws: []*graph.Workload{w}})
		}
	}
	m.a = a
	return a
}

// shareService reports whether w and x are workloads of one Service.
func (m *meshClients) shareService(w, x *graph.Workload) bool {
	for _, s := range m.lk.ServicesSelecting(w) {
		for _, t := range m.lk.ServicesSelecting(x) {
			if s == t {
				return true
			}
		}
	}
	return false
}

// clientView is the clients of the routes of one namespace with one
// exportTo: the in-mesh workloads of the namespaces they are visible in.
type clientView struct {
	m       *meshClients
	visible []bool // by namespace number
	// list is every client in graph order, for messages; built on first
	// use.
	list       []*graph.Workload
	listed     bool
	unsafe     map[*graph.Service]bool
	unsafeDone bool
}

func (m *meshClients) view(vs *graph.VirtualService) *clientView {
	return m.viewOf("vs\x00"+vs.Namespace()+"\x00"+strings.Join(vs.ExportTo, ","), func(ns string) bool {
		return graph.Visible(vs.ExportTo, vs.Namespace(), ns)
	})
}

// routeView is the view of the clients of a Gateway API mesh route r: the
// clients of every namespace for a producer route, of r's namespace for a
// consumer route.
func (m *meshClients) routeView(r *graph.GatewayRoute, producer bool) *clientView {
	if producer {
		return m.viewOf("producer", func(string) bool { return true })
	}
	own := r.Namespace()
	return m.viewOf("consumer\x00"+own, func(ns string) bool { return ns == own })
}

// viewOf returns the view of the clients of the namespaces for which
// visibleIn holds; key names that set of namespaces among the callers'.
func (m *meshClients) viewOf(key string, visibleIn func(ns string) bool) *clientView {
	v := m.views[key]
	if v != nil {
		return v
	}
	visible := make([]bool, len(m.byNS))
	set := make([]byte, len(m.byNS))
	for ns, id := range m.nsID {
		set[id] = '0'
		if visibleIn(ns) {
			visible[id] = true
			set[id] = '1'
		}
	}
	// Views of the same namespaces are one: what they find is shared.
	v = m.bySet[string(set)]
	if v == nil {
		v = &clientView{m: m, visible: visible}
		m.bySet[string(set)] = v
	}
	m.views[key] = v
	return v
}

// clients lists the view's clients in graph order.
func (v *clientView) clients() []*graph.Workload {
	if !v.listed {
		for _, w := range v.m.g.Workloads {
			if id, ok := v.m.nsID[w.Namespace()]; ok && v.visible[id] && v.m.g.InMesh(w) {
				v.list = append(v.list, w)
			}
		}
		v.listed = true
	}
	return v.list
}

// hasOther reports whether some client is not one of the targets.
func (v *clientView) hasOther(targets map[*graph.Workload]bool) bool {
	for id, ws := range v.m.byNS {
		if !v.visible[id] {
			continue
		}
		for _, w := range ws {
			if !targets[w] {
				return true
			}
		}
	}
	return false
}

// member returns a client of group grp for which ok holds, or nil. With
// limit > 0 it gives up, returning nil, after limit workloads fail ok.
func (v *clientView) member(grp int, ok func(*graph.Workload) bool, limit int) *graph.Workload {
	for _, e := range v.m.byGroup[grp] {
		if !v.visible[e.ns] {
			continue
		}
		for _, w := range e.ws {
			if ok(w) {
				return w
			}
			if limit--; limit == 0 {
				return nil
			}
		}
	}
	return nil
}

// reaches reports whether some client other than the targets may connect
// to dst, one of them, on c.
func (v *clientView) reaches(targets map[*graph.Workload]bool, dst *graph.Workload, c netpol.Set) bool {
	a := v.m.analysis()
	if a.Group(dst) < 0 {
		return reachesExcept(a, v.clients(), targets, dst, c)
	}
	for grp := range a.SourceGroups(dst) {
		// Every workload of a group gets the same answer: ask for one
		// client of it.
		src := v.member(grp, func(w *graph.Workload) bool { return w != dst && !targets[w] }, 0)
		if src != nil && a.Allowed(netpol.WorkloadEndpoint(src), netpol.WorkloadEndpoint(dst)).ContainsSet(c) {
			return true
		}
	}
	return false
}

// mayBlock reports whether a route of vs may lead to a Service with a
// workload that the view's clients may fail to reach: only then can
// checkMeshBackend report one of its backends. A backend's targets are
// workloads of the Service that its destination host names, as
// RouteBackends resolves it, so looking the hosts up is enough.
func (v *clientView) mayBlock(vs *graph.VirtualService) bool {
	unsafe := v.suspects()
	if len(unsafe) == 0 {
		return false
	}
	return leadsTo(v.m.g, vs, func(s *graph.Service) bool { return unsafe[s] })
}

// suspects returns the Services a backend must lead to for
// blockedTargets to find a workload of it: unsafeServices, or none when
// the view has no client.
func (v *clientView) suspects() map[*graph.Service]bool {
	if !slices.Contains(v.visible, true) {
		return nil // no clients: hasOther fails
	}
	return v.unsafeServices()
}

// leadsTo reports whether a destination of an http, tcp or tls route of
// vs names a Service for which want holds, resolving hosts as
// RouteBackends does: every backend's Service is one of these.
func leadsTo(g *graph.Graph, vs *graph.VirtualService, want func(*graph.Service) bool) bool {
	leads := func(rds []spec.RouteDestination) bool {
		for j := range rds {
			d := rds[j].Destination
			if d == nil || !d.Host.Set {
				continue
			}
			fqdn := g.FQDN(d.Host.V, vs.Namespace())
			if host.IsWildcard(fqdn) {
				continue
			}
			for t := range g.HostTargets(fqdn, vs.Namespace()) {
				if t.Service != nil && want(t.Service) {
					return true
				}
			}
		}
		return false
	}
	for _, r := range vs.Spec.HTTP {
		if leads(r.Route) {
			return true
		}
	}
	for _, r := range vs.Spec.TCP {
		if leads(r.Route) {
			return true
		}
	}
	for _, r := range vs.Spec.TLS {
		if leads(r.Route) {
			return true
		}
	}
	return false
}

// unsafeServices returns the Services with an in-mesh workload that the
// view's clients outside that workload's Services cannot be shown to
// reach on every port a route to one of those Services may use. A route
// target that blockedTargets reports is such a workload: its backend's
// targets, which do not count as its clients, are workloads of one of its
// Services, and its port is one of theirs, for a VirtualService
// (RouteBackends) as for a Gateway API route (backendTargets).
func (v *clientView) unsafeServices() map[*graph.Service]bool {
	if v.unsafeDone {
		return v.unsafe
	}
	v.unsafeDone = true
	m := v.m
	a := m.analysis()
	for _, s := range m.g.Services {
		// Workloads of one group and this Service alone, such as the
		// versions of a service, get the same answer for the same
		// ports: ask for the first.
		var last struct {
			group int
			need  netpol.Set
			ok    bool
		}
		last.group = -1
		for _, dst := range s.Workloads {
			if !m.g.InMesh(dst) {
				continue
			}
			svcs := m.lk.ServicesSelecting(dst)
			if svcs[0] != s {
				continue // asked with its first Service
			}
			need := servedPorts(m.g, dst, svcs)
			var ok bool
			if grp := a.Group(dst); len(svcs) == 1 && grp >= 0 && grp == last.group && need.Equal(last.need) {
				ok = last.ok
			} else {
				ok = v.shownReachable(a, dst, need)
				if len(svcs) == 1 {
					last.group, last.need, last.ok = grp, need, ok
				}
			}
			if !ok {
				if v.unsafe == nil {
					v.unsafe = map[*graph.Service]bool{}
				}
				for _, t := range svcs {
					v.unsafe[t] = true
				}
			}
		}
	}
	return v.unsafe
}

// servedPorts returns the connections that routes to Services svcs may
// ask of their workload dst, as blockedTargets asks them.
func servedPorts(g *graph.Graph, dst *graph.Workload, svcs []*graph.Service) netpol.Set {
	var need netpol.Set
	for _, s := range svcs {
		for _, sp := range s.Spec.Ports {
			proto := sp.Protocol.V
			if proto == "" {
				proto = "TCP"
			}
			if p := graph.TargetPort(sp, dst); p > 0 {
				if c, _, ok := proxyConnection(g, graph.BackendTarget{Workload: dst, Port: p, Protocol: proto}); ok {
					need = need.Union(c)
				}
			}
		}
	}
	return need
}

// shownReachable reports whether, for every connection of need, some
// client outside the Services of dst may open it to dst. It may answer
// false where the answer is true (when a group's clients are too many to
// search), which costs only the full check.
func (v *clientView) shownReachable(a *netpol.Analysis, dst *graph.Workload, need netpol.Set) bool {
	if need.IsEmpty() {
		return true
	}
	if a.Group(dst) < 0 {
		return false
	}
	outside := func(w *graph.Workload) bool { return !v.m.shareService(w, dst) }
	for grp := range a.SourceGroups(dst) {
		src := v.member(grp, outside, 64)
		if src == nil {
			continue
		}
		if need = need.Subtract(a.Allowed(netpol.WorkloadEndpoint(src), netpol.WorkloadEndpoint(dst))); need.IsEmpty() {
			return true
		}
	}
	return false
}

// blocked is what blockedTargets finds of a backend.
type blocked struct {
	workloads []*graph.Workload
	port      string // the connection to the first of workloads, for messages
	// targets are the backend's own pods, which otherClients leaves out.
	targets map[*graph.Workload]bool
}

// blockedTargets returns the in-mesh workloads of ts, the targets of
// Service svc, that no client of the view other than the workloads of ts
// may connect to on their port, and false when there are none, or no
// such client. The clients in ambient mode reach a Service that uses a
// waypoint through the waypoint's pods, which are not followed: its
// targets are not checked.
func (v *clientView) blockedTargets(svc *graph.Service, ts []graph.BackendTarget) (blocked, bool) {
	if waypointEnrolled(v.m.g, svc) {
		return blocked{}, false
	}
	targets := map[*graph.Workload]bool{}
	for _, t := range ts {
		targets[t.Workload] = true
	}
	// The backend's own pods are not counted as its clients.
	if !v.hasOther(targets) {
		return blocked{}, false
	}
	var out blocked
	for _, t := range ts {
		c, port, ok := proxyConnection(v.m.g, t)
		if !ok || !v.m.g.InMesh(t.Workload) || v.reaches(targets, t.Workload, c) {
			continue
		}
		if len(out.workloads) == 0 {
			out.port = port
		}
		out.workloads = append(out.workloads, t.Workload)
	}
	if len(out.workloads) == 0 {
		return blocked{}, false
	}
	out.targets = targets
	return out, true
}

// otherClients returns how many clients of the view are not among
// targets, two definitions of one workload counting once, and their names
// as names lists them. Only messages read them: without copies in the
// input, neither the list nor its names past the third are made, since a
// tree whose policies block many backends would otherwise list every
// client once for each.
func (v *clientView) otherClients(p *rules.Pass, targets map[*graph.Workload]bool) (int, string) {
	cs := v.clients()
	if rules.HasCopies(p) {
		var others []*graph.Workload
		for _, w := range cs {
			if !targets[w] {
				others = append(others, w)
			}
		}
		others = rules.Distinct(p, others)
		return len(others), names(p, others)
	}
	n := len(cs)
	for w := range targets {
		if w != nil && v.isClient(w) {
			n--
		}
	}
	var first []*graph.Workload
	for _, w := range cs {
		if len(first) == 3 {
			break
		}
		if !targets[w] {
			first = append(first, w)
		}
	}
	return n, listNames(first, n)
}

// isClient reports whether w is among clients().
func (v *clientView) isClient(w *graph.Workload) bool {
	id, ok := v.m.nsID[w.Namespace()]
	return ok && v.visible[id] && v.m.g.InMesh(w)
}

// checkMeshBackend checks backend b of vs or, when dl is not nil, of its
// delegation dl, whose clients view holds.
func checkMeshBackend(p *rules.Pass, vs *graph.VirtualService, dl *graph.Delegation, b graph.RouteBackend, view *clientView) {
	bl, ok := view.blockedTargets(b.Service, b.Targets)
	if !ok {
		return
	}
	n, others := view.otherClients(p, bl.targets)
	f := p.Reportf(routeObject(vs, dl), b.Dest.Loc, "NetworkPolicies block %s of VirtualService %s/%s for every in-mesh client of the input: %s (%s) admit no connection from any of the %d in-mesh workloads that see the route (%s)",
		b.Route, vs.Namespace(), vs.Name(), names(p, bl.workloads), bl.port, n, others)
	relateRoot(f, dl)
	relatePolicies(f, rnetpol.Analysis(p), bl.workloads, netpol.Ingress)
}

// checkMeshRouteBackend checks backendRef b of Gateway API mesh route r,
// attached to parent, whose clients view holds.
func checkMeshRouteBackend(p *rules.Pass, r *graph.GatewayRoute, parent *graph.ParentRef, producer bool, b *graph.BackendRef, view *clientView) {
	if bl, ok := view.blockedTargets(b.Service, b.Targets()); ok {
		n, others := view.otherClients(p, bl.targets)
		reportMeshRouteBackend(p, r, parent, producer, b, bl, n, others)
	}
}

// reportMeshRouteBackend reports backendRef b of r blocked as bl says, for
// n other clients, named others.
func reportMeshRouteBackend(p *rules.Pass, r *graph.GatewayRoute, parent *graph.ParentRef, producer bool, b *graph.BackendRef, bl blocked, n int, others string) {
	svc := parent.Service.Namespace() + "/" + parent.Service.Name()
	scope := "that the route applies to as a producer route of Service " + svc
	if !producer {
		scope = fmt.Sprintf("of namespace %s, the clients that the route applies to as a consumer route of Service %s", r.Namespace(), svc)
	}
	f := p.Reportf(r.Obj, b.Loc, "NetworkPolicies block backend %s of %s %s/%s for every in-mesh client of the input: %s (%s) admit no connection from any of the %d in-mesh workloads %s (%s)",
		b.Name, r.Kind(), r.Namespace(), r.Name(), names(p, bl.workloads), bl.port, n, scope, others)
	relatePolicies(f, rnetpol.Analysis(p), bl.workloads, netpol.Ingress)
}
