package netpol

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/api/validate/content"
)

// The default deny that MR401 and MR402 write isolates every pod of the
// namespace. A pod that no NetworkPolicy selected for that direction was
// open, and the traffic the input declares for it would stop: the routes
// of gateways (MR501) and of the mesh (MR502), the backends of Gateway API
// Gateways (MR506), the sources of AuthorizationPolicies (MR504), the
// calls of a namespace's pods to its own Services (serviceCalls), and what
// other NetworkPolicies allow (policyFlows). So the deny's file also holds
// allow policies for exactly those flows, the first four found here as
// those rules (rules/cross) find them, and a fix that cannot name the pods
// of a flow is not offered: a deny that breaks declared traffic is no safe
// fix. What nothing declares, a call from another namespace that no route
// or policy names, the deny cuts, and the fix's message says so. So it
// does, on most network plugins, with the calls of host-networked
// clients, which come from their node's address: no allow can name that,
// yet withholding the deny for them would leave the namespace open, so
// the fix is offered and names them (hostClients). The same goes for the
// egress deny's calls to host-networked destinations, which listen on
// their node's address: the allow names their pods, for plugins that
// match them, and the fix names them for the others.

// flowInputs are the kinds the flows are read from, which the fixes of
// MR401 and MR402 read besides the policies and namespaces: the webhook
// configurations, whose Services' pods the API server calls, and the
// admin policies, which the netpol engine weighs with the NetworkPolicies
// that declare flows (policyFlows).
var flowInputs = []kinds.Kind{
	kinds.Gateway, kinds.VirtualService, kinds.Service, kinds.DestinationRule,
	kinds.K8sGateway, kinds.ListenerSet, kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute, kinds.UDPRoute,
	kinds.ReferenceGrant, kinds.AuthorizationPolicy, kinds.Ingress, kinds.Route,
	kinds.MutatingWebhookConfiguration, kinds.ValidatingWebhookConfiguration,
	kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy,
}

// portRef is a port a flow connects to: port, or the range port-end
// when end is set, or every port of proto when port is 0 (what another
// NetworkPolicy allows, read by the netpol engine, may be either).
type portRef struct {
	proto string // TCP, UDP or SCTP
	port  int64
	end   int64
}

// hi is the last port of r's range.
func (r portRef) hi() int64 {
	switch {
	case r.port == 0:
		return netpol.MaxPort
	case r.end > r.port:
		return r.end
	}
	return r.port
}

// lo is the first port of r's range.
func (r portRef) lo() int64 { return max(r.port, netpol.MinPort) }

// peerSpec is one peer of an allow rule: the pods matching pods (every pod
// when nil) in the namespaces nss, or in every namespace when anyNS; or,
// when cidr is set, the addresses of that ipBlock.
type peerSpec struct {
	anyNS bool
	nss   []string // sorted
	pods  map[string]string
	cidr  string
	// k is the key, when keyed found it.
	k string
}

// keyed returns p with its key: the collector keys each peer once, where
// it makes it, rather than for each of its flows.
func (p peerSpec) keyed() peerSpec {
	p.k = p.key()
	return p
}

// ref returns p keyed, by pointer: the flows that share a peer hold it
// once, as a flow is made for every target of every route and the index
// keeps them all for the run.
func (p peerSpec) ref() *peerSpec {
	p = p.keyed()
	return &p
}

func (p peerSpec) key() string {
	if p.k != "" {
		return p.k
	}
	k := strconv.FormatBool(p.anyNS) + " " + strings.Join(p.nss, ",") + " " + labelsFlow(p.pods)
	if p.cidr != "" {
		k += " " + p.cidr
	}
	return k
}

// source is a pod that a flow starts from: a workload, or the pods Istio
// deploys for a Gateway API Gateway (w nil), known by their labels, or
// every pod of a namespace (all).
type source struct {
	w      *graph.Workload
	all    bool
	ns     string
	name   string // of the policy that allows its egress: the workload's, or the Gateway's with "-gateway"
	labels map[string]string
	// selector selects the pods when it is set, else labels do: the
	// pods Istio deploys for a Gateway carry its name label, which
	// names them more plainly than all their labels.
	selector map[string]string
	// open narrows all to the pods that no policy isolates already: the
	// clients of a Service of their namespace, or those another policy
	// admits, need nothing of the pods a policy of theirs isolates.
	open bool
}

// flow is a connection the input declares.
type flow struct {
	what string // names the route or source, for a YAML comment
	// from is the peer that the destination must admit, keyed.
	from *peerSpec
	// srcs are the sources of one namespace, for the egress index.
	srcs []source
	dst  *graph.Workload
	// ports are the ports used; nil for every port (an
	// AuthorizationPolicy source may use any).
	ports []portRef
	// visible, set for the flows of mesh routes in the egress index,
	// tells the namespaces whose in-mesh workloads are the sources.
	visible func(ns string) bool
	// to is the peer of the destination in an egress rule, keyed, found
	// once for every destination; nil until the egress index sets it.
	to *peerSpec
	// denied is set for the source of a DENY AuthorizationPolicy rule
	// that denies it every request (see deniesWholly): no ingress allow
	// may admit it. Its egress stays open: that opens nothing the
	// destination does not admit.
	denied bool
	// unselectable is set when from cannot name the source's pods (a
	// workload without labels that another policy lets call): the
	// ingress fix is withheld rather than open its whole namespace.
	unselectable bool
	// meshIdentity is set for the flows of AuthorizationPolicy sources,
	// whose pods must present a mesh identity: a host-networked pod,
	// which neither a sidecar nor ztunnel serves, is none of them.
	meshIdentity bool
}

// withTo sets f's egress peer: the destination's namespace and labels,
// found once for each destination (x.tos).
func (x *flowIndex) withTo(f flow) flow {
	t, ok := x.tos[f.dst]
	if !ok {
		peer := peerSpec{nss: []string{f.dst.Namespace()}, pods: selectable(f.dst.Labels)}
		t = peer.ref()
		if x.tos == nil {
			x.tos = map[*graph.Workload]*peerSpec{}
		}
		x.tos[f.dst] = t
	}
	f.to = t
	return f
}

// flowIndex holds the flows of the four reachability rules that concern
// the default deny of one direction, by namespace: for ingress, the flows
// to the namespace's workloads; for egress, those from its pods, but for
// the flows of mesh routes (mesh), whose sources are the in-mesh
// workloads of every namespace that sees them.
type flowIndex struct {
	byNS map[string][]flow
	mesh []flow
	// tos are the egress peers of the destinations (withTo), while the
	// index is built.
	tos map[*graph.Workload]*peerSpec
}

// flowsKey memoizes the flow indexes for the run: every namespace's fix
// needs them, and building them per namespace would resolve every route as
// many times as there are namespaces. Both directions are built at once,
// from one pass over the routes.
type flowsKey struct{}

// flowIndexes are the flow indexes of the two directions.
type flowIndexes struct {
	ingress, egress *flowIndex
	// mu guards the ingress index, whose namespaces' flows are taken
	// from it (takeIngress), and taken, the namespaces they were taken
	// of.
	mu    sync.Mutex
	taken map[string]bool
}

// takeIngress returns the ingress flows of namespace ns and drops them
// from the index: only MR401's fix reads them, once for each namespace,
// and on a tree without NetworkPolicies, where every namespace gets a fix,
// the index would otherwise stay whole until the run ends, beside the
// fixes' files. A second read of a namespace, which no rule makes,
// collects the flows anew.
func (xs *flowIndexes) takeIngress(p *rules.Pass, ns string) []flow {
	xs.mu.Lock()
	defer xs.mu.Unlock()
	if xs.taken[ns] {
		return collectFlows(p).ingress.byNS[ns]
	}
	if xs.taken == nil {
		xs.taken = map[string]bool{}
	}
	xs.taken[ns] = true
	flows := xs.ingress.byNS[ns]
	delete(xs.ingress.byNS, ns)
	return flows
}

// declaredFlows returns the flows that concern the default deny of
// direction d in namespace ns: for ingress, those to its workloads; for
// egress, those from its pods, with srcs narrowed to those pods, and apart
// the flows of the mesh routes that ns sees (without srcs), with a key
// that tells them from those another namespace sees (meshKey: the same
// key, the same flows). The lists are shared: the caller must not change
// them. The ingress flows of a namespace leave the run's index when read
// (takeIngress).
func declaredFlows(p *rules.Pass, ns string, d direction) (flows []flow, mesh []*flow, meshKey string) {
	xs := p.Memo(flowsKey{}, func() any { return collectFlows(p) }).(*flowIndexes)
	x := xs.ingress
	if d.Name == "egress" {
		x = xs.egress
	}
	// By pointer: a namespace may see every route of the tree. Most
	// namespaces see the same ones, and share the list.
	var seen []byte
	n := 0
	for i := range x.mesh {
		if x.mesh[i].visible(ns) {
			if seen == nil {
				seen = make([]byte, (len(x.mesh)+7)/8)
			}
			seen[i/8] |= 1 << (i % 8)
			n++
		}
	}
	if d.Name == "egress" {
		flows = x.byNS[ns]
	} else {
		flows = xs.takeIngress(p, ns)
	}
	if n == 0 {
		return flows, nil, ""
	}
	meshKey = string(seen)
	mesh = p.Memo(meshFlowsKey{meshKey}, func() any {
		out := make([]*flow, 0, n)
		for i := range x.mesh {
			if seen[i/8]&(1<<(i%8)) != 0 {
				out = append(out, &x.mesh[i])
			}
		}
		return out
	}).([]*flow)
	return flows, mesh, meshKey
}

// collectFlows builds the flow indexes of both directions.
func collectFlows(p *rules.Pass) *flowIndexes {
	g := p.Graph
	c := &flowCollector{g: g, lk: p.Lookup(), in: &flowIndex{byNS: map[string][]flow{}}, out: &flowIndex{byNS: map[string][]flow{}}}
	for _, dl := range g.Delegations() {
		if c.delegations == nil {
			c.delegations = map[*graph.VirtualService][]graph.Delegation{}
		}
		c.delegations[dl.Root] = append(c.delegations[dl.Root], dl)
	}
	c.gatewayRoutes()
	c.meshRoutes()
	c.gatewayAPIRoutes()
	c.authzSources()
	c.serviceCalls()
	if len(g.NetworkPolicies) > 0 {
		c.policyFlows(Analysis(p))
	}
	// The flows hold their peers: the index of them is of no use
	// once built, and would stay for the run.
	c.out.tos = nil
	return &flowIndexes{ingress: c.in, egress: c.out}
}

// meshFlowsKey memoizes the mesh flows that the namespaces of the same
// meshKey see (declaredFlows).
type meshFlowsKey struct{ mesh string }

// groupedKey memoizes the grouped mesh rules (groupMesh) of the
// namespaces that see the same mesh flows (declaredFlows' meshKey): most
// namespaces see every route, and grouping them is the larger part of
// the egress fix of each.
type groupedKey struct{ mesh string }

// flowCollector builds the flowIndexes of ingress (in) and egress (out).
type flowCollector struct {
	g       *graph.Graph
	lk      *graph.Lookup
	in, out *flowIndex
	// delegations are those of each root VirtualService.
	delegations map[*graph.VirtualService][]graph.Delegation
	// waypoints memoizes waypointsOf.
	waypoints map[*graph.Workload][]waypointRef
	// ports holds a list of each single port, which the flows of that
	// port share (portList).
	ports map[portRef][]portRef
}

