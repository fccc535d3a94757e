// Package topology describes the request path of a mesh as plain data:
// gateways, the routes bound to them, the services the routes send to and
// the subsets of those services, with the edges between them. It is what
// the HTML report draws, so it is deterministic (sorted) and carries
// nothing of the graph but names and positions.
package topology

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Column is the stage of the request path a node belongs to; edges go from
// one column to the next.
type Column int

// The columns, in the order a request meets them.
const (
	Gateways Column = iota
	Routes
	Services
	Subsets
)

// Node is an object of the request path, or something a reference names
// that the input does not hold (Missing). A DestinationRule with a
// wildcard host and subsets is a node of the Services column: it stands
// for every service its host matches, and its subsets are drawn under it
// once rather than under each of them.
type Node struct {
	Column Column
	// Group, Kind, Namespace and Name identify the object. A subset node
	// is named by its DestinationRule, and Subset is the subset's name.
	Group           string
	Kind            kinds.Kind
	Namespace, Name string
	Subset          string
	// Host is the host a ServiceEntry node or a missing service node
	// stands for ("" for Services, whose name says it), or the wildcard
	// host of a DestinationRule node.
	Host string
	// Matches counts the Services and ServiceEntries the wildcard host of
	// a DestinationRule node matches.
	Matches int
	// File and Loc are where the object (or the subset entry) is written;
	// empty for a missing node.
	File string
	Loc  manifest.Loc
	// Missing marks a node that a reference names but the input does not
	// hold: a gateway, a service or a subset.
	Missing bool
	// Unserved says why Istio serves nothing of a route node, for people
	// ("" when it serves something, or may): validation rejects a
	// VirtualService, or it is a delegate that no route merges; such a
	// node has no edges but the delegations that name it: drawn with its
	// routes, it would show paths that no request takes. Or no gateway
	// that a VirtualService is bound to, no parent of a Gateway API route,
	// takes it: such a node keeps its edges, idle, to show where it would
	// send once one took it.
	Unserved string
	// NoAddress marks a Gateway API Gateway of a class Istio translates
	// whose spec.addresses leave Istio nothing to bind it to: more than
	// one address, or one that is not an IPAddress, and none of type
	// Hostname. Istio then deploys nothing for it, ignores every address,
	// does not accept it (UnsupportedAddress) and programs nothing for it
	// (extractGatewayServices). The HTML report draws it serving nothing
	// when MR624 reports it, so that a disabled rule or a suppressed
	// finding leaves it drawn as written, as for the other refusals it
	// reads from findings.
	NoAddress bool
}

// Edge joins Nodes[From] to Nodes[To], From in the column before To's,
// except a Delegate edge, which joins two routes.
type Edge struct {
	From, To int
	Kind     EdgeKind
	// Idle says why no request takes a Leads or Mirror edge that the
	// configuration writes, for people ("" when some may): a destination
	// of weight 0, a mirror of 0 percent, a gateway or parent that does
	// not take the route, a route that no gateway or parent takes. A
	// route that also sends to the service with a weight has one edge,
	// not idle.
	Idle string
}

// EdgeKind tells what an edge stands for.
type EdgeKind uint8

// The kinds of edges. A route that both sends to a service and mirrors to
// it has an edge of each kind.
const (
	// Leads is the request path: a gateway binds a route, a route sends
	// to a service, a service has a subset.
	Leads EdgeKind = iota
	// Mirror joins a route to a service it mirrors requests to (http
	// mirror and mirrors, a Gateway API RequestMirror filter).
	Mirror
	// Delegate joins a VirtualService with hosts to the VirtualService
	// one of its http routes delegates to (a delegate's own delegations
	// lead nowhere, and are not drawn).
	Delegate
)

// Topology is the request path of a graph.
type Topology struct {
	Nodes []Node
	Edges []Edge
	// Stands lists objects that are not nodes but are drawn as one:
	// a DestinationRule as the services of its host, so that a finding
	// about its traffic policy marks them.
	Stands []Stand
	// Refs are the references of Gateway API routes that edges stand
	// for, so that a finding about one (a parentRef that no listener
	// admits, a backendRef that no ReferenceGrant permits) tells which
	// edge it is about.
	Refs []Ref
	// Total counts the nodes and edges before Limit, and Namespaces the
	// namespaces the nodes are in; OmittedNamespaces those left out whole.
	TotalNodes, TotalEdges        int
	Namespaces, OmittedNamespaces int
}

// Stand says that the object Group/Kind Namespace/Name is drawn as
// Nodes[Node].
type Stand struct {
	Group           string
	Kind            kinds.Kind
	Namespace, Name string
	Node            int
}

// Ref is a parentRef, backendRef or RequestMirror backendRef of a Gateway
// API route, written at Locs of the route (the entry, and its name and
// namespace when written), that the edge From → To of kind Kind stands
// for, with the route's other references to the same object: a parentRef
// the edge from its Gateway to the route, a backendRef the edge from the
// route to its Service. The edge takes requests when one of its
// references does.
type Ref struct {
	From, To int
	Kind     EdgeKind
	Locs     []manifest.Loc
	// Idle says why no request takes the reference ("" when some may):
	// a backendRef of weight 0, a RequestMirror of 0 percent.
	Idle string
	// Mesh marks a backendRef of a route that has mesh parents (Services)
	// too: Istio checks ReferenceGrants only where it builds the route
	// for a Gateway, and the mesh's requests still take it.
	Mesh bool
}

// key identifies an object across the graph and the findings.
type key struct {
	group, kind, ns, name, host, subset string
	missing                             bool
}

// key identifies n among the nodes. A ServiceEntry node's Host, set once
// the node is in, is no part of it: the object's name is.
func (n *Node) key() key {
	k := key{group: n.Group, kind: string(n.Kind), ns: n.Namespace, name: n.Name, subset: n.Subset, missing: n.Missing}
	if n.Missing {
		k.host = n.Host
	}
	return k
}

