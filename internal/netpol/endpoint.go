package netpol

import (
	"sort"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
)

// Pod describes a pod by its namespace and labels rather than as a
// workload of the input, to ask questions such as "can any pod of
// namespace X reach this workload?".
type Pod struct {
	// Namespace is the pod's namespace. Empty means a namespace nothing
	// is known about: only selectors that accept every namespace match.
	Namespace string
	// Labels are the pod's labels. With AnyLabels nothing is known about
	// them: only pod selectors that match every pod match.
	Labels    map[string]string
	AnyLabels bool
	// Ports are its named container ports, for policies that name ports.
	Ports []ContainerPort
	// HostNetwork is set for a pod on its node's network, which admin
	// policies' subjects and pod peers never select.
	HostNetwork bool
	// NamespaceLabelsUnknown is set for a namespace that the input does
	// not declare, to ask what its other labels could change: a
	// namespace selector matches it unless it requires a
	// kubernetes.io/metadata.name other than the name, the one label
	// Kubernetes sets. Without it, the namespace carries that label alone.
	NamespaceLabelsUnknown bool
}

// ContainerPort is a named container port of a Pod.
type ContainerPort struct {
	Name     string
	Protocol Protocol
	Port     int
}

// ingressController is the source of Ingress and Route traffic: a pod in
// an unknown namespace with unknown labels, admitted only by peers that
// match every pod of every namespace.
var ingressController = &Pod{AnyLabels: true}

// unknownPod stands for any pod that no selector of a side names, and
// unknownHostPod for any host-networked one, which admin selectors of
// every pod do not name either.
var (
	unknownPod     = &Pod{AnyLabels: true}
	unknownHostPod = &Pod{AnyLabels: true, HostNetwork: true}
)

// unknownFor is the unknown pod that stands for the workloads of class cl.
func unknownFor(cl *class) *Pod {
	if cl.host {
		return unknownHostPod
	}
	return unknownPod
}

// openToUnknown reports whether side s, an ingress side with ports dst,
// lets something through from some pod that no rule of s names.
func (a *Analysis) openToUnknown(s *side, dst portMap) bool {
	if !eval(s, &peer{a: a, pod: unknownPod}, dst).IsEmpty() {
		return true
	}
	return a.hostNetwork && !eval(s, &peer{a: a, pod: unknownHostPod}, dst).IsEmpty()
}

// IngressControllerName is how the ingress controller is written.
const IngressControllerName = "{ingress-controller}"

// Endpoint is a source or destination of connections: a workload of the
// input, a pod described by labels, or a range of external addresses.
type Endpoint struct {
	Workload *graph.Workload
	Pod      *Pod
	// External is set for addresses outside the cluster, IPs their range;
	// for IPv6 addresses V6 is set too and IPs6 is their range.
	External bool
	IPs      IPRange
	V6       bool
	IPs6     IPv6Range
}

// WorkloadEndpoint is a workload of the input.
func WorkloadEndpoint(w *graph.Workload) Endpoint { return Endpoint{Workload: w} }

// PodEndpoint is a pod described by its labels.
func PodEndpoint(p *Pod) Endpoint { return Endpoint{Pod: p} }

// ExternalEndpoint is a range of addresses outside the cluster.
func ExternalEndpoint(r IPRange) Endpoint { return Endpoint{External: true, IPs: r} }

// ExternalEndpoint6 is a range of IPv6 addresses outside the cluster,
// which only the IPv6 ipBlocks and networks of policies name.
func ExternalEndpoint6(r IPv6Range) Endpoint { return Endpoint{External: true, V6: true, IPs6: r} }

// AnyPod is a pod of unknown namespace and labels: what "any pod of the
// cluster" can do, as only selectors that match every pod admit it.
func AnyPod() Endpoint { return Endpoint{Pod: &Pod{AnyLabels: true}} }

// AnyPodIn is a pod of namespace ns with unknown labels: what "any pod of
// ns" can do.
func AnyPodIn(ns string) Endpoint { return Endpoint{Pod: &Pod{Namespace: ns, AnyLabels: true}} }

// IngressController is the cluster's ingress controller, the source of
// the traffic of Ingresses and Routes. Its namespace and labels are
// unknown.
func IngressController() Endpoint { return Endpoint{Pod: ingressController} }

// IsIngressController reports whether e is the ingress controller.
func (e Endpoint) IsIngressController() bool { return e.Pod == ingressController }

// String names the endpoint as np-guard's connlist does: ns/name[Kind]
// for a workload, first-last[External] for addresses, and
// {ingress-controller}.
func (e Endpoint) String() string {
	switch {
	case e.Workload != nil:
		return WorkloadName(e.Workload)
	case e.External && e.V6:
		return e.IPs6.String() + "[External]"
	case e.External:
		return e.IPs.String() + "[External]"
	case e.Pod == ingressController:
		return IngressControllerName
	case e.Pod != nil:
		ns, ls := e.Pod.Namespace, "{"+labels.String(e.Pod.Labels)+"}"
		if ns == "" {
			ns = "*"
		}
		if e.Pod.AnyLabels {
			ls = "*"
		}
		return ns + "/" + ls + "[Pod]"
	}
	return "?"
}