// portList returns the list of the one port pr, shared by every flow to
// it: the index keeps a flow for each target of each route, most of them
// to one port. Its capacity is 1, so appending to it copies it.
func (c *flowCollector) portList(pr portRef) []portRef {
	l, ok := c.ports[pr]
	if !ok {
		if c.ports == nil {
			c.ports = map[portRef][]portRef{}
		}
		l = []portRef{pr}
		c.ports[pr] = l
	}
	return l
}

// add records a flow to the targets ts, for egress too unless ingressOnly.
func (c *flowCollector) add(what string, from *peerSpec, srcs []source, ts []graph.BackendTarget, ingressOnly bool) {
	for _, t := range ts {
		if _, ok := netpol.ParseProtocol(t.Protocol); ok {
			c.addTo(flow{what: what, from: from, srcs: srcs, dst: t.Workload, ports: c.portList(portRef{proto: t.Protocol, port: t.Port})}, ingressOnly)
		}
	}
}

// addTo indexes f, with what ambient mode adds to it (ambientFlows), for
// egress too unless ingressOnly.
func (c *flowCollector) addTo(f flow, ingressOnly bool) {
	f, toWaypoint, fromWaypoint := c.ambientFlows(f)
	c.in.add(f, false)
	for _, w := range fromWaypoint {
		c.in.add(w, false)
	}
	if ingressOnly {
		return
	}
	c.out.add(f, true)
	for _, w := range toWaypoint {
		c.out.add(w, true)
	}
	for _, w := range fromWaypoint {
		c.out.add(w, true)
	}
}

// addIngress indexes f, whose sources are isolated for egress already,
// with what ambient mode adds to it: for ingress, and the flows from the
// destination's waypoints for egress too.
func (c *flowCollector) addIngress(f flow) {
	f, _, fromWaypoint := c.ambientFlows(f)
	c.in.add(f, false)
	for _, w := range fromWaypoint {
		c.in.add(w, false)
		c.out.add(w, true)
	}
}

// add indexes f: by its destination's namespace for ingress, by its
// sources' for egress, each namespace with its own sources.
func (x *flowIndex) add(f flow, egress bool) {
	if !egress {
		ns := f.dst.Namespace()
		x.byNS[ns] = append(x.byNS[ns], f)
		return
	}
	if f.to == nil {
		f = x.withTo(f)
	}
	// Most flows start in one namespace, and not at their destination:
	// they are indexed as they are.
	if len(f.srcs) > 0 && !slices.ContainsFunc(f.srcs, func(s source) bool { return s.ns != f.srcs[0].ns || s.w != nil && s.w == f.dst }) {
		ns := f.srcs[0].ns
		x.byNS[ns] = append(x.byNS[ns], f)
		return
	}
	all := f.srcs
	for len(all) > 0 {
		ns := all[0].ns
		var in []source
		rest := all[:0:0]
		for _, s := range all {
			switch {
			case s.ns != ns:
				rest = append(rest, s)
			case s.w == nil || s.w != f.dst:
				in = append(in, s)
			}
		}
		if len(in) > 0 {
			g := f
			g.srcs = in
			x.byNS[ns] = append(x.byNS[ns], g)
		}
		all = rest
	}
}

// workloadSources are ws as sources.
func workloadSources(ws []*graph.Workload) []source {
	out := make([]source, len(ws))
	for i, w := range ws {
		out[i] = source{w: w, ns: w.Namespace(), name: w.Name(), labels: w.Labels}
	}
	return out
}

// gatewayRoutes are MR501's flows: from the pods of an Istio Gateway to
// the targets of the routes of its VirtualServices.
//
// The routes of a VirtualService that delegate hand their traffic to the
// delegate's destinations (graph.Delegations), which serve the root's
// gateways and sidecars: they are flows of the root's, and the comment
// names the delegate. MR501 and MR502 check the same flows through the
// root (they would report a deny that cut them). A VirtualService without
// hosts is a delegate, which Istio applies only merged into the roots that
// name it (mergeVirtualServicesIfNeeded): its own gateways and exportTo
// bring it no client, and one that no root names carries no traffic.
func (c *flowCollector) gatewayRoutes() {
	g := c.g
	for _, vs := range g.VirtualServices {
		if isDelegate(vs) {
			continue
		}
		var backends []graph.RouteBackend
		var delegated [][]graph.RouteBackend
		for _, ref := range vs.Gateways {
			gw := ref.Gateway
			if ref.Mesh || gw == nil || len(gw.Workloads) == 0 {
				continue
			}
			if backends == nil && delegated == nil {
				backends = g.RouteBackends(vs)
				delegated = c.delegatedBackends(vs)
			}
			what := fmt.Sprintf("VirtualService %s/%s via Gateway %s/%s", vs.Namespace(), vs.Name(), gw.Namespace(), gw.Name())
			// The gateway's pods may be in several namespaces: one
			// peer each, holding the Gateway's selector.
			var nss []string
			for _, w := range gw.Workloads {
				if !slices.Contains(nss, w.Namespace()) {
					nss = append(nss, w.Namespace())
				}
			}
			slices.Sort(nss)
			srcs := workloadSources(gw.Workloads)
			peers := make([]*peerSpec, len(nss))
			for i, n := range nss {
				peers[i] = peerSpec{nss: []string{n}, pods: gw.Spec.Selector}.ref()
			}
			add := func(what string, backends []graph.RouteBackend) {
				for _, b := range backends {
					if !g.AppliesTo(vs, b, gw) {
						continue
					}
					for i, peer := range peers {
						// The peer is the ingress side's: egress
						// needs the flow once.
						c.add(what, peer, srcs, b.Targets, i > 0)
					}
				}
			}
			add(what, backends)
			for i, bs := range delegated {
				add(what+delegateSuffix(c.delegations[vs][i]), bs)
			}
		}
	}
}

// isDelegate reports whether vs is a delegate VirtualService: one without
// hosts, as graph.Delegations and MR501 and MR502 tell them.
func isDelegate(vs *graph.VirtualService) bool { return len(vs.Spec.Hosts) == 0 }

// delegatedBackends returns the backends of each delegation of vs, in
// the order of c.delegations[vs].
func (c *flowCollector) delegatedBackends(vs *graph.VirtualService) [][]graph.RouteBackend {
	ds := c.delegations[vs]
	if len(ds) == 0 {
		return nil
	}
	out := make([][]graph.RouteBackend, len(ds))
	for i, d := range ds {
		out[i] = c.g.DelegatedBackends(d)
	}
	return out
}

// delegateSuffix names the delegate of d in a flow's comment.
func delegateSuffix(d graph.Delegation) string {
	return fmt.Sprintf(", delegated to VirtualService %s/%s", d.Delegate.Namespace(), d.Delegate.Name())
}

// meshRoutes are MR502's flows: from the in-mesh workloads of the
// namespaces that see a mesh route to its in-mesh targets.
func (c *flowCollector) meshRoutes() {
	g := c.g
	add := func(what string, from *peerSpec, visible func(string) bool, ts []graph.BackendTarget) {
		for _, t := range ts {
			if _, ok := netpol.ParseProtocol(t.Protocol); !ok || !g.InMesh(t.Workload) {
				continue
			}
			f := flow{what: what, from: from, dst: t.Workload, ports: c.portList(portRef{proto: t.Protocol, port: t.Port}), visible: visible}
			f, toWaypoint, fromWaypoint := c.ambientFlows(f)
			c.in.add(f, false)
			for _, w := range fromWaypoint {
				c.in.add(w, false)
			}
			c.out.mesh = append(c.out.mesh, c.out.withTo(f))
			c.out.mesh = append(c.out.mesh, toWaypoint...)
			for _, w := range fromWaypoint {
				c.out.add(w, true)
			}
		}
	}
	for _, vs := range g.VirtualServices {
		if isDelegate(vs) {
			continue // its roots' flows hold its routes (gatewayRoutes)
		}
		mesh := len(vs.Gateways) == 0
		for _, ref := range vs.Gateways {
			mesh = mesh || ref.Mesh
		}
		if !mesh {
			continue
		}
		visible := func(n string) bool { return graph.Visible(vs.ExportTo, vs.Namespace(), n) }
		peer, scope := exportPeer(vs.ExportTo, vs.Namespace())
		if !peer.anyNS && len(peer.nss) == 0 {
			continue // exported to no namespace: no client sees it
		}
		from := peer.ref()
		what := fmt.Sprintf("VirtualService %s/%s for the mesh clients of %s", vs.Namespace(), vs.Name(), scope)
		for _, b := range g.RouteBackends(vs) {
			if g.AppliesTo(vs, b, nil) {
				add(what, from, visible, b.Targets)
			}
		}
		for i, bs := range c.delegatedBackends(vs) {
			w := fmt.Sprintf("VirtualService %s/%s%s for the mesh clients of %s", vs.Namespace(), vs.Name(), delegateSuffix(c.delegations[vs][i]), scope)
			for _, b := range bs {
				if g.AppliesTo(vs, b, nil) {
					add(w, from, visible, b.Targets)
				}
			}
		}
	}
	for _, r := range g.GatewayRoutes {
		parent, producer := r.MeshParent()
		if parent == nil {
			continue
		}
		peer, scope := peerSpec{anyNS: true}, "every namespace"
		visible := func(string) bool { return true }
		if !producer {
			own := r.Namespace()
			peer, scope = peerSpec{nss: []string{own}}, "namespace "+own
			visible = func(n string) bool { return n == own }
		}
		from := peer.ref()
		what := fmt.Sprintf("%s %s/%s for the mesh clients of %s", r.Kind(), r.Namespace(), r.Name(), scope)
		for _, rule := range r.Rules {
			for _, b := range rule.Backends {
				add(what, from, visible, b.Targets())
			}
		}
	}
}

// exportPeer is the peer of the namespaces that config of namespace own
// with the given exportTo is visible in, and their description.
func exportPeer(exportTo []string, own string) (peerSpec, string) {
	if len(exportTo) == 0 || slices.Contains(exportTo, "*") {
		return peerSpec{anyNS: true}, "every namespace"
	}
	var nss []string
	for _, e := range exportTo {
		n := e
		switch e {
		case ".":
			n = own
		case "~":
			continue
		}
		if !slices.Contains(nss, n) {
			nss = append(nss, n)
		}
	}
	slices.Sort(nss)
	what := "namespace "
	if len(nss) > 1 {
		what = "namespaces "
	}
	return peerSpec{nss: nss}, what + strings.Join(nss, ", ")
}

// gatewayNameLabel labels the pods of a Gateway API Gateway with its name.
const gatewayNameLabel = "gateway.networking.k8s.io/gateway-name"

// gatewayAPIRoutes are MR506's flows: from the pods of a Gateway API
// Gateway to the backends of the routes attached to it.
func (c *flowCollector) gatewayAPIRoutes() {
	g := c.g
	for _, r := range g.GatewayRoutes {
		seen := map[*graph.K8sGateway]bool{}
		for _, parent := range r.Parents {
			gw := parent.Gateway
			if !parent.IsGateway() && !parent.IsListenerSet() || gw == nil || len(parent.Attached) == 0 || seen[gw] {
				continue
			}
			seen[gw] = true
			srcs := gatewayAPISources(g, gw)
			if len(srcs) == 0 {
				continue
			}
			what := fmt.Sprintf("%s %s/%s via Gateway %s/%s", r.Kind(), r.Namespace(), r.Name(), gw.Namespace(), gw.Name())
			from := peerSpec{nss: []string{gw.Namespace()}, pods: map[string]string{gatewayNameLabel: gw.Name()}}.ref()
			for _, rule := range r.Rules {
				for _, b := range rule.Backends {
					// A Gateway refuses a backend of another namespace
					// that no ReferenceGrant permits (the graph's
					// grantFor, which MR604 reports on): it sends it
					// nothing, and no allow may open it.
					if b.CrossNamespace && b.Grant == nil {
						continue
					}
					c.add(what, from, srcs, b.Targets(), false)
				}
			}
		}
	}
}

