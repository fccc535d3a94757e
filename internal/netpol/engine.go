// Package netpol computes which workloads can connect to which, and on
// which ports, under the network policies of a graph: Kubernetes
// NetworkPolicies (networking.k8s.io/v1), AdminNetworkPolicies and
// BaselineAdminNetworkPolicies (policy.networking.k8s.io/v1alpha1), and
// ClusterNetworkPolicies (v1alpha2, v1beta1), with the tiers of the
// network policy API:
//
//  1. the Admin tier: AdminNetworkPolicies and Admin ClusterNetworkPolicies,
//     by priority (lower first), each rule in order: the first rule that
//     matches a connection allows (Allow, Accept) it, denies it or passes
//     it on to the next tier;
//  2. NetworkPolicies: a pod selected by one for a direction is isolated
//     in that direction, and then only what some selecting policy allows
//     gets through;
//  3. the Baseline tier, for pods no NetworkPolicy isolates: Baseline
//     ClusterNetworkPolicies by priority, then the
//     BaselineAdminNetworkPolicy;
//  4. everything else is allowed.
//
// Each direction is evaluated on its own: a connection needs the egress
// side of its source and the ingress side of its destination to allow it.
//
// Pod addresses are unknown in a manifest, so ipBlocks and admin policy
// networks match only addresses outside the cluster ("external"
// endpoints), as np-guard's netpol-analyzer assumes too.
//
// Host-networked pods (hostNetwork: true) are never selected by the
// subject nor by the namespaces and pods peers of an admin policy, as the
// network policy API says; a networks peer of 0.0.0.0/0 holds their node
// addresses and matches them. Kubernetes leaves NetworkPolicy for them
// undefined: a plugin either treats them as pods or ignores them in
// selectors, treating their traffic as the node's. The engine treats them
// as pods, as np-guard does, so that a NetworkPolicy that selects them is
// read as written.
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
	"encoding/binary"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/labels"
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
	sels []*selector
	nps  []*policy
	// anps are the admin tier's policies in order of evaluation, and
	// banps the baseline tier's: ClusterNetworkPolicies among them.
	anps  []*policy
	banps []*policy

	namespaces map[string]map[string]string // namespace labels
	classes    []*class
	classOf    map[*graph.Workload]*class
	// portGroups is the number of distinct named-port resolutions.
	portGroups int
	// hostNetwork is set when some workload is host-networked: admin
	// selectors of every pod still leave those out.
	hostNetwork bool

	// blocks are the ipBlocks of sources ([Ingress]) and destinations
	// ([Egress]); extParts partitions 0.0.0.0/0 by them.
	blocks   [2][]ipBlock
	extParts [2][]IPRange

	// The listing, built on first use by list: rules ask about pairs and
	// need no names, and on a large input naming every workload costs as
	// much as the rest of the model. endpoints are the workloads listed
	// in results, one per name.
	g         *graph.Graph
	listOnce  sync.Once
	endpoints []*graph.Workload
	names     map[*graph.Workload]string
	ingresses []ingressTarget
	// warnings are the compiler's, joined by the listing's and sorted
	// once it is built.
	warnings []Warning

	// rev serves SourceGroups, built on first use.
	rev lazyReverse
}

// class is a set of workloads that no policy tells apart.
type class struct {
	id int
	// sels are the selectors matched, ascending. A bitset over every
	// selector would take classes times selectors bits, the square of the
	// input when each service has its own policy.
	sels  []int
	ports portMap
	// host is set for host-networked workloads, which a pod no rule names
	// stands for only as unknownHostPod.
	host bool
	// pg is the port group: the classes with the same ports and host.
	pg   int
	side [2]*side
}

func (c *class) has(sel int) bool {
	_, ok := slices.BinarySearch(c.sels, sel)
	return ok
}

// side is what applies to a subject in one direction, tier by tier.
type side struct {
	anp  []*rule
	np   []*rule
	banp []*rule
	// relevant lists the selectors the rules name: only classes they
	// match can get a result other than the default.
	relevant []int
	// policies are the policies that apply, in tier order.
	policies []*manifest.Object
	// isolated is set by some NetworkPolicy. (The flags are last, and
	// together: a side of each class, and 128 bytes rather than 144.)
	isolated bool
	// blocks is set when a rule names ipBlocks or networks.
	blocks bool
}

