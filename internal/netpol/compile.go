package netpol

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// selector picks pods by namespace and pod labels. Every subject and peer
// selector of every policy becomes one, shared by identical uses.
type selector struct {
	// ns, when set, is the only namespace whose pods match (a
	// NetworkPolicy's own namespace); otherwise nsSel picks namespaces.
	ns    string
	nsSel labels.Selector
	pod   labels.Selector
	// admin is set for the subjects and the namespaces and pods peers of
	// admin policies, which the network policy API says never select
	// host-networked pods: those share the node's addresses, and only
	// networks and nodes peers can name them.
	admin bool
	// workloads matched in the input, in graph order.
	workloads []*graph.Workload
	// classes matched, filled once classes exist.
	classes []int
}

// anyNamespace reports whether the selector accepts every namespace,
// including one it knows nothing about.
func (s *selector) anyNamespace() bool { return s.ns == "" && s.nsSel.Empty() }

func (s *selector) matchNamespace(name string, nsLabels map[string]string) bool {
	if s.ns != "" {
		return name == s.ns
	}
	return s.nsSel.Matches(nsLabels)
}

// mayMatchNamespace reports whether the selector may match a namespace
// called name of which nothing is known but its name label: the
// requirements on kubernetes.io/metadata.name are checked, and those on
// other labels may hold.
func (s *selector) mayMatchNamespace(name string) bool {
	if s.ns != "" {
		return name == s.ns
	}
	for k, v := range s.nsSel.MatchLabels {
		if k == graph.NamespaceNameLabel && v != name {
			return false
		}
	}
	known := map[string]string{graph.NamespaceNameLabel: name}
	for _, r := range s.nsSel.Exprs {
		if r.Key == graph.NamespaceNameLabel && !r.Matches(known) {
			return false
		}
	}
	return true
}

// action is what a rule does with the connections it matches.
type action uint8

const (
	allow action = iota
	deny
	pass
)

func (a action) String() string { return [...]string{"Allow", "Deny", "Pass"}[a] }

// namedPort is a port given by name, resolved against the destination
// pod's container ports.
type namedPort struct {
	name  string
	proto Protocol
	// anyProto is set for admin policies, whose named ports take the
	// container port's protocol.
	anyProto bool
}

// portSpec is the ports of a rule.
type portSpec struct {
	set   Set
	named []namedPort
}

// resolvedPort is what a port name resolves to on a pod.
type resolvedPort struct {
	proto Protocol
	port  int
}

// portMap resolves the port names policies use, for one pod.
type portMap map[string]resolvedPort

func (ps *portSpec) resolve(dst portMap) Set {
	s := ps.set
	for _, n := range ps.named {
		if cp, ok := dst[n.name]; ok && (n.anyProto || cp.proto == n.proto) {
			s = s.Union(Port(cp.proto, cp.port))
		}
	}
	return s
}

// rule is one compiled rule of any tier.
type rule struct {
	action action
	// everyone is set for a rule without peers: every pod and every
	// address.
	everyone bool
	sels     []int
	blocks   []ipBlock
	// ports is shared by the rules with the same ports (compiler.intern).
	ports *portSpec
	// Obj and Loc say where the rule is written.
	obj *manifest.Object
	loc manifest.Loc
}

// policy is a compiled policy of any tier.
type policy struct {
	obj     *manifest.Object
	subject int
	// isolates tells, for a NetworkPolicy, whether it isolates its pods
	// in each direction; admin policies apply to the directions they
	// have rules for.
	isolates [2]bool
	rules    [2][]*rule
}

// compiler turns the graph's policies into rules over shared selectors.
type compiler struct {
	a        *Analysis
	selIndex map[string]int
	names    map[string]bool
	// blocks collects the ipBlocks seen: [Ingress] are sources, [Egress]
	// destinations.
	blocks [2][]ipBlock
	// key is scratch space for selector and port keys, so that one
	// already interned costs no allocation.
	key []byte
	// portSpecs are the rules' ports, interned: most rules of an input
	// name the same few ports, and a rule holding its own would be twice
	// as large.
	portSpecs map[string]*portSpec
}