// gatewayAPISources are the pods of Gateway API Gateway gw, as MR506 finds
// them: workloads of the input, else those Istio deploys; both carry the
// Gateway's name label. It returns none when neither is known.
func gatewayAPISources(g *graph.Graph, gw *graph.K8sGateway) []source {
	if srcs := workloadSources(g.GatewayAPIWorkloads(gw)); len(srcs) > 0 {
		return srcs
	}
	l := gw.IstioPodLabels()
	if l == nil || len(gw.Addresses()) > 0 {
		return nil
	}
	return []source{{ns: gw.Namespace(), name: gw.Name() + "-gateway", labels: l, selector: map[string]string{gatewayNameLabel: gw.Name()}}}
}

// Ambient mode (graph.Ambient) changes what a NetworkPolicy sees of a
// flow (Istio's "Ambient and Kubernetes NetworkPolicy"): ztunnel carries
// mesh traffic to a pod over HBONE, TCP 15008 of the pod, from the
// client's own address, and the kubelet's health probes arrive SNATed to
// 169.254.7.127 (fd16:9254:7127:1337:ffff:ffff:ffff:ffff when they probe
// an IPv6 address). When the destination uses a waypoint, the traffic
// reaches the waypoint's pods instead, over HBONE, and the waypoint
// forwards it to the pod, over HBONE again. The graph names a waypoint's
// pods (the istio.io/use-waypoint label names the Gateway, whose pods
// carry its name label), so the fix allows them, rather than being
// withheld.

// hbonePort is the port ztunnel and waypoints connect to on a pod in
// ambient mode.
var hbonePort = portRef{proto: "TCP", port: ztunnelHBONE}

// probeSource is the address the kubelet's probes of a pod in ambient
// mode come from; probeSource6 the one its probes of the pod's IPv6
// address come from (istio-cni's HOST_PROBE_SNAT_IP and
// HOST_PROBE_SNAT_IPV6, cni/pkg/nodeagent/options.go).
const (
	probeSource  = "169.254.7.127/32"
	probeSource6 = "fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128"
)

// waypointRef names a waypoint: a Gateway API Gateway (of class
// istio-waypoint) by namespace and name.
type waypointRef struct{ ns, name string }

// peer is the waypoint's pods, by the name label Istio gives them.
func (w waypointRef) peer() *peerSpec {
	return peerSpec{nss: []string{w.ns}, pods: map[string]string{gatewayNameLabel: w.name}}.ref()
}

// ambientFlows returns f with HBONE added to its ports when its
// destination is in ambient mode, and, for each waypoint the destination
// uses, the flows through it: from f's sources to the waypoint's pods
// (toWaypoint, for egress: its peer is the waypoint's) and from the
// waypoint's pods to the destination (fromWaypoint), both on HBONE.
func (c *flowCollector) ambientFlows(f flow) (out flow, toWaypoint, fromWaypoint []flow) {
	if !c.g.Ambient(f.dst) {
		return f, nil, nil
	}
	if f.ports != nil && !slices.Contains(f.ports, hbonePort) {
		f.ports = append(slices.Clip(f.ports), hbonePort)
	}
	for _, wp := range c.waypointsOf(f.dst) {
		what := fmt.Sprintf("%s, through waypoint %s/%s", f.what, wp.ns, wp.name)
		to := wp.peer()
		toWaypoint = append(toWaypoint, flow{what: what, from: f.from, srcs: f.srcs, dst: f.dst, ports: c.portList(hbonePort),
			visible: f.visible, to: to})
		fromWaypoint = append(fromWaypoint, flow{what: what, from: to, srcs: c.waypointSources(wp), dst: f.dst, ports: c.portList(hbonePort)})
	}
	return f, toWaypoint, fromWaypoint
}