// Analyze builds the connectivity model of g.
func Analyze(g *graph.Graph) *Analysis {
	a := &Analysis{g: g, namespaces: make(map[string]map[string]string, len(g.Namespaces)), classOf: make(map[*graph.Workload]*class, len(g.Workloads))}
	for name, ns := range g.Namespaces {
		a.namespaces[name] = ns.Labels
	}
	c := a.compile(g)
	a.blocks = c.blocks
	for d := range a.blocks {
		a.extParts[d] = partition(a.blocks[d], AllIPs)
	}
	for _, w := range g.Workloads {
		if w.Spec.Spec.HostNetwork.V {
			a.hostNetwork = true
			break
		}
	}
	a.matchSelectors(g)
	a.buildClasses(g, c.names)
	a.classSides()
	return a
}

// list builds the listing: the endpoints and their names, the targets of
// Ingresses and Routes, and the sorted warnings.
func (a *Analysis) list() {
	a.listOnce.Do(func() {
		a.listEndpoints(a.g)
		a.addIngresses(a.g)
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
	})
}

// Warnings returns what the engine could not model exactly, sorted by
// file and position.
func (a *Analysis) Warnings() []Warning {
	a.list()
	return a.warnings
}

// matchSelectors finds the workloads of every selector, visiting only the
// namespaces the selector accepts and, in each, only the workloads that
// carry its matchLabels (the graph's label index), so that a policy per
// service costs its matches rather than its namespace's size.
func (a *Analysis) matchSelectors(g *graph.Graph) {
	names := g.NamespaceNames()
	for _, s := range a.sels {
		if s.ns != "" {
			if _, ok := a.namespaces[s.ns]; ok {
				a.matchIn(g, s, s.ns)
			}
			continue
		}
		for _, ns := range names {
			if s.matchNamespace(ns, a.namespaces[ns]) {
				a.matchIn(g, s, ns)
			}
		}
	}
}

// matchIn adds the workloads of namespace ns that s's pod selector
// matches, in graph order.
func (a *Analysis) matchIn(g *graph.Graph, s *selector, ns string) {
	pool := g.WorkloadsIn(ns)
	if len(s.pod.MatchLabels) == 0 && len(s.pod.Exprs) == 0 {
		if s.admin && a.hostNetwork {
			pool = slices.DeleteFunc(slices.Clone(pool), func(w *graph.Workload) bool { return w.Spec.Spec.HostNetwork.V })
		}
		// Every pod of the namespace, as namespace-wide policies select:
		// share the graph's list when it is the only one, capped so that
		// appending copies it.
		if len(s.workloads) == 0 {
			s.workloads = pool[:len(pool):len(pool)]
		} else {
			s.workloads = append(s.workloads, pool...)
		}
		return
	}
	if len(s.pod.MatchLabels) > 0 {
		// Only the workloads carrying the matchLabels, which
		// SelectWorkloads checks.
		pool = g.SelectWorkloads(ns, s.pod.MatchLabels)
	}
	exprs := labels.Selector{Exprs: s.pod.Exprs}
	keep := func(w *graph.Workload) bool {
		// An admin policy's pod selector never selects host-network pods.
		return (!s.admin || !w.Spec.Spec.HostNetwork.V) && exprs.Matches(w.Labels)
	}
	// Most selectors keep the whole pool: share it then, as above.
	if len(s.workloads) == 0 && !slices.ContainsFunc(pool, func(w *graph.Workload) bool { return !keep(w) }) {
		s.workloads = pool[:len(pool):len(pool)]
		return
	}
	for _, w := range pool {
		if keep(w) {
			s.workloads = append(s.workloads, w)
		}
	}
}