// intern returns the shared copy of ps.
func (c *compiler) intern(ps portSpec) *portSpec {
	key := c.key[:0]
	for _, proto := range Protocols {
		for _, r := range ps.set.Ranges(proto) {
			key = strconv.AppendInt(key, int64(proto), 10)
			key = append(key, ':')
			key = strconv.AppendInt(key, int64(r.Lo), 10)
			key = append(key, '-')
			key = strconv.AppendInt(key, int64(r.Hi), 10)
			key = append(key, ',')
		}
	}
	for _, n := range ps.named {
		key = append(key, '|')
		key = append(key, n.name...)
		key = append(key, 0)
		key = strconv.AppendInt(key, int64(n.proto), 10)
		key = strconv.AppendBool(key, n.anyProto)
	}
	c.key = key
	if p, ok := c.portSpecs[string(key)]; ok {
		return p
	}
	p := new(portSpec) // not &ps, which would put every ps on the heap
	*p = ps
	c.portSpecs[string(key)] = p
	return p
}

func (c *compiler) warn(o *manifest.Object, loc manifest.Loc, format string, args ...any) {
	c.a.warnings = append(c.a.warnings, Warning{Obj: o, Loc: loc, Msg: fmt.Sprintf(format, args...)})
}

// ref names a policy in messages: kind and name, with the namespace for
// namespaced kinds.
func ref(o *manifest.Object) string {
	switch o.Kind {
	case kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy:
		return string(o.Kind) + " " + o.Name
	}
	return string(o.Kind) + " " + o.Namespace + "/" + o.Name
}

// selector interns a selector and returns its index. admin marks the
// selectors of admin policies' subjects and pod peers.
func (c *compiler) selector(admin bool, ns string, nsSel, pod labels.Selector) int {
	key := c.key[:0]
	if admin {
		key = append(key, 'A')
	}
	key = append(key, 0)
	key = append(key, ns...)
	key = append(key, 0)
	key = appendSelectorKey(key, nsSel)
	key = append(key, 0)
	key = appendSelectorKey(key, pod)
	c.key = key
	if ns != "" {
		nsSel = labels.Selector{}
	}
	if id, ok := c.selIndex[string(key)]; ok {
		return id
	}
	id := int(len(c.a.sels))
	c.a.sels = append(c.a.sels, &selector{ns: ns, nsSel: nsSel, pod: pod, admin: admin})
	c.selIndex[string(key)] = id
	return id
}

// appendSelectorKey appends selectorKey(s), writing the common selectors,
// empty or of a single label, without building and sorting parts.
func appendSelectorKey(b []byte, s labels.Selector) []byte {
	switch {
	case len(s.MatchLabels) == 0 && len(s.Exprs) == 0:
		return b
	case len(s.MatchLabels) == 1 && len(s.Exprs) == 0:
		for k, v := range s.MatchLabels {
			b = append(b, 'L')
			b = append(b, k...)
			b = append(b, '=')
			b = append(b, v...)
		}
		return b
	}
	return append(b, selectorKey(s)...)
}