// waypointsOf returns the waypoints that traffic to w goes through: those
// that w's pods and the Services selecting them are enrolled for
// (graph.WaypointEnrolled: their own istio.io/use-waypoint label, else
// their namespace's), in the namespace that istio.io/use-waypoint-namespace
// names next to it, else their own. Whether a waypoint serves traffic
// addressed to a Service or to a pod (istio.io/waypoint-for) is not
// read: the fix allows both.
func (c *flowCollector) waypointsOf(w *graph.Workload) []waypointRef {
	if out, ok := c.waypoints[w]; ok {
		return out
	}
	var out []waypointRef
	add := func(l map[string]string) {
		ns := w.Namespace()
		if !c.g.WaypointEnrolled(ns, l) {
			return
		}
		if _, own := l[graph.UseWaypointLabel]; !own {
			l = c.g.Namespaces[ns].Labels
		}
		r := waypointRef{ns: ns, name: l[graph.UseWaypointLabel]}
		if n := l[useWaypointNamespaceLabel]; n != "" {
			r.ns = n
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	add(w.Labels)
	for _, s := range c.lk.ServicesSelecting(w) {
		add(s.Obj.Labels)
	}
	if c.waypoints == nil {
		c.waypoints = map[*graph.Workload][]waypointRef{}
	}
	c.waypoints[w] = out
	return out
}

// useWaypointNamespaceLabel names the namespace of the waypoint that
// istio.io/use-waypoint names, next to it.
const useWaypointNamespaceLabel = "istio.io/use-waypoint-namespace"

// waypointSources are the pods of waypoint wp, as gatewayAPISources finds
// those of its Gateway. When the input has neither, the source has no
// labels: the egress deny of the waypoint's namespace would cut the
// waypoint's pods off, and, unable to select them, the fix is withheld.
func (c *flowCollector) waypointSources(wp waypointRef) []source {
	for _, gw := range c.g.K8sGateways {
		if gw.Namespace() == wp.ns && gw.Name() == wp.name {
			if srcs := gatewayAPISources(c.g, gw); len(srcs) > 0 {
				return srcs
			}
		}
	}
	return []source{{ns: wp.ns, name: wp.name + "-gateway"}}
}

// networkProbes reports whether a container of w's pods has a liveness,
// readiness or startup probe that the kubelet sends over the network
// (httpGet, tcpSocket or grpc, not exec). The pod template is read from
// w's manifest, which the graph does not keep: when it cannot be read,
// or is not where a workload's template is, it reports true, since an
// allow too many is safer than probes that fail.
func networkProbes(w *graph.Workload) bool {
	o := w.Obj
	n := o.Root()
	if graph.HasPodTemplate(o) {
		for _, k := range graph.PodTemplatePath(o) {
			n = yamlpath.Field(n, k)
		}
	}
	n = yamlpath.Field(n, "spec")
	if n == nil {
		return true
	}
	for _, list := range []string{"containers", "initContainers"} {
		cs := yamlpath.Field(n, list)
		if cs == nil {
			continue
		}
		for _, ct := range cs.Content {
			for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
				pr := yamlpath.Field(ct, probe)
				for _, how := range []string{"httpGet", "tcpSocket", "grpc"} {
					if yamlpath.Field(pr, how) != nil {
						return true
					}
				}
			}
		}
	}
	return false
}

// authzSources are MR504's flows: from the pods of an exact source
// namespace or principal of an AuthorizationPolicy to the workloads it
// selects, on any port, since the policy governs them all.
func (c *flowCollector) authzSources() {
	for src := range c.g.AuthzSources() {
		c.authzSource(src.Policy, fmt.Sprintf("source %s %s", src.Kind, src.Value.V), src.Namespace, src.ServiceAccount, src.Workloads, deniesWholly(src))
	}
}

// deniesWholly reports whether src is an entry of an enforced DENY rule
// that denies its pods every request: a rule without to or when, and the
// entry in a source that sets nothing but the list it is in (any other
// field, trustDomains and serviceAccounts included, narrows it to some of
// the entry's pods or requests). The pods of such a source are not
// clients: an allow policy that opens the NetworkPolicies to them would
// undo at layer 4 what the AuthorizationPolicy says. A dry-run policy
// denies nothing.
func deniesWholly(src graph.AuthzSource) bool {
	if src.Policy.Spec.Action.V != "DENY" || src.Policy.DryRun() || src.Rule >= len(src.Policy.Spec.Rules) {
		return false
	}
	r := src.Policy.Spec.Rules[src.Rule]
	if len(r.To) > 0 || len(r.When) > 0 {
		return false
	}
	for _, from := range r.From {
		s := from.Source
		if s == nil {
			continue
		}
		var list []spec.Str
		switch src.Kind {
		case "namespace":
			list = s.Namespaces
		case "principal":
			list = s.Principals
		case "serviceAccount":
			list = s.ServiceAccounts
		}
		set := len(s.Principals) + len(s.NotPrincipals) + len(s.RequestPrincipals) + len(s.NotRequestPrincipals) +
			len(s.Namespaces) + len(s.NotNamespaces) + len(s.ServiceAccounts) + len(s.NotServiceAccounts) +
			len(s.TrustDomains) + len(s.NotTrustDomains) + len(s.IPBlocks) + len(s.NotIPBlocks) + len(s.RemoteIPBlocks) + len(s.NotRemoteIPBlocks)
		if set == len(list) && slices.ContainsFunc(list, func(v spec.Str) bool { return v.V == src.Value.V }) {
			return true
		}
	}
	return false
}

func (c *flowCollector) authzSource(ap *graph.AuthorizationPolicy, entry, ns, sa string, dsts []*graph.Workload, denied bool) {
	if ns == "" || strings.Contains(ns, "*") {
		return
	}
	var ws []*graph.Workload
	for _, w := range c.g.WorkloadsIn(ns) {
		if sa == "" || w.ServiceAccount == sa {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return // MR504 checks only sources of the input
	}
	what := fmt.Sprintf("AuthorizationPolicy %s/%s %s", ap.Namespace(), ap.Name(), entry)
	from := peerSpec{nss: []string{ns}}.ref()
	srcs := workloadSources(ws)
	if sa == "" {
		// A namespace entry names every pod of the namespace, which
		// MR504 counts as a source too (a pod of the namespace other
		// than the policy's workloads).
		srcs = []source{{all: true, ns: ns, name: "namespace"}}
	}
	for _, d := range dsts {
		c.addTo(flow{what: what, from: from, srcs: srcs, dst: d, denied: denied, meshIdentity: true}, false)
	}
}

// allowRule is one rule of an allow policy: one peer, the union of the
// ports of its flows, and the flows it keeps open.
type allowRule struct {
	peer  peerSpec
	ports map[portRef]bool
	any   bool // every port
	whys  map[string]bool
	// shared is true for the rules of groupMesh, which several policies
	// hold: own copies one before it is changed.
	shared bool
	// top are the first whys (firstSorted), found once for a shared
	// rule, which every namespace that sees its routes writes.
	top []string
}

// allowPolicy is an allow policy of the deny's file, for the pods matching
// pods.
type allowPolicy struct {
	key   string // the unit's: kind and name of its workload, or ""
	base  string // the workload's or Gateway's name
	pods  map[string]string
	rules map[string]*allowRule
	name  string
	// group is true when the rules must be grouped by namespace whatever
	// their number: they hold grouped mesh rules (mergeShared).
	group bool
	// exprs are requirements the pods must also meet: the complement of
	// other policies' selectors (complementSelectors), or labels that
	// keep isolated workloads out (excludeIsolated).
	exprs []labels.Requirement
	// own are the labels of the pods the policy is for, when it selects
	// them by labels (of a workload, or the pods of a Gateway).
	own map[string]string
	// podsFlow caches podsText.
	podsFlow string
}

// podsText is labelsFlow(p.pods), which the policies' order, their
// comment and their selector all need.
func (p *allowPolicy) podsText() string {
	if p.podsFlow == "" {
		p.podsFlow = labelsFlow(p.pods)
	}
	return p.podsFlow
}

func (p *allowPolicy) add(peer peerSpec, ports []portRef, why string) {
	p.addKeyed(peer.key(), peer, ports, why)
}

// addKeyed is add with the peer's key.
func (p *allowPolicy) addKeyed(k string, peer peerSpec, ports []portRef, why string) {
	r := p.rules[k]
	if r == nil {
		r = &allowRule{peer: peer, ports: map[portRef]bool{}, whys: map[string]bool{}}
	} else {
		r = r.own()
	}
	p.rules[k] = r
	if ports == nil {
		r.any = true
	}
	for _, pr := range ports {
		r.ports[pr] = true
	}
	r.whys[why] = true
}

// maxEgressPeers bounds the egress rules of one source: past it, its
// destinations are grouped by namespace, with the union of their ports,
// so that a namespace that sees many mesh routes gets a policy of a
// readable size rather than one rule per destination workload.
const maxEgressPeers = 8

// allowPolicies returns the allow policies that keep the declared flows of
// namespace ns open under the default deny of direction d, sorted by name,
// named so that no NetworkPolicy of the namespace (nps) or of the file
// (taken) is replaced, and the host-networked peers that no allow can
// name (hostClients): for ingress the clients, for egress the
// destinations. ok is false when a flow's pods cannot
// be selected (a workload without labels, or a policy name Kubernetes
// does not accept), and for ingress when the deny would isolate a
// workload whose clients no policy can name (unnamedClients).
//
// A host-networked workload gets no egress allow of its own: its egress
// is its node's, which most network plugins apply no NetworkPolicy to,
// so that the allow would do nothing there (defaultDenyFix says so).
func allowPolicies(pass *rules.Pass, ns string, d direction, nps []*graph.NetworkPolicy, taken map[string]bool) ([]*allowPolicy, *hostClients, bool) {
	g := pass.Graph
	isolated := func(l map[string]string) bool {
		for _, np := range nps {
			if d.Isolates(np) && np.PodSelector.Matches(l) {
				return true
			}
		}
		return false
	}
	// isolatedW is isolated for a workload, remembered: a namespace's
	// flows name its workloads many times, and it may have hundreds of
	// policies.
	isoW := map[*graph.Workload]bool{}
	isolatedW := func(w *graph.Workload) bool {
		v, ok := isoW[w]
		if !ok {
			v = isolated(w.Labels)
			isoW[w] = v
		}
		return v
	}
	// leftOut tells the sources that get no egress allow: those a
	// policy isolates already, and the host-networked ones.
	leftOut := func(w *graph.Workload) bool { return isolatedW(w) || hostNetworked(w) }
	isolates := slices.ContainsFunc(nps, d.Isolates)
	byKey := map[string]*allowPolicy{}
	unit := func(key, base string, pods map[string]string) *allowPolicy {
		p := byKey[key]
		if p == nil {
			p = &allowPolicy{key: key, base: base, pods: pods, rules: map[string]*allowRule{}}
			byKey[key] = p
		}
		return p
	}
	// workloadUnit returns the policy for the pods of w, selected by
	// their labels that a selector may hold (selectable), and false when
	// none is left to select them by.
	workloadUnit := func(w *graph.Workload) (*allowPolicy, bool) {
		sel := selectable(w.Labels)
		if len(sel) == 0 {
			return nil, false
		}
		p := unit(string(w.Obj.Kind)+"/"+w.Name(), w.Name(), sel)
		p.own = w.Labels
		return p, true
	}
	// open returns the policies for every pod of ns that no policy
	// isolates in direction d (whose workloads must include one of
	// want): one for every pod when no policy isolates a pod, else
	// those that complementSelectors finds. ok is false when it finds
	// none.
	open := func(want []*graph.Workload) ([]*allowPolicy, bool) {
		if !isolates {
			return []*allowPolicy{unit("", "namespace", nil)}, true
		}
		sels, ok := complementSelectors(nps, d)
		if !ok {
			return nil, false
		}
		var out []*allowPolicy
		for i, sel := range sels {
			if !slices.ContainsFunc(want, func(w *graph.Workload) bool { return sel.Matches(w.Labels) }) {
				continue // it would select no workload (MR403)
			}
			p := unit(fmt.Sprintf("\x00open %d", i), "namespace", sel.MatchLabels)
			p.exprs = sel.Exprs
			out = append(out, p)
		}
		return out, len(out) > 0
	}
	// sourceUnits returns the policies for the egress of s, none when a
	// policy isolates s already, and false when s cannot be selected.
	var all []*allowPolicy     // sourceUnits of every pod, found once
	var allOpen []*allowPolicy // those of every pod that no policy isolates, found once
	sourceUnits := func(s source) ([]*allowPolicy, bool) {
		switch {
		case s.all && s.open && allOpen != nil:
			return allOpen, true
		case s.all && s.open:
			// The pods that no policy isolates: those open finds,
			// else each workload, however many.
			allOpen = []*allowPolicy{}
			var ws []*graph.Workload
			for _, w := range g.WorkloadsIn(ns) {
				if !leftOut(w) {
					ws = append(ws, w)
				}
			}
			if len(ws) == 0 {
				return allOpen, true
			}
			if ps, ok := open(ws); ok {
				allOpen = ps
				return allOpen, true
			}
			for _, w := range ws {
				u, ok := workloadUnit(w)
				if !ok {
					return nil, false
				}
				allOpen = append(allOpen, u)
			}
			return allOpen, true
		case s.all && all != nil:
			return all, true
		case s.all:
			// Every pod of the namespace (an AuthorizationPolicy's
			// source namespace): the pods that no policy isolates
			// (open), else each workload that no policy isolates,
			// up to maxEgressPeers of them. Failing those, every
			// pod, isolated or not: MR504 counts any pod of the
			// namespace as a source, and when no workload is left
			// open, only a policy for every pod keeps one.
			var ws []*graph.Workload
			for _, w := range g.WorkloadsIn(ns) {
				if !leftOut(w) {
					ws = append(ws, w)
				}
			}
			if ps, ok := open(ws); ok {
				all = ps
				return all, true
			}
			if len(ws) == 0 || len(ws) > maxEgressPeers {
				all = []*allowPolicy{unit("", s.name, nil)}
				return all, true
			}
			for _, w := range ws {
				u, ok := workloadUnit(w)
				if !ok {
					return nil, false
				}
				all = append(all, u)
			}
			return all, true
		case s.w != nil && leftOut(s.w), s.w == nil && isolated(s.labels):
			return nil, true
		case len(s.labels) == 0:
			return nil, false
		}
		key, sel := s.name, s.selector
		if s.w != nil {
			key = string(s.w.Obj.Kind) + "/" + s.w.Name()
		}
		if sel == nil {
			sel = selectable(s.labels)
		}
		if len(sel) == 0 {
			return nil, false
		}
		p := unit(key, s.name, sel)
		p.own = s.labels
		return []*allowPolicy{p}, true
	}
	if d.Name == "ingress" && unnamedClients(g, ns, isolated) {
		return nil, nil, false
	}
	host := &hostClients{}
	flows, mesh, meshKey := declaredFlows(pass, ns, d)
	for _, f := range flows {
		if d.Name == "ingress" {
			if isolatedW(f.dst) {
				continue // already isolated: the deny changes nothing for it
			}
			if f.denied || f.unselectable {
				return nil, nil, false
			}
			p, ok := workloadUnit(f.dst)
			if !ok {
				return nil, nil, false
			}
			p.addKeyed(f.from.k, *f.from, f.ports, f.what)
			host.add(g, ns, f)
			continue
		}
		for _, s := range f.srcs {
			ps, ok := sourceUnits(s)
			if !ok {
				return nil, nil, false
			}
			for _, p := range ps {
				p.addKeyed(f.to.k, *f.to, f.ports, f.what)
			}
			if len(ps) > 0 {
				host.server(ns, f.dst)
			}
		}
	}
	// In ambient mode the kubelet's probes of a pod come from an address
	// that no route names (see ambientFlows). A probe of the pod's IPv6
	// address comes from another, which matters where the policies name
	// IPv6 blocks (namesIPv6), the sign of a dual-stack cluster.
	if d.Name == "ingress" {
		v6 := namesIPv6(pass, ns)
		for _, w := range g.WorkloadsIn(ns) {
			if !g.Ambient(w) || isolatedW(w) || !networkProbes(w) {
				continue
			}
			p, ok := workloadUnit(w)
			if !ok {
				return nil, nil, false
			}
			p.add(peerSpec{cidr: probeSource}, nil, "the kubelet's probes, which ambient mode sends from 169.254.7.127")
			if v6 {
				p.add(peerSpec{cidr: probeSource6}, nil, "the kubelet's probes of the pods' IPv6 address, which ambient mode sends from fd16:9254:7127:1337:ffff:ffff:ffff:ffff")
			}
		}
	}
	// The mesh routes that ns sees are open to every in-mesh workload of
	// it. When no policy of ns isolates a pod for egress (as when no
	// egress policy exists at all), one policy for every pod of ns opens
	// them, as exportTo opens a route to whole namespaces; else one per
	// workload, which leaves the pods that other policies isolate alone,
	// or, past maxEgressPeers destinations or workloads, policies for the
	// pods no policy isolates (complementSelectors), so that the file
	// does not hold the same rules for every workload.
	if len(mesh) > 0 {
		var ws []*graph.Workload
		for _, w := range g.WorkloadsIn(ns) {
			if g.InMesh(w) && !leftOut(w) {
				ws = append(ws, w)
			}
		}
		// Past maxEgressPeers destinations every client's rules are
		// grouped by namespace anyway: group the mesh flows once, and
		// share the grouped rules among the clients, rather than add
		// every flow to every client (a namespace of 200 workloads that
		// sees 10,000 routes would make two million rules, for each
		// namespace).
		var grouped map[string]*allowRule
		if distinctTo(mesh) > maxEgressPeers {
			// The grouped rules are shared (mergeShared), and
			// never changed: so they can be shared between namespaces.
			grouped = pass.Memo(groupedKey{meshKey}, func() any { return groupMesh(mesh) }).(map[string]*allowRule)
		}
		var clients []*allowPolicy
		if len(ws) > 0 && (!isolates || grouped != nil || len(ws) > maxEgressPeers) {
			clients, _ = open(ws)
		}
		if len(ws) > 0 && clients == nil {
			if grouped != nil && len(ws)*len(grouped) > maxSharedRules {
				return nil, nil, false // a file no one could review
			}
			for _, w := range ws {
				ps, ok := sourceUnits(workloadSources([]*graph.Workload{w})[0])
				if !ok {
					return nil, nil, false
				}
				if grouped != nil {
					ps[0].mergeShared(grouped)
					continue
				}
				for _, f := range mesh {
					if w != f.dst {
						ps[0].addKeyed(f.to.k, *f.to, f.ports, f.what)
					}
				}
			}
		}
		for _, p := range clients {
			if grouped != nil {
				p.mergeShared(grouped)
				continue
			}
			for _, f := range mesh {
				p.addKeyed(f.to.k, *f.to, f.ports, f.what)
			}
		}
	}
	if !excludeIsolated(g, ns, byKey, isolatedW) {
		return nil, nil, false
	}
	if d.Name == "ingress" && !portsDeclared(g, ns, byKey) {
		return nil, nil, false
	}
	ps, ok := nameAllowPolicies(byKey, d, nps, taken)
	return ps, host, ok
}

// hostClients are the host-networked workloads among the clients that
// the allows of an ingress deny admit. Their connections come from their
// node's address, which most network plugins match to no podSelector or
// namespaceSelector (Kubernetes leaves NetworkPolicy for host-networked
// pods undefined: see the network-policies concept page, "NetworkPolicy
// and hostNetwork pods"), so that the deny refuses them there whatever
// the allows say; and no manifest gives the nodes' addresses that an
// ipBlock could admit. The fix is still offered, as a platform engineer
// wants the deny, but its message and file name them.
//
// For egress, servers are the host-networked destinations that the
// allows name: they listen on their node's address, which those plugins
// match to no podSelector either, so that the deny cuts the calls to them
// there whatever the allows say. (No mesh route leads to one: the
// injector gives no host-networked pod a sidecar, and ambient mode does
// not capture them.)
type hostClients struct {
	// clients are the workloads' names, with their namespace when it is
	// not the deny's; dsts the destinations they call.
	clients, dsts map[string]bool
	// servers are the names of the host-networked destinations of the
	// egress allows, with their namespace when it is not the deny's.
	servers map[string]bool
	// byNS memoizes the host-networked workloads of a namespace.
	byNS map[string][]*graph.Workload
}

// add records the host-networked sources of f, a flow to a workload of
// namespace ns. A host-networked destination is left out: the deny does
// not isolate it on those plugins either.
func (h *hostClients) add(g *graph.Graph, ns string, f flow) {
	if hostNetworked(f.dst) || f.meshIdentity {
		return
	}
	for _, s := range f.srcs {
		switch {
		case s.w != nil:
			h.client(ns, s.w, f.dst)
		case s.all:
			ws, ok := h.byNS[s.ns]
			if !ok {
				ws = slices.DeleteFunc(slices.Clone(g.WorkloadsIn(s.ns)), func(w *graph.Workload) bool { return !hostNetworked(w) })
				if h.byNS == nil {
					h.byNS = map[string][]*graph.Workload{}
				}
				h.byNS[s.ns] = ws
			}
			for _, w := range ws {
				h.client(ns, w, f.dst)
			}
		}
	}
}

// client records w as a client of dst, in namespace ns, when it is
// host-networked and not dst itself.
func (h *hostClients) client(ns string, w, dst *graph.Workload) {
	if w == dst || !hostNetworked(w) {
		return
	}
	name := w.Name()
	if w.Namespace() != ns {
		name = w.Namespace() + "/" + name
	}
	if h.clients == nil {
		h.clients, h.dsts = map[string]bool{}, map[string]bool{}
	}
	h.clients[name], h.dsts[dst.Name()] = true, true
}

// server records dst, a destination that an egress allow of a workload
// of namespace ns names, when it is host-networked.
func (h *hostClients) server(ns string, dst *graph.Workload) {
	if !hostNetworked(dst) {
		return
	}
	name := dst.Name()
	if dst.Namespace() != ns {
		name = dst.Namespace() + "/" + name
	}
	if h.servers == nil {
		h.servers = map[string]bool{}
	}
	h.servers[name] = true
}

// serverNote says what the egress deny does to the calls to the
// host-networked destinations, for the fix's message and file; "" when
// there are none.
func (h *hostClients) serverNote() string {
	if h == nil || len(h.servers) == 0 {
		return ""
	}
	n := len(h.servers)
	return fmt.Sprintf("host-networked %s %s %s on %s, which most network plugins match to no podSelector or namespaceSelector: there the deny cuts the calls to %s whatever the allows of the file say, and no allow can name %s, as no manifest gives the nodes' addresses: allow those by ipBlock (the node CIDR) by hand where the calls must go on",
		wording.Plural(n, "destination", "destinations"), wording.List(firstNames(slices.Collect(maps.Keys(h.servers)))),
		wording.Plural(n, "listens", "listen"), wording.Plural(n, "its node's address", "their nodes' addresses"),
		wording.Plural(n, "it", "them"), wording.Plural(n, "it", "them"))
}

// note says what the deny does to the host-networked clients, for the
// fix's message and file; "" when there are none.
func (h *hostClients) note() string {
	if h == nil || len(h.clients) == 0 {
		return ""
	}
	n := len(h.clients)
	return fmt.Sprintf("host-networked %s %s, %s %s, %s from %s, which most network plugins match to no podSelector or namespaceSelector: there the deny refuses %s calls (but those to a pod of the same node, which some plugins let through), and no allow of the file can admit them, as no manifest gives the nodes' addresses: admit those by ipBlock by hand where %s must keep calling",
		wording.Plural(n, "workload", "workloads"), wording.List(firstNames(slices.Collect(maps.Keys(h.clients)))),
		wording.Plural(n, "a client of", "clients of"), wording.List(firstNames(slices.Collect(maps.Keys(h.dsts)))),
		wording.Plural(n, "connects", "connect"), wording.Plural(n, "its node's address", "their nodes' addresses"), wording.Plural(n, "its", "their"), wording.Plural(n, "it", "they"))
}

// maxSharedRules bounds the rules that the grouped mesh flows add to the
// policies of one namespace's workloads when complementSelectors cannot
// name the pods that no policy isolates: past it, the fix is withheld.
const maxSharedRules = 4096

// maxComplement bounds the selectors of complementSelectors.
const maxComplement = 4

// complementSelectors returns selectors that together select exactly the
// pods that no policy of nps isolates in direction d: each policy's
// selector is negated (one requirement of it, negated, excludes its
// pods), and a pod must escape every policy. ok is false past
// maxComplement selectors, or for a selector with an operator it cannot
// negate; it returns no selector when a policy isolates every pod.
func complementSelectors(nps []*graph.NetworkPolicy, d direction) ([]labels.Selector, bool) {
	out := []labels.Selector{{}}
	seen := map[string]bool{}
	for _, np := range nps {
		if !d.Isolates(np) {
			continue
		}
		sel := np.PodSelector
		if sel.Empty() {
			return nil, true
		}
		var negs []labels.Requirement
		for _, k := range slices.Sorted(maps.Keys(sel.MatchLabels)) {
			negs = append(negs, labels.Requirement{Key: k, Op: labels.NotIn, Values: []string{sel.MatchLabels[k]}})
		}
		for _, r := range sel.Exprs {
			n := labels.Requirement{Key: r.Key, Values: r.Values}
			switch r.Op {
			case labels.In:
				n.Op = labels.NotIn
			case labels.NotIn:
				n.Op = labels.In
			case labels.Exists:
				n.Op, n.Values = labels.DoesNotExist, nil
			case labels.DoesNotExist:
				n.Op, n.Values = labels.Exists, nil
			default:
				return nil, false
			}
			negs = append(negs, n)
		}
		k := fmt.Sprint(negs)
		if seen[k] {
			continue
		}
		seen[k] = true
		var next []labels.Selector
		for _, s := range out {
			for _, n := range negs {
				next = append(next, labels.Selector{MatchLabels: s.MatchLabels, Exprs: append(slices.Clip(s.Exprs), n)})
			}
		}
		if len(next) > maxComplement {
			return nil, false
		}
		out = next
	}
	return out, true
}

// excludeIsolated narrows the policies of byKey that select pods by
// labels so that they leave alone the workloads of ns that a policy
// isolates already (isolated): a workload whose labels include all of a
// policy's is kept out by a label it has and the policy's own pods (own)
// lack. It returns false when a workload has no such label.
func excludeIsolated(g *graph.Graph, ns string, byKey map[string]*allowPolicy, isolated func(*graph.Workload) bool) bool {
	var iso []*graph.Workload
	for _, w := range g.WorkloadsIn(ns) {
		if isolated(w) {
			iso = append(iso, w)
		}
	}
	if len(iso) == 0 {
		return true
	}
	isIso := make(map[*graph.Workload]bool, len(iso))
	for _, w := range iso {
		isIso[w] = true
	}
	for _, p := range byKey {
		if len(p.pods) == 0 || p.own == nil {
			continue
		}
		sel := labels.Selector{MatchLabels: p.pods, Exprs: p.exprs}
		// The graph's label index finds the workloads p.pods selects.
		for _, w := range g.SelectWorkloads(ns, p.pods) {
			if !isIso[w] {
				continue
			}
			if !sel.Matches(w.Labels) {
				continue
			}
			var key string
			for _, k := range slices.Sorted(maps.Keys(w.Labels)) {
				if _, ok := p.own[k]; !ok && validLabelKey(k) {
					key = k
					break
				}
			}
			if key == "" {
				return false
			}
			r := labels.Requirement{Key: key, Op: labels.DoesNotExist}
			p.exprs = append(p.exprs, r)
			sel.Exprs = p.exprs
		}
	}
	return true
}

// portsDeclared reports whether each port of the ingress rules of the
// policies of byKey is declared by a container of a workload of ns that
// the policy selects, when they all declare ports, as MR410 asks: a
// Service's numeric targetPort that the pods do not declare would make
// MR410 report the new policy.
func portsDeclared(g *graph.Graph, ns string, byKey map[string]*allowPolicy) bool {
	for _, p := range byKey {
		sel := labels.Selector{MatchLabels: p.pods, Exprs: p.exprs}
		var ws []*graph.Workload
		declared := true
		for _, w := range g.SelectWorkloads(ns, p.pods) {
			if sel.Matches(w.Labels) {
				ws = append(ws, w)
				declared = declared && w.DeclaresPorts()
			}
		}
		if !declared || len(ws) == 0 {
			continue
		}
		for _, r := range p.rules {
			for pr := range r.ports {
				if pr.port != 0 && !slices.ContainsFunc(ws, func(w *graph.Workload) bool { return w.HasPortIn(pr.proto, pr.lo(), pr.hi()) }) &&
					!anySidecarPort(ws, pr.proto, "", pr.lo(), pr.hi()) && !anyHBONEPort(g, ws, pr.proto, pr.lo(), pr.hi()) {
					return false
				}
			}
		}
	}
	return true
}

// distinctTo counts the destinations of flows.
// It stops counting past maxEgressPeers, which is all the caller asks.
func distinctTo(flows []*flow) int {
	seen := map[string]bool{}
	for _, f := range flows {
		seen[f.to.k] = true
		if len(seen) > maxEgressPeers {
			break
		}
	}
	return len(seen)
}

// groupMesh merges the mesh flows by destination namespace, as
// groupByNamespace would merge a client's rules. A client that is itself
// a destination then also gets its own namespace's destinations: the
// grouped rule opens the namespace's ports, and the flows the client
// would have left out only add their comments.
func groupMesh(mesh []*flow) map[string]*allowRule {
	p := &allowPolicy{rules: map[string]*allowRule{}}
	keys := map[string]string{} // by the joined namespaces
	for _, f := range mesh {
		nss := strings.Join(f.to.nss, ",")
		k, ok := keys[nss]
		peer := peerSpec{nss: f.to.nss}
		if !ok {
			k = peer.key()
			keys[nss] = k
		}
		p.addKeyed(k, peer, f.ports, f.what)
	}
	for _, r := range p.rules {
		r.shared = true
		r.top = firstSorted(r.whys, maxWhys)
	}
	return p.rules
}

// mergeShared adds the grouped rules to p, sharing those p has no rule of
// the key for, and marks p to be grouped by namespace as a whole.
func (p *allowPolicy) mergeShared(grouped map[string]*allowRule) {
	p.group = true
	for k, r := range grouped {
		if mine := p.rules[k]; mine != nil {
			mine = mine.own()
			p.rules[k] = mine
			mine.merge(r)
			continue
		}
		p.rules[k] = r
	}
}

// own returns r, or a copy of it when r is shared among policies, for the
// caller to change.
func (r *allowRule) own() *allowRule {
	if !r.shared {
		return r
	}
	return &allowRule{peer: r.peer, ports: maps.Clone(r.ports), any: r.any, whys: maps.Clone(r.whys)}
}

// merge adds the ports and flows of o to r.
func (r *allowRule) merge(o *allowRule) {
	r.any = r.any || o.any
	for pr := range o.ports {
		r.ports[pr] = true
	}
	for why := range o.whys {
		r.whys[why] = true
	}
}

// nameAllowPolicies returns the policies of byKey sorted, and names them
// (see allowPolicies).
func nameAllowPolicies(byKey map[string]*allowPolicy, d direction, nps []*graph.NetworkPolicy, taken map[string]bool) ([]*allowPolicy, bool) {
	ps := slices.Collect(maps.Values(byKey))
	order := make(map[*allowPolicy]string, len(ps))
	for _, p := range ps {
		order[p] = p.base + "\x00" + p.podsText() + "\x00" + p.key
	}
	slices.SortFunc(ps, func(a, b *allowPolicy) int { return strings.Compare(order[a], order[b]) })
	used := maps.Clone(taken)
	for _, np := range nps {
		used[np.Name()] = true
	}
	for _, p := range ps {
		if d.Name == "egress" && (len(p.rules) > maxEgressPeers || p.group) {
			p.groupByNamespace()
		}
		name := "allow-" + p.base + "-" + d.Name
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("allow-%s-%d-%s", p.base, i, d.Name)
		}
		if len(content.IsDNS1123Subdomain(name)) > 0 {
			return nil, false
		}
		used[name] = true
		p.name = name
	}
	return ps, true
}

// unnamedClients reports whether a workload of ns that the ingress deny
// would isolate (isolated is false for its labels) has clients that the
// input cannot name, so that no allow policy can keep them: the external
// clients of the pods of a Gateway, of a LoadBalancer or NodePort Service
// and of the backends of an Ingress or Route (whose controller's pods are
// not known), the API server and sidecars that call istiod, and the API
// server that calls the Service of an admission webhook (its address is
// the control plane's, which no NetworkPolicy peer names).
func unnamedClients(g *graph.Graph, ns string, isolated func(map[string]string) bool) bool {
	open := func(ws []*graph.Workload) bool {
		return slices.ContainsFunc(ws, func(w *graph.Workload) bool { return w.Namespace() == ns && !isolated(w.Labels) })
	}
	for _, gw := range g.Gateways {
		if open(gw.Workloads) {
			return true
		}
	}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() != ns {
			continue
		}
		if ws := g.GatewayAPIWorkloads(gw); open(ws) {
			return true
		} else if l := gw.IstioPodLabels(); len(ws) == 0 && l != nil && !isolated(l) {
			return true
		}
	}
	for _, w := range g.WorkloadsIn(ns) {
		if w.Labels["app"] == "istiod" && !isolated(w.Labels) {
			return true
		}
	}
	for _, s := range g.Services {
		if t := s.Spec.Type.V; s.Namespace() == ns && (t == "LoadBalancer" || t == "NodePort") && open(s.Workloads) {
			return true
		}
	}
	backends := func(bs []graph.IngressBackend) bool {
		return slices.ContainsFunc(bs, func(b graph.IngressBackend) bool { return b.Service != nil && open(b.Service.Workloads) })
	}
	for _, in := range g.Ingresses {
		if backends(in.Backends) {
			return true
		}
	}
	for _, r := range g.Routes {
		if backends(r.Backends) {
			return true
		}
	}
	// The API server calls the Services of admission webhooks.
	for _, wc := range g.WebhookConfigurations() {
		for _, h := range wc.Spec.Webhooks {
			ref := h.ClientConfig.Service
			if ref == nil || ref.Namespace.V != ns {
				continue
			}
			for _, s := range g.Services {
				if s.Namespace() == ns && s.Name() == ref.Name.V && open(s.Workloads) {
					return true
				}
			}
		}
	}
	return false
}

