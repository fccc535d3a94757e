package netpol

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/api/validate/content"
)

// The fix of MR401 and MR402 is a new file next to the namespace's other
// manifests, holding the missing default deny: default-deny-ingress.yaml or
// default-deny-egress.yaml. When both are missing, the two rules write one
// file each. The egress file also allows DNS, and istiod when the
// namespace runs sidecars: the rule's documentation says every pod needs
// them, and a deny without them would stop the namespace at once. MR409's
// fix writes the same DNS policy, and its file goes where these go.

// validNamespace reports whether Kubernetes accepts ns as a namespace name;
// other names get no fix (schema validation reports them).
func validNamespace(ns string) bool { return len(content.IsDNS1123Label(ns)) == 0 }

// defaultDenyFix returns the fix that creates the default deny of direction
// d for namespace ns, next to object at (the Namespace object, or the
// namespace's first workload or policy). There is none when at was read from
// standard input, when ns is not a valid name, or when a NetworkPolicy of
// the name the fix would use already exists in the namespace: applying the
// new one would replace it. Nor is there one when the run knows every
// workload (closed world) and the namespace has none on the pod network,
// not even the pods of a Gateway API Gateway: the new policy would select
// nothing, and MR403 would report it on the next run, or host-networked
// pods alone, which most plugins do not isolate, and MR412 would. When
// the namespace's deny is a policy the API server refuses, the fix
// corrects that one instead, or there is none (correctionFix).
//
// It is computed once per namespace, direction and object for the run:
// MR409 asks whether MR402 offers the egress fix, which MR402 builds too.
// nps are the namespace's policies, the same for every caller.
func defaultDenyFix(p *rules.Pass, ns string, at *manifest.Object, d direction, nps []*graph.NetworkPolicy) (rules.Fix, bool) {
	r := p.Memo(denyFixKey{ns, d.Name, at}, func() any {
		fix, ok := buildDefaultDenyFix(p, ns, at, d, nps)
		return denyFixResult{fix, ok}
	}).(denyFixResult)
	return r.fix, r.ok
}

type denyFixKey struct {
	ns, direction string
	at            *manifest.Object
}

type denyFixResult struct {
	fix rules.Fix
	ok  bool
}

func buildDefaultDenyFix(p *rules.Pass, ns string, at *manifest.Object, d direction, nps []*graph.NetworkPolicy) (rules.Fix, bool) {
	if rs := refusedDenies(p.Graph, ns, d); len(rs) > 0 {
		return correctionFix(p, ns, at, d, nps, rs)
	}
	name := "default-deny-" + d.Name
	pl, ok := planDeny(p, ns, at, d, nps, name, name)
	if !ok {
		return rules.Fix{}, false
	}
	msg := fmt.Sprintf("Create %s with a default-deny %s NetworkPolicy for namespace %s, with allows for the traffic the manifests declare; %s", pl.path, d.Name, ns, stillCut(d))
	return rules.Fix{
		Message:  msg + pl.notes(),
		NewFiles: []rules.NewFile{{Path: pl.path, Content: defaultDenyYAML(p, ns, pl.explicit, d, nps, pl.allows, pl.dns, pl.note)}},
	}, true
}

// denyPlan is what comes with the default deny of one direction: the
// policies that keep the declared traffic open, and the file they go to.
type denyPlan struct {
	path     string
	explicit bool
	allows   []*allowPolicy
	dns      nsResolvers
	// note says what the deny does to host-networked workloads.
	note string
}

// planDeny plans the allows of the default deny of direction d for
// namespace ns, in file file (without .yaml) next to object at, whose
// policies must not take the names of taken. ok is false when the deny
// should not be brought into force by a fix (buildDefaultDenyFix's
// documentation says when).
func planDeny(p *rules.Pass, ns string, at *manifest.Object, d direction, nps []*graph.NetworkPolicy, file string, taken ...string) (denyPlan, bool) {
	g := p.Graph
	if g.Mesh.ClosedWorld && !slices.ContainsFunc(g.WorkloadsIn(ns), func(w *graph.Workload) bool { return !hostNetworked(w) }) && len(g.GatewayAPIPodLabels(ns)) == 0 {
		return denyPlan{}, false
	}
	var pl denyPlan
	if d.Name == "egress" {
		pl.dns = resolversOf(p, ns, nps)
		if pl.dns.node {
			// The deny would cut its DNS on every plugin, and the
			// address to allow is in no manifest.
			return denyPlan{}, false
		}
	}
	var ok bool
	pl.path, pl.explicit, ok = policyFile(p, ns, file, at, nps)
	if !ok {
		return denyPlan{}, false
	}
	names := map[string]bool{}
	for _, n := range taken {
		names[n] = true
	}
	for _, r := range g.RefusedNetworkPolicies {
		if r.Namespace() == ns {
			names[r.Name()] = true
		}
	}
	if d.Name == "egress" {
		names["allow-dns-egress"], names["allow-istiod-egress"] = true, true
	}
	var host *hostClients
	pl.allows, host, ok = allowPolicies(p, ns, d, nps, names)
	if !ok {
		return denyPlan{}, false
	}
	pl.note = host.note()
	if d.Name == "egress" {
		pl.note = joinNotes(hostEgressNote(hostSources(p, ns, nps)), host.serverNote())
	}
	return pl, true
}

