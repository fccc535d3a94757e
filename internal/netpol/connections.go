package netpol

import (
	"iter"
	"sort"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Connection is an ordered pair of endpoints and what may flow from the
// first to the second.
type Connection struct {
	Src, Dst Endpoint
	Conns    Set
}

// Filter restricts Connections to some sources and destinations; a nil
// function accepts every endpoint.
type Filter struct {
	Src, Dst func(Endpoint) bool
}

func (f Filter) src(e Endpoint) bool { return f.Src == nil || f.Src(e) }
func (f Filter) dst(e Endpoint) bool { return f.Dst == nil || f.Dst(e) }

// Connections lists every allowed connection the filter accepts, between
// the listed workloads (Workloads), external ranges (ExternalSources,
// ExternalDestinations) and the ingress controller: np-guard's connlist.
// A workload is never paired with itself, connections between external
// ranges are not listed, and pairs with nothing allowed are left out. The
// result is sorted by source name, then destination name.
func (a *Analysis) Connections(f Filter) []Connection {
	var out []Connection
	for c := range a.Each(f) {
		out = append(out, c)
	}
	return out
}

// hop is a destination of a source class, or of an external source.
type hop struct {
	dst   Endpoint
	name  string // dst's
	conns Set
}

// Each yields what Connections lists, in the same order, without holding
// it all in memory: the work and memory follow the classes and the
// destinations of each source class, not the number of lines.
func (a *Analysis) Each(f Filter) iter.Seq[Connection] {
	return func(yield func(Connection) bool) {
		a.list()
		a.each(f, yield)
	}
}

func (a *Analysis) each(f Filter, yield func(Connection) bool) {
	// Members of each class that the filter accepts as sources and as
	// destinations, in name order.
	srcOf := make([][]*graph.Workload, len(a.classes))
	dstOf := make([][]*graph.Workload, len(a.classes))
	for _, w := range a.endpoints {
		cl := a.classOf[w]
		e := WorkloadEndpoint(w)
		if f.src(e) {
			srcOf[cl.id] = append(srcOf[cl.id], w)
		}
		if f.dst(e) {
			dstOf[cl.id] = append(dstOf[cl.id], w)
		}
	}

	// hops[s] lists, per source class, its destinations and what reaches
	// them; extHops[i] the same for external source range i.
	hops := make([][]hop, len(a.classes))
	a.classPairs(srcOf, dstOf, func(s, d *class, c Set) {
		for _, w := range dstOf[d.id] {
			hops[s.id] = append(hops[s.id], hop{WorkloadEndpoint(w), a.names[w], c})
		}
	})
	var extNames [2][]string
	for d := range extNames {
		for _, r := range a.extParts[d] {
			extNames[d] = append(extNames[d], ExternalEndpoint(r).String())
		}
	}
	extHops := make([][]hop, len(a.extParts[Ingress]))
	for _, cl := range a.classes {
		if len(srcOf[cl.id]) > 0 {
			for i, c := range a.external(cl, Egress) {
				if e := ExternalEndpoint(a.extParts[Egress][i]); !c.IsEmpty() && f.dst(e) {
					hops[cl.id] = append(hops[cl.id], hop{e, extNames[Egress][i], c})
				}
			}
		}
		if len(dstOf[cl.id]) > 0 {
			for i, c := range a.external(cl, Ingress) {
				if c.IsEmpty() {
					continue
				}
				for _, w := range dstOf[cl.id] {
					extHops[i] = append(extHops[i], hop{WorkloadEndpoint(w), a.names[w], c})
				}
			}
		}
	}
	var ctrlHops []hop
	ctrl := IngressController()
	if f.src(ctrl) {
		for _, t := range a.ingresses {
			if e := WorkloadEndpoint(t.w); f.dst(e) && !t.conns.IsEmpty() {
				ctrlHops = append(ctrlHops, hop{e, a.names[t.w], t.conns})
			}
		}
	}

	// Sources in name order, each with its destinations in name order.
	type source struct {
		e    Endpoint
		name string
		hops []hop
	}
	var sources []source
	for _, w := range a.endpoints {
		if cl := a.classOf[w]; len(hops[cl.id]) > 0 && f.src(WorkloadEndpoint(w)) {
			sources = append(sources, source{WorkloadEndpoint(w), a.names[w], hops[cl.id]})
		}
	}
	for i, r := range a.extParts[Ingress] {
		if e := ExternalEndpoint(r); len(extHops[i]) > 0 && f.src(e) {
			sources = append(sources, source{e, extNames[Ingress][i], extHops[i]})
		}
	}
	if len(ctrlHops) > 0 {
		sources = append(sources, source{ctrl, IngressControllerName, ctrlHops})
	}
	sort.SliceStable(sources, func(i, j int) bool { return sources[i].name < sources[j].name })
	sorted := make([]bool, len(a.classes))
	for _, src := range sources {
		hs := src.hops
		if cl := a.classOf[src.e.Workload]; cl != nil {
			if !sorted[cl.id] {
				sortHops(hs)
				sorted[cl.id] = true
			}
		} else {
			sortHops(hs)
		}
		for _, h := range hs {
			if h.dst.Workload != nil && h.dst.Workload == src.e.Workload {
				continue
			}
			if !yield(Connection{src.e, h.dst, h.conns}) {
				return
			}
		}
	}
}

func sortHops(hs []hop) {
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].name < hs[j].name })
}