// Of extracts the request path of g: Istio Gateways and Gateway API
// Gateways; VirtualServices and Gateway API routes; the Services and
// ServiceEntries their destinations and mirrors resolve to (or the missing
// host); the VirtualServices that http routes delegate to; the subsets
// that DestinationRules define for those hosts (those of a rule with a
// wildcard host under a node of the rule), and those that destinations
// name but no DestinationRule defines.
//
// The graph resolves no delegate, and RouteBackends leaves out mirrors,
// ServiceEntries and wildcard hosts: Of reads those from the
// VirtualService spec. A VirtualService is joined to the gateways its
// spec.gateways bind it to; of a delegate, which has none, only what its
// roots' merges serve is drawn, on their gateways (servedDelegates). A
// VirtualService that validation rejects (rejection), and a delegate that
// serves nothing, keep only the delegate edges that lead to them, and
// Node.Unserved says why.
//
// An edge from a gateway that does not program a VirtualService
// (gatewayRefusal), or from a Gateway that does not attach a Gateway API
// route (parentRefusal), is idle, with why. A route that every gateway or
// parent refuses serves nothing (boundNowhere, attachedNowhere): its
// edges to services are idle too, and Node.Unserved says why.
func Of(g *graph.Graph) *Topology {
	b := &builder{g: g, index: map[key]int{}, edges: map[Edge]bool{}, idle: map[Edge]string{}, addressed: map[int]bool{}, conflicts: map[*graph.K8sGateway]map[*graph.Listener]graph.ListenerConflict{}}
	vsByName := make(map[[2]string]*graph.VirtualService, len(g.VirtualServices))
	for _, vs := range g.VirtualServices {
		vsByName[[2]string{vs.Namespace(), vs.Name()}] = vs
	}
	for _, gw := range g.Gateways {
		b.object(Gateways, gw.Obj)
	}
	for _, gw := range g.K8sGateways {
		i := b.object(Gateways, gw.Obj)
		// Two definitions of one Gateway are one node: it has no address
		// when no definition has one.
		if gw.Unaddressed() {
			if !b.addressed[i] {
				b.t.Nodes[i].NoAddress = true
			}
		} else {
			b.addressed[i] = true
			b.t.Nodes[i].NoAddress = false
		}
	}
	// Every service, routed to or not: the mesh's own clients reach them.
	for _, s := range g.Services {
		b.object(Services, s.Obj)
	}
	for _, se := range g.ServiceEntries {
		b.target(graph.HostTarget{Entry: se})
	}
	rejected := map[*graph.VirtualService]string{}
	for _, vs := range g.VirtualServices {
		if why := rejection(vs.Spec); why != "" {
			rejected[vs] = why
		}
	}
	// Why each VirtualService with hosts serves nothing, bound only to
	// gateways that do not program it: a root's delegates with it.
	refusals := map[*graph.VirtualService][]string{}
	unbound := map[*graph.VirtualService]string{}
	for _, vs := range g.VirtualServices {
		if len(vs.Spec.Hosts) == 0 || rejected[vs] != "" {
			continue
		}
		refused := make([]string, len(vs.Gateways))
		for i, ref := range vs.Gateways {
			refused[i] = gatewayRefusal(g, vs, ref)
		}
		refusals[vs] = refused
		if why := boundNowhere(refused); why != "" {
			unbound[vs] = why
		}
	}
	served := servedDelegates(g, rejected, unbound)
	unused := unusedRootMirrors(g, rejected)
	// A tree defined twice is one node: it is unserved only when no
	// definition serves.
	serving := map[int]bool{}
	unserved := func(r int, why string) {
		if !serving[r] && b.t.Nodes[r].Unserved == "" {
			b.t.Nodes[r].Unserved = why
		}
	}
	for _, vs := range g.VirtualServices {
		r := b.object(Routes, vs.Obj)
		s := vs.Spec
		// Why the mirror of http route i of s mirrors nothing: by its own
		// percentage, or one a merge gives it.
		mirrorOffs := func(_ int, r *spec.HTTPRoute) string { return mirrorOff(r, nil, "") }
		// Why no request takes any destination of s: no gateway it is
		// bound to takes it. Its destinations are drawn idle, as what it
		// would send where a gateway took it.
		off := ""
		if why := rejected[vs]; why != "" {
			unserved(r, "Istio's validation rejects it: "+why)
			continue
		}
		if len(s.Hosts) == 0 {
			// A delegate is never bound on its own: Istio serves what
			// its roots merge of it, on their gateways.
			sd := served[vs]
			if sd.unserved != "" {
				unserved(r, sd.unserved)
				continue
			}
			s = sd.spec
			mirrorOffs = func(i int, _ *spec.HTTPRoute) string { return sd.mirrorOff[i] }
			for _, ref := range sd.gateways {
				b.gateway(ref, r)
			}
		} else {
			// Only spec.gateways bind (getGatewayNames): a match entry's
			// gateways narrow the route to some of them, and one the
			// VirtualService does not list never sees it (MR217).
			for i, ref := range vs.Gateways {
				b.idleGateway(ref, r, refusals[vs][i])
			}
			if why := unbound[vs]; why != "" {
				unserved(r, why)
				off = "the VirtualService serves nothing: no gateway it is bound to programs its routes"
			}
			s = withoutMirrors(s, unused[vs])
			if us := unused[vs]; us != nil {
				mirrorOffs = func(i int, r *spec.HTTPRoute) string {
					if us[i].merged {
						return us[i].mirrorOff
					}
					return mirrorOff(r, nil, "")
				}
			}
		}
		if off == "" {
			serving[r] = true
			b.t.Nodes[r].Unserved = ""
		}
		for _, d := range destinations(s) {
			b.destination(r, vs.Namespace(), d.Destination, Leads, cmp.Or(off, d.idle))
		}
		for _, d := range mirrors(s, mirrorOffs) {
			b.destination(r, vs.Namespace(), d.Destination, Mirror, cmp.Or(off, d.idle))
		}
		// The spec of a delegate holds none of its own delegations.
		for _, d := range delegates(s) {
			ns := d.Namespace.V
			if ns == "" {
				ns = vs.Namespace()
			}
			switch to := vsByName[[2]string{ns, d.Name.V}]; {
			case to == nil:
				b.edgeOf(r, b.missing(Node{Column: Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: ns, Name: d.Name.V}), Delegate)
			case len(to.Spec.Hosts) == 0:
				b.edgeOf(r, b.object(Routes, to.Obj), Delegate)
			}
			// A VirtualService with hosts is no delegate: Istio finds
			// none of that name and ignores the route.
		}
	}
	for _, rt := range g.GatewayRoutes {
		r := b.object(Routes, rt.Obj)
		mesh := slices.ContainsFunc(rt.Parents, (*graph.ParentRef).IsMesh)
		refused := make([]string, len(rt.Parents))
		for i, p := range rt.Parents {
			refused[i] = parentRefusal(g, rt, p, b.lost)
			gw := -1
			switch {
			case p.Gateway != nil:
				gw = b.object(Gateways, p.Gateway.Obj)
			case p.IsGateway():
				gw = b.missing(Node{Column: Gateways, Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: p.Namespace, Name: p.Name})
			}
			if gw >= 0 {
				b.idleEdge(gw, r, Leads, refused[i])
				b.ref(Ref{From: gw, To: r, Kind: Leads, Idle: refused[i]}, &p.ObjectRef)
			}
		}
		// Why no request takes any backend of rt: no parent attaches it.
		// Its backends are drawn idle, as what it would send once a parent
		// took it.
		off := attachedNowhere(refused)
		if off != "" {
			unserved(r, off)
			off = "the route serves nothing: no parent takes it"
		} else {
			serving[r] = true
			b.t.Nodes[r].Unserved = ""
		}
		for _, rule := range rt.Rules {
			if redirects(rule) {
				continue
			}
			for _, be := range rule.Backends {
				// Istio's conversion skips a backend of weight 0
				// (buildHTTPDestination and the others), as the API asks:
				// "If weight is set to 0, no traffic should be forwarded
				// for this entry".
				idle := off
				if idle == "" && be.Weight == 0 {
					idle = "weight 0: no traffic"
				}
				b.backend(r, be, Leads, idle, mesh)
			}
			for _, be := range rule.Mirrors {
				b.backend(r, be, Mirror, cmp.Or(off, requestMirrorOff(be)), mesh)
			}
		}
	}
	// The subsets the DestinationRules define, under the services of
	// their host; a rule stands for those services otherwise. A wildcard
	// host would join a rule to every service it matches, and
	// "*.cluster.local" matches them all: services × subsets edges into a
	// few nodes, and a subset with a finding would pull every service
	// into a limited drawing. So such a rule is a node of its own, with
	// its subsets under it, and a subset a destination names is also
	// drawn under the service the destination resolves to, below.
	var subsetEdges [][2]int
	for _, dr := range g.DestinationRules {
		if host.IsWildcard(dr.Host) {
			b.wildcardRule(dr)
			continue
		}
		var parents []int
		for _, t := range g.LookupHost(dr.Host, dr.Namespace()) {
			p := b.target(t)
			parents = append(parents, p)
			b.stands = append(b.stands, Stand{Group: dr.Obj.Group, Kind: dr.Obj.Kind, Namespace: dr.Namespace(), Name: dr.Name(), Node: p})
		}
		if len(parents) == 0 {
			continue
		}
		for i := range dr.Spec.Subsets {
			n := b.subset(dr, &dr.Spec.Subsets[i])
			for _, p := range parents {
				subsetEdges = append(subsetEdges, [2]int{p, n})
			}
		}
	}
	// The subsets destinations name: of a rule with a wildcard host, also
	// under the service the destination resolves to, which the rule then
	// stands for where its own node is not drawn; or missing, when no rule
	// of the host defines them.
	//
	// A subset edge is idle when every destination that names the subset
	// there gets no traffic; one that none names is not, as a route
	// outside the input may name it.
	named := map[[2]int]string{}
	use := func(e [2]int, idle string) {
		if why, ok := named[e]; !ok || why != "" && idle == "" {
			named[e] = idle
		}
	}
	for _, u := range b.subsetUses {
		dr, ss := graph.Subset(g.DestinationRulesFor(u.host, u.from), u.subset)
		switch {
		case ss == nil:
			n := &b.t.Nodes[u.service]
			use([2]int{u.service, b.missing(Node{Column: Subsets, Kind: kinds.DestinationRule, Namespace: n.Namespace, Host: u.host, Subset: u.subset})}, u.idle)
		case host.IsWildcard(dr.Host):
			use([2]int{u.service, b.subset(dr, ss)}, u.idle)
			b.stands = append(b.stands, Stand{Group: dr.Obj.Group, Kind: dr.Obj.Kind, Namespace: dr.Namespace(), Name: dr.Name(), Node: u.service})
		default:
			if n, ok := b.index[(&Node{Column: Subsets, Group: dr.Obj.Group, Kind: dr.Obj.Kind, Namespace: dr.Namespace(), Name: dr.Name(), Subset: ss.Name.V}).key()]; ok {
				use([2]int{u.service, n}, u.idle)
			}
		}
	}
	for _, e := range subsetEdges {
		if _, ok := named[e]; !ok {
			named[e] = ""
		}
	}
	for e, idle := range named {
		if idle != "" {
			idle = "every destination that names the subset gets no traffic (" + idle + ")"
		}
		b.idleEdge(e[0], e[1], Leads, idle)
	}
	return b.finish()
}