// notes are the sentences that the fix's message adds about what the deny
// does not reach: host-networked workloads and their resolver.
func (pl denyPlan) notes() string {
	var msg string
	if pl.note != "" {
		msg += "; " + pl.note
	}
	if len(pl.dns.host) > 0 {
		msg += "; " + pl.dns.hostNote()
	}
	return msg
}

// hostSources are the names of the host-networked workloads of namespace
// ns that no NetworkPolicy of nps isolates for egress: the egress deny
// selects them, but most network plugins apply no NetworkPolicy to them,
// and the file gives them no allow of their own (allowPolicies).
func hostSources(p *rules.Pass, ns string, nps []*graph.NetworkPolicy) []string {
	var out []string
	for _, w := range rules.Distinct(p, p.Graph.WorkloadsIn(ns)) {
		if hostNetworked(w) && !slices.ContainsFunc(nps, func(np *graph.NetworkPolicy) bool { return np.Egress && slices.Contains(np.Workloads, w) }) {
			out = appendNew(out, w.Name())
		}
	}
	return out
}

// hostEgressNote says that the host-networked workloads of names get no
// egress allow, for the fix's message and file; "" when there are none.
func hostEgressNote(names []string) string {
	n := len(names)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("host-networked %s %s %s no allow of %s own: %s egress is %s node's, which most network plugins apply no NetworkPolicy to, so that the deny leaves %s alone there; where yours does, allow what %s by hand",
		wording.Plural(n, "workload", "workloads"), wording.List(firstNames(names)), wording.Plural(n, "gets", "get"),
		wording.Plural(n, "its", "their"), wording.Plural(n, "its", "their"), wording.Plural(n, "its", "their"),
		wording.Plural(n, "it", "them"), wording.Plural(n, "it needs", "they need"))
}

// joinNotes joins the notes of a fix that are not "", as sentences of its
// message and file.
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

// nsResolvers is what the resolvers of a namespace's pods ask of its
// default deny for egress: the pods that no NetworkPolicy isolates for
// egress today, whose DNS the deny cuts.
type nsResolvers struct {
	// node is set when such a pod on the pod network asks its node's
	// resolver (dnsPolicy Default): the deny cuts its DNS on every
	// plugin, and no manifest gives the address to allow.
	node bool
	// host are the host-networked workloads that ask the node's
	// resolver (dnsPolicy ClusterFirst or Default): most plugins apply
	// no NetworkPolicy to them, and the deny leaves them alone.
	host []string
	// servers are the CIDRs of the nameservers that pods with
	// dnsPolicy None ask instead of kube-dns.
	servers []string
}

// resolversOf returns the nsResolvers of namespace ns, whose
// NetworkPolicies are nps.
func resolversOf(p *rules.Pass, ns string, nps []*graph.NetworkPolicy) nsResolvers {
	isolated := map[*graph.Workload]bool{}
	for _, np := range nps {
		if np.Egress {
			for _, w := range np.Workloads {
				isolated[w] = true
			}
		}
	}
	var out nsResolvers
	for _, w := range rules.Distinct(p, p.Graph.WorkloadsIn(ns)) {
		if isolated[w] {
			continue
		}
		res := resolverOf(w)
		switch {
		case res.node && w.Spec.Spec.HostNetwork.V:
			out.host = appendNew(out.host, w.Name())
		case res.node:
			out.node = true
		case !res.cluster:
			out.servers = appendNew(out.servers, res.cidrs...)
		}
	}
	return out
}