// groupByNamespace merges the egress rules of p by destination namespace.
// A rule whose peer is its namespaces already (those of groupMesh), and
// that no other rule merges into, is kept as it is: a merged copy would
// hold the same.
func (p *allowPolicy) groupByNamespace() {
	old := p.rules
	p.rules = make(map[string]*allowRule, len(old))
	keys := make(map[*allowRule]string, len(old))
	count := make(map[string]int, len(old))
	for k, r := range old {
		if !r.peer.nssOnly() {
			k = peerSpec{nss: r.peer.nss}.key()
		}
		keys[r] = k
		count[k]++
	}
	for _, r := range old {
		k := keys[r]
		if count[k] == 1 && r.peer.nssOnly() {
			p.rules[k] = r
			continue
		}
		g := p.rules[k]
		if g == nil {
			g = &allowRule{peer: peerSpec{nss: r.peer.nss}, ports: map[portRef]bool{}, whys: map[string]bool{}}
			p.rules[k] = g
		}
		g.merge(r)
	}
}

// nssOnly reports whether p is a peer of namespaces alone, which
// groupByNamespace writes.
func (p peerSpec) nssOnly() bool { return !p.anyNS && len(p.pods) == 0 && p.cidr == "" }

// maxWhys bounds the comment above a rule.
const maxWhys = 3