// servedDelegate is what Istio serves of a delegate VirtualService (one
// without hosts): spec holds the http routes some root's merge keeps, and
// gateways the gateways those routes' own match entries name that Istio
// binds them to; or unserved says why it serves nothing.
type servedDelegate struct {
	spec     *spec.VirtualService
	gateways []graph.GatewayRef
	unserved string
	// mirrorOff says, for each route of spec, why its mirror mirrors
	// nothing in every merge that keeps it ("" when some merge mirrors).
	mirrorOff []string
}

// servedDelegates returns what is drawn of each delegate VirtualService
// that validation accepts. Istio never applies a delegate on its own:
// mergeVirtualServices merges it into each root route that delegates to
// it, and only the http routes the merge keeps serve requests, on the
// root's gateways. A delegate route whose match conflicts with the root's
// route is dropped (graph.MergeConflict), and tcp and tls routes are not
// merged at all: drawn, each would show a path that requests never take,
// while the finding about it, marked on the delegate's node, says why it
// is missing. A root that validation rejects merges nothing. A kept route
// that takes the directResponse of the root's route (mergeHTTPRoute
// copies it into a route without its own) answers with it, and TranslateRoute
// never builds its destinations or mirrors (MR121): they are drawn only
// where some root's merge forwards.
//
// A delegate that no root merges serves nothing when a VirtualService of
// the input names it (every such root is itself a delegate, is rejected,
// or cannot see it) or the input is said to hold every object
// (closed-world). A root that no gateway it is bound to programs
// (unbound) merges nothing either: the merged VirtualService has the
// root's hosts and gateways, so its delegates' routes go nowhere
// through it. One that nothing names is drawn with its routes, as the
// rules judge it: its root is taken to be outside the input, as when a
// team lints the delegates it owns and the platform team keeps the roots
// elsewhere; an unserved node there would hide the team's own routes.
func servedDelegates(g *graph.Graph, rejected, unbound map[*graph.VirtualService]string) map[*graph.VirtualService]*servedDelegate {
	namers := map[[2]string][]*graph.VirtualService{}
	for _, vs := range g.VirtualServices {
		for _, d := range delegates(vs.Spec) {
			ns := d.Namespace.V
			if ns == "" {
				ns = vs.Namespace()
			}
			k := [2]string{ns, d.Name.V}
			if !slices.Contains(namers[k], vs) {
				namers[k] = append(namers[k], vs)
			}
		}
	}
	kept := map[*graph.VirtualService][]bool{}
	forwards := map[*graph.VirtualService][]bool{}
	// Why the merged mirror of each route mirrors nothing, "" once some
	// merge mirrors: a delegate route's mirror takes the root's
	// mirrorPercentage (or mirrorPercent) when it sets none itself.
	offs := map[*graph.VirtualService][]string{}
	bound := map[*graph.VirtualService][]graph.GatewayRef{}
	// Why the merges that take place keep no route of a delegate.
	conflicts, offGateway := map[*graph.VirtualService]bool{}, map[*graph.VirtualService]bool{}
	unprogrammed := map[*graph.VirtualService]bool{}
	for _, d := range g.Delegations() {
		if rejected[d.Root] != "" || rejected[d.Delegate] != "" || unbound[d.Root] != "" {
			continue
		}
		m, f, o := kept[d.Delegate], forwards[d.Delegate], offs[d.Delegate]
		if m == nil {
			m = make([]bool, len(d.Delegate.Spec.HTTP))
			f = make([]bool, len(d.Delegate.Spec.HTTP))
			o = make([]string, len(d.Delegate.Spec.HTTP))
			kept[d.Delegate], forwards[d.Delegate], offs[d.Delegate] = m, f, o
		}
		rootAnswers := d.Root.Spec.HTTP[d.Route].DirectResponse != nil
		for k := range d.Delegate.Spec.HTTP {
			if j, _ := g.MergeConflict(d, k); j >= 0 {
				conflicts[d.Delegate] = true
				continue
			}
			if !rootServes(g, d, k, true) {
				if rootServes(g, d, k, false) {
					unprogrammed[d.Delegate] = true
				} else {
					offGateway[d.Delegate] = true
				}
				continue
			}
			if !rootAnswers {
				why := mirrorOff(&d.Delegate.Spec.HTTP[k], &d.Root.Spec.HTTP[d.Route], "delegate")
				if !f[k] || o[k] != "" && why == "" {
					o[k] = why
				}
			}
			m[k] = true
			f[k] = f[k] || !rootAnswers
			bound[d.Delegate] = append(bound[d.Delegate], boundGateways(g, d, k)...)
		}
	}
	out := map[*graph.VirtualService]*servedDelegate{}
	for _, vs := range g.VirtualServices {
		if len(vs.Spec.Hosts) > 0 || rejected[vs] != "" {
			continue
		}
		sd := &servedDelegate{gateways: bound[vs]}
		out[vs] = sd
		m, merged := kept[vs]
		f, o := forwards[vs], offs[vs]
		switch name := [2]string{vs.Namespace(), vs.Name()}; {
		case merged && !slices.Contains(m, true):
			sd.unserved = noRouteKept(conflicts[vs], offGateway[vs], unprogrammed[vs])
			continue
		case merged:
		case len(namers[name]) > 0:
			sd.unserved = notMerged(vs, namers[name], rejected, unbound)
			continue
		case g.Mesh.ClosedWorld:
			sd.unserved = "no VirtualService of the input delegates to it, and closed-world says the input holds every object"
			continue
		default:
			m = make([]bool, len(vs.Spec.HTTP))
			f = m
			o = make([]string, len(vs.Spec.HTTP))
			for k := range m {
				m[k] = true
				o[k] = mirrorOff(&vs.Spec.HTTP[k], nil, "")
			}
		}
		s := *vs.Spec
		s.HTTP, s.TCP, s.TLS = nil, nil, nil
		for k, r := range vs.Spec.HTTP {
			if !m[k] {
				continue
			}
			if !f[k] {
				r.Route, r.Mirror, r.Mirrors = nil, nil, nil
			}
			s.HTTP = append(s.HTTP, r)
			sd.mirrorOff = append(sd.mirrorOff, o[k])
		}
		sd.spec = &s
		if !merged {
			// No root to bind them through: the gateways as written.
			for _, ref := range matchGateways(&s) {
				sd.gateways = append(sd.gateways, g.ResolveGateway(ref, vs.Namespace()))
			}
		}
	}
	return out
}