// hostNote says that the DNS of the host-networked workloads is not
// opened, for the fix's message and file.
func (r nsResolvers) hostNote() string {
	n := len(r.host)
	return fmt.Sprintf("the host-networked %s %s %s the node's resolver, which the file does not allow: most network plugins apply no NetworkPolicy to host-networked pods, but where yours does, allow %s UDP and TCP 53 to the nodes' resolver by hand",
		wording.Plural(n, "workload", "workloads"), wording.List(r.host), wording.Plural(n, "asks", "ask"), wording.Plural(n, "its", "their"))
}

// wrapComment writes text as YAML comment lines of at most 90 columns.
func wrapComment(text string) string {
	var b strings.Builder
	line := "#"
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > 90 && line != "#" {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + word
	}
	b.WriteString(line + "\n")
	return b.String()
}

// stillCut says what the deny of direction d blocks that was open, for
// the fix's message: what nothing in the manifests declares.
func stillCut(d direction) string {
	if d.Name == "ingress" {
		return "calls from other namespaces that no route or policy declares will be refused"
	}
	return "calls to other namespaces that no route or policy declares, and out of the cluster, will be refused"
}

// policyFile returns the file that a fix writes NetworkPolicy name of
// namespace ns to, next to object at, and whether the policy sets its
// namespace. ok is false when at was read from standard input, when ns is
// not a valid name, or when a NetworkPolicy of that name exists in the
// namespace (nps): applying the new one would replace it; so would
// correcting a refused one of that name (refusedNamed).
func policyFile(p *rules.Pass, ns, name string, at *manifest.Object, nps []*graph.NetworkPolicy) (path string, explicit, ok bool) {
	if at.File == manifest.StdinName || !validNamespace(ns) {
		return "", false, false
	}
	for _, np := range nps {
		if np.Name() == name {
			return "", false, false
		}
	}
	if refusedNamed(p.Graph, ns, name) {
		return "", false, false
	}
	dir := filepath.Dir(at.File)
	file := name + ".yaml"
	if sharesDir(p, dir, ns) {
		file = name + "-" + ns + ".yaml"
	}
	// Objects that set no namespace take the run's default: so does the
	// new policy, when the object it is written next to sets none.
	explicit = at.Kind == kinds.Namespace || at.NamespaceSet
	return filepath.Join(dir, file), explicit, true
}

// sharesDir reports whether objects of another namespace than ns, among
// those the default-deny rules look at, live in directory dir: then the
// file name carries the namespace, so that the fixes of two namespaces do
// not write the same file.
func sharesDir(p *rules.Pass, dir, ns string) bool {
	nss := p.Memo(dirNamespacesKey{}, func() any { return dirNamespaces(p.Graph) }).(map[string]map[string]bool)[dir]
	return len(nss) > 1 || len(nss) == 1 && !nss[ns]
}

// dirNamespacesKey memoizes dirNamespaces for the run.
type dirNamespacesKey struct{}

// dirNamespaces maps each directory to the namespaces of the objects the
// default-deny rules look at in it: workloads, NetworkPolicies and the
// Namespace objects of the input.
func dirNamespaces(g *graph.Graph) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(o *manifest.Object) {
		dir := filepath.Dir(o.File)
		if out[dir] == nil {
			out[dir] = map[string]bool{}
		}
		out[dir][o.Namespace] = true
	}
	for _, w := range g.Workloads {
		add(w.Obj)
	}
	for _, np := range g.NetworkPolicies {
		add(np.Obj)
	}
	for _, n := range g.Namespaces {
		if n.Declared() {
			add(n.Obj)
		}
	}
	return out
}

// defaultDenyYAML renders the new file: the deny, with note under its
// header (what it does to host-networked workloads), then, for egress,
// the policies that allow DNS and istiod, then the allows that keep the
// declared traffic open (allowPolicies). ns is a DNS label, so it needs no
// quoting. The DNS and istiod policies are each left out when the
// namespace has a NetworkPolicy of its name (nps, or one the API server
// refuses): the new one would replace it, and it likely allows the same
// (if not, MR409 says so on the next run).
func defaultDenyYAML(p *rules.Pass, ns string, explicit bool, d direction, nps []*graph.NetworkPolicy, allows []*allowPolicy, dns nsResolvers, note string) string {
	g := p.Graph
	var b strings.Builder
	rule := "MR401"
	if d.Name == "egress" {
		rule = "MR402"
	}
	fmt.Fprintf(&b, "# Default deny for %s, written by meshlint --fix (%s): every pod of namespace\n", d.Name, rule)
	fmt.Fprintf(&b, "# %s is isolated for %s, and other NetworkPolicies allow what each workload needs.\n", ns, d.Name)
	if note != "" {
		b.WriteString(wrapComment(strings.ToUpper(note[:1]) + note[1:] + "."))
	}
	writePolicyMeta(&b, "default-deny-"+d.Name, ns, explicit)
	fmt.Fprintf(&b, "spec:\n  podSelector: {}\n  policyTypes: [%s]\n", d.Type)
	if d.Name == "egress" {
		writeEgressBasics(&b, g, ns, explicit, nps, dns)
	}
	writeAllowPolicies(&b, allows, ns, explicit, d, func(peer peerSpec) bool {
		return len(hostOnlyPeer(p, ns, peer.specPeer(ns))) > 0
	})
	return b.String()
}