// hostPeerDirective suppresses MR412 on a rule of an allow whose peer
// selects host-networked pods alone: the peer serves the plugins that
// apply NetworkPolicy to such pods, and the reason tells what the others
// need.
const hostPeerDirective = "# meshlint:ignore MR412 -- for plugins that apply NetworkPolicy to host-networked pods; on the others this peer matches nothing: add an ipBlock of the node CIDR\n"

// writeAllowPolicies writes ps as YAML documents, each after "---". A
// rule whose peer selects host-networked pods alone (hostOnly) gets
// hostPeerDirective.
func writeAllowPolicies(b *strings.Builder, ps []*allowPolicy, ns string, explicit bool, d direction, hostOnly func(peerSpec) bool) {
	for _, p := range ps {
		verb, dir := "Admits", "to"
		if d.Name == "egress" {
			verb, dir = "Allows", "from"
		}
		fmt.Fprintf(b, "---\n# %s the traffic the manifests declare %s %s, which the default deny isolates.\n", verb, dir, podsDesc(p))
		writePolicyMeta(b, p.name, ns, explicit)
		switch {
		case len(p.exprs) > 0:
			fmt.Fprintf(b, "spec:\n  podSelector:%s\n", selectorYAML(labels.Selector{MatchLabels: p.pods, Exprs: p.exprs}))
		case len(p.pods) == 0:
			fmt.Fprintf(b, "spec:\n  podSelector: {}\n")
		default:
			fmt.Fprintf(b, "spec:\n  podSelector:\n    matchLabels: %s\n", p.podsText())
		}
		fmt.Fprintf(b, "  policyTypes: [%s]\n  %s:\n", d.Type, d.Name)
		keys := slices.Sorted(maps.Keys(p.rules))
		for _, k := range keys {
			r := p.rules[k]
			top := r.top
			if !r.shared {
				top = firstSorted(r.whys, maxWhys)
			}
			for _, w := range top {
				b.WriteString("  # ")
				b.WriteString(w)
				b.WriteByte('\n')
			}
			if len(r.whys) > maxWhys {
				fmt.Fprintf(b, "  # and %d more\n", len(r.whys)-maxWhys)
			}
			if hostOnly(r.peer) {
				b.WriteString("  " + hostPeerDirective)
			}
			field := "from"
			if d.Name == "egress" {
				field = "to"
			}
			fmt.Fprintf(b, "  - %s:\n", field)
			writePeer(b, r.peer, ns)
			if r.any || len(r.ports) == 0 {
				continue
			}
			ports := slices.Collect(maps.Keys(r.ports))
			slices.SortFunc(ports, func(a, b portRef) int {
				if a.port != b.port {
					return int(a.port - b.port)
				}
				if a.proto != b.proto {
					return strings.Compare(a.proto, b.proto)
				}
				return int(a.end - b.end)
			})
			b.WriteString("    ports:\n")
			for _, pr := range ports {
				b.WriteString("    - {protocol: ")
				b.WriteString(pr.proto)
				if pr.port != 0 {
					b.WriteString(", port: ")
					b.WriteString(strconv.FormatInt(pr.port, 10))
				}
				if pr.end > pr.port {
					b.WriteString(", endPort: ")
					b.WriteString(strconv.FormatInt(pr.end, 10))
				}
				b.WriteString("}\n")
			}
		}
	}
}

// firstSorted returns the n first keys of m in sorted order: a rule of a
// namespace that sees every mesh route may keep thousands of them open,
// whose comment names three.
func firstSorted(m map[string]bool, n int) []string {
	out := make([]string, 0, n+1)
	for k := range m {
		i, _ := slices.BinarySearch(out, k)
		if i == n {
			continue
		}
		out = slices.Insert(out, i, k)
		if len(out) > n {
			out = out[:n]
		}
	}
	return out
}

func podsDesc(p *allowPolicy) string {
	switch {
	case len(p.exprs) > 0 && p.own == nil:
		return "the pods of the namespace that no other policy isolates"
	case len(p.pods) == 0:
		return "every pod of the namespace"
	case len(p.exprs) > 0:
		return "the pods labelled " + strings.TrimSuffix(strings.TrimPrefix(p.podsText(), "{"), "}") + " that no other policy isolates"
	}
	return "the pods labelled " + strings.TrimSuffix(strings.TrimPrefix(p.podsText(), "{"), "}")
}