// buildClasses groups the workloads by the selectors that match them and
// by how the port names that policies use resolve on them.
func (a *Analysis) buildClasses(g *graph.Graph, names map[string]bool) {
	sigs := selectorsOf(g.Workloads, a.sels)
	var portNames []string
	for n := range names {
		portNames = append(portNames, n)
	}
	sort.Strings(portNames)
	byKey := map[string]*class{}
	portGroup := map[string]int{}
	var key []byte
	for i, w := range g.Workloads {
		pm := workloadPorts(w, portNames)
		pkey := portKey(pm, portNames)
		host := w.Spec.Spec.HostNetwork.V
		if host {
			// The defaults differ for host-networked pods, which admin
			// selectors of every pod leave out.
			pkey += "|host"
		}
		key = key[:0]
		for _, id := range sigs.of(i) {
			key = strconv.AppendInt(key, int64(id), 10)
			key = append(key, ',')
		}
		key = append(key, '|')
		key = append(key, pkey...)
		cl := byKey[string(key)]
		if cl == nil {
			pg, ok := portGroup[pkey]
			if !ok {
				pg = int(len(portGroup))
				portGroup[pkey] = pg
			}
			cl = &class{id: int(len(a.classes)), sels: sigs.of(i), ports: pm, host: host, pg: pg}
			a.classes = append(a.classes, cl)
			byKey[string(key)] = cl
		}
		a.classOf[w] = cl
	}
	a.portGroups = len(portGroup)
	// last[c] is one more than the last selector that listed class c.
	last := make([]int, len(a.classes))
	for sid, s := range a.sels {
		for _, w := range s.workloads {
			if id := a.classOf[w].id; last[id] != sid+1 {
				last[id] = sid + 1
				s.classes = append(s.classes, id)
			}
		}
	}
}