// writeEgressBasics writes the policies that allow every pod of ns DNS,
// to kube-dns and to the nameservers of dns, and istiod when the
// namespace runs sidecars.
func writeEgressBasics(b *strings.Builder, g *graph.Graph, ns string, explicit bool, nps []*graph.NetworkPolicy, dns nsResolvers) {
	taken := func(name string) bool {
		return slices.ContainsFunc(nps, func(np *graph.NetworkPolicy) bool { return np.Name() == name }) || refusedNamed(g, ns, name)
	}
	if !taken("allow-dns-egress") {
		b.WriteString("---\n# Every pod needs DNS once egress is denied.\n")
		if len(dns.host) > 0 {
			b.WriteString(wrapComment(strings.ToUpper(dns.hostNote()[:1]) + dns.hostNote()[1:] + "."))
		}
		writePolicyMeta(b, "allow-dns-egress", ns, explicit)
		writeAllowDNSSpec(b, " {}", dns.servers)
	}
	who := "Sidecars"
	if !sidecars(g, ns) {
		who = "Gateway proxies"
	}
	if !sidecars(g, ns) && !gatewayProxies(g, ns) || !validNamespace(g.Mesh.RootNamespace) || taken("allow-istiod-egress") {
		return
	}
	fmt.Fprintf(b, "---\n# %s get their configuration and certificates from istiod.\n", who)
	writePolicyMeta(b, "allow-istiod-egress", ns, explicit)
	fmt.Fprintf(b, `spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: %s}
      podSelector:
        matchLabels: {app: istiod}
    ports:
    - {protocol: TCP, port: 15012}
`, g.Mesh.RootNamespace)
}

// writePolicyMeta writes the head of NetworkPolicy name, with its
// namespace when explicit.
func writePolicyMeta(b *strings.Builder, name, ns string, explicit bool) {
	fmt.Fprintf(b, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: %s\n", name)
	if explicit {
		fmt.Fprintf(b, "  namespace: %s\n", ns)
	}
}

// writeAllowDNSSpec writes the spec of a policy that allows the pods of
// podSelector (the YAML that follows "podSelector:") DNS to the cluster
// DNS, UDP and TCP 53: the allow-dns-egress of MR402's default deny, and
// MR409's fix. servers are the CIDRs of the nameservers that pods with
// dnsPolicy None ask instead, allowed the same ports.
func writeAllowDNSSpec(b *strings.Builder, podSelector string, servers []string) {
	fmt.Fprintf(b, "spec:\n  podSelector:%s\n", podSelector)
	b.WriteString(`  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
`)
	if len(servers) == 0 {
		return
	}
	b.WriteString("  # The nameservers that pods with dnsPolicy None ask instead (dnsConfig.nameservers).\n  - to:\n")
	for _, c := range servers {
		fmt.Fprintf(b, "    - ipBlock: {cidr: %s}\n", yamlString(c))
	}
	b.WriteString("    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n")
}

// gatewayProxies reports whether namespace ns runs the Envoy pods of a
// Gateway, which get their configuration from istiod as sidecars do: the
// workloads an Istio Gateway selects, or the pods Istio deploys for a
// Gateway API Gateway.
func gatewayProxies(g *graph.Graph, ns string) bool {
	for _, gw := range g.Gateways {
		if slices.ContainsFunc(gw.Workloads, func(w *graph.Workload) bool { return w.Namespace() == ns }) {
			return true
		}
	}
	return len(g.GatewayAPIPodLabels(ns)) > 0
}

// sidecars reports whether a workload of namespace ns has a sidecar.
func sidecars(g *graph.Graph, ns string) bool {
	for _, w := range g.WorkloadsIn(ns) {
		if w.Sidecar {
			return true
		}
	}
	return false
}
