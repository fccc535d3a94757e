package netpol

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// PortNotExposed reports policy ports that no selected container exposes.
var PortNotExposed = &rules.Rule{
	ID:      "MR410",
	Name:    "networkpolicy-port-not-exposed",
	Summary: "network policy port is exposed by no container it applies to",
	Doc: `An ingress rule's ports are ports of the selected pods. A port name resolves against
the selected pod's container ports, by name and protocol: a name no selected container
declares allows nothing, so the traffic it was written for is dropped. A port number that no
selected container declares usually means the policy names the Service port (80) instead of
the container port it targets (8080): NetworkPolicies see the pod's port, after the Service
translated it.

The rule checks the ingress rules of each policy against the workloads it selects: a named
port must be declared (with its protocol) by one of them; a number (or ` + "`port`" + `-` + "`endPort`" + ` range)
must be declared by one of them, checked only when every selected workload declares its
ports, since a container may listen on ports it does not declare. Egress ports belong to the
destinations: with the closed-world setting, an egress port name that no workload of the
input declares is reported too. An egress port number is reported when it is a Service's port
rather than its pods': the rule's peers are all pods of the policy's namespace, none of them
declares the port though all declare theirs, and a Service of the namespace has the port and
sends it to another port of those pods. A client connects to the Service, but the policy sees
the connection after the Service translated it (kube-proxy's DNAT, or the sidecar connecting
to the pod's address), on the pod's port. Workloads that get an injected sidecar also listen
on the proxy's ports 15020 (merged Prometheus metrics), 15021 (health) and 15090 (Envoy metrics,
named ` + "`http-envoy-prom`" + `), and workloads in ambient mode on ztunnel's HBONE port, TCP 15008,
where mesh traffic arrives (a policy of an ambient pod must admit it): their pod template
shows neither.

A NetworkPolicy the API server refuses (MR001, MR027) is checked too, as it would be once
corrected (its policyTypes read regardless of case), and the message says so: the cluster does
not hold it yet, but a port that no container exposes is a second mistake that correcting the
first would leave, and finding it only on the next run would cost a round trip. A port entry
that is itself refused (a port out of range, a bad name, an endPort the API server refuses) is
left to those rules.`,
	Bad:      apiPortExample("80"),
	Good:     apiPortExample("http"),
	Severity: rules.Warning,
	Inputs:   inputs(kinds.NetworkPolicy),
	Deps:     rules.DepINJ | rules.DepPEER | rules.DepOrder,
	Run:      runPortNotExposed,
}