// noRouteKept says why the merges of a delegate keep none of its http
// routes: their match entries conflict with those of the route that
// delegates (MR107), or the merged entries name only gateways that the
// root is not bound to (offGateway), or that do not program it
// (unprogrammed).
func noRouteKept(conflict, offGateway, unprogrammed bool) string {
	why := "the routes of the input that delegate to it keep none of its http routes: "
	gateways := "not bound to"
	switch {
	case unprogrammed && offGateway:
		gateways = "not bound to or that do not program it"
	case unprogrammed:
		gateways = "bound to but that do not program it"
	}
	switch {
	case conflict && (offGateway || unprogrammed):
		return why + "their match entries conflict with those of the route that delegates, or name only gateways its VirtualService is " + gateways
	case offGateway || unprogrammed:
		return why + "their match entries name only gateways that the VirtualService that delegates is " + gateways
	}
	return why + "their match entries conflict with those of the route that delegates"
}

// notMerged says why no root merges delegate vs, which the VirtualServices
// namers name in a delegate entry: each is itself a delegate (Istio
// supports one level), is rejected by validation, is bound only to
// gateways that do not program it, is in a namespace that vs is not
// exported to, or merges another definition of vs.
func notMerged(vs *graph.VirtualService, namers []*graph.VirtualService, rejected, unbound map[*graph.VirtualService]string) string {
	const most = 3
	var whys []string
	for _, n := range namers {
		name := "VirtualService " + n.Namespace() + "/" + n.Name()
		switch {
		case len(n.Spec.Hosts) == 0:
			whys = append(whys, name+", which delegates to it, is a delegate itself, and Istio supports one level of delegation")
		case rejected[n] != "":
			whys = append(whys, name+", which delegates to it, is rejected by validation")
		case unbound[n] != "":
			whys = append(whys, name+", which delegates to it, serves nothing: no gateway it is bound to programs its routes")
		case !graph.Visible(vs.ExportTo, vs.Namespace(), n.Namespace()):
			whys = append(whys, "its exportTo does not include namespace "+n.Namespace()+" of "+name+", which delegates to it")
		default:
			whys = append(whys, name+" merges another definition of it")
		}
	}
	if len(whys) > most {
		whys = append(whys[:most], fmt.Sprintf("and %d more", len(whys)-most))
	}
	return "no route merges it: " + strings.Join(whys, "; ")
}

// rejection returns why Istio's validation webhook refuses VirtualService
// s, or "": the refusals MR004 reports that decide what it routes
// (ValidateVirtualService, validateHTTPRouteConflict). A refused object is
// never applied, so it serves nothing. A delegate (no hosts) may set
// neither gateways nor tcp or tls routes nor delegate again; a route that
// delegates may not route or redirect itself (its directResponse is the
// default of the delegate's routes); any other http route does exactly
// one of route, redirect and directResponse.
func rejection(s *spec.VirtualService) string {
	if len(s.HTTP)+len(s.TCP)+len(s.TLS) == 0 {
		return "it has no http, tcp or tls routes"
	}
	delegate := len(s.Hosts) == 0
	if delegate {
		for _, f := range []struct {
			name string
			n    int
		}{{"gateways", len(s.Gateways)}, {"tcp", len(s.TCP)}, {"tls", len(s.TLS)}} {
			if f.n > 0 {
				return "a delegate VirtualService (one without hosts) cannot set " + f.name
			}
		}
	}
	for i, r := range s.HTTP {
		where := fmt.Sprintf("http[%d]", i)
		if r.Name.V != "" {
			where += fmt.Sprintf(" (%q)", r.Name.V)
		}
		if r.Delegate != nil && delegate {
			return where + " delegates again, but a delegate VirtualService (one without hosts) cannot"
		}
		if r.Delegate != nil {
			if len(r.Route) > 0 || r.Redirect != nil {
				return where + " delegates and also routes or redirects itself"
			}
			continue
		}
		var actions []string
		if len(r.Route) > 0 {
			actions = append(actions, "route")
		}
		if r.Redirect != nil {
			actions = append(actions, "redirect")
		}
		if r.DirectResponse != nil {
			actions = append(actions, "directResponse")
		}
		switch {
		case len(actions) == 0:
			return where + " has no route, redirect, directResponse or delegate"
		case len(actions) > 1:
			return where + " sets both " + strings.Join(actions, " and ") + ": a route does one of them"
		}
	}
	return ""
}

// rootServes reports whether http route k of the delegate of d, merged into
// the root's route, applies on some proxy the root is bound to: its merged
// match entries may all name gateways the root does not list in
// spec.gateways (or, without them, other than "mesh"), where it is never
// built, or, when programmed is set, that it lists but that do not program
// it (gatewayRefusal).
func rootServes(g *graph.Graph, d graph.Delegation, k int, programmed bool) bool {
	gws := g.MergedGateways(d, k)
	if len(gws) == 0 {
		return true
	}
	for _, gw := range gws {
		ref := g.ResolveGateway(gw, d.Root.Namespace())
		if ref.Mesh && len(d.Root.Gateways) == 0 {
			return true
		}
		if slices.ContainsFunc(d.Root.Gateways, func(rr graph.GatewayRef) bool {
			return sameGateway(rr, ref) && (!programmed || gatewayRefusal(g, d.Root, rr) == "")
		}) {
			return true
		}
	}
	return false
}

// mirrorUse tells, for an http route of a root that delegates, whether the
// routes its merges keep that forward take its mirror and its mirrors.
// Returned by unusedRootMirrors, mirror and mirrors say that they take
// none; merged that a merge of the input builds the route, and mirrorOff
// why each route that takes its mirror mirrors nothing, with the
// percentage the merge gives it ("" when one mirrors).
type mirrorUse struct {
	mirror, mirrors bool
	merged          bool
	mirrorOff       string
}

