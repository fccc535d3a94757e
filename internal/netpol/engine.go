// Package netpol computes which workloads can connect to which, and on
// which ports, under the network policies of a graph: Kubernetes
// NetworkPolicies (networking.k8s.io/v1), and AdminNetworkPolicies and
// BaselineAdminNetworkPolicies (policy.networking.k8s.io/v1alpha1), with
// the tiers of the network policy API:
//
//  1. AdminNetworkPolicies, by priority (lower first), each rule in order:
//     the first rule that matches a connection allows it, denies it or
//     passes it on;
//  2. NetworkPolicies: a pod selected by one for a direction is isolated
//     in that direction, and then only what some selecting policy allows
//     gets through;
//  3. the BaselineAdminNetworkPolicy, for pods no NetworkPolicy isolates;
//  4. everything else is allowed.
//
// Each direction is evaluated on its own: a connection needs the egress
// side of its source and the ingress side of its destination to allow it.
//
// Pod addresses are unknown in a manifest, so ipBlocks and admin policy
// networks match only addresses outside the cluster ("external"
// endpoints), as np-guard's netpol-analyzer assumes too.
//
// # Cost
//
// Workloads are grouped into classes: workloads that every selector of
// every policy treats alike and whose named ports resolve alike behave
// identically as sources and as destinations. Each class's ingress and
// egress is then computed once, and the pairs are enumerated from the
// peers that the rules name rather than from all pairs, so that the work
// follows the size of the answer instead of the square of the workload
// count.
package netpol

