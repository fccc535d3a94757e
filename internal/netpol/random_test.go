package netpol

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
)

// randomWorld writes a small random cluster: namespaces, workloads with
// named ports, NetworkPolicies with every kind of peer and port, and
// admin policies.
func randomWorld(r *rand.Rand) string {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	nss := []string{"n0", "n1", "n2", "n3"}[:2+r.IntN(3)]
	for _, ns := range nss {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: %s\n", ns, pick("a", "b"))
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    env: %q\n", pick("x", "y"))
		}
		b.WriteString("---\n")
	}
	// A random label selector; never empty when nonEmpty.
	selector := func(keys ...string) string {
		var parts []string
		if r.IntN(3) > 0 {
			k := keys[r.IntN(len(keys))]
			parts = append(parts, fmt.Sprintf("matchLabels: {%s: %s}", k, pick("a", "b", "1", "2", "x")))
		}
		if r.IntN(3) == 0 {
			k := keys[r.IntN(len(keys))]
			switch pick("In", "NotIn", "Exists", "DoesNotExist") {
			case "In":
				parts = append(parts, fmt.Sprintf("matchExpressions: [{key: %s, operator: In, values: [a, 1, x]}]", k))
			case "NotIn":
				parts = append(parts, fmt.Sprintf("matchExpressions: [{key: %s, operator: NotIn, values: [b, 2]}]", k))
			case "Exists":
				parts = append(parts, fmt.Sprintf("matchExpressions: [{key: %s, operator: Exists}]", k))
			default:
				parts = append(parts, fmt.Sprintf("matchExpressions: [{key: %s, operator: DoesNotExist}]", k))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	podSel := func() string { return selector("app", "tier") }
	nsSel := func() string { return selector("team", "env", "kubernetes.io/metadata.name") }
	for i := range 4 + r.IntN(8) {
		ns := nss[r.IntN(len(nss))]
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w%d, namespace: %s}\nspec:\n  template:\n    metadata:\n      labels: {app: %q", i, ns, pick("a", "b", "1"))
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, ", tier: %q", pick("1", "2", "x"))
		}
		b.WriteString("}\n    spec:\n")
		if r.IntN(5) == 0 {
			// Admin policies leave host-networked pods out.
			b.WriteString("      hostNetwork: true\n")
		}
		b.WriteString("      containers:\n      - name: c\n        ports:\n")
		fmt.Fprintf(&b, "        - {name: http, containerPort: %d, protocol: %s}\n", 80+r.IntN(3), pick("TCP", "TCP", "UDP"))
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "        - {name: grpc, containerPort: %d}\n", 90+r.IntN(2))
		}
		b.WriteString("---\n")
	}
	cidr := func() string { return pick("10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "192.168.0.0/16", "10.1.2.0/24") }
	npPeer := func() string {
		switch r.IntN(5) {
		case 0:
			return "{podSelector: " + podSel() + "}"
		case 1:
			return "{namespaceSelector: " + nsSel() + "}"
		case 2:
			return "{namespaceSelector: " + nsSel() + ", podSelector: " + podSel() + "}"
		case 3:
			if r.IntN(2) == 0 {
				return "{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}"
			}
			return "{ipBlock: {cidr: " + cidr() + "}}"
		}
		return "{namespaceSelector: {}}"
	}
	npPorts := func() string {
		var ps []string
		for range r.IntN(3) {
			switch r.IntN(5) {
			case 0:
				ps = append(ps, fmt.Sprintf("{port: %d}", 80+r.IntN(12)))
			case 1:
				ps = append(ps, fmt.Sprintf("{protocol: %s, port: %d, endPort: %d}", pick("TCP", "UDP"), 80, 85+r.IntN(10)))
			case 2:
				ps = append(ps, fmt.Sprintf("{protocol: %s, port: %s}", pick("TCP", "UDP"), pick("http", "grpc")))
			case 3:
				ps = append(ps, "{protocol: "+pick("UDP", "SCTP")+"}")
			default:
				ps = append(ps, "{port: http}")
			}
		}
		return "[" + strings.Join(ps, ", ") + "]"
	}
	npRules := func(dir, peers string) string {
		var s strings.Builder
		for range r.IntN(3) {
			s.WriteString("  - {")
			if r.IntN(4) > 0 {
				var p []string
				for range 1 + r.IntN(2) {
					p = append(p, npPeer())
				}
				s.WriteString(peers + ": [" + strings.Join(p, ", ") + "], ")
			}
			if r.IntN(3) > 0 {
				s.WriteString("ports: " + npPorts())
			}
			s.WriteString("}\n")
		}
		if s.Len() == 0 {
			return ""
		}
		return "  " + dir + ":\n" + s.String()
	}
	for i := range r.IntN(6) {
		ns := nss[r.IntN(len(nss))]
		fmt.Fprintf(&b, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np%d, namespace: %s}\nspec:\n  podSelector: %s\n", i, ns, podSel())
		switch r.IntN(4) {
		case 0:
			b.WriteString("  policyTypes: [Ingress]\n")
		case 1:
			b.WriteString("  policyTypes: [Egress]\n")
		case 2:
			b.WriteString("  policyTypes: [Ingress, Egress]\n")
		}
		b.WriteString(npRules("ingress", "from"))
		b.WriteString(npRules("egress", "to"))
		b.WriteString("---\n")
	}
	anpPeer := func(egress bool) string {
		switch r.IntN(4) {
		case 0:
			return "{namespaces: " + nsSel() + "}"
		case 1:
			return "{pods: {namespaceSelector: " + nsSel() + ", podSelector: " + podSel() + "}}"
		case 2:
			if egress {
				return "{networks: [" + cidr() + "]}"
			}
		}
		return "{namespaces: {}}"
	}
	anpPorts := func() string {
		switch r.IntN(4) {
		case 0:
			return fmt.Sprintf(", ports: [{portNumber: {protocol: %s, port: %d}}]", pick("TCP", "UDP"), 80+r.IntN(3))
		case 1:
			return ", ports: [{namedPort: " + pick("http", "grpc") + "}]"
		case 2:
			return fmt.Sprintf(", ports: [{portRange: {start: 80, end: %d}}]", 81+r.IntN(10))
		}
		return ""
	}
	anpRules := func(dir, peers string, actions ...string) string {
		var s strings.Builder
		for range r.IntN(3) {
			egress := dir == "egress"
			fmt.Fprintf(&s, "  - {action: %s, %s: [%s]%s}\n", pick(actions...), peers, anpPeer(egress), anpPorts())
		}
		if s.Len() == 0 {
			return ""
		}
		return "  " + dir + ":\n" + s.String()
	}
	subject := func() string {
		if r.IntN(2) == 0 {
			return "{namespaces: " + nsSel() + "}"
		}
		return "{pods: {namespaceSelector: " + nsSel() + ", podSelector: " + podSel() + "}}"
	}
	for i := range r.IntN(3) {
		fmt.Fprintf(&b, "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: anp%d}\nspec:\n  priority: %d\n  subject: %s\n", i, i*10, subject())
		b.WriteString(anpRules("ingress", "from", "Allow", "Deny", "Pass"))
		b.WriteString(anpRules("egress", "to", "Allow", "Deny", "Pass"))
		b.WriteString("---\n")
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: %s\n", subject())
		b.WriteString(anpRules("ingress", "from", "Allow", "Deny"))
		b.WriteString(anpRules("egress", "to", "Allow", "Deny"))
		b.WriteString("---\n")
	}
	cnpRules := func(dir, peers string) string {
		var s strings.Builder
		for range r.IntN(3) {
			protos := ""
			switch r.IntN(4) {
			case 0:
				protos = fmt.Sprintf(", protocols: [{%s: {destinationPort: {number: %d}}}]", pick("tcp", "udp"), 80+r.IntN(3))
			case 1:
				protos = ", protocols: [{destinationNamedPort: " + pick("http", "grpc") + "}]"
			case 2:
				protos = fmt.Sprintf(", protocols: [{tcp: {destinationPort: {range: {start: 80, end: %d}}}}]", 81+r.IntN(10))
			}
			fmt.Fprintf(&s, "  - {action: %s, %s: [%s]%s}\n", pick("Accept", "Deny", "Pass"), peers, anpPeer(dir == "egress"), protos)
		}
		if s.Len() == 0 {
			return ""
		}
		return "  " + dir + ":\n" + s.String()
	}
	for i := range r.IntN(3) {
		fmt.Fprintf(&b, "apiVersion: policy.networking.k8s.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: cnp%d}\nspec:\n  tier: %s\n  priority: %d\n  subject: %s\n",
			i, pick("Admin", "Baseline"), i*10+5, subject())
		b.WriteString(cnpRules("ingress", "from"))
		b.WriteString(cnpRules("egress", "to"))
		b.WriteString("---\n")
	}
	return b.String()
}

// TestConnectionsAgainstPairs checks the class-based enumeration of
// Connections against evaluating every pair on its own, with workloads
// described by their labels so that no class is involved.
func TestConnectionsAgainstPairs(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		docs := randomWorld(r)
		a, _ := analyze(t, docs)

		want := map[string]string{}
		add := func(src, dst Endpoint, c Set) {
			if !c.IsEmpty() {
				want[src.String()+" => "+dst.String()] = c.String()
			}
		}
		pod := func(e Endpoint) Endpoint { return PodEndpoint(podOf(e.Workload)) }
		for _, w1 := range a.Workloads() {
			e1 := WorkloadEndpoint(w1)
			for _, w2 := range a.Workloads() {
				if w1 != w2 {
					add(e1, WorkloadEndpoint(w2), a.Allowed(pod(e1), pod(WorkloadEndpoint(w2))))
				}
			}
			for _, x := range a.ExternalSources() {
				add(ExternalEndpoint(x), e1, a.Allowed(ExternalEndpoint(x), pod(e1)))
			}
			for _, x := range a.ExternalDestinations() {
				add(e1, ExternalEndpoint(x), a.Allowed(pod(e1), ExternalEndpoint(x)))
			}
		}

		got := map[string]string{}
		for _, c := range a.Connections(Filter{}) {
			k := c.Src.String() + " => " + c.Dst.String()
			if _, dup := got[k]; dup {
				t.Fatalf("seed %d: %s listed twice", seed, k)
			}
			got[k] = c.Conns.String()
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("seed %d: %s: Connections says %q, pairwise %q", seed, k, got[k], w)
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("seed %d: %s: Connections says %q, pairwise nothing", seed, k, g)
			}
		}
		if t.Failed() {
			t.Logf("input:\n%s", docs)
			return
		}

		// Filters only drop lines.
		ws := a.Workloads()
		if len(ws) > 0 {
			only := ws[r.IntN(len(ws))]
			f := Filter{Dst: func(e Endpoint) bool { return e.Workload == only }}
			n := 0
			for _, c := range a.Connections(f) {
				n++
				if c.Dst.Workload != only || got[c.Src.String()+" => "+c.Dst.String()] != c.Conns.String() {
					t.Fatalf("seed %d: filtered %v", seed, c)
				}
			}
			m := 0
			for k := range got {
				if strings.HasSuffix(k, " => "+WorkloadName(only)) {
					m++
				}
			}
			if n != m {
				t.Fatalf("seed %d: filter kept %d lines, want %d", seed, n, m)
			}
		}
	}
}