// writePeer writes p as the one entry of a from or to list of a policy of
// namespace ns. A peer of ns alone needs no namespaceSelector: the
// podSelector alone picks pods of the policy's namespace.
func writePeer(b *strings.Builder, p peerSpec, ns string) {
	first := "    - "
	rest := "      "
	if p.cidr != "" {
		// An IPv6 CIDR is quoted (yamlScalar): one that begins with ":"
		// does not read as a plain scalar.
		fmt.Fprintf(b, "%sipBlock: {cidr: %s}\n", first, yamlScalar(p.cidr))
		return
	}
	local := !p.anyNS && len(p.nss) == 1 && p.nss[0] == ns
	switch {
	case local && len(p.pods) == 0:
		b.WriteString(first + "podSelector: {}\n")
		return
	case local:
	case p.anyNS:
		b.WriteString(first + "namespaceSelector: {}\n")
		first = rest
	case len(p.nss) == 1:
		fmt.Fprintf(b, "%snamespaceSelector:\n%s  matchLabels: {%s: %s}\n", first, rest, metadataName, yamlScalar(p.nss[0]))
		first = rest
	default:
		vals := make([]string, len(p.nss))
		for i, n := range p.nss {
			vals[i] = yamlScalar(n)
		}
		fmt.Fprintf(b, "%snamespaceSelector:\n%s  matchExpressions:\n%s  - {key: %s, operator: In, values: [%s]}\n", first, rest, rest, metadataName, strings.Join(vals, ", "))
		first = rest
	}
	if len(p.pods) > 0 {
		fmt.Fprintf(b, "%spodSelector:\n%s  matchLabels: %s\n", first, rest, labelsFlow(p.pods))
	}
}

// specPeer is p as writePeer writes it in a policy of namespace ns.
func (p peerSpec) specPeer(ns string) spec.NetworkPolicyPeer {
	var out spec.NetworkPolicyPeer
	if p.cidr != "" {
		out.IPBlock = &spec.IPBlock{}
		return out
	}
	switch {
	case p.anyNS:
		out.NamespaceSelector = &spec.LabelSelector{}
	case len(p.nss) == 1 && p.nss[0] == ns:
	case len(p.nss) == 1:
		out.NamespaceSelector = &spec.LabelSelector{MatchLabels: map[string]string{metadataName: p.nss[0]}}
	default:
		out.NamespaceSelector = &spec.LabelSelector{MatchExpressions: []spec.LabelSelectorRequirement{{Key: spec.Str{V: metadataName}, Operator: spec.Str{V: string(labels.In)}, Values: p.nss}}}
	}
	if len(p.pods) > 0 || out.NamespaceSelector == nil {
		out.PodSelector = &spec.LabelSelector{MatchLabels: p.pods}
	}
	return out
}