import (
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// Direction is ingress or egress.
type Direction uint8

// The two directions, indexes into per-direction arrays.
const (
	Ingress Direction = iota
	Egress
)

func (d Direction) String() string {
	if d == Egress {
		return "Egress"
	}
	return "Ingress"
}

// Warning is a part of the input the engine could not model exactly: an
// invalid CIDR, a peer the API server would reject, an unmodelled peer
// type. Where the problem comes from, Obj and Loc say.
type Warning struct {
	Obj *manifest.Object
	Loc manifest.Loc
	Msg string
}

func (w Warning) String() string {
	if w.Obj == nil {
		return w.Msg
	}
	loc := w.Loc
	if loc.IsZero() {
		loc = w.Obj.NameLoc
	}
	return w.Obj.Pos(loc).String() + ": " + w.Msg
}

// Analysis is the connectivity model of a graph. It is read-only once
// built, so it may be shared by rules running concurrently.
type Analysis struct {
	sels  []*selector
	nps   []*policy
	anps  []*policy
	banps []*policy

	namespaces map[string]map[string]string // namespace labels
	classes    []*class
	classOf    map[*graph.Workload]*class
	// portGroups is the number of distinct named-port resolutions.
	portGroups int

	// blocks are the ipBlocks of sources ([Ingress]) and destinations
	// ([Egress]); extParts partitions 0.0.0.0/0 by them.
	blocks   [2][]ipBlock
	extParts [2][]IPRange

	// endpoints are the workloads listed in results: one per name.
	endpoints []*graph.Workload
	names     map[*graph.Workload]string

	ingresses []ingressTarget
	warnings  []Warning
}

// class is a set of workloads that no policy tells apart.
type class struct {
	id    int
	bits  []uint64 // selectors matched
	ports portMap
	pg    int // port group
	side  [2]*side
}

func (c *class) has(sel int) bool { return c.bits[sel>>6]&(1<<(sel&63)) != 0 }

// side is what applies to a subject in one direction, tier by tier.
type side struct {
	anp      []*rule
	isolated bool // by some NetworkPolicy
	np       []*rule
	banp     []*rule
	// relevant lists the selectors the rules name: only classes they
	// match can get a result other than the default.
	relevant []int
	// blocks is set when a rule names ipBlocks or networks.
	blocks bool
	// policies are the policies that apply, in tier order.
	policies []*manifest.Object
}

// Analyze builds the connectivity model of g.
func Analyze(g *graph.Graph) *Analysis {
	a := &Analysis{namespaces: map[string]map[string]string{}, classOf: map[*graph.Workload]*class{}}
	for name, ns := range g.Namespaces {
		a.namespaces[name] = ns.Labels
	}
	c := a.compile(g)
	a.blocks = c.blocks
	for d := range a.blocks {
		a.extParts[d] = partition(a.blocks[d], AllIPs)
	}
	a.matchSelectors(g)
	a.buildClasses(g, c.names)
	for _, cl := range a.classes {
		for d := range cl.side {
			cl.side[d] = a.sideOf(Direction(d), cl.has)
		}
	}
	a.listEndpoints(g)
	a.addIngresses(g)
	sort.SliceStable(a.warnings, func(i, j int) bool {
		wi, wj := a.warnings[i], a.warnings[j]
		if wi.Obj == nil || wj.Obj == nil {
			return wi.Obj != nil
		}
		if wi.Obj.File != wj.Obj.File {
			return wi.Obj.File < wj.Obj.File
		}
		if wi.Loc.Line != wj.Loc.Line {
			return wi.Loc.Line < wj.Loc.Line
		}
		return wi.Loc.Col < wj.Loc.Col
	})
	return a
}

// Warnings returns what the engine could not model exactly, sorted by
// file and position.
func (a *Analysis) Warnings() []Warning { return a.warnings }

// matchSelectors finds the workloads of every selector, visiting only the
// namespaces the selector accepts.
func (a *Analysis) matchSelectors(g *graph.Graph) {
	names := g.NamespaceNames()
	for _, s := range a.sels {
		for _, ns := range names {
			if !s.matchNamespace(ns, a.namespaces[ns]) {
				continue
			}
			for _, w := range g.WorkloadsIn(ns) {
				if s.pod.Matches(w.Labels) {
					s.workloads = append(s.workloads, w)
				}
			}
		}
	}
}

// buildClasses groups the workloads by the selectors that match them and
// by how the port names that policies use resolve on them.
func (a *Analysis) buildClasses(g *graph.Graph, names map[string]bool) {
	sigs := make(map[*graph.Workload][]int, len(g.Workloads))
	for id, s := range a.sels {
		for _, w := range s.workloads {
			sigs[w] = append(sigs[w], id)
		}
	}
	var portNames []string
	for n := range names {
		portNames = append(portNames, n)
	}
	sort.Strings(portNames)
	byKey := map[string]*class{}
	portGroup := map[string]int{}
	words := (len(a.sels) + 63) / 64
	var kb strings.Builder
	for _, w := range g.Workloads {
		pm := workloadPorts(w, portNames)
		pkey := portKey(pm, portNames)
		kb.Reset()
		for _, id := range sigs[w] {
			kb.WriteString(strconv.Itoa(id))
			kb.WriteByte(',')
		}
		kb.WriteByte('|')
		kb.WriteString(pkey)
		key := kb.String()
		cl := byKey[key]
		if cl == nil {
			pg, ok := portGroup[pkey]
			if !ok {
				pg = int(len(portGroup))
				portGroup[pkey] = pg
			}
			cl = &class{id: int(len(a.classes)), bits: make([]uint64, words), ports: pm, pg: pg}
			for _, id := range sigs[w] {
				cl.bits[id>>6] |= 1 << (id & 63)
			}
			a.classes = append(a.classes, cl)
			byKey[key] = cl
		}
		a.classOf[w] = cl
	}
	a.portGroups = len(portGroup)
	for _, s := range a.sels {
		seen := map[int]bool{}
		for _, w := range s.workloads {
			if id := a.classOf[w].id; !seen[id] {
				seen[id] = true
				s.classes = append(s.classes, id)
			}
		}
	}
}

// workloadPorts resolves the port names policies use against the
// workload's container ports. Kubernetes requires port names to be unique
// within a pod.
func workloadPorts(w *graph.Workload, names []string) portMap {
	if len(names) == 0 {
		return nil
	}
	var pm portMap
	for _, c := range w.Spec.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name.V == "" || !containsString(names, p.Name.V) {
				continue
			}
			proto, ok := ParseProtocol(p.Protocol.V)
			if !ok {
				continue
			}
			if pm == nil {
				pm = portMap{}
			}
			if _, dup := pm[p.Name.V]; !dup {
				pm[p.Name.V] = resolvedPort{proto, int(p.ContainerPort.V)}
			}
		}
	}
	return pm
}

func portKey(pm portMap, names []string) string {
	if len(pm) == 0 {
		return ""
	}
	var b strings.Builder
	for _, n := range names {
		if cp, ok := pm[n]; ok {
			b.WriteString(n)
			b.WriteByte('=')
			b.WriteString(cp.proto.String())
			b.WriteString(strconv.Itoa(cp.port))
			b.WriteByte(';')
		}
	}
	return b.String()
}