// naiveAllowed evaluates NetworkPolicies for one pod pair, protocol and
// port straight from the specs, as the API documentation words them: an
// oracle that shares no code with the engine beyond label matching.
func naiveAllowed(g *graph.Graph, src, dst *graph.Workload, proto string, port int) bool {
	nsLabels := func(ns string) map[string]string { return g.Namespaces[ns].Labels }
	peerMatches := func(np *graph.NetworkPolicy, p spec.NetworkPolicyPeer, w *graph.Workload) bool {
		if p.IPBlock != nil || (p.PodSelector == nil && p.NamespaceSelector == nil) {
			return false
		}
		if p.NamespaceSelector == nil {
			if w.Namespace() != np.Namespace() {
				return false
			}
		} else if !graph.Selector(p.NamespaceSelector).Matches(nsLabels(w.Namespace())) {
			return false
		}
		return graph.Selector(p.PodSelector).Matches(w.Labels)
	}
	portMatches := func(ps []spec.NetworkPolicyPort, dst *graph.Workload) bool {
		if len(ps) == 0 {
			return true
		}
		for _, p := range ps {
			pr := p.Protocol.V
			if pr == "" {
				pr = "TCP"
			}
			if pr != proto {
				continue
			}
			switch {
			case !p.Port.Set:
				return true
			case p.Port.IsStr:
				for c := range dst.ServingContainers() {
					for _, cp := range c.Ports {
						cpr := cp.Protocol.V
						if cpr == "" {
							cpr = "TCP"
						}
						if cp.Name.V == p.Port.Str && cpr == proto && int(cp.ContainerPort.V) == port {
							return true
						}
					}
				}
			case p.EndPort.Set:
				if int(p.Port.Int) <= port && port <= int(p.EndPort.V) {
					return true
				}
			case int(p.Port.Int) == port:
				return true
			}
		}
		return false
	}
	side := func(subject, other *graph.Workload, egress bool) bool {
		isolated := false
		for _, np := range g.NetworkPolicies {
			if np.Namespace() != subject.Namespace() || !np.PodSelector.Matches(subject.Labels) {
				continue
			}
			if (egress && !np.Egress) || (!egress && !np.Ingress) {
				continue
			}
			isolated = true
			rules := np.Spec.Ingress
			if egress {
				rules = np.Spec.Egress
			}
			for _, r := range rules {
				peers := r.From
				if egress {
					peers = r.To
				}
				ok := len(peers) == 0
				for _, p := range peers {
					ok = ok || peerMatches(np, p, other)
				}
				if ok && portMatches(r.Ports, dst) {
					return true
				}
			}
		}
		return !isolated
	}
	return side(src, dst, true) && side(dst, src, false)
}

func TestEngineAgainstNaive(t *testing.T) {
	for seed := range uint64(150) {
		r := rand.New(rand.NewPCG(seed, 11))
		docs := randomWorld(r)
		// NetworkPolicies only: cut the admin policies off.
		if i := strings.Index(docs, "apiVersion: policy.networking.k8s.io"); i >= 0 {
			docs = docs[:i]
		}
		a, g := analyze(t, docs)
		for _, w1 := range g.Workloads {
			for _, w2 := range g.Workloads {
				if w1 == w2 {
					continue
				}
				got := a.Allowed(WorkloadEndpoint(w1), WorkloadEndpoint(w2))
				for _, proto := range Protocols {
					for _, port := range []int{1, 53, 79, 80, 81, 82, 85, 86, 90, 91, 95, 5432, 65535} {
						want := naiveAllowed(g, w1, w2, proto.String(), port)
						if got.Contains(proto, port) != want {
							t.Fatalf("seed %d: %s => %s %s %d: engine %v, naive %v (engine: %s)\n%s",
								seed, w1.Obj.Ref(), w2.Obj.Ref(), proto, port, !want, want, got, docs)
						}
					}
				}
			}
		}
	}
}