// unusedRootMirrors returns, for each VirtualService with hosts, which of
// its http routes that delegate have a mirror or mirrors that no merged
// route uses. mergeHTTPRoute copies the root's mirror into a delegate
// route without one, and its mirrors into one without any, separately:
// when each route the merge keeps that forwards sets its own, the root's
// is never built (MR121), and an edge from the root to it would show
// copies that no request makes. A route whose merge keeps no route that
// forwards mirrors nothing. A route whose delegate the input does not
// hold, or that is rejected, keeps its mirrors: what it merges is not
// known here. Every root that a merge of the input builds a route of is
// in the map: its mirror's percentage is the merged routes'.
func unusedRootMirrors(g *graph.Graph, rejected map[*graph.VirtualService]string) map[*graph.VirtualService][]mirrorUse {
	used := map[*graph.VirtualService][]mirrorUse{}
	merged := map[*graph.VirtualService][]bool{}
	for _, d := range g.Delegations() {
		if rejected[d.Root] != "" || rejected[d.Delegate] != "" {
			continue
		}
		if used[d.Root] == nil {
			used[d.Root] = make([]mirrorUse, len(d.Root.Spec.HTTP))
			merged[d.Root] = make([]bool, len(d.Root.Spec.HTTP))
		}
		merged[d.Root][d.Route] = true
		u := &used[d.Root][d.Route]
		root := &d.Root.Spec.HTTP[d.Route]
		for k := range d.Delegate.Spec.HTTP {
			r := &d.Delegate.Spec.HTTP[k]
			if j, _ := g.MergeConflict(d, k); j >= 0 || !rootServes(g, d, k, true) || answers(r) || len(r.Route) == 0 {
				continue
			}
			if r.Mirror == nil && root.Mirror != nil {
				why := mirrorOff(r, root, "root")
				if !u.mirror || u.mirrorOff != "" && why == "" {
					u.mirrorOff = why
				}
			}
			u.mirror = u.mirror || r.Mirror == nil
			u.mirrors = u.mirrors || len(r.Mirrors) == 0
		}
	}
	out := map[*graph.VirtualService][]mirrorUse{}
	for root, us := range used {
		unused := make([]mirrorUse, len(us))
		for i, u := range us {
			if !merged[root][i] {
				continue
			}
			r := &root.Spec.HTTP[i]
			unused[i] = mirrorUse{mirror: r.Mirror != nil && !u.mirror, mirrors: len(r.Mirrors) > 0 && !u.mirrors, merged: true, mirrorOff: u.mirrorOff}
		}
		out[root] = unused
	}
	return out
}

// withoutMirrors returns s without the mirrors that unused says no merged
// route uses (s itself when there are none).
func withoutMirrors(s *spec.VirtualService, unused []mirrorUse) *spec.VirtualService {
	if !slices.ContainsFunc(unused, func(u mirrorUse) bool { return u.mirror || u.mirrors }) {
		return s
	}
	c := *s
	c.HTTP = slices.Clone(s.HTTP)
	for i, u := range unused {
		if u.mirror {
			c.HTTP[i].Mirror = nil
		}
		if u.mirrors {
			c.HTTP[i].Mirrors = nil
		}
	}
	return &c
}

// sameGateway reports whether two resolved references name one gateway,
// or are both "mesh".
func sameGateway(a, b graph.GatewayRef) bool {
	if a.Mesh || b.Mesh {
		return a.Mesh == b.Mesh
	}
	return a.Namespace == b.Namespace && a.Name == b.Name
}

// boundGateways returns the gateways of the root of d that Istio binds
// http route k of its delegate to through the route's own match entries.
// Merged, an entry keeps the delegate's gateways (mergeHTTPMatchRequest,
// resolved in the delegate's namespace), but the merged route is built
// only for the gateways the root lists in spec.gateways (getGatewayNames):
// a gateway that only the delegate names never sees it, nor one that does
// not program the root (gatewayRefusal). The gateways a merged entry
// takes from the root's entry are the root's to show.
func boundGateways(g *graph.Graph, d graph.Delegation, k int) []graph.GatewayRef {
	var out []graph.GatewayRef
	for _, m := range d.Delegate.Spec.HTTP[k].Match {
		for _, gw := range m.Gateways {
			ref := g.ResolveGateway(gw, d.Delegate.Namespace())
			if ref.Mesh || gw.V == "" {
				continue
			}
			if slices.ContainsFunc(d.Root.Gateways, func(rr graph.GatewayRef) bool { return sameGateway(rr, ref) && gatewayRefusal(g, d.Root, rr) == "" }) {
				out = append(out, ref)
			}
		}
	}
	return out
}

// wildcardRule adds the node of DestinationRule dr, whose host is a
// wildcard, and its subsets under it: when it has subsets and its host
// matches a Service or ServiceEntry, as a rule with another host is drawn
// only when its host resolves.
func (b *builder) wildcardRule(dr *graph.DestinationRule) {
	if len(dr.Spec.Subsets) == 0 {
		return
	}
	matches := 0
	for range b.g.HostTargets(dr.Host, dr.Namespace()) {
		matches++
	}
	if matches == 0 {
		return
	}
	r := b.object(Services, dr.Obj)
	n := &b.t.Nodes[r]
	n.Host, n.Matches = dr.Host, matches
	for i := range dr.Spec.Subsets {
		b.edge(r, b.subset(dr, &dr.Spec.Subsets[i]))
	}
}

// matchGateways are the gateways the match entries of the http, tcp and
// tls routes of a VirtualService name, in spec order.
func matchGateways(s *spec.VirtualService) []spec.Str {
	var out []spec.Str
	add := func(gws []spec.Str) {
		for _, gw := range gws {
			if gw.V != "" {
				out = append(out, gw)
			}
		}
	}
	for _, r := range s.HTTP {
		for _, m := range r.Match {
			add(m.Gateways)
		}
	}
	for _, r := range s.TCP {
		for _, m := range r.Match {
			add(m.Gateways)
		}
	}
	for _, r := range s.TLS {
		for _, m := range r.Match {
			add(m.Gateways)
		}
	}
	return out
}

// answers reports whether http route r answers requests itself with a
// redirect or a directResponse: TranslateRoute then never calls
// applyHTTPRouteDestination, which alone builds a route's destinations
// and mirror policies.
func answers(r *spec.HTTPRoute) bool { return r.Redirect != nil || r.DirectResponse != nil }

// redirects reports whether a Gateway API route rule has a RequestRedirect
// filter: Istio's conversion gives its route both the redirect and the
// backends (convertHTTPRoute), and TranslateRoute answers with the
// redirect, so neither its backends nor its mirrors see a request. (The
// CRD's validation refuses backendRefs beside the filter; its older
// versions did not.)
func redirects(r *graph.GatewayRouteRule) bool {
	return r.Spec != nil && slices.ContainsFunc(r.Spec.Filters, func(f spec.GatewayRouteFilter) bool { return f.Type.V == "RequestRedirect" })
}

// mirrors are the destinations the http routes of a VirtualService that
// forward mirror requests to (mirror, mirrors), in spec order, with why
// they mirror nothing, if they do: off(i, route) for the mirror of route i,
// each mirrors entry's own percentage for it (MirrorPercentByPolicy).
func mirrors(s *spec.VirtualService, off func(i int, r *spec.HTTPRoute) string) []routeDestination {
	var out []routeDestination
	for i := range s.HTTP {
		r := &s.HTTP[i]
		if answers(r) {
			continue
		}
		if d := r.Mirror; d != nil && d.Host.Set {
			out = append(out, routeDestination{Destination: d, idle: off(i, r)})
		}
		for _, m := range r.Mirrors {
			if d := m.Destination; d != nil && d.Host.Set {
				out = append(out, routeDestination{Destination: d, idle: mirrorsOff(m.Percentage)})
			}
		}
	}
	return out
}

// mirrorOff says why the mirror of http route r mirrors no request, or
// "": MirrorPercent reads mirrorPercentage, else the deprecated
// mirrorPercent, else mirrors every request, and "If zero percent is
// provided explicitly, we should not mirror" (route.go). Merged into the
// route root (nil when r is no delegate's), r takes each of the two
// fields it leaves unset from root (mergeHTTPRoute); the reason says whose
// field it is when the other route's is read, from the side of mine
// ("root" or "delegate"). A value that is not a number is taken to
// mirror: schema validation refuses it.
func mirrorOff(r, root *spec.HTTPRoute, mine string) string {
	p, n := r.MirrorPercentage, r.MirrorPercent
	fromRoot := false
	if root != nil && p == nil && root.MirrorPercentage != nil {
		p, fromRoot = root.MirrorPercentage, true
	}
	if p == nil {
		if root != nil && !n.Set && root.MirrorPercent.Set {
			n, fromRoot = root.MirrorPercent, true
		}
		if !n.Set || n.Bad || n.V > 0 {
			return ""
		}
	}
	why := fmt.Sprintf("mirrorPercent %g", n.V)
	if p != nil {
		if why = percentOff("mirrorPercentage", p); why == "" {
			return ""
		}
	}
	switch {
	case mine == "delegate" && fromRoot:
		why += " (the root route's, which the merge copies into the delegate's)"
	case mine == "root" && !fromRoot:
		why += " (the delegate route's that takes the mirror)"
	}
	return why + ": mirrors no request"
}