// classPairs calls emit for every pair of classes with members that the
// filter keeps and some allowed connection, each pair once.
func (a *Analysis) classPairs(srcOf, dstOf [][]*graph.Workload, emit func(s, d *class, c Set)) {
	// Egress defaults: what each class allows towards a pod that none of
	// its rules names, per named-port resolution of that pod.
	pgOf := make([]*class, a.portGroups)
	for _, cl := range a.classes {
		pgOf[cl.pg] = cl
	}
	openSrc := make([][]*class, a.portGroups)
	// revOut[d] lists the classes whose egress rules name class d.
	revOut := make([][]*class, len(a.classes))
	stamp := make([]int, len(a.classes))
	for i := range stamp {
		stamp[i] = -1
	}
	for _, s := range a.classes {
		if len(srcOf[s.id]) == 0 {
			continue
		}
		sd := s.side[Egress]
		for pg, d := range pgOf {
			if !eval(sd, &peer{a: a, pod: unknownFor(d)}, d.ports).IsEmpty() {
				openSrc[pg] = append(openSrc[pg], s)
			}
		}
		for _, id := range sd.relevant {
			for _, d := range a.sels[id].classes {
				if stamp[d] != s.id {
					stamp[d] = s.id
					revOut[d] = append(revOut[d], s)
				}
			}
		}
	}

	for i := range stamp {
		stamp[i] = -1
	}
	for _, d := range a.classes {
		if len(dstOf[d.id]) == 0 {
			continue
		}
		in := d.side[Ingress]
		visit := func(s *class) {
			if stamp[s.id] == d.id || len(srcOf[s.id]) == 0 {
				return
			}
			stamp[s.id] = d.id
			c := eval(s.side[Egress], &peer{a: a, cl: d}, d.ports)
			if c.IsEmpty() {
				return
			}
			if c = c.Intersect(eval(in, &peer{a: a, cl: s}, d.ports)); !c.IsEmpty() {
				emit(s, d, c)
			}
		}
		// Sources that the ingress rules name get their own result;
		// the others get the default, and only sources whose egress lets
		// something through to d can reach it.
		for _, id := range in.relevant {
			for _, s := range a.sels[id].classes {
				visit(a.classes[s])
			}
		}
		if a.openToUnknown(in, d.ports) {
			for _, s := range openSrc[d.pg] {
				visit(s)
			}
			for _, s := range revOut[d.id] {
				visit(s)
			}
		}
	}
}

// external returns what class cl allows with each external range of
// direction d, indexed like a.extParts[d]: towards destinations for
// Egress, from sources for Ingress.
func (a *Analysis) external(cl *class, d Direction) []Set {
	sd := cl.side[d]
	var dst portMap
	if d == Ingress {
		dst = cl.ports
	}
	out := make([]Set, len(a.extParts[d]))
	for i, r := range a.extParts[d] {
		if i > 0 && !sd.blocks {
			// No rule names addresses: every range gets the same.
			out[i] = out[0]
			continue
		}
		out[i] = eval(sd, &peer{a: a, ext: true, ip: r}, dst)
	}
	return out
}

// ingressTarget is a workload that Ingresses or Routes send traffic to.
type ingressTarget struct {
	w *graph.Workload
	// ports are the pod ports the Ingresses and Routes use; conns what
	// the policies let through of them.
	ports, conns Set
}