// WorkloadName names a workload as np-guard does: namespace/name[Kind],
// where a Pod with an ownerReference is named after its owner (the
// controller one, else the first).
func WorkloadName(w *graph.Workload) string {
	kind, name := w.KindName(), w.Name()
	if k, n, ok := owner(w); ok {
		kind, name = k, n
	}
	return w.Namespace() + "/" + name + "[" + kind + "]"
}

// owner is a Pod's owner, from its ownerReferences.
func owner(w *graph.Workload) (kind, name string, ok bool) {
	if w.Obj.Kind != "Pod" || w.Obj.OwnerKind == "" {
		return "", "", false
	}
	return w.Obj.OwnerKind, w.Obj.OwnerName, true
}

// listEndpoints picks one workload per name, the first in input order:
// the pods of one owner are one endpoint.
func (a *Analysis) listEndpoints(g *graph.Graph) {
	a.names = make(map[*graph.Workload]string, len(g.Workloads))
	first := map[string]*graph.Workload{}
	for _, w := range g.Workloads {
		n := WorkloadName(w)
		a.names[w] = n
		if f, dup := first[n]; dup {
			if labels.String(f.Labels) != labels.String(w.Labels) {
				a.warnings = append(a.warnings, Warning{Obj: w.Obj, Loc: w.Obj.NameLoc,
					Msg: "Pod " + w.Namespace() + "/" + w.Name() + " is listed as " + n + " but its labels differ from those of " + string(f.Obj.Kind) + " " + f.Name() + "; meshlint reach uses the first"})
			}
			continue
		}
		first[n] = w
		a.endpoints = append(a.endpoints, w)
	}
	sort.SliceStable(a.endpoints, func(i, j int) bool { return a.names[a.endpoints[i]] < a.names[a.endpoints[j]] })
}

// Workloads returns the workloads that results list, one per name, sorted
// by name.
func (a *Analysis) Workloads() []*graph.Workload {
	a.list()
	return a.endpoints
}

// ExternalSources returns the external ranges that results list as
// sources: 0.0.0.0/0 cut by the ipBlocks of ingress rules.
func (a *Analysis) ExternalSources() []IPRange { return a.extParts[Ingress] }

// ExternalDestinations returns the external ranges that results list as
// destinations: 0.0.0.0/0 cut by the ipBlocks of egress rules and the
// networks of admin policies.
func (a *Analysis) ExternalDestinations() []IPRange { return a.extParts[Egress] }

// ExternalSources6 and ExternalDestinations6 are ExternalSources and
// ExternalDestinations for IPv6: ::/0 cut by the IPv6 blocks. Results do
// not list them; each is a range whose addresses every policy treats
// alike, to ask about with ExternalEndpoint6.
func (a *Analysis) ExternalSources6() []IPv6Range { return partition6(a.blocks[Ingress], AllIPv6) }

// ExternalDestinations6 is described with ExternalSources6.
func (a *Analysis) ExternalDestinations6() []IPv6Range { return partition6(a.blocks[Egress], AllIPv6) }

// podMatches evaluates a selector on a described pod.
func (a *Analysis) podMatches(sel int, p *Pod) bool {
	s := a.sels[sel]
	if s.admin && p.HostNetwork {
		return false
	}
	switch {
	case p.Namespace == "":
		if !s.anyNamespace() {
			return false
		}
	case p.NamespaceLabelsUnknown:
		if !s.mayMatchNamespace(p.Namespace) {
			return false
		}
	default:
		nsLabels, ok := a.namespaces[p.Namespace]
		if !ok {
			nsLabels = map[string]string{graph.NamespaceNameLabel: p.Namespace}
		}
		if !s.matchNamespace(p.Namespace, nsLabels) {
			return false
		}
	}
	if p.AnyLabels {
		return s.pod.Empty()
	}
	return s.pod.Matches(p.Labels)
}

func (p *Pod) portMap() portMap {
	if len(p.Ports) == 0 {
		return nil
	}
	pm := portMap{}
	for _, cp := range p.Ports {
		if _, dup := pm[cp.Name]; !dup && cp.Name != "" {
			pm[cp.Name] = resolvedPort{cp.Protocol, cp.Port}
		}
	}
	return pm
}

// podOf describes a workload that is not part of the analysis.
func podOf(w *graph.Workload) *Pod {
	p := &Pod{Namespace: w.Namespace(), Labels: w.Labels, HostNetwork: w.Spec.Spec.HostNetwork.V}
	for c := range w.ServingContainers() {
		for _, cp := range c.Ports {
			if proto, ok := ParseProtocol(cp.Protocol.V); ok && cp.Name.V != "" {
				p.Ports = append(p.Ports, ContainerPort{Name: cp.Name.V, Protocol: proto, Port: int(cp.ContainerPort.V)})
			}
		}
	}
	return p
}