// requestMirrorOff says why the mirror be of a Gateway API route copies
// no request, or "": Istio turns its percent or fraction into the
// mirror's percentage (createMirrorFilter), and MirrorPercentByPolicy
// mirrors nothing at 0. A fraction Istio cannot read is taken to mirror:
// the API server refuses it.
func requestMirrorOff(be *graph.BackendRef) string {
	pct, ok := be.MirrorPercent()
	if !ok || pct > 0 {
		return ""
	}
	m := be.MirrorSpec
	if f := m.Fraction; f != nil {
		den := int64(100)
		if f.Denominator.Set {
			den = f.Denominator.V
		}
		return fmt.Sprintf("fraction %d/%d: mirrors no request", f.Numerator.V, den)
	}
	return fmt.Sprintf("percent %d: mirrors no request", m.Percent.V)
}

// mirrorsOff says why a mirrors entry of percentage p mirrors no request,
// or "".
func mirrorsOff(p *spec.Percent) string {
	if why := percentOff("percentage", p); why != "" {
		return why + ": mirrors no request"
	}
	return ""
}

// percentOff says why a mirror of percentage p, written in field,
// mirrors no request, or "": without p it mirrors every request.
func percentOff(field string, p *spec.Percent) string {
	switch {
	case p == nil || p.Value.Bad || p.Value.V > 0:
		return ""
	case !p.Value.Set:
		return field + " without value, which Istio reads as 0"
	}
	return fmt.Sprintf("%s %g", field, p.Value.V)
}

// delegates are the delegate entries of the http routes of a
// VirtualService that name a VirtualService.
func delegates(s *spec.VirtualService) []*spec.Delegate {
	var out []*spec.Delegate
	for _, r := range s.HTTP {
		if d := r.Delegate; d != nil && d.Name.V != "" {
			out = append(out, d)
		}
	}
	return out
}

// routeDestination is a destination a route sends to, and why it gets
// no traffic, if it gets none.
type routeDestination struct {
	*spec.Destination
	idle string
}

// destinations are the route destinations of the http routes of a
// VirtualService that forward and of its tcp and tls routes, in spec
// order. A destination of weight 0 beside others gets no traffic: Istio
// builds a weighted cluster of those with a weight only (route.go's
// applyHTTPRouteDestination, and the TCP proxy's weighted clusters), as
// the API says ("If there is only one destination in a rule, it will
// receive all traffic. Otherwise, if weight is 0, the destination will
// not receive any traffic"); an unset weight is 0.
func destinations(s *spec.VirtualService) []routeDestination {
	var out []routeDestination
	add := func(rds []spec.RouteDestination) {
		for _, rd := range rds {
			if rd.Destination == nil || !rd.Destination.Host.Set {
				continue
			}
			d := routeDestination{Destination: rd.Destination}
			switch {
			case len(rds) < 2 || rd.Weight.V != 0:
			case rd.Weight.Set:
				d.idle = "weight 0 beside other destinations: no traffic"
			default:
				d.idle = "no weight beside other destinations, which Istio reads as 0: no traffic"
			}
			out = append(out, d)
		}
	}
	for i := range s.HTTP {
		if !answers(&s.HTTP[i]) {
			add(s.HTTP[i].Route)
		}
	}
	for _, r := range s.TCP {
		add(r.Route)
	}
	for _, r := range s.TLS {
		add(r.Route)
	}
	return out
}

type builder struct {
	g     *graph.Graph
	t     Topology
	index map[key]int
	// edges are the edges without Idle, true for those some request
	// may take; idle says why no request takes the others.
	edges map[Edge]bool
	idle  map[Edge]string
	// subsetUses are the subsets destinations name, checked once every
	// DestinationRule's subsets are in.
	subsetUses []subsetUse
	stands     []Stand
	refs       []Ref
	// addressed are the Gateway API Gateway nodes some definition of
	// which leaves Istio an address to bind it to.
	addressed map[int]bool
	// conflicts are the ListenerConflicts of each Gateway met, computed
	// once: every parentRef to it asks.
	conflicts map[*graph.K8sGateway]map[*graph.Listener]graph.ListenerConflict
}

// lost is the ListenerConflicts of gw: its listeners Istio does not accept.
func (b *builder) lost(gw *graph.K8sGateway) map[*graph.Listener]graph.ListenerConflict {
	c, ok := b.conflicts[gw]
	if !ok {
		c = gw.ListenerConflicts()
		b.conflicts[gw] = c
	}
	return c
}

type subsetUse struct {
	service    int
	host, from string
	subset     string
	// idle says why the destination gets no traffic ("" when it may).
	idle string
}

// add returns the index of the node n, adding it if it is new.
func (b *builder) add(n Node) int {
	k := n.key()
	if i, ok := b.index[k]; ok {
		return i
	}
	b.t.Nodes = append(b.t.Nodes, n)
	b.index[k] = len(b.t.Nodes) - 1
	return len(b.t.Nodes) - 1
}

func (b *builder) object(c Column, o *manifest.Object) int {
	loc := o.NameLoc
	if loc.IsZero() {
		loc = o.KindLoc
	}
	return b.add(Node{Column: c, Group: o.Group, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, File: o.File, Loc: loc})
}

func (b *builder) missing(n Node) int {
	n.Missing = true
	return b.add(n)
}

func (b *builder) edge(from, to int) { b.edgeOf(from, to, Leads) }

func (b *builder) edgeOf(from, to int, k EdgeKind) { b.idleEdge(from, to, k, "") }

// idleEdge adds the edge, idle for the reason why unless it is "": an edge
// is idle only when every route entry it stands for is.
func (b *builder) idleEdge(from, to int, k EdgeKind, why string) {
	e := Edge{From: from, To: to, Kind: k}
	if why == "" {
		b.edges[e] = true
		return
	}
	if !b.edges[e] {
		b.edges[e] = false
		if b.idle[e] == "" {
			b.idle[e] = why
		}
	}
}

// gateway joins the gateway ref resolves to (or a missing one) to route r;
// the reserved "mesh" is no gateway.
func (b *builder) gateway(ref graph.GatewayRef, r int) { b.idleGateway(ref, r, "") }

// idleGateway is gateway, the edge idle for the reason why unless it is "".
func (b *builder) idleGateway(ref graph.GatewayRef, r int, why string) {
	switch {
	case ref.Mesh:
	case ref.Gateway != nil:
		b.idleEdge(b.object(Gateways, ref.Gateway.Obj), r, Leads, why)
	default:
		b.idleEdge(b.missing(Node{Column: Gateways, Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: ref.Namespace, Name: ref.Name}), r, Leads, why)
	}
}

// backend joins Gateway API route r, which has mesh parents or not, to
// the Service a backendRef names, or to a missing one, idle for the
// reason idle unless it is ""; references to other kinds are not drawn.
func (b *builder) backend(r int, be *graph.BackendRef, k EdgeKind, idle string, mesh bool) {
	s := -1
	switch {
	case be.Service != nil:
		s = b.object(Services, be.Service.Obj)
	case be.IsService():
		s = b.missing(Node{Column: Services, Kind: kinds.Service, Namespace: be.Namespace, Name: be.Name})
	}
	if s >= 0 {
		b.idleEdge(r, s, k, idle)
		b.ref(Ref{From: r, To: s, Kind: k, Idle: idle, Mesh: mesh}, &be.ObjectRef)
	}
}