// labelsFlow writes labels as a YAML flow mapping, sorted by key.
func labelsFlow(l map[string]string) string {
	switch len(l) {
	case 0:
		return "{}"
	case 1:
		for k, v := range l {
			return "{" + yamlScalar(k) + ": " + yamlScalar(v) + "}"
		}
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(yamlScalar(k))
		b.WriteString(": ")
		b.WriteString(yamlScalar(l[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// plainScalar is a string YAML reads back as the same string unquoted,
// unless it reads as another type (yamlSpecial).
var (
	plainScalar = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)
	yamlSpecial = regexp.MustCompile(`^(?i:y|n|yes|no|on|off|true|false|null|~|[-+]?(\.inf|\.nan))$|^[-+]?[0-9][0-9_.:eExXoO+-]*$|^[-+]?0[xXoObB]|^\.[0-9]`)
)

// yamlScalar writes s as a YAML string: plain when YAML reads that as the
// same string, else double-quoted (a label value such as "true" or "1.0"
// is a string, which Kubernetes requires).
func yamlScalar(s string) string {
	if plainWord(s) || plainScalar.MatchString(s) && !yamlSpecial.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// plainWord is the common case of yamlScalar without its regular
// expressions, which cost a quarter of a large tree's fixes: a letter,
// then letters, digits, "_", "-", "." or "/", and no word YAML 1.1 reads
// as a boolean or null. It may say false where the expressions say true.
func plainWord(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !strings.ContainsRune("0123456789_-./", rune(c)) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}

// serviceCalls are the calls within a namespace: its pods call the
// Services of their namespace by name, and most such calls have no
// route, AuthorizationPolicy or NetworkPolicy that names the clients. A
// workload behind a Service of its namespace stays open to the pods of
// that namespace on the ports the Service targets, and those pods may
// reach it: the flows of both directions. Calls from other namespaces
// are left to what declares them.
func (c *flowCollector) serviceCalls() {
	// The peer and sources are those of the namespace, made once for
	// its Services.
	type clients struct {
		from *peerSpec
		srcs []source
	}
	byNS := map[string]clients{}
	var ts []graph.BackendTarget
	for _, s := range c.g.Services {
		ns := s.Namespace()
		if len(s.Workloads) == 0 {
			continue
		}
		cl, ok := byNS[ns]
		if !ok {
			cl = clients{peerSpec{nss: []string{ns}}.ref(), []source{{all: true, open: true, ns: ns, name: "namespace"}}}
			byNS[ns] = cl
		}
		what := "Service " + ns + "/" + s.Name() + " for the calls of its own namespace, which no route or policy needs to name"
		if len(s.Spec.Ports) == 0 {
			// A headless Service without ports (a StatefulSet's
			// governing Service, most often) gives each pod a name
			// that its peers call on whatever port it listens on.
			c.headlessCalls(what, cl.from, cl.srcs, s, ns)
			continue
		}
		ts = ts[:0]
		for _, sp := range s.Spec.Ports {
			proto := sp.Protocol.V
			if proto == "" {
				proto = "TCP"
			}
			for _, w := range s.Workloads {
				if port := graph.TargetPort(sp, w); port > 0 && w.Namespace() == ns {
					ts = append(ts, graph.BackendTarget{Workload: w, Port: port, Protocol: proto})
				}
			}
		}
		c.add(what, cl.from, cl.srcs, ts, false)
	}
}

// headlessCalls adds the calls within namespace ns to the pods of s, a
// Service without ports: to the ports their containers declare, or to
// every port when they declare none (as MR410 reads them).
func (c *flowCollector) headlessCalls(what string, from *peerSpec, srcs []source, s *graph.Service, ns string) {
	for _, w := range s.Workloads {
		if w.Namespace() != ns {
			continue
		}
		if !w.DeclaresPorts() {
			c.addTo(flow{what: what, from: from, srcs: srcs, dst: w}, false)
			continue
		}
		var ports []portRef
		for ct := range w.ServingContainers() {
			for _, cp := range ct.Ports {
				proto := strings.ToUpper(cp.Protocol.V)
				if proto == "" {
					proto = "TCP"
				}
				pr := portRef{proto: proto, port: cp.ContainerPort.V}
				if _, ok := netpol.ParseProtocol(proto); ok && pr.port > 0 && !slices.Contains(ports, pr) {
					ports = append(ports, pr)
				}
			}
		}
		if len(ports) > 0 {
			c.addTo(flow{what: what, from: from, srcs: srcs, dst: w, ports: ports}, false)
		}
	}
}

// policyPeers are the pods that the rules of NetworkPolicy np name as
// peers in one direction, as far as the graph's label index needs to
// find candidates: the netpol engine decides.
type policyPeers struct {
	np *graph.NetworkPolicy
	// nsWide is set when a peer has a namespaceSelector: its pods may be
	// in any namespace; else they are in the policy's.
	nsWide bool
	// everyPod is set for a peer without podSelector, or an empty one;
	// anyLabels for one with expressions alone; labels are the
	// matchLabels of the others.
	everyPod, anyLabels bool
	labels              []map[string]string
}

// peersOf returns what the rules of np name in direction d, and false
// when they name no pod (no rules, or ipBlocks alone).
func peersOf(np *graph.NetworkPolicy, d direction) (*policyPeers, bool) {
	pp := &policyPeers{np: np}
	found := false
	for _, r := range d.Rules(np) {
		peers := r.From
		if d.Name == "egress" {
			peers = r.To
		}
		for _, peer := range peers {
			if peer.IPBlock != nil {
				continue
			}
			found = true
			pp.nsWide = pp.nsWide || peer.NamespaceSelector != nil
			switch ps := peer.PodSelector; {
			case ps == nil || len(ps.MatchLabels)+len(ps.MatchExpressions) == 0:
				pp.everyPod = true
			case len(ps.MatchLabels) > 0:
				pp.labels = append(pp.labels, ps.MatchLabels)
			default:
				pp.anyLabels = true
			}
		}
	}
	return pp, found
}

// mayName reports whether a peer of pp may select the pods of w.
func (pp *policyPeers) mayName(w *graph.Workload) bool {
	if !pp.nsWide && w.Namespace() != pp.np.Namespace() {
		return false
	}
	return pp.everyPod || pp.anyLabels || slices.ContainsFunc(pp.labels, func(l map[string]string) bool { return labels.SubsetOf(l, w.Labels) })
}

// policyCollector finds the flows of policyFlows.
type policyCollector struct {
	c *flowCollector
	a *netpol.Analysis
	// withWorkloads are the namespaces that have workloads.
	withWorkloads []string
	// fromAll holds, by namespace and destination, what the egress
	// policies that select every pod of the namespace allow beyond what
	// they allow everyone (allowedFromAll): its workloads' own
	// flows are what their other policies add (allowedBy).
	fromAll map[string]map[*graph.Workload]netpol.Set
}

// policyFlows are the flows that the input's other NetworkPolicies
// declare. An ingress rule that admits pods names them as clients of the
// pods its policy selects: the egress deny of the clients' namespace must
// let them call, on the ports the rule allows. An egress rule that allows
// pods names them as destinations: the ingress deny of their namespace
// must admit the policy's pods. What the policies allow between two pods
// is the answer of the netpol engine (a), which reads the selectors,
// namespace labels and named ports as every other rule does. What they
// allow from, or to, every pod and every address alike (a rule without
// peers, an admin network of 0.0.0.0/0) names no pod, and declares
// nothing (everyone). An ipBlock of either family holds no pod, as the
// engine reads it: 0.0.0.0/0 beside a peer that names pods on the same
// port takes nothing from their flow, no more than ::/0 does.
//
// The flows are of one direction each: the other side is isolated
// already, by the policy that declares them.
func (c *flowCollector) policyFlows(a *netpol.Analysis) {
	g := c.g
	pc := &policyCollector{c: c, a: a}
	for _, ns := range g.NamespaceNames() {
		if len(g.WorkloadsIn(ns)) > 0 {
			pc.withWorkloads = append(pc.withWorkloads, ns)
		}
	}
	for _, d := range []direction{ingress, egress} {
		byWorkload := map[*graph.Workload][]*policyPeers{}
		var order []*graph.Workload
		everyPod := map[string][]*policyPeers{} // by namespace, the policies that select every pod
		var nss []string
		for _, np := range g.NetworkPolicies {
			if !d.Isolates(np) || len(np.Workloads) == 0 {
				continue
			}
			pp, ok := peersOf(np, d)
			if !ok {
				continue
			}
			if np.PodSelector.Empty() {
				if everyPod[np.Namespace()] == nil {
					nss = append(nss, np.Namespace())
				}
				everyPod[np.Namespace()] = append(everyPod[np.Namespace()], pp)
			}
			for _, w := range np.Workloads {
				if byWorkload[w] == nil {
					order = append(order, w)
				}
				byWorkload[w] = append(byWorkload[w], pp)
			}
		}
		if d.Name == "ingress" {
			for _, w := range order {
				pc.admittedBy(w, byWorkload[w])
			}
			continue
		}
		for _, ns := range nss {
			pc.allowedFromAll(ns, everyPod[ns])
		}
		for _, w := range order {
			// The policies that select every pod of w's namespace are
			// allowedFromAll's: w needs its own flows only for the
			// others.
			own := slices.DeleteFunc(slices.Clone(byWorkload[w]), func(pp *policyPeers) bool { return pp.np.PodSelector.Empty() })
			if len(own) > 0 {
				pc.allowedBy(w, own)
			}
		}
	}
}

// namespaces are those that the peers of pps may select pods in.
func (pc *policyCollector) namespaces(pps []*policyPeers) []string {
	var out []string
	for _, pp := range pps {
		if pp.nsWide {
			return pc.withWorkloads
		}
		if !slices.Contains(out, pp.np.Namespace()) {
			out = append(out, pp.np.Namespace())
		}
	}
	return out
}

// everyPodIn reports whether a peer of pps may select every pod of ns:
// only then may the engine's answer for a pod of ns with any labels
// (netpol.AnyPodIn) be other than for none.
func everyPodIn(pps []*policyPeers, ns string) bool {
	return slices.ContainsFunc(pps, func(pp *policyPeers) bool { return pp.everyPod && (pp.nsWide || pp.np.Namespace() == ns) })
}

// candidates are the workloads of ns that the peers of pps may select;
// all of them when every is set.
func (pc *policyCollector) candidates(ns string, pps []*policyPeers, every bool) []*graph.Workload {
	g := pc.c.g
	var out []*graph.Workload
	for _, pp := range pps {
		if !pp.nsWide && pp.np.Namespace() != ns {
			continue
		}
		if every || pp.everyPod || pp.anyLabels {
			return g.WorkloadsIn(ns)
		}
		for _, l := range pp.labels {
			for _, w := range g.SelectWorkloads(ns, l) {
				if !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// why names, for a flow's comment, the policies of pps whose peers may
// select w (every pod of w's namespace when w is nil, in namespace ns).
func why(pps []*policyPeers, w *graph.Workload, ns, verb string) string {
	var names []string
	for _, pp := range pps {
		ok := pp.everyPod && (pp.nsWide || pp.np.Namespace() == ns)
		if w != nil {
			ok = pp.mayName(w)
		}
		if n := pp.np.Namespace() + "/" + pp.np.Name(); ok && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch len(names) {
	case 0:
		return "NetworkPolicy " + verb + "s these calls"
	case 1:
		return fmt.Sprintf("NetworkPolicy %s %ss these calls", names[0], verb)
	}
	return fmt.Sprintf("NetworkPolicies %s %s these calls", strings.Join(names, ", "), verb)
}

// everyone is what a side allows every pod and every IPv4 address alike
// (allowed answers for one peer): what a rule without peers, or an admin
// network of 0.0.0.0/0, allows. An ipBlock of 0.0.0.0/0 alone allows
// every address but no pod, and counts for nothing here.
func everyone(allowed func(netpol.Endpoint) netpol.Set) netpol.Set {
	return allowed(netpol.ExternalEndpoint(netpol.AllIPs)).Intersect(allowed(netpol.AnyPod()))
}

// admittedBy adds the flows to dst that the ingress rules of its
// policies (pps) declare: from the pods that they admit beyond what they
// admit from everyone, every pod of a namespace at once where they admit
// them all. The flows concern the clients' egress.
func (pc *policyCollector) admittedBy(dst *graph.Workload, pps []*policyPeers) {
	a := pc.a
	to := netpol.WorkloadEndpoint(dst)
	ext := everyone(func(from netpol.Endpoint) netpol.Set { return a.IngressAllowed(from, to) })
	for _, ns := range pc.namespaces(pps) {
		var every netpol.Set
		if everyPodIn(pps, ns) {
			every = a.IngressAllowed(netpol.AnyPodIn(ns), to).Subtract(ext)
		}
		if !every.IsEmpty() {
			pc.c.addTo(flow{what: why(pps, nil, ns, "admit"), from: peerSpec{nss: []string{ns}}.ref(),
				srcs: []source{{all: true, open: true, ns: ns, name: "namespace"}}, dst: dst, ports: setPorts(every)}, false)
		}
		for _, s := range pc.candidates(ns, pps, false) {
			if s == dst {
				continue
			}
			set := a.IngressAllowed(netpol.WorkloadEndpoint(s), to).Subtract(ext).Subtract(every)
			if !set.IsEmpty() {
				pc.c.addTo(flow{what: why(pps, s, ns, "admit"), from: workloadPeer(s), srcs: workloadSources([]*graph.Workload{s}),
					dst: dst, ports: setPorts(set)}, false)
			}
		}
	}
}

// allowedFromAll adds the flows that the egress rules of the policies of
// namespace ns that select every pod (pps) declare: to the pods that
// they allow beyond what they allow everyone. The flows concern the
// destinations' ingress.
func (pc *policyCollector) allowedFromAll(ns string, pps []*policyPeers) {
	from := netpol.AnyPodIn(ns)
	peer := peerSpec{nss: []string{ns}}.ref()
	srcs := []source{{all: true, ns: ns, name: "namespace"}}
	all := map[*graph.Workload]netpol.Set{}
	if pc.fromAll == nil {
		pc.fromAll = map[string]map[*graph.Workload]netpol.Set{}
	}
	pc.fromAll[ns] = all
	// The comment names the policies by the destination: why of every
	// pod (nil) names only those whose peers select every pod, none when
	// they select by labels.
	pc.allowed(from, peer, srcs, pps, nil, all, func(d *graph.Workload) string { return why(pps, d, d.Namespace(), "allow") })
}

// allowedBy adds the flows that the egress rules of src's policies that
// select it by labels (pps) declare, beyond those of every pod of its
// namespace (allowedFromAll).
func (pc *policyCollector) allowedBy(src *graph.Workload, pps []*policyPeers) {
	pc.allowed(netpol.WorkloadEndpoint(src), workloadPeer(src), workloadSources([]*graph.Workload{src}), pps, pc.fromAll[src.Namespace()], nil,
		func(d *graph.Workload) string { return why(pps, d, d.Namespace(), "allow") })
}

// allowed adds the flows from the pods of from, whose peer and sources
// they are, to the workloads that pps may name: what the policies allow
// beyond what they allow everyone (everyone) and beyond base, and
// records them in record when it is set. A port the destination's
// containers do not declare, when they declare theirs, is left out:
// nothing listens there (MR410 would report the allow).
//
// base is what every pod of the source's namespace gets
// (allowedFromAll's record): a workload's own policies add to it, and
// the policies of every pod name only the destinations it holds beyond
// what they allow everyone, which ext takes away.
func (pc *policyCollector) allowed(from netpol.Endpoint, peer *peerSpec, srcs []source, pps []*policyPeers, base, record map[*graph.Workload]netpol.Set, what func(*graph.Workload) string) {
	a := pc.a
	ext := everyone(func(to netpol.Endpoint) netpol.Set { return a.EgressAllowed(from, to) })
	for _, ns := range pc.namespaces(pps) {
		every := everyPodIn(pps, ns) && !a.EgressAllowed(from, netpol.AnyPodIn(ns)).Subtract(ext).IsEmpty()
		for _, d := range pc.candidates(ns, pps, every) {
			if srcs[0].w == d {
				continue
			}
			to := netpol.WorkloadEndpoint(d)
			set := a.EgressAllowed(from, to).Subtract(ext).Subtract(base[d])
			if set.IsEmpty() {
				continue
			}
			if record != nil {
				record[d] = set
			}
			ports := declaredPorts(pc.c.g, d, setPorts(set))
			if ports != nil && len(ports) == 0 {
				continue
			}
			pc.c.addIngress(flow{what: what(d), from: peer, srcs: srcs, dst: d, ports: ports, unselectable: peer.pods == nil && srcs[0].w != nil})
		}
	}
}

// workloadPeer is the peer of w's pods: its namespace and labels.
func workloadPeer(w *graph.Workload) *peerSpec {
	return peerSpec{nss: []string{w.Namespace()}, pods: selectable(w.Labels)}.ref()
}

// setPorts are the ports of s: nil for every port.
func setPorts(s netpol.Set) []portRef {
	if s.IsAll() {
		return nil
	}
	out := []portRef{}
	for _, proto := range netpol.Protocols {
		for _, r := range s.Ranges(proto) {
			pr := portRef{proto: proto.String(), port: int64(r.Lo)}
			switch {
			case r.Lo == netpol.MinPort && r.Hi == netpol.MaxPort:
				pr.port = 0
			case r.Hi > r.Lo:
				pr.end = int64(r.Hi)
			}
			out = append(out, pr)
		}
	}
	return out
}

// declaredPorts are the ports of ps that w declares, when its containers
// declare their ports (as MR410 checks): its sidecar's ports and, in
// ambient mode, HBONE's count as declared. nil (every port) stays nil.
func declaredPorts(g *graph.Graph, w *graph.Workload, ps []portRef) []portRef {
	if ps == nil || !w.DeclaresPorts() {
		return ps
	}
	ws := []*graph.Workload{w}
	out := ps[:0:0]
	for _, pr := range ps {
		if pr.port == 0 || w.HasPortIn(pr.proto, pr.lo(), pr.hi()) || anySidecarPort(ws, pr.proto, "", pr.lo(), pr.hi()) ||
			anyHBONEPort(g, ws, pr.proto, pr.lo(), pr.hi()) {
			out = append(out, pr)
		}
	}
	return out
}

// Kubernetes refuses a NetworkPolicy whose selector holds a label that is
// no valid label, and applying the deny's file would then leave the deny
// without its allows. A pod with such a label is refused too, but the
// input may still hold one (a typo, a value that templating left
// unquoted or too long): the allows select its pods by their other
// labels, a selector that selects them, and maybe more.

// selectable returns the labels of l that a label selector may hold: l
// itself when they all are, nil when none is. A release label
// (graph.ReleaseLabel: helm.sh/chart, app.kubernetes.io/version) is left
// out too: the next release of the chart changes it, and the policy
// would stop selecting the pods.
func selectable(l map[string]string) map[string]string {
	for k, v := range l {
		if !validLabelKey(k) || !validLabelValue(v) || graph.ReleaseLabel(k) {
			out := map[string]string{}
			for k, v := range l {
				if validLabelKey(k) && validLabelValue(v) && !graph.ReleaseLabel(k) {
					out[k] = v
				}
			}
			if len(out) == 0 {
				return nil
			}
			return out
		}
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

// validLabelKey reports whether k is a valid label key, as apimachinery's
// content.IsLabelKey: an optional DNS subdomain prefix and "/", then a
// name. It is written out because the fix checks the labels of every
// flow's pods, and the regular expressions would cost a large tree's run
// much.
func validLabelKey(k string) bool {
	prefix, name, ok := strings.Cut(k, "/")
	if !ok {
		return name63(prefix)
	}
	return dnsSubdomain(prefix) && name63(name)
}

// validLabelValue reports whether v is a valid label value, as
// content.IsLabelValue: empty, or a name of 63 characters at most.
func validLabelValue(v string) bool { return v == "" || name63(v) }

// name63 reports whether s is 1 to 63 letters, digits, "-", "_" and ".",
// beginning and ending with a letter or digit.
func name63(s string) bool {
	if s == "" || len(s) > 63 || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !alnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return isLetter(c) || '0' <= c && c <= '9' }

// dnsSubdomain reports whether s is a DNS-1123 subdomain: at most 253
// characters, lower-case labels of letters, digits and "-" that begin and
// end with a letter or digit, joined by ".".
func dnsSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			lower := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
			if !lower && (c != '-' || i == 0 || i == len(label)-1) {
				return false
			}
		}
	}
	return true
}