// selectorKey writes a selector canonically, so that equal selectors
// share one entry.
func selectorKey(s labels.Selector) string {
	var parts []string
	for k, v := range s.MatchLabels {
		parts = append(parts, "L"+k+"="+v)
	}
	for _, r := range s.Exprs {
		vs := append([]string(nil), r.Values...)
		sort.Strings(vs)
		parts = append(parts, "E"+r.Key+" "+string(r.Op)+" "+strings.Join(vs, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x01")
}

func (c *compiler) networkPolicy(np *graph.NetworkPolicy) *policy {
	p := &policy{obj: np.Obj, isolates: [2]bool{np.Ingress, np.Egress}}
	p.subject = c.selector(false, np.Namespace(), labels.Selector{}, np.PodSelector)
	for d, rules := range [2][]spec.NetworkPolicyRule{np.Spec.Ingress, np.Spec.Egress} {
		for i := range rules {
			r := &rules[i]
			peers := r.From
			if Direction(d) == Egress {
				peers = r.To
			}
			cr := &rule{action: allow, obj: np.Obj, loc: r.Loc, ports: c.intern(c.npPorts(r.Ports))}
			cr.everyone = len(peers) == 0
			for j := range peers {
				c.npPeer(np, Direction(d), &peers[j], cr)
			}
			p.rules[d] = append(p.rules[d], cr)
		}
	}
	return p
}

func (c *compiler) npPeer(np *graph.NetworkPolicy, d Direction, peer *spec.NetworkPolicyPeer, r *rule) {
	// The graph leaves out a policy with a peer the API server refuses
	// (kubevalid.NetworkPolicy): one with no field, or an ipBlock beside a
	// selector.
	switch {
	case peer.IPBlock != nil:
		b := npIPBlock(peer.IPBlock)
		r.blocks = append(r.blocks, b)
		c.blocks[d] = append(c.blocks[d], b)
	case peer.NamespaceSelector == nil:
		// A podSelector alone picks pods of the policy's own namespace.
		r.sels = append(r.sels, c.selector(false, np.Namespace(), labels.Selector{}, graph.Selector(peer.PodSelector)))
	default:
		// An absent podSelector next to a namespaceSelector is every pod.
		r.sels = append(r.sels, c.selector(false, "", graph.Selector(peer.NamespaceSelector), graph.Selector(peer.PodSelector)))
	}
}

// npIPBlock compiles an ipBlock peer, of either address family, reading
// its CIDRs as the API server does (ParseLegacyCIDR). The graph leaves out
// a policy whose cidr or except the API server refuses
// (kubevalid.NetworkPolicy): here the cidr parses, and each exception
// parses and lies strictly inside it, of its family or, before Kubernetes
// 1.36, an IPv4-mapped IPv6 one inside an IPv4 cidr (ParseLegacyExcept4).
func npIPBlock(p *spec.IPBlock) ipBlock {
	r, v6, _ := ParseLegacyCIDR(p.CIDR.V)
	if v6 {
		r6, _ := ParseLegacyCIDR6(p.CIDR.V)
		b := ipBlock{v6: true, cidr6: r6}
		for _, e := range p.Except {
			er, _ := ParseLegacyCIDR6(e.V)
			b.except6 = append(b.except6, er)
		}
		return b
	}
	b := ipBlock{cidr: r}
	for _, e := range p.Except {
		if er, ok := ParseLegacyExcept4(e.V); ok {
			b.except = append(b.except, er)
		}
	}
	return b
}

// ipBlock compiles an admin policy's network, a CIDR of either address
// family, read as its schema's isCIDR reads it (ParseCIDR: no leading
// zeros, unlike a NetworkPolicy's ipBlock). One that does not parse is
// warned about and left out.
func (c *compiler) ipBlock(o *manifest.Object, cidr spec.Str) (ipBlock, bool) {
	r, v6, err := ParseCIDR(cidr.V)
	if err != nil {
		c.warn(o, cidr.Loc, "%s: %v; the peer is ignored", ref(o), err)
		return ipBlock{}, false
	}
	if v6 {
		r6, _ := ParseCIDR6(cidr.V) // ParseCIDR read it
		return ipBlock{v6: true, cidr6: r6}, true
	}
	return ipBlock{cidr: r}, true
}

// npPorts compiles a NetworkPolicy rule's ports: none means every port;
// an entry without a port is every port of its protocol.
func (c *compiler) npPorts(ports []spec.NetworkPolicyPort) portSpec {
	if len(ports) == 0 {
		return portSpec{set: All()}
	}
	var ps portSpec
	for _, p := range ports {
		// The graph leaves out a policy with a port the API server refuses
		// (kubevalid.NetworkPolicy): a protocol other than TCP, UDP and
		// SCTP (an explicit "" included), a port out of 1-65535 or no
		// IANA service name, an endPort beside a named port, without a
		// port, below the port or out of range.
		proto, _ := ParseProtocol(p.Protocol.V)
		switch {
		case !p.Port.Set:
			ps.set = ps.set.Union(AllPorts(proto))
		case p.Port.IsStr:
			ps.named = append(ps.named, namedPort{name: p.Port.Str, proto: proto})
			c.names[p.Port.Str] = true
		default:
			lo, hi := int(p.Port.Int), int(p.Port.Int)
			if p.EndPort.Set {
				hi = int(p.EndPort.V)
			}
			ps.set = ps.set.Union(Ports(proto, lo, hi))
		}
	}
	return ps
}

// adminSubject compiles a subject. It sets exactly one of namespaces and
// pods: the graph leaves out a policy whose subject does not
// (refusal_admin.go).
func (c *compiler) adminSubject(s spec.AdminSubject) int {
	if p := s.Pods; p != nil {
		return c.selector(true, "", graph.Selector(p.NamespaceSelector), graph.Selector(p.PodSelector))
	}
	return c.selector(true, "", graph.Selector(s.Namespaces), labels.Selector{})
}

// adminKind tells the admin policy kinds apart, for the peer fields their
// schemas have.
type adminKind uint8

const (
	anpKind  adminKind = iota // AdminNetworkPolicy
	banpKind                  // BaselineAdminNetworkPolicy
	cnpKind                   // ClusterNetworkPolicy, which alone has domainNames
)

// adminRule compiles a rule of an AdminNetworkPolicy, a
// BaselineAdminNetworkPolicy or a ClusterNetworkPolicy, whose ports are
// compiled already. The graph leaves out a policy that its CRD refuses
// (refusal_admin.go): here the action is one of its kind's (no Pass in a
// baseline policy), the rule has a peer, and each peer sets exactly one
// field of those its schema has, so none needs failing closed.
func (c *compiler) adminRule(o *manifest.Object, d Direction, loc manifest.Loc, act spec.Str, peers []spec.AdminPeer, ports portSpec, k adminKind) *rule {
	r := &rule{obj: o, loc: loc, ports: c.intern(ports)}
	switch act.V {
	case "Deny":
		r.action = deny
	case "Pass":
		r.action = pass
	default: // Allow, or a ClusterNetworkPolicy's Accept
		r.action = allow
	}
	for _, p := range peers {
		// The schema prunes a field that the peer type lacks: an ingress
		// peer has only namespaces and pods, and the v1alpha1 kinds have
		// no domainNames.
		if d == Ingress {
			p.Networks, p.Nodes, p.DomainNames = nil, nil, nil
		}
		if k != cnpKind {
			p.DomainNames = nil
		}
		if p.Namespaces != nil {
			r.sels = append(r.sels, c.selector(true, "", graph.Selector(p.Namespaces), labels.Selector{}))
		}
		if p.Pods != nil {
			r.sels = append(r.sels, c.selector(true, "", graph.Selector(p.Pods.NamespaceSelector), graph.Selector(p.Pods.PodSelector)))
		}
		for _, cidr := range p.Networks {
			b, ok := c.ipBlock(o, cidr)
			if !ok {
				continue
			}
			r.blocks = append(r.blocks, b)
			c.blocks[d] = append(c.blocks[d], b)
			if b.v6 && b.cidr6 == AllIPv6 {
				c.warn(o, cidr.Loc, "%s: network ::/0 holds the IPv6 addresses of pods too, but pod-to-pod traffic is taken to be IPv4: it matches external IPv6 addresses only", ref(o))
			}
			if !b.v6 && b.cidr == AllIPs {
				// The API checks cluster traffic against networks
				// too: whatever the pod CIDR, 0.0.0.0/0 holds every
				// pod's address. Narrower networks may or may not
				// hold some; pod addresses are unknown, so they
				// match external addresses only. Host-networked
				// pods have node addresses, in 0.0.0.0/0 too: the
				// selector is not an admin one.
				r.sels = append(r.sels, c.selector(false, "", labels.Selector{}, labels.Selector{}))
			}
		}
		if p.Nodes != nil {
			c.warn(o, p.Loc, "%s: nodes peers are not modelled (node addresses are unknown); the peer matches nothing", ref(o))
		}
		if len(p.DomainNames) > 0 {
			c.warn(o, p.Loc, "%s: domainNames peers are not modelled (addresses are unknown); the peer matches nothing", ref(o))
		}
	}
	return r
}

func (c *compiler) adminPorts(o *manifest.Object, ports []spec.AdminPort) portSpec {
	if len(ports) == 0 {
		return portSpec{set: All()}
	}
	var ps portSpec
	for _, p := range ports {
		switch {
		case p.PortNumber != nil:
			proto, ok := ParseProtocol(p.PortNumber.Protocol.V)
			if !ok {
				c.warn(o, p.Loc, "%s: unknown protocol %q; the port is ignored", ref(o), p.PortNumber.Protocol.V)
				continue
			}
			ps.set = ps.set.Union(Port(proto, int(p.PortNumber.Port.V)))
		case p.PortRange != nil:
			proto, ok := ParseProtocol(p.PortRange.Protocol.V)
			if !ok {
				c.warn(o, p.Loc, "%s: unknown protocol %q; the port range is ignored", ref(o), p.PortRange.Protocol.V)
				continue
			}
			ps.set = ps.set.Union(Ports(proto, int(p.PortRange.Start.V), int(p.PortRange.End.V)))
		case p.NamedPort.Set:
			ps.named = append(ps.named, namedPort{name: p.NamedPort.V, anyProto: true})
			c.names[p.NamedPort.V] = true
		}
	}
	return ps
}

// adminPolicy compiles an AdminNetworkPolicy or the
// BaselineAdminNetworkPolicy, whose rules have the same shape.
func (c *compiler) adminPolicy(o *manifest.Object, subject spec.AdminSubject, ingress []spec.AdminIngress, egress []spec.AdminEgress, k adminKind) *policy {
	p := &policy{obj: o, subject: c.adminSubject(subject)}
	for _, r := range ingress {
		p.rules[Ingress] = append(p.rules[Ingress], c.adminRule(o, Ingress, r.Loc, r.Action, r.From, c.adminPorts(o, r.Ports), k))
	}
	for _, r := range egress {
		p.rules[Egress] = append(p.rules[Egress], c.adminRule(o, Egress, r.Loc, r.Action, r.To, c.adminPorts(o, r.Ports), k))
	}
	return p
}

// cnpPorts compiles a ClusterNetworkPolicy rule's protocols: none means
// every port. The graph leaves out a policy that its CRD refuses
// (refusal_admin.go): here each protocol sets exactly one of tcp, udp,
// sctp and destinationNamedPort, each match a destinationPort, and each
// range ends after it starts.
func (c *compiler) cnpPorts(protos []spec.ClusterNetworkPolicyProtocol) portSpec {
	if len(protos) == 0 {
		return portSpec{set: All()}
	}
	var ps portSpec
	for _, p := range protos {
		for proto, m := range [...]*spec.ClusterNetworkPolicyPortMatch{TCP: p.TCP, UDP: p.UDP, SCTP: p.SCTP} {
			if m == nil {
				continue
			}
			switch dp := m.DestinationPort; {
			case dp == nil:
				// The graph refuses this (the schema wants a
				// destinationPort): it is read as every port of the
				// protocol rather than dereferenced.
				ps.set = ps.set.Union(AllPorts(Protocol(proto)))
			case dp.Range != nil:
				ps.set = ps.set.Union(Ports(Protocol(proto), int(dp.Range.Start.V), int(dp.Range.End.V)))
			default:
				ps.set = ps.set.Union(Port(Protocol(proto), int(dp.Number.V)))
			}
		}
		if p.DestinationNamedPort.Set {
			ps.named = append(ps.named, namedPort{name: p.DestinationNamedPort.V, anyProto: true})
			c.names[p.DestinationNamedPort.V] = true
		}
	}
	return ps
}

func (c *compiler) clusterPolicy(cnp *graph.ClusterNetworkPolicy) *policy {
	o := cnp.Obj
	p := &policy{obj: o, subject: c.adminSubject(cnp.Spec.Subject)}
	for _, r := range cnp.Spec.Ingress {
		p.rules[Ingress] = append(p.rules[Ingress], c.adminRule(o, Ingress, r.Loc, r.Action, r.From, c.cnpPorts(r.Protocols), cnpKind))
	}
	for _, r := range cnp.Spec.Egress {
		p.rules[Egress] = append(p.rules[Egress], c.adminRule(o, Egress, r.Loc, r.Action, r.To, c.cnpPorts(r.Protocols), cnpKind))
	}
	return p
}

// prioritized is a policy of the admin tier, or of the baseline tier, in
// the order of evaluation.
type prioritized struct {
	priority int64
	name     string
	obj      *manifest.Object
	loc      manifest.Loc
	compile  func() *policy
}

// compile reads every policy of the graph.
//
// The Admin tier holds the AdminNetworkPolicies and the Admin
// ClusterNetworkPolicies, in one order: by priority, then by name. The
// two kinds share the priority range 0-1000 and its meaning, and no API
// orders them otherwise. The Baseline tier holds the Baseline
// ClusterNetworkPolicies by priority, then the BaselineAdminNetworkPolicy,
// which has no priority: the cluster's last default.
func (a *Analysis) compile(g *graph.Graph) *compiler {
	// Most policies bring a selector of their own, their subject: room
	// for those, rather than growing the index a table at a time.
	c := &compiler{a: a, selIndex: make(map[string]int, len(g.NetworkPolicies)), names: map[string]bool{}, portSpecs: map[string]*portSpec{}}
	if n := len(g.NetworkPolicies); n > 0 {
		a.sels, a.nps = make([]*selector, 0, n), make([]*policy, 0, n)
	}
	for _, np := range g.NetworkPolicies {
		a.nps = append(a.nps, c.networkPolicy(np))
	}
	for _, r := range g.RefusedNetworkPolicies {
		c.warn(r.Obj, r.At, "%s: %s, so the API server refuses the policy; it is left out, as the cluster never holds it", ref(r.Obj), r.Why)
	}
	for _, r := range g.RefusedAdminPolicies {
		c.warn(r.Obj, r.At, "%s: %s, so the API server refuses the policy; it is left out, as the cluster never holds it", ref(r.Obj), r.Why)
	}
	var admin, baseline []prioritized
	for _, anp := range g.AdminNetworkPolicies {
		admin = append(admin, prioritized{anp.Spec.Priority.V, anp.Name(), anp.Obj, anp.Spec.Priority.Loc, func() *policy {
			return c.adminPolicy(anp.Obj, anp.Spec.Subject, anp.Spec.Ingress, anp.Spec.Egress, anpKind)
		}})
	}
	for _, cnp := range g.ClusterNetworkPolicies {
		pr := prioritized{cnp.Spec.Priority.V, cnp.Name(), cnp.Obj, cnp.Spec.Priority.Loc, func() *policy { return c.clusterPolicy(cnp) }}
		// The tier is Admin or Baseline: the graph refuses any other.
		if cnp.Baseline() {
			baseline = append(baseline, pr)
		} else {
			admin = append(admin, pr)
		}
	}
	a.anps = c.tier(admin, "admin")
	a.banps = c.tier(baseline, "baseline")
	for i, banp := range g.BaselineAdminNetworkPolicies {
		// The graph refuses any other name (refusal_admin.go): a second
		// one is a second definition of default.
		if i > 0 {
			c.warn(banp.Obj, banp.Obj.NameLoc, "BaselineAdminNetworkPolicy %s is defined more than once; meshlint applies every definition, in input order", banp.Name())
		}
		if len(baseline) > 0 {
			c.warn(banp.Obj, banp.Obj.NameLoc, "BaselineAdminNetworkPolicy %s and Baseline ClusterNetworkPolicies: the API does not order the two kinds; meshlint applies the ClusterNetworkPolicies first", banp.Name())
		}
		a.banps = append(a.banps, c.adminPolicy(banp.Obj, banp.Spec.Subject, banp.Spec.Ingress, banp.Spec.Egress, banpKind))
	}
	return c
}

// tier compiles the policies of a tier in order of priority, then name,
// with a warning for each priority that two policies share: the APIs let
// implementations apply either first.
func (c *compiler) tier(ps []prioritized, name string) []*policy {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].priority != ps[j].priority {
			return ps[i].priority < ps[j].priority
		}
		return ps[i].name < ps[j].name
	})
	var out []*policy
	for i, p := range ps {
		if i > 0 && ps[i-1].priority == p.priority {
			prev := ps[i-1]
			c.warn(p.obj, p.loc, "%s has priority %d, as %s does: the API leaves their order in the %s tier undefined; meshlint takes them in name order", ref(p.obj), p.priority, ref(prev.obj), name)
		}
		out = append(out, p.compile())
	}
	return out
}