// selectorsOf lists, for each workload of ws, the selectors of sels that
// match it, ascending. The lists share one array, counted first: a list
// of its own for each workload of a large input, grown one selector at a
// time and held in a map, would take several times the memory.
func selectorsOf(ws []*graph.Workload, sels []*selector) selectorLists {
	pos := make(map[*graph.Workload]int32, len(ws))
	for i, w := range ws {
		pos[w] = int32(i) //nolint:gosec // G115: i indexes workloads in memory, far fewer than 2^31
	}
	// start[i] is where the list of ws[i] starts: counts first, then
	// their running sums.
	start := make([]int32, len(ws)+1)
	for _, s := range sels {
		for _, w := range s.workloads {
			start[pos[w]+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	items := make([]int, start[len(ws)])
	next := slices.Clone(start[:len(ws)])
	for id, s := range sels {
		for _, w := range s.workloads {
			i := pos[w]
			items[next[i]] = id
			next[i]++
		}
	}
	return selectorLists{start, items}
}

// selectorLists holds lists of selectors, one after the other: list i is
// items[start[i]:start[i+1]].
type selectorLists struct {
	start []int32
	items []int
}

func (l selectorLists) of(i int) []int {
	lo, hi := l.start[i], l.start[i+1]
	if lo == hi {
		return nil
	}
	return l.items[lo:hi:hi]
}

// workloadPorts resolves the port names policies use against the
// workload's container ports. Kubernetes requires port names to be unique
// within a pod.
func workloadPorts(w *graph.Workload, names []string) portMap {
	if len(names) == 0 {
		return nil
	}
	var pm portMap
	for c := range w.ServingContainers() {
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
	var anps, nps, banps []*policy
	for _, p := range a.anps {
		if len(p.rules[d]) > 0 && has(p.subject) {
			anps = append(anps, p)
		}
	}
	for _, p := range a.nps {
		if p.isolates[d] && has(p.subject) {
			nps = append(nps, p)
		}
	}
	for _, p := range a.banps {
		if len(p.rules[d]) > 0 && has(p.subject) {
			banps = append(banps, p)
		}
	}
	return a.newSide(d, anps, nps, banps)
}

// classSides computes the sides of every class. Asking each class about
// every policy would cost classes times policies, the square of the input
// when each service has its own policy; the policies are instead handed
// to the classes their subject selector matches, in policy order. Classes
// under the same policies share one side: in a namespace whose egress
// only namespace-wide policies decide, that is one egress side for all.
func (a *Analysis) classSides() {
	n := len(a.classes)
	var key []byte
	var scratch [3][]*policy
	for d := range 2 {
		tiers := [3]applying{
			a.applying(a.anps, func(p *policy) bool { return len(p.rules[d]) > 0 }),
			a.applying(a.nps, func(p *policy) bool { return p.isolates[d] }),
			a.applying(a.banps, func(p *policy) bool { return len(p.rules[d]) > 0 }),
		}
		all := [3][]*policy{a.anps, a.nps, a.banps}
		sides := map[string]*side{}
		for id := range n {
			key = key[:0]
			for t := range tiers {
				scratch[t] = scratch[t][:0]
				of := tiers[t].of(id)
				key = binary.AppendUvarint(key, uint64(len(of)))
				for _, i := range of {
					key = binary.AppendUvarint(key, uint64(i)) //nolint:gosec // G115: i is an index, never negative
					scratch[t] = append(scratch[t], all[t][i])
				}
			}
			sd := sides[string(key)]
			if sd == nil {
				sd = a.newSide(Direction(d), scratch[0], scratch[1], scratch[2])
				sides[string(key)] = sd
			}
			a.classes[id].side[d] = sd
		}
	}
}

// applying lists, per class, the indexes of the policies of a tier that
// apply to it, in policy order: those of class c are
// items[start[c]:start[c+1]].
type applying struct {
	start []int32
	items []int32
}

func (t *applying) of(class int) []int32 {
	if t.start == nil {
		return nil
	}
	return t.items[t.start[class]:t.start[class+1]]
}

func (a *Analysis) applying(ps []*policy, applies func(*policy) bool) applying {
	var t applying
	if len(ps) == 0 {
		return t
	}
	t.start = make([]int32, len(a.classes)+1)
	for _, p := range ps {
		if applies(p) {
			for _, id := range a.sels[p.subject].classes {
				t.start[id+1]++
			}
		}
	}
	for i := 1; i < len(t.start); i++ {
		t.start[i] += t.start[i-1]
	}
	t.items = make([]int32, t.start[len(a.classes)])
	next := slices.Clone(t.start[:len(a.classes)])
	for i, p := range ps {
		if applies(p) {
			for _, id := range a.sels[p.subject].classes {
				t.items[next[id]] = int32(i)
				next[id]++
			}
		}
	}
	return t
}

// newSide builds a side from the policies that apply to its subject in
// direction d, each list in tier order: admin tier policies with rules
// for d, NetworkPolicies isolating for d, baseline tier policies with
// rules for d.
func (a *Analysis) newSide(d Direction, anps, nps, banps []*policy) *side {
	s := &side{}
	var rel []int
	add := func(rules []*rule) {
		for _, r := range rules {
			for _, id := range r.sels {
				if !a.sels[id].anyNamespace() || !a.sels[id].pod.Empty() {
					rel = append(rel, id)
				}
			}
			if len(r.blocks) > 0 {
				s.blocks = true
			}
		}
	}
	for _, p := range anps {
		s.anp = append(s.anp, p.rules[d]...)
		s.policies = append(s.policies, p.obj)
	}
	add(s.anp)
	for _, p := range nps {
		s.isolated = true
		s.np = append(s.np, p.rules[d]...)
		s.policies = append(s.policies, p.obj)
	}
	add(s.np)
	if !s.isolated {
		for _, p := range banps {
			s.banp = append(s.banp, p.rules[d]...)
			s.policies = append(s.policies, p.obj)
		}
		add(s.banp)
	}
	sort.Ints(rel)
	s.relevant = slices.Compact(rel)
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
	// lies wholly inside or outside each block; for IPv6 (v6) ip6 is.
	ext bool
	v6  bool
	ip  IPRange
	ip6 IPv6Range
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
			if p.v6 && b.containsRange6(p.ip6) || !p.v6 && b.containsRange(p.ip) {
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
		// Pass, which only Baseline ClusterNetworkPolicies have here,
		// hands the connection to the tier after the baseline: the
		// default, which allows it.
		if r.action == allow || r.action == pass {
			allowed = allowed.Union(m)
		}
		if rest = rest.Subtract(m); rest.IsEmpty() {
			break
		}
	}
	return allowed.Union(rest)
}

// Policies returns the policies that decide w's traffic in direction d,
// in the order they apply: admin policies (AdminNetworkPolicies, Admin
// ClusterNetworkPolicies) with rules for d whose subject selects w, the
// NetworkPolicies that isolate w for d, and, when none does, the baseline
// policies (Baseline ClusterNetworkPolicies, the
// BaselineAdminNetworkPolicy) with rules for d that select w. Rules use it to name the policies behind a result.
func (a *Analysis) Policies(w *graph.Workload, d Direction) []*manifest.Object {
	return a.EndpointPolicies(WorkloadEndpoint(w), d)
}

// EndpointPolicies is Policies for any endpoint of the cluster: a pod
// known by its namespace and labels too.
func (a *Analysis) EndpointPolicies(e Endpoint, d Direction) []*manifest.Object {
	s, _ := a.subject(e, d)
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