// ref adds reference o of a route as rf, at the locations it is written.
func (b *builder) ref(rf Ref, o *graph.ObjectRef) {
	for _, l := range []manifest.Loc{o.Loc, o.NameLoc, o.NamespaceLoc} {
		if !l.IsZero() && !slices.Contains(rf.Locs, l) {
			rf.Locs = append(rf.Locs, l)
		}
	}
	b.refs = append(b.refs, rf)
}

// subset is the node of subset ss of DestinationRule dr.
func (b *builder) subset(dr *graph.DestinationRule, ss *spec.Subset) int {
	return b.add(Node{Column: Subsets, Group: dr.Obj.Group, Kind: dr.Obj.Kind, Namespace: dr.Namespace(), Name: dr.Name(),
		Subset: ss.Name.V, File: dr.Obj.File, Loc: ss.Loc})
}

// target is the node of a Service or ServiceEntry a host resolves to.
func (b *builder) target(t graph.HostTarget) int {
	if t.Service != nil {
		return b.object(Services, t.Service.Obj)
	}
	i := b.object(Services, t.Entry.Obj)
	if n := &b.t.Nodes[i]; n.Host == "" && len(t.Entry.Spec.Hosts) > 0 {
		n.Host = t.Entry.Spec.Hosts[0].V
	}
	return i
}

// destination joins route r, of namespace ns, to what destination d
// resolves to, or to a missing node of its host, by an edge of kind k,
// idle for the reason idle unless it is "". A wildcard host resolves to
// every Service and ServiceEntry it matches, except "*", which Istio
// rejects and which would join every service.
func (b *builder) destination(r int, ns string, d *spec.Destination, k EdgeKind, idle string) {
	fqdn := b.g.FQDN(d.Host.V, ns)
	if fqdn == "*" {
		return
	}
	var svcs []int
	for _, t := range b.g.LookupHost(fqdn, ns) {
		svcs = append(svcs, b.target(t))
	}
	if len(svcs) == 0 {
		svcs = append(svcs, b.missing(Node{Column: Services, Kind: kinds.Service, Namespace: b.g.ServiceNamespace(fqdn), Host: fqdn}))
	}
	for _, s := range svcs {
		b.idleEdge(r, s, k, idle)
		if d.Subset.Set && d.Subset.V != "" && !b.t.Nodes[s].Missing {
			b.subsetUses = append(b.subsetUses, subsetUse{service: s, host: fqdn, from: ns, subset: d.Subset.V, idle: idle})
		}
	}
}

// finish sorts the nodes (by column, namespace, name, kind), renumbers the
// edges and sorts them.
func (b *builder) finish() *Topology {
	t := &b.t
	order := make([]int, len(t.Nodes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return compareNodes(&t.Nodes[i], &t.Nodes[j]) })
	newIndex := make([]int, len(order))
	nodes := make([]Node, len(order))
	for to, from := range order {
		newIndex[from] = to
		nodes[to] = t.Nodes[from]
	}
	t.Nodes = nodes
	t.Edges = make([]Edge, 0, len(b.edges))
	for e, live := range b.edges {
		ne := Edge{From: newIndex[e.From], To: newIndex[e.To], Kind: e.Kind}
		if !live {
			ne.Idle = b.idle[e]
		}
		t.Edges = append(t.Edges, ne)
	}
	slices.SortFunc(t.Edges, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
	})
	t.Stands = b.stands
	for i := range t.Stands {
		t.Stands[i].Node = newIndex[t.Stands[i].Node]
	}
	slices.SortFunc(t.Stands, compareStands)
	t.Stands = slices.Compact(t.Stands)
	t.Refs = b.refs
	for i := range t.Refs {
		t.Refs[i].From, t.Refs[i].To = newIndex[t.Refs[i].From], newIndex[t.Refs[i].To]
	}
	slices.SortStableFunc(t.Refs, func(a, b Ref) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
	})
	t.TotalNodes, t.TotalEdges = len(t.Nodes), len(t.Edges)
	t.Namespaces = len(namespaces(t.Nodes))
	return t
}

func compareNodes(a, b *Node) int {
	return cmp.Or(
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Host, b.Host),
		cmp.Compare(a.Subset, b.Subset),
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Group, b.Group),
		compareBool(a.Missing, b.Missing),
		cmp.Compare(a.File, b.File),
	)
}

func compareStands(a, b Stand) int {
	return cmp.Or(
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Group, b.Group),
		cmp.Compare(a.Node, b.Node),
	)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func namespaces(nodes []Node) map[string]bool {
	m := map[string]bool{}
	for i := range nodes {
		m[nodes[i].Namespace] = true
	}
	return m
}

// gatewayRefusal says why gateway ref of VirtualService vs never programs
// its routes, or "" when it may: the Gateway's proxies are in namespaces
// that the VirtualService's exportTo leaves out, so they never see it, or
// no server of the Gateway serves one of its hosts, and Istio builds none
// of its routes there (MR202: a server host ns/host admits the
// VirtualServices of namespace ns, or any with */, whose host it matches).
// "mesh" may serve, and so may a gateway the input does not hold unless
// closed-world says it holds every object: Istio ignores a name that
// resolves to no Gateway (MR201), so it then programs nothing. A name
// Istio generates for a Gateway API Gateway's listener (MR215) is left
// alone: the input holds no Gateway of that name, but Istio may.
func gatewayRefusal(g *graph.Graph, vs *graph.VirtualService, ref graph.GatewayRef) string {
	gw := ref.Gateway
	switch {
	case ref.Mesh:
		return ""
	case gw == nil:
		if !g.Mesh.ClosedWorld || graph.GeneratedGateway(ref.Name) {
			return ""
		}
		return "the input holds no Gateway " + ref.Namespace + "/" + ref.Name + ", and closed-world says it holds every object: Istio ignores a name that resolves to no Gateway, and programs none of its routes there"
	}
	if !gw.Sees(vs) {
		namespaces := gw.LookupNamespaces()
		what := "namespace "
		if len(namespaces) > 1 {
			what = "namespaces "
		}
		return "the VirtualService's exportTo leaves out " + what + strings.Join(namespaces, ", ") + " of the gateway's proxies, which never see it"
	}
	if slices.ContainsFunc(vs.Hosts, func(h string) bool { return gw.AdmitsHost(vs.Namespace(), h) }) {
		return ""
	}
	return "no server of the Gateway serves a host of the VirtualService, so none of its routes is programmed there"
}

// boundNowhere says why a VirtualService, whose gateway refs
// gatewayRefusal refused says why they program nothing of it, serves
// nothing, or "": it is bound to gateways only, and none of them takes
// it. A root's delegates then serve nothing through it: Istio merges
// them into the root (MergedVirtualServices), and the merged
// VirtualService has the root's hosts and gateways alone.
func boundNowhere(refused []string) string {
	if len(refused) == 0 || slices.Contains(refused, "") {
		return ""
	}
	return "no gateway it is bound to programs its routes, and it is not bound to the mesh: " + distinctWhys(refused)
}