// apiPortExample is Deployment shop/api, whose container port 8080 is
// named http, and the NetworkPolicy that admits its pods on port: the
// examples of MR410.
func apiPortExample(port string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api:1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - ports: [{port: ` + port + `}]
`
}

func runPortNotExposed(p *rules.Pass) error {
	g := p.Graph
	for _, np := range g.NetworkPolicies {
		checkPolicyPorts(p, np, portWording{allows: "allows", nothing: "the entry allows nothing"}, nil)
	}
	for _, r := range g.RefusedNetworkPolicies {
		if r.Spec == nil {
			continue
		}
		w := portWording{
			which:   fmt.Sprintf(", which the API server refuses (%s),", r.Why),
			allows:  "would allow",
			nothing: "the entry would allow nothing",
			once:    " once the API server accepts the policy",
		}
		checkPolicyPorts(p, refusedAsAccepted(g, r), w, refusedPorts(r))
	}
	return nil
}

// portWording is what the messages say of a policy: an accepted one, or
// one the API server refuses, whose findings are what correcting the
// refusal would leave.
type portWording struct {
	// which follows the policy's name; once ends the sentence.
	which, allows, nothing, once string
}

// refusedAsAccepted is refused NetworkPolicy r as the graph would hold it
// once corrected: its policyTypes read regardless of case (the refusal
// most often met, which isolatesOnceCorrected reads so too), selecting
// the workloads of its namespace that its podSelector matches.
func refusedAsAccepted(g *graph.Graph, r *graph.Refusal) *graph.NetworkPolicy {
	s := r.Spec
	np := &graph.NetworkPolicy{Meta: r.Meta, Spec: s, PodSelector: graph.Selector(s.PodSelector)}
	np.Ingress, np.Egress = len(s.PolicyTypes) == 0, len(s.PolicyTypes) == 0 && len(s.Egress) > 0
	for _, t := range s.PolicyTypes {
		np.Ingress = np.Ingress || strings.EqualFold(t.V, "Ingress")
		np.Egress = np.Egress || strings.EqualFold(t.V, "Egress")
	}
	for _, w := range g.WorkloadsIn(r.Namespace()) {
		if np.PodSelector.Matches(w.Labels) {
			np.Workloads = append(np.Workloads, w)
		}
	}
	return np
}

// portEntry names port entry j of rule i of a direction.
type portEntry struct {
	dir  string
	i, j int
}

// refusedPorts returns the port entries of refused NetworkPolicy r whose
// port or endPort the API server refuses (or the entry whole): what they
// would allow is no question yet.
func refusedPorts(r *graph.Refusal) map[portEntry]bool {
	out := map[portEntry]bool{}
	for _, pr := range r.Problems {
		ph := pr.Path
		if len(ph) < 4 || ph[1].Index < 0 || ph[2].Key != "ports" || ph[3].Index < 0 {
			continue
		}
		if len(ph) == 4 || ph[4].Key == "port" || ph[4].Key == "endPort" {
			out[portEntry{ph[0].Key, ph[1].Index, ph[3].Index}] = true
		}
	}
	return out
}

// checkPolicyPorts checks the ports of np, but for the entries skip
// holds.
func checkPolicyPorts(p *rules.Pass, np *graph.NetworkPolicy, w portWording, skip map[portEntry]bool) {
	g := p.Graph
	if np.Ingress && len(np.Workloads) > 0 {
		declared := true
		for _, w := range np.Workloads {
			declared = declared && w.DeclaresPorts()
		}
		for i, r := range np.Spec.Ingress {
			for j, pp := range r.Ports {
				if !skip[portEntry{"ingress", i, j}] {
					checkIngressPort(p, np, i, pp, declared, w)
				}
			}
		}
	}
	if np.Egress {
		for i, r := range np.Spec.Egress {
			checkEgressServicePorts(p, np, i, r, w, skip)
		}
	}
	if np.Egress && g.Mesh.ClosedWorld {
		for i, r := range np.Spec.Egress {
			for j, pp := range r.Ports {
				if !skip[portEntry{"egress", i, j}] && pp.Port.IsStr && !anyNamedPort(g.Workloads, pp.Port.Str, pp.Protocol.V) {
					p.Reportf(np.Obj, pp.Port.Loc, "egress[%d] of NetworkPolicy %s/%s%s names port %q (%s), which no workload of the input declares: %s%s",
						i, np.Namespace(), np.Name(), w.which, pp.Port.Str, protocol(pp), w.nothing, w.once)
				}
			}
		}
	}
}

func checkIngressPort(p *rules.Pass, np *graph.NetworkPolicy, i int, pp spec.NetworkPolicyPort, declared bool, w portWording) {
	if !pp.Port.Set {
		return
	}
	if pp.Port.IsStr {
		if !anyNamedPort(np.Workloads, pp.Port.Str, pp.Protocol.V) && !anySidecarPort(np.Workloads, pp.Protocol.V, pp.Port.Str, 0, 0) {
			p.Reportf(np.Obj, pp.Port.Loc, "ingress[%d] of NetworkPolicy %s/%s%s names port %q (%s), which none of the workloads it selects declares (%s): %s%s",
				i, np.Namespace(), np.Name(), w.which, pp.Port.Str, protocol(pp), workloadNames(p, np.Workloads), w.nothing, w.once)
		}
		return
	}
	if !declared {
		return
	}
	lo, hi := pp.Port.Int, pp.Port.Int
	if pp.EndPort.Set && pp.EndPort.V > lo {
		hi = pp.EndPort.V
	}
	for _, wl := range np.Workloads {
		if wl.HasPortIn(pp.Protocol.V, lo, hi) {
			return
		}
	}
	if anySidecarPort(np.Workloads, pp.Protocol.V, "", lo, hi) || anyHBONEPort(p.Graph, np.Workloads, pp.Protocol.V, lo, hi) {
		return
	}
	port := fmt.Sprint(lo)
	if hi > lo {
		port = fmt.Sprintf("%d-%d", lo, hi)
	}
	p.Reportf(np.Obj, pp.Port.Loc, "ingress[%d] of NetworkPolicy %s/%s%s %s port %s (%s), which none of the workloads it selects declares (%s); NetworkPolicies match the pod's port, not the Service's",
		i, np.Namespace(), np.Name(), w.which, w.allows, port, protocol(pp), workloadNames(p, np.Workloads))
}

// checkEgressServicePorts reports the numbered ports of egress rule i
// that are a Service's port rather than its pods': the policy sees a
// connection to a Service after the Service translated it (kube-proxy's
// DNAT, or a sidecar connecting to the pod's address), on the target
// port. Only rules whose peers are all pods of the policy's namespace are
// read, with a Service of that namespace as evidence: a rule with other
// peers may mean the port for them, and a pod that declares no ports may
// listen on any.
func checkEgressServicePorts(p *rules.Pass, np *graph.NetworkPolicy, i int, r spec.NetworkPolicyRule, w portWording, skip map[portEntry]bool) {
	g := p.Graph
	if len(r.To) == 0 || len(r.Ports) == 0 {
		return
	}
	var dst []*graph.Workload
	for _, peer := range r.To {
		if peer.PodSelector == nil || peer.NamespaceSelector != nil || peer.IPBlock != nil {
			return
		}
		sel := graph.Selector(peer.PodSelector)
		for _, w := range g.WorkloadsIn(np.Namespace()) {
			if sel.Matches(w.Labels) && !slices.Contains(dst, w) {
				dst = append(dst, w)
			}
		}
	}
	// In ambient mode ztunnel carries the connection to HBONE's port, not
	// the target port: the rule is wrong differently.
	if len(dst) == 0 || slices.ContainsFunc(dst, func(w *graph.Workload) bool { return !w.DeclaresPorts() || g.Ambient(w) }) ||
		slices.ContainsFunc(np.Workloads, g.Ambient) {
		return
	}
	for j, pp := range r.Ports {
		if !pp.Port.Set || pp.Port.IsStr || skip[portEntry{"egress", i, j}] {
			continue
		}
		lo, hi := pp.Port.Int, pp.Port.Int
		if pp.EndPort.Set && pp.EndPort.V > lo {
			hi = pp.EndPort.V
		}
		if slices.ContainsFunc(dst, func(w *graph.Workload) bool { return w.HasPortIn(pp.Protocol.V, lo, hi) }) ||
			anySidecarPort(dst, pp.Protocol.V, "", lo, hi) {
			continue
		}
		svc, target := serviceTarget(g, np.Namespace(), dst, pp.Protocol.V, lo, hi)
		if svc == nil {
			continue
		}
		port := fmt.Sprint(lo)
		if hi > lo {
			port = fmt.Sprintf("%d-%d", lo, hi)
		}
		p.Reportf(np.Obj, pp.Port.Loc, "egress[%d] of NetworkPolicy %s/%s%s %s port %s (%s) to %s, which %s: it is the port of Service %s/%s, which sends it to port %d of the pods; NetworkPolicies match the pod's port, after the Service translated it, so %s of that traffic%s",
			i, np.Namespace(), np.Name(), w.which, w.allows, port, protocol(pp), workloadNames(p, dst), declareVerb(p, dst), svc.Namespace(), svc.Name(), target, w.nothing, w.once)
	}
}

// serviceTarget finds a Service of namespace ns with a port in lo-hi of
// protocol proto whose target port on one of ws lies outside lo-hi.
func serviceTarget(g *graph.Graph, ns string, ws []*graph.Workload, proto string, lo, hi int64) (*graph.Service, int64) {
	for _, svc := range g.Services {
		// A headless Service translates nothing: its clients connect to
		// the pods' addresses on the port they choose.
		if svc.Namespace() != ns || svc.Spec.ClusterIP.V == "None" {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			if sp.Port.V < lo || sp.Port.V > hi || !sameProto(sp.Protocol.V, proto) {
				continue
			}
			for _, w := range svc.Workloads {
				if !slices.Contains(ws, w) {
					continue
				}
				if t := graph.TargetPort(sp, w); t > 0 && (t < lo || t > hi) {
					return svc, t
				}
			}
		}
	}
	return nil, 0
}

// sameProto compares protocols, an empty one being TCP.
func sameProto(a, b string) bool {
	if a == "" {
		a = "TCP"
	}
	if b == "" {
		b = "TCP"
	}
	return strings.EqualFold(a, b)
}

// declareVerb says that the workloads ws do not declare a port.
func declareVerb(p *rules.Pass, ws []*graph.Workload) string {
	if len(rules.Distinct(p, ws)) == 1 {
		return "does not declare it"
	}
	return "do not declare it"
}

// sidecarPorts are the ports the injected istio-proxy container listens on
// that a NetworkPolicy may have to admit, which the manifest's pod
// template does not show: the agent's merged Prometheus metrics (15020),
// its health check (15021) and Envoy's own metrics (15090, which the
// injection template declares as http-envoy-prom).
var sidecarPorts = []struct {
	name string
	port int64
}{{"", 15020}, {"", 15021}, {"http-envoy-prom", 15090}}

// anySidecarPort reports whether a workload with a sidecar (injected or
// written as an istio-proxy container) listens on the sidecar port called name (when name is set) or on one in
// lo-hi, over TCP.
func anySidecarPort(ws []*graph.Workload, proto, name string, lo, hi int64) bool {
	if !sameTCP(proto) {
		return false
	}
	for _, w := range ws {
		if !w.Sidecar {
			continue
		}
		for _, sp := range sidecarPorts {
			if (name != "" && sp.name == name) || (name == "" && sp.port >= lo && sp.port <= hi) {
				return true
			}
		}
	}
	return false
}

// ztunnelHBONE is the port ztunnel receives mesh traffic on (HBONE) in
// the network namespace of every pod in ambient mode, which the pod
// template does not show.
const ztunnelHBONE = 15008

// anyHBONEPort reports whether a workload of ws is in ambient mode and
// lo-hi holds HBONE's port, over TCP.
func anyHBONEPort(g *graph.Graph, ws []*graph.Workload, proto string, lo, hi int64) bool {
	if !sameTCP(proto) || lo > ztunnelHBONE || hi < ztunnelHBONE {
		return false
	}
	return slices.ContainsFunc(ws, g.Ambient)
}

func sameTCP(proto string) bool { return proto == "" || strings.EqualFold(proto, "TCP") }

func anyNamedPort(ws []*graph.Workload, name, proto string) bool {
	for _, w := range ws {
		if w.HasNamedPort(name, proto) {
			return true
		}
	}
	return false
}

func protocol(pp spec.NetworkPolicyPort) string {
	if pp.Protocol.V == "" {
		return "TCP"
	}
	return pp.Protocol.V
}

// workloadNames lists workloads as ns/name, the first few only, each
// once whatever the copies of it the input defines (MR017 reports them).
func workloadNames(p *rules.Pass, ws []*graph.Workload) string {
	ws = rules.Distinct(p, ws)
	var out []string
	for i, w := range ws {
		if i == 3 {
			out = append(out, fmt.Sprintf("and %d more", len(ws)-3))
			break
		}
		out = append(out, w.Namespace()+"/"+w.Name())
	}
	return strings.Join(out, ", ")
}