// sideOf collects the rules that apply in direction d to a subject whose
// selector matches are given by has.
func (a *Analysis) sideOf(d Direction, has func(int) bool) *side {
	s := &side{}
	rel := map[int]bool{}
	add := func(rules []*rule) {
		for _, r := range rules {
			for _, id := range r.sels {
				rel[id] = true
			}
			if len(r.blocks) > 0 {
				s.blocks = true
			}
		}
	}
	for _, p := range a.anps {
		if len(p.rules[d]) > 0 && has(p.subject) {
			s.anp = append(s.anp, p.rules[d]...)
			s.policies = append(s.policies, p.obj)
		}
	}
	add(s.anp)
	for _, p := range a.nps {
		if p.isolates[d] && has(p.subject) {
			s.isolated = true
			s.np = append(s.np, p.rules[d]...)
			s.policies = append(s.policies, p.obj)
		}
	}
	add(s.np)
	if !s.isolated {
		for _, p := range a.banps {
			if len(p.rules[d]) > 0 && has(p.subject) {
				s.banp = append(s.banp, p.rules[d]...)
				s.policies = append(s.policies, p.obj)
			}
		}
		add(s.banp)
	}
	for id := range rel {
		if !a.sels[id].anyNamespace() || !a.sels[id].pod.Empty() {
			s.relevant = append(s.relevant, id)
		}
	}
	sort.Ints(s.relevant)
	return s
}

// peer is the other end of a connection, as rules see it.
type peer struct {
	a *Analysis
	// cl is set for a workload of the input.
	cl *class
	// pod is set for a pod described by its labels.
	pod *Pod
	// ext is set for an external address range; ip is the range, which
	// lies wholly inside or outside each block.
	ext bool
	ip  IPRange
}

func (p *peer) has(sel int) bool {
	switch {
	case p.cl != nil:
		return p.cl.has(sel)
	case p.pod != nil:
		return p.a.podMatches(sel, p.pod)
	}
	return false
}

func (r *rule) matches(p *peer) bool {
	if r.everyone {
		return true
	}
	if p.ext {
		for _, b := range r.blocks {
			if b.containsRange(p.ip) {
				return true
			}
		}
		return false
	}
	for _, id := range r.sels {
		if p.has(id) {
			return true
		}
	}
	return false
}

// eval computes what a side allows towards (egress) or from (ingress) a
// peer. dst resolves named ports: the destination pod's ports, which are
// the subject's for ingress and the peer's for egress.
func eval(s *side, p *peer, dst portMap) Set {
	rest := All()
	var allowed Set
	if len(s.anp) > 0 {
		var passed Set
		for _, r := range s.anp {
			if !r.matches(p) {
				continue
			}
			m := r.ports.resolve(dst).Intersect(rest)
			if m.IsEmpty() {
				continue
			}
			switch r.action {
			case allow:
				allowed = allowed.Union(m)
			case pass:
				passed = passed.Union(m)
			}
			rest = rest.Subtract(m)
			if rest.IsEmpty() {
				break
			}
		}
		rest = rest.Union(passed)
		if rest.IsEmpty() {
			return allowed
		}
	}
	if s.isolated {
		var ok Set
		for _, r := range s.np {
			if r.matches(p) {
				if ok = ok.Union(r.ports.resolve(dst)); ok.IsAll() {
					break
				}
			}
		}
		return allowed.Union(rest.Intersect(ok))
	}
	for _, r := range s.banp {
		if !r.matches(p) {
			continue
		}
		m := r.ports.resolve(dst).Intersect(rest)
		if r.action == allow {
			allowed = allowed.Union(m)
		}
		if rest = rest.Subtract(m); rest.IsEmpty() {
			break
		}
	}
	return allowed.Union(rest)
}

// Policies returns the policies that decide w's traffic in direction d,
// in the order they apply: AdminNetworkPolicies with rules for d whose
// subject selects w, the NetworkPolicies that isolate w for d, and, when
// none does, the BaselineAdminNetworkPolicy if it has rules for d and
// selects w. Rules use it to name the policies behind a result.
func (a *Analysis) Policies(w *graph.Workload, d Direction) []*manifest.Object {
	s, _ := a.subject(WorkloadEndpoint(w), d)
	return s.policies
}

// Isolated reports whether some NetworkPolicy selects w for direction d,
// so that only what the NetworkPolicies allow gets through (unless an
// AdminNetworkPolicy decides first).
func (a *Analysis) Isolated(w *graph.Workload, d Direction) bool {
	cl := a.classOf[w]
	return cl != nil && cl.side[d].isolated
}

func containsString(ss []string, s string) bool {
	i := sort.SearchStrings(ss, s)
	return i < len(ss) && ss[i] == s
}