// parentRefusal says why parentRef p of route rt does not attach it to
// its Gateway (or the Gateway of its ListenerSet), or "" when it may:
//   - Istio does not accept the Gateway, and programs nothing for it
//     (Node.NoAddress, MR624);
//   - sectionName or port select no listener Istio builds: none of that
//     name or port (NoMatchingParent), or only HTTPS listeners without
//     tls, placeholders Istio builds nothing for;
//   - no listener selected admits the route's kind or namespace
//     (NotAllowedByListeners, MR605);
//   - no hostname of the route intersects the hostname of a listener that
//     admits it (NoMatchingListenerHostname, MR607);
//   - the listeners it attaches to all conflict with listeners before
//     them (MR606, ListenerConflicts): Istio builds no server and makes
//     no route parent of them, and a ListenerSet none of whose listeners
//     is left is not accepted (ListenersNotValid);
//   - the route is a GRPCRoute whose RequestMirror backend in another
//     namespace no ReferenceGrant permits, on a Gateway of Istio: Istio
//     builds the mirror inside the rule's conversion (convertGRPCRoute,
//     createMirrorFilter), and the refused reference fails the whole route
//     for its Gateway parents. Its mesh parents check no grant (MR604).
//
// A Gateway without listeners, or whose namespace the input does not
// describe for a grant, is taken to attach. A parentRef that finds no
// Gateway is judged by noGateway.
func parentRefusal(g *graph.Graph, rt *graph.GatewayRoute, p *graph.ParentRef, conflicts func(*graph.K8sGateway) map[*graph.Listener]graph.ListenerConflict) string {
	if p.Gateway == nil {
		return noGateway(g, p)
	}
	if p.Gateway.Unaddressed() {
		return "Istio does not accept the Gateway, which has no address it binds it to (UnsupportedAddress), and attaches no route to it"
	}
	if len(p.Attached) == 0 {
		switch {
		case len(p.Listeners) > 0:
			return "no listener it selects admits the route's kind or namespace: the route is not attached there (Accepted: False, NotAllowedByListeners)"
		case len(p.Placeholders) > 0:
			return "the listeners it selects are HTTPS without tls, placeholders Istio builds nothing for: the route is attached to none"
		case p.SectionName != "" || p.Port != 0:
			return "its sectionName or port names no listener: the route is not attached there (Accepted: False, NoMatchingParent)"
		}
		return ""
	}
	// Istio makes no route parent of a listener that conflicts with one
	// before it (the ListenerSets and Gateways collections skip it).
	lost := conflicts(p.Gateway)
	attached := slices.DeleteFunc(slices.Clone(p.Attached), func(l *graph.Listener) bool { _, bad := lost[l]; return bad })
	switch {
	case len(attached) > 0:
	case p.ListenerSet != nil && !p.ListenerSet.ListenersLeft(lost):
		return "none of its ListenerSet's listeners is left after conflicts with listeners of higher precedence (MR606): the ListenerSet is not accepted (ListenersNotValid), and the route is attached to none of its listeners"
	default:
		return "the listeners it selects that admit the route conflict with listeners before them (MR606), and Istio does not accept them (Conflicted): the route is attached to none"
	}
	if rt.HasHostnames() && rt.Spec != nil && len(rt.Spec.Hostnames) > 0 && !slices.ContainsFunc(rt.Spec.Hostnames, func(h spec.Str) bool {
		return slices.ContainsFunc(attached, func(l *graph.Listener) bool { return l.AcceptsHostname(h.V) })
	}) {
		return "no hostname of the route intersects the hostname of a listener it attaches to: the route is not accepted there (Accepted: False, NoMatchingListenerHostname)"
	}
	if rt.Kind() == kinds.GRPCRoute && strings.HasPrefix(p.Gateway.Controller(), "istio.io/") {
		for _, rule := range rt.Rules {
			for _, m := range rule.Mirrors {
				if m.CrossNamespace && m.Grant == nil && m.Name != "" && (g.Mesh.ClosedWorld || g.Describes(m.Namespace)) {
					return "no ReferenceGrant permits its RequestMirror backend in namespace " + m.Namespace + ", and Istio rejects a GRPCRoute whose mirror it cannot build: none of its rules is served there (RefNotPermitted)"
				}
			}
		}
	}
	return ""
}

// noGateway says why parentRef p, for which the graph finds no Gateway
// (ParentRef.Gateway), attaches its route nowhere, or "" when it may:
//   - a ListenerSet whose Gateway does not take it, so that none of its
//     listeners is served (MR620): its parentRef names no Gateway, or a
//     Gateway of a class that takes no ListenerSets, or one whose
//     allowedListeners leave its namespace out (NotAllowed);
//   - with closed-world, a Gateway, a ListenerSet, or the Gateway of a
//     ListenerSet that the input does not hold, which then does not exist
//     (MR601, MR620); or a Service or ServiceEntry, a mesh parent, that it
//     does not hold: Istio's referenceAllowed denies the parent ("parent
//     service: ... not found", "parent service entry: ... not found"), and the
//     route is built for no Service. Without it, one may exist outside
//     the input.
//
// A mesh parent that the input holds, and a reference to a kind of
// another implementation, may take the route.
func noGateway(g *graph.Graph, p *graph.ParentRef) string {
	const absent = ", and closed-world says the input holds every object: the route is not attached there (NoMatchingParent)"
	switch {
	case p.IsGateway():
		if g.Mesh.ClosedWorld {
			return "the input holds no Gateway " + p.Namespace + "/" + p.Name + absent
		}
	case p.IsService():
		if g.Mesh.ClosedWorld && p.Service == nil {
			return fmt.Sprintf("the input holds no Service %s/%s, and closed-world says it holds every object: Istio does not accept the route for it (Accepted: False, parent service: %q not found)", p.Namespace, p.Name, p.Name)
		}
	case p.IsMesh():
		if g.Mesh.ClosedWorld && !slices.ContainsFunc(g.ServiceEntries, func(se *graph.ServiceEntry) bool {
			return se.Namespace() == p.Namespace && se.Name() == p.Name
		}) {
			return fmt.Sprintf("the input holds no ServiceEntry %s/%s, and closed-world says it holds every object: Istio does not accept the route for it (Accepted: False, parent service entry: %q not found)", p.Namespace, p.Name, p.Name)
		}
	case p.IsListenerSet():
		ls := p.ListenerSet
		switch {
		case ls == nil:
			if g.Mesh.ClosedWorld {
				return "the input holds no ListenerSet " + p.Namespace + "/" + p.Name + absent
			}
		case ls.Parent == nil:
			// No parentRef: a schema error (MR001), judged elsewhere.
		case ls.Parent.GroupKind != (graph.GroupKind{Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway}):
			return "its ListenerSet's parentRef names no gateway.networking.k8s.io Gateway, so none of the ListenerSet's listeners is served and the route is attached to none"
		case ls.Gateway == nil:
			if g.Mesh.ClosedWorld {
				return "the input holds no Gateway " + ls.Parent.Namespace + "/" + ls.Parent.Name + " for its ListenerSet, and closed-world says it holds every object: none of the ListenerSet's listeners is served"
			}
		case !ls.Gateway.SupportsListenerSets():
			return "the Gateway of its ListenerSet is of a class that takes no ListenerSet: the ListenerSet is not accepted (NotAllowed), and the route is attached to none of its listeners"
		case !ls.Attached():
			return "the Gateway of its ListenerSet does not allow ListenerSets of namespace " + ls.Namespace() + ": the ListenerSet is not accepted (NotAllowed), and the route is attached to none of its listeners"
		}
	}
	return ""
}

// attachedNowhere says why a Gateway API route, whose parentRefs
// parentRefusal refused says why they do not attach it, serves nothing, or
// "": it has parents, and each is a Gateway (or a ListenerSet's) that
// refuses it, or one that does not attach it (noGateway). A mesh parent,
// or a parent the input does not hold without closed-world, may take it.
func attachedNowhere(refused []string) string {
	if len(refused) == 0 || slices.Contains(refused, "") {
		return ""
	}
	return "no parent takes it, so Istio serves none of its rules: " + distinctWhys(refused)
}

// distinctWhys joins the distinct reasons of whys, the first few.
func distinctWhys(whys []string) string {
	const most = 2
	var out []string
	for _, w := range whys {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if len(out) > most {
		out = append(out[:most], fmt.Sprintf("and %d more", len(out)-most))
	}
	return strings.Join(out, "; ")
}