// subject returns the side of an endpoint in direction d, and the ports
// its named ports resolve to.
func (a *Analysis) subject(e Endpoint, d Direction) (*side, portMap) {
	if e.Workload != nil {
		if cl := a.classOf[e.Workload]; cl != nil {
			return cl.side[d], cl.ports
		}
		e = PodEndpoint(podOf(e.Workload))
	}
	p := e.Pod
	return a.sideOf(d, func(id int) bool { return a.podMatches(id, p) }), p.portMap()
}

// evalTowards evaluates side s against endpoint e. An external range is
// cut by the direction's blocks; the result holds what every address of
// the range gets.
func (a *Analysis) evalTowards(s *side, d Direction, e Endpoint, dst portMap) Set {
	switch {
	case e.External && e.V6:
		out := All()
		for _, r := range partition6(a.blocks[d], e.IPs6) {
			out = out.Intersect(eval(s, &peer{a: a, ext: true, v6: true, ip6: r}, dst))
		}
		return out
	case e.External:
		out := All()
		for _, r := range partition(a.blocks[d], e.IPs) {
			out = out.Intersect(eval(s, &peer{a: a, ext: true, ip: r}, dst))
		}
		return out
	case e.Workload != nil:
		if cl := a.classOf[e.Workload]; cl != nil {
			return eval(s, &peer{a: a, cl: cl}, dst)
		}
		return eval(s, &peer{a: a, pod: podOf(e.Workload)}, dst)
	case e.Pod != nil:
		return eval(s, &peer{a: a, pod: e.Pod}, dst)
	}
	return None()
}

func (a *Analysis) ports(e Endpoint) portMap {
	switch {
	case e.Workload != nil:
		if cl := a.classOf[e.Workload]; cl != nil {
			return cl.ports
		}
		return podOf(e.Workload).portMap()
	case e.Pod != nil:
		return e.Pod.portMap()
	}
	return nil
}

// EgressAllowed returns what the policies on src's egress allow towards
// dst. External sources have no policies: everything.
func (a *Analysis) EgressAllowed(src, dst Endpoint) Set {
	if src.External {
		return All()
	}
	s, _ := a.subject(src, Egress)
	return a.evalTowards(s, Egress, dst, a.ports(dst))
}

// IngressAllowed returns what the policies on dst's ingress allow from
// src. External destinations have no policies: everything.
func (a *Analysis) IngressAllowed(src, dst Endpoint) Set {
	if dst.External {
		return All()
	}
	s, pm := a.subject(dst, Ingress)
	return a.evalTowards(s, Ingress, src, pm)
}

// AdminTiersAllowed returns what the admin network policies decide for a
// pod of namespace ns, whatever its labels, in direction d: from e for
// ingress, towards e for egress, as IngressAllowed and EgressAllowed
// answer, but with the NetworkPolicies' rules left out. The admin tier
// applies first; the baseline tier then decides, unless a NetworkPolicy
// that selects every pod of ns isolates them for d, which leaves the
// baseline no pod of ns. So it is what a namespace without a default-deny
// NetworkPolicy leaves open to a pod that no policy selects. The
// policies that decide come with it, in the order they apply: those
// whose subject holds every pod of ns.
func (a *Analysis) AdminTiersAllowed(ns string, d Direction, e Endpoint) (Set, []*manifest.Object) {
	p := &Pod{Namespace: ns, AnyLabels: true}
	applying := func(ps []*policy, applies func(*policy) bool) []*policy {
		var out []*policy
		for _, pol := range ps {
			if applies(pol) && a.podMatches(pol.subject, p) {
				out = append(out, pol)
			}
		}
		return out
	}
	hasRules := func(pol *policy) bool { return len(pol.rules[d]) > 0 }
	var banps []*policy
	if len(applying(a.nps, func(pol *policy) bool { return pol.isolates[d] })) == 0 {
		banps = applying(a.banps, hasRules)
	}
	s := a.newSide(d, applying(a.anps, hasRules), nil, banps)
	// Named ports resolve on the destination: the peer for egress; for
	// ingress this pod, whose ports are unknown.
	var dst portMap
	if d == Egress {
		dst = a.ports(e)
	}
	return a.evalTowards(s, d, e, dst), s.policies
}

// Allowed returns the connections from src to dst that both src's egress
// and dst's ingress allow. Connections between two external ranges are
// outside the model and come back empty.
func (a *Analysis) Allowed(src, dst Endpoint) Set {
	if src.External && dst.External {
		return None()
	}
	e := a.EgressAllowed(src, dst)
	if e.IsEmpty() {
		return e
	}
	return e.Intersect(a.IngressAllowed(src, dst))
}