// IngressTarget is a workload that Ingresses or Routes send traffic to,
// with the ports they use and what the policies let through of them from
// the ingress controller.
type IngressTarget struct {
	Workload *graph.Workload
	Ports    Set
	Allowed  Set
}

// IngressTargets lists the workloads that Ingresses and Routes send
// traffic to, in name order.
func (a *Analysis) IngressTargets() []IngressTarget {
	a.list()
	out := make([]IngressTarget, len(a.ingresses))
	for i, t := range a.ingresses {
		out[i] = IngressTarget{t.w, t.ports, t.conns}
	}
	return out
}

// addIngresses finds the pod ports that Ingresses and Routes send traffic
// to, and what the policies allow of them from the ingress controller.
func (a *Analysis) addIngresses(g *graph.Graph) {
	ports := map[*graph.Workload]Set{}
	var order []*graph.Workload
	blame := map[*graph.Workload]*manifest.Object{}
	warn := func(o *manifest.Object, loc manifest.Loc, msg string) {
		a.warnings = append(a.warnings, Warning{Obj: o, Loc: loc, Msg: msg})
	}
	add := func(o *manifest.Object, b graph.IngressBackend, route bool) {
		what := string(o.Kind) + " " + o.Namespace + "/" + o.Name
		if b.Service == nil {
			warn(o, b.Name.Loc, what+": backend Service "+b.Name.V+" is not in the input")
			return
		}
		for _, w := range b.Service.Workloads {
			rep := a.representative(w)
			got := servicePorts(b, w, route)
			if got.IsEmpty() {
				warn(o, b.Loc, what+": no TCP port of Service "+b.Name.V+" matches the backend port "+portLabel(b.Port)+" on "+a.names[rep])
				continue
			}
			if _, seen := ports[rep]; !seen {
				order = append(order, rep)
				blame[rep] = o
			}
			ports[rep] = ports[rep].Union(got)
		}
	}
	for _, in := range g.Ingresses {
		for _, b := range in.Backends {
			add(in.Obj, b, false)
		}
	}
	for _, rt := range g.Routes {
		for _, b := range rt.Backends {
			add(rt.Obj, b, true)
		}
	}
	for _, w := range order {
		t := ingressTarget{w: w, ports: ports[w]}
		t.conns = a.Allowed(IngressController(), WorkloadEndpoint(w)).Intersect(t.ports)
		if t.conns.IsEmpty() {
			o := blame[w]
			warn(o, o.NameLoc, string(o.Kind)+" "+o.Namespace+"/"+o.Name+" sends traffic to "+a.names[w]+", but the network policies do not admit the ingress controller, a pod of unknown namespace and labels")
		}
		a.ingresses = append(a.ingresses, t)
	}
	sort.SliceStable(a.ingresses, func(i, j int) bool { return a.names[a.ingresses[i].w] < a.names[a.ingresses[j].w] })
}

// representative returns the workload listed under w's name.
func (a *Analysis) representative(w *graph.Workload) *graph.Workload {
	n := a.names[w]
	i := sort.Search(len(a.endpoints), func(i int) bool { return a.names[a.endpoints[i]] >= n })
	if i < len(a.endpoints) && a.names[a.endpoints[i]] == n {
		return a.endpoints[i]
	}
	return w
}

func portLabel(p spec.IntOrString) string {
	if !p.Set {
		return "(any)"
	}
	return p.String()
}

// servicePorts returns the TCP pod ports of workload w that a backend
// reaches. An Ingress picks a Service port by name or number; a Route's
// targetPort is a Service port name or a pod port number, and a Route
// without one uses every Service port.
func servicePorts(b graph.IngressBackend, w *graph.Workload, route bool) Set {
	var out Set
	for _, sp := range b.Service.Spec.Ports {
		if proto, ok := ParseProtocol(sp.Protocol.V); !ok || proto != TCP {
			continue
		}
		target := int(graph.TargetPort(sp, w))
		var match bool
		switch {
		case !b.Port.Set:
			match = route
		case b.Port.IsStr:
			match = sp.Name.V == b.Port.Str || (route && sp.TargetPort.IsStr && sp.TargetPort.Str == b.Port.Str)
		case route:
			match = int64(target) == b.Port.Int || sp.Port.V == b.Port.Int
		default:
			match = sp.Port.V == b.Port.Int
		}
		if match && target > 0 {
			out = out.Union(Port(TCP, target))
		}
	}
	return out
}
