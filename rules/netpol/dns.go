package netpol

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// EgressNoDNS reports workloads isolated for egress that cannot reach DNS.
var EgressNoDNS = &rules.Rule{
	ID:      "MR409",
	Name:    "egress-isolation-without-dns",
	Summary: "workload isolated for egress cannot reach DNS",
	Fix:     "creates an allow-dns-egress NetworkPolicy file for the isolated pods",
	Doc: `Once a NetworkPolicy selects a pod for egress, everything not allowed is dropped, DNS
included: the pod can no longer resolve names, and every connection by name fails (Istio
sidecars resolve names too). Allow UDP port 53 (and TCP 53, which resolvers fall back to for
large answers) towards the cluster DNS, whose pods carry ` + "`k8s-app: kube-dns`" + ` in ` + "`kube-system`" + `:

` + "```yaml" + `
egress:
- to:
  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
    podSelector: {matchLabels: {k8s-app: kube-dns}}
  ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
` + "```" + `

The rule asks the connectivity engine what the workload's egress allows on UDP 53 towards a
kube-dns pod and towards every external address range of the policies (a node-local cache or
an external resolver reached through an ipBlock counts). IPv6 addresses count when the admin
policies or the NetworkPolicies of the workload's namespace name an IPv6 block, the sign of a
dual-stack cluster: an IPv4 block holds no IPv6 resolver, and an IPv6 one no IPv4 resolver. A
port name resolves on the kube-dns pod as CoreDNS's manifests name its ports: ` + "`dns`" + ` (UDP 53)
and ` + "`dns-tcp`" + ` (TCP 53). It reports the workload when neither is allowed, and says whether
TCP 53 is. A workload that no NetworkPolicy isolates is reported too when the admin tiers
decide its egress (an AdminNetworkPolicy or a ClusterNetworkPolicy that denies, a
BaselineAdminNetworkPolicy that denies by default) and let no DNS through. Host-networked workloads are skipped: Kubernetes leaves NetworkPolicy undefined for
them, most plugins do not apply it, no admin policy selects them, and they use the node's
resolver. So are workloads whose nameservers the API server refuses (none with ` + "`dnsPolicy: None`" + `, more
than three, or one that is not an IP address): their pods never run, and MR027 reports them.

Only the resolver the pods ask counts, as the kubelet writes their ` + "`resolv.conf`" + `: with ` + "`dnsPolicy`" + `
ClusterFirst (the default) or ClusterFirstWithHostNet, kube-dns; with None, only the
` + "`dnsConfig.nameservers`" + `, one of which UDP 53 must reach (an ipBlock that holds its address, or the
kube-dns pods for a small private address, likely the kube-dns Service's ClusterIP); with
Default, the node's resolver, whose address no manifest gives: UDP 53 to some external
address or to a nameserver of its ` + "`dnsConfig`" + ` counts, kube-dns does not.

Two verdicts are hedged. An ipBlock of at most 256 private addresses (within 10.0.0.0/8,
172.16.0.0/12, 192.168.0.0/16 or the unique local fc00::/7) is most likely the kube-dns
Service's ClusterIP: Kubernetes
leaves undefined whether NetworkPolicy sees a Service's address or the pod's it is rewritten to,
and most plugins see the pod's, so DNS allowed only there is reported, as likely to fail, for a
workload that asks the cluster DNS (` + "`dnsPolicy`" + ` ClusterFirst, the default; with Default or
None the pod asks a resolver an ipBlock can name). And when the input does not declare
kube-system, its labels are unknown but for ` + "`kubernetes.io/metadata.name`" + `, the one Kubernetes sets:
DNS allowed only through a namespaceSelector on another label (` + "`name: kube-system`" + `) is reported as
failing unless kube-system carries it.

` + "`meshlint --fix`" + ` creates ` + "`allow-dns-egress.yaml`" + ` next to the namespace's manifests, as MR402's fix
does for its default deny (with the namespace in the file name when the directory holds other
namespaces' objects): a NetworkPolicy ` + "`allow-dns-egress`" + ` that allows the DNS above, and UDP and TCP 53 to the nameservers
(ipBlocks of one address) of the reported workloads with ` + "`dnsPolicy: None`" + `. It selects
every pod (` + "`podSelector: {}`" + `) when a NetworkPolicy isolates the whole namespace for egress;
otherwise it copies the podSelector of a NetworkPolicy that isolates every reported workload of
the namespace for egress, so that it isolates no pod that was not isolated already. There is no
fix when no one policy does, when an admin policy (AdminNetworkPolicy, ClusterNetworkPolicy)
has egress rules for the workload, when the namespace has a NetworkPolicy
` + "`allow-dns-egress`" + ` already, for standard input, for a namespace name that is not valid, when a
reported workload asks its node's resolver (` + "`dnsPolicy: Default`" + `), and
when MR402 offers its fix for the namespace: its file allows DNS to every pod too, and two
policies of one name would replace each other.

A NetworkPolicy the API server refuses (` + "`protocol: udp`" + `, which MR001 reports) allows
nothing, as the cluster never holds it. When one would select the workload for egress with a
rule open to port 53 once corrected (` + "`policyTypes`" + ` read regardless of case), it is most likely
the DNS allow meant: the message names it, so that it is corrected rather than a second allow
added. The fix then corrects it in place when the API server refuses it for a spelling alone
(a ` + "`policyTypes`" + ` value or a port ` + "`protocol`" + ` in the wrong case) and it selects every reported
workload of the namespace; otherwise there is none. Nor does the fix write a policy of the
name of a refused one.`,
	Bad: apiDenyEgress,
	Good: apiDenyEgress + `  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
`,
	Severity: rules.Warning,
	// The flows' kinds decide whether MR402 offers its fix, and MR409 its own.
	Inputs: inputs(append([]kinds.Kind{kinds.NetworkPolicy, kinds.Namespace, kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy}, flowInputs...)...),
	// Its fix is withheld when MR402's is offered (defaultDenyFixed),
	// which reads what MR402's fix reads.
	Deps: rules.DepNS | rules.DepCLS | rules.DepNP1 | NoDefaultDenyEgress.Deps,
	Run:  runEgressNoDNS,
}

// apiDenyEgress is Deployment shop/api and a NetworkPolicy that isolates
// every pod of shop for egress: the examples of MR409.
const apiDenyEgress = apiDeployment + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
`

// kubeDNS is a pod of the cluster DNS. Its port names are those of the
// CoreDNS that Kubernetes' addon and kubeadm deploy, which policies name
// the DNS ports by: a named port resolves on the destination pod, and
// without them "port: dns" would seem to allow nothing.
var kubeDNS = netpol.PodEndpoint(&netpol.Pod{
	Namespace: "kube-system",
	Labels:    map[string]string{"k8s-app": "kube-dns"},
	Ports: []netpol.ContainerPort{
		{Name: "dns", Protocol: netpol.UDP, Port: 53},
		{Name: "dns-tcp", Protocol: netpol.TCP, Port: 53},
		{Name: "metrics", Protocol: netpol.TCP, Port: 9153},
	},
})

func runEgressNoDNS(p *rules.Pass) error {
	var a *netpol.Analysis
	// The answer is the same for every workload of a group, and only
	// port 53 of it is read: a few bits per group, where the sets would
	// take more memory than the rest of the rule. Each group has two, as
	// IPv6 counts in some namespaces and not in others (namesIPv6).
	var byGroup [2][]dnsVerdict
	// The findings the fix of their namespace resolves, by namespace: those
	// of workloads whose egress only NetworkPolicies decide. An admin
	// policy decides before them, and a new NetworkPolicy may not change
	// its verdict.
	fixable := map[string][]dnsFinding{}
	var nps map[*manifest.Object]bool
	onlyNPs := func(objs []*manifest.Object) bool {
		if nps == nil {
			nps = make(map[*manifest.Object]bool, len(p.Graph.NetworkPolicies))
			for _, np := range p.Graph.NetworkPolicies {
				nps[np.Obj] = true
			}
		}
		for _, o := range objs {
			if !nps[o] {
				return false
			}
		}
		return true
	}
	// kube-system's labels are the input's when it declares the
	// Namespace; otherwise the cluster's may include others than its name.
	ks := p.Graph.Namespaces["kube-system"]
	kubeSystemUnknown := ks == nil || !ks.Declared()
	gates := kubevalid.GatesFor(p.Graph.Mesh.Kubernetes())
	for _, w := range p.Graph.Workloads {
		if a == nil {
			a = Analysis(p)
			byGroup = [2][]dnsVerdict{make([]dnsVerdict, a.Groups()), make([]dnsVerdict, a.Groups())}
		}
		// A host-networked pod is left out: most network plugins apply no
		// NetworkPolicy to it (Kubernetes leaves that undefined), no admin
		// policy selects it, and with the default dnsPolicy it asks the
		// node's resolver, not kube-dns.
		if w.Spec.Spec.HostNetwork.V {
			continue
		}
		// A pod whose nameservers the API server refuses never runs:
		// MR027 reports that, and this rule would report the same
		// nameservers again.
		if kubevalid.PodNameserversRefused(&w.Spec.Spec, gates) {
			continue
		}
		// A pod that no NetworkPolicy isolates may still have its egress
		// decided by the admin tiers: a Deny there, or a baseline deny,
		// cuts DNS as surely.
		isolated := a.Isolated(w, netpol.Egress)
		policies := a.Policies(w, netpol.Egress)
		if !isolated && len(policies) == 0 {
			continue
		}
		grp, v6 := a.Group(w), namesIPv6(p, w.Namespace())
		fam := 0
		if v6 {
			fam = 1
		}
		var dns dnsVerdict
		if grp >= 0 {
			dns = byGroup[fam][grp]
		}
		if !dns.known {
			dns = dnsOf(a, w, kubeSystemUnknown, v6)
			if grp >= 0 {
				byGroup[fam][grp] = dns
			}
		}
		// Only the resolver the pods ask counts: kube-dns for the
		// cluster DNS, else an address that an ipBlock names.
		res := resolverOf(w)
		var f *rules.Finding
		switch {
		case res.cluster:
			if dns.udp {
				continue
			}
			f = reportNoDNS(p, w, isolated, dns, dns.tcp)
		case res.node:
			// The node's resolver is an address no manifest gives: any
			// external range may hold it, a small private one too.
			if dns.ext || len(dns.private) > 0 || res.reaches(a, netpol.WorkloadEndpoint(w), false) {
				continue
			}
			f = reportNodeNoDNS(p, w, isolated, dns.kubeDNS, res)
		default:
			if res.reaches(a, netpol.WorkloadEndpoint(w), dns.kubeDNS) {
				continue
			}
			f = reportNameserversNoDNS(p, w, isolated, res)
		}
		what := "isolates " + w.Namespace() + "/" + w.Name() + " for egress"
		if !isolated {
			what = "decides the egress of " + w.Namespace() + "/" + w.Name()
		}
		// Each policy once, by its first-written definition.
		for _, o := range graph.DistinctObjects(policies) {
			f.Relate(o, o.NameLoc, "%s %s %s", o.Kind, o.Name, what)
		}
		// A DNS allow that the API server refuses is no allow (the
		// cluster never holds it), but most likely the one meant: say
		// so, so that it is corrected rather than doubled.
		for _, r := range refusedDNSAllows(p.Graph, w) {
			f.Message += fmt.Sprintf("; NetworkPolicy %s/%s selects it for egress with a rule open to port 53, but the API server refuses it (%s): correct it rather than add another", r.Namespace(), r.Name(), r.Why)
			f.Relate(r.Obj, r.At, "the API server refuses NetworkPolicy %s/%s: %s", r.Namespace(), r.Name(), r.Why)
		}
		if onlyNPs(policies) {
			fixable[w.Namespace()] = append(fixable[w.Namespace()], dnsFinding{f, w})
		}
	}
	for ns, fs := range fixable {
		if fix, ok := allowDNSFix(p, ns, fs); ok {
			for _, df := range fs {
				df.f.Fixes = []rules.Fix{fix}
			}
		}
	}
	return nil
}

// dnsVerdict is what the egress of a group of workloads allows of DNS:
// UDP and TCP port 53, towards kube-dns or an external address.
type dnsVerdict struct {
	known, udp, tcp bool
	// kubeDNS and ext split udp: UDP 53 to the kube-dns pods, and to
	// an external range that is not serviceLike.
	kubeDNS, ext bool
	// private are the small ranges of private addresses (serviceLike,
	// serviceLike6) that UDP 53 may go to, as written, which udp does not
	// count, and privateTCP tells whether TCP 53 may go to some.
	private    []string
	privateTCP bool
	// labelled is set when UDP 53 reaches kube-dns only if kube-system,
	// which the input does not declare, has labels besides its name.
	labelled bool
}

// dnsOf asks the engine what w's egress allows of DNS. kubeSystemUnknown
// is set when the input does not declare kube-system, v6 when IPv6
// addresses count (namesIPv6).
func dnsOf(a *netpol.Analysis, w *graph.Workload, kubeSystemUnknown, v6 bool) dnsVerdict {
	src := netpol.WorkloadEndpoint(w)
	set := a.EgressAllowed(src, kubeDNS)
	v := dnsVerdict{known: true, kubeDNS: set.Contains(netpol.UDP, 53)}
	add := func(got netpol.Set, service bool, short func() string) {
		if service {
			if got.Contains(netpol.UDP, 53) {
				v.private = append(v.private, short())
			}
			v.privateTCP = v.privateTCP || got.Contains(netpol.TCP, 53)
			return
		}
		v.ext = v.ext || got.Contains(netpol.UDP, 53)
		set = set.Union(got)
	}
	for _, r := range a.ExternalDestinations() {
		add(a.EgressAllowed(src, netpol.ExternalEndpoint(r)), serviceLike(r), r.Short)
	}
	// On a dual-stack cluster, which policies naming IPv6 blocks tell
	// of, the resolver may have an IPv6 address. Elsewhere there is no
	// IPv6 traffic, whatever an admin deny of 0.0.0.0/0 leaves open.
	if v6 {
		for _, r := range a.ExternalDestinations6() {
			add(a.EgressAllowed(src, netpol.ExternalEndpoint6(r)), serviceLike6(r), r.Short)
		}
	}
	v.udp, v.tcp = set.Contains(netpol.UDP, 53), set.Contains(netpol.TCP, 53)
	if !v.udp && kubeSystemUnknown {
		v.labelled = a.EgressAllowed(src, kubeDNSUnknownLabels).Contains(netpol.UDP, 53)
	}
	return v
}

// kubeDNSUnknownLabels is kubeDNS in a kube-system whose labels, but its
// name, are unknown.
var kubeDNSUnknownLabels = func() netpol.Endpoint {
	p := *kubeDNS.Pod
	p.NamespaceLabelsUnknown = true
	return netpol.PodEndpoint(&p)
}()

// privateNets are the private IPv4 ranges of RFC 1918, where clusters
// put their Service addresses.
var privateNets = func() []netpol.IPRange {
	var out []netpol.IPRange
	for _, c := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} {
		r, _, _ := netpol.ParseCIDR(c)
		out = append(out, r)
	}
	return out
}()

// serviceLike reports whether an external range is a few private
// addresses (at most 256): what an ipBlock written for the kube-dns
// Service's ClusterIP allows. Kubernetes leaves undefined whether a
// plugin applies NetworkPolicy before or after a Service's address is
// rewritten to a pod's; most (kube-proxy's DNAT before Calico's or
// kube-router's filter, Cilium's socket-level translation) see the pod's
// address, so such a block lets no DNS through. Wider private blocks may
// hold the kube-dns pods' addresses, and link-local ones (NodeLocal
// DNSCache's 169.254.20.10) or public ones are resolvers of their own.
func serviceLike(r netpol.IPRange) bool {
	if r.Last-r.First >= 256 {
		return false
	}
	for _, n := range privateNets {
		if n.Contains(r) {
			return true
		}
	}
	return false
}

// uniqueLocal is fc00::/7, the IPv6 counterpart of the private ranges,
// where dual-stack clusters put their Service addresses (kubeadm and
// kind default to fd00:10:96::/112).
var uniqueLocal, _ = netpol.ParseCIDR6("fc00::/7")

// serviceLike6 is serviceLike for IPv6: a few unique local addresses.
func serviceLike6(r netpol.IPv6Range) bool {
	if !uniqueLocal.Contains(r) {
		return false
	}
	// At most 256 addresses: Last-First below 256, in 128 bits.
	f, l := r.First.As16(), r.Last.As16()
	fhi, flo := binary.BigEndian.Uint64(f[:8]), binary.BigEndian.Uint64(f[8:])
	lhi, llo := binary.BigEndian.Uint64(l[:8]), binary.BigEndian.Uint64(l[8:])
	lo, borrow := bits.Sub64(llo, flo, 0)
	hi, _ := bits.Sub64(lhi, fhi, borrow)
	return hi == 0 && lo < 256
}

// resolver is where the pods of a workload send their DNS queries, as
// the kubelet writes their resolv.conf from dnsPolicy and dnsConfig
// (k8s.io/api core/v1 DNSPolicy and PodDNSConfig): ClusterFirst, the
// default, asks the cluster DNS "unless hostNetwork is true", when it
// means Default, the node's resolver; ClusterFirstWithHostNet asks the
// cluster DNS either way; None asks only dnsConfig's nameservers, which
// the other policies append to their own.
type resolver struct {
	// cluster is set when the cluster DNS comes first, node when the
	// node's resolver does, whose address no manifest gives.
	cluster, node bool
	// v4 and v6 are dnsConfig's nameservers, as /32 and /128 ranges,
	// names their addresses and cidrs their ranges, in the order
	// written, for messages and fixes. A pod with an address that does
	// not parse is not checked: validation rejects it.
	v4           []netpol.IPRange
	v6           []netpol.IPv6Range
	names, cidrs []string
}

// resolverOf returns the resolver of w's pods.
func resolverOf(w *graph.Workload) resolver {
	var r resolver
	ps := &w.Spec.Spec
	switch ps.DNSPolicy.V {
	case "Default":
		r.node = true
	case "None":
	case "ClusterFirst", "":
		r.node = ps.HostNetwork.V
		r.cluster = !r.node
	default:
		// ClusterFirstWithHostNet, or a value validation rejects: the
		// cluster DNS, as the rule has always assumed.
		r.cluster = true
	}
	if ps.DNSConfig == nil {
		return r
	}
	for _, ns := range ps.DNSConfig.Nameservers {
		// As the API server reads it: before StrictIPCIDRValidation a
		// leading zero is decimal (010.0.0.1 is 10.0.0.1).
		a, ok := kubevalid.ParseIPSloppy(ns.V)
		if !ok || a.Zone() != "" {
			continue
		}
		if a.Is4In6() {
			a = a.Unmap()
		}
		pfx := netip.PrefixFrom(a, a.BitLen()).String()
		if a.Is4() {
			v4, _, err := netpol.ParseCIDR(pfx)
			if err != nil {
				continue
			}
			r.v4 = append(r.v4, v4)
		} else {
			v6, err := netpol.ParseCIDR6(pfx)
			if err != nil {
				continue
			}
			r.v6 = append(r.v6, v6)
		}
		r.names, r.cidrs = append(r.names, a.String()), append(r.cidrs, pfx)
	}
	return r
}

// reaches reports whether the egress of w (endpoint src) lets UDP 53
// through to one of r's nameservers. kubeDNS is whether it reaches the
// kube-dns pods: a small private nameserver may be the kube-dns Service's
// ClusterIP (serviceLike), which most plugins see as a kube-dns pod.
func (r resolver) reaches(a *netpol.Analysis, src netpol.Endpoint, kubeDNS bool) bool {
	for _, ip := range r.v4 {
		if a.EgressAllowed(src, netpol.ExternalEndpoint(ip)).Contains(netpol.UDP, 53) || kubeDNS && serviceLike(ip) {
			return true
		}
	}
	for _, ip := range r.v6 {
		if a.EgressAllowed(src, netpol.ExternalEndpoint6(ip)).Contains(netpol.UDP, 53) || kubeDNS && serviceLike6(ip) {
			return true
		}
	}
	return false
}

// reportNoDNS reports workload w, whose egress lets no certain DNS
// through (tcp: TCP 53 goes out).
func reportNoDNS(p *rules.Pass, w *graph.Workload, isolated bool, dns dnsVerdict, tcp bool) *rules.Finding {
	who := fmt.Sprintf("workload %s/%s is isolated for egress but its egress", w.Namespace(), w.Name())
	if !isolated {
		who = fmt.Sprintf("workload %s/%s cannot reach DNS: the admin network policies that decide its egress", w.Namespace(), w.Name())
	}
	switch {
	case dns.labelled:
		return p.Reportf(w.Obj, w.Obj.NameLoc, "%s allow%s UDP 53 to kube-dns (kube-system, k8s-app=kube-dns) only through a namespaceSelector on labels other than kubernetes.io/metadata.name, the one label Kubernetes sets on kube-system; the input does not declare kube-system: unless it carries those labels, name resolution fails (select kubernetes.io/metadata.name: kube-system)",
			who, verbS(isolated))
	case len(dns.private) > 0:
		to := dns.private
		what, that := to[0], "that is"
		if len(to) > 1 {
			what, that = "addresses "+strings.Join(to, ", "), "one of them is"
		}
		return p.Reportf(w.Obj, w.Obj.NameLoc, "%s allow%s UDP 53 only to ipBlock %s: if %s the kube-dns Service's ClusterIP, name resolution likely fails, since most network plugins apply NetworkPolicy after the Service's address is rewritten to a kube-dns pod's (Kubernetes leaves the order undefined); allow the kube-dns pods (kube-system, k8s-app=kube-dns)",
			who, verbS(isolated), what, that)
	}
	tcpNote := "nor TCP 53"
	if tcp {
		tcpNote = "only TCP 53, which resolvers use after UDP"
	}
	if isolated {
		return p.Reportf(w.Obj, w.Obj.NameLoc, "%s allows no DNS: not UDP 53 to kube-dns (kube-system, k8s-app=kube-dns) or to any external address, %s; name resolution fails",
			who, tcpNote)
	}
	return p.Reportf(w.Obj, w.Obj.NameLoc, "%s allow no UDP 53 to kube-dns (kube-system, k8s-app=kube-dns) or to any external address, %s; name resolution fails",
		who, tcpNote)
}

// reportNodeNoDNS reports workload w, whose pods ask their node's
// resolver (res.node) and whose egress lets UDP 53 out to no external
// address nor nameserver of its dnsConfig. kubeDNS tells whether it
// reaches kube-dns, which such a pod does not ask.
func reportNodeNoDNS(p *rules.Pass, w *graph.Workload, isolated, kubeDNS bool, res resolver) *rules.Finding {
	who := fmt.Sprintf("workload %s/%s is isolated for egress but its egress", w.Namespace(), w.Name())
	if !isolated {
		who = fmt.Sprintf("workload %s/%s cannot reach DNS: the admin network policies that decide its egress", w.Namespace(), w.Name())
	}
	how := "dnsPolicy Default"
	if w.Spec.Spec.DNSPolicy.V != "Default" {
		how = "hostNetwork with dnsPolicy ClusterFirst, which then means Default"
	}
	only := ""
	if kubeDNS {
		only = ", only to kube-dns"
	}
	what := "any external address"
	if len(res.names) > 0 {
		what += " or nameserver of its dnsConfig (" + strings.Join(res.names, ", ") + ")"
	}
	return p.Reportf(w.Obj, w.Obj.NameLoc, "%s allow%s no UDP 53 to %s%s; its pods ask their node's resolver (%s), not kube-dns, and no manifest gives its address: name resolution fails; allow UDP and TCP 53 to the nodes' resolver",
		who, verbS(isolated), what, only, how)
}

// reportNameserversNoDNS reports workload w, whose pods ask only the
// nameservers of their dnsConfig (dnsPolicy None), none of which its
// egress lets UDP 53 through to.
func reportNameserversNoDNS(p *rules.Pass, w *graph.Workload, isolated bool, res resolver) *rules.Finding {
	who := fmt.Sprintf("workload %s/%s is isolated for egress but its egress", w.Namespace(), w.Name())
	if !isolated {
		who = fmt.Sprintf("workload %s/%s cannot reach DNS: the admin network policies that decide its egress", w.Namespace(), w.Name())
	}
	servers := strings.Join(res.names, ", ")
	return p.Reportf(w.Obj, w.Obj.NameLoc, "%s allow%s no UDP 53 to the nameservers its pods ask (dnsPolicy None, dnsConfig.nameservers: %s); name resolution fails",
		who, verbS(isolated), servers)
}

// verbS is the ending of "allow" after who: "s" for "its egress", none
// for "the admin network policies".
func verbS(isolated bool) string {
	if isolated {
		return "s"
	}
	return ""
}

// dnsFinding is a finding of MR409 and the workload it is about.
type dnsFinding struct {
	f *rules.Finding
	w *graph.Workload
}

// allowDNSFix returns the fix of the findings fs of namespace ns: a new
// file, next to the namespace's manifests as MR402's default deny, with a
// NetworkPolicy allow-dns-egress that allows DNS as the default deny's
// does. It selects every pod when a NetworkPolicy isolates the whole
// namespace for egress; otherwise the pods of the first NetworkPolicy
// isolating for egress that selects every workload of fs: the new policy
// then isolates no pod that was not isolated already, and only adds DNS.
// When no one policy selects them all, there is no fix: two selectors
// would need two policies, and the fix writes one.
//
// There is no fix either when MR402 offers its own for the namespace: its
// file holds an allow-dns-egress for every pod, which resolves these
// findings too, and two policies of one name in one namespace would
// replace each other when applied.
func allowDNSFix(p *rules.Pass, ns string, fs []dnsFinding) (rules.Fix, bool) {
	g := p.Graph
	nss := p.Memo(namespacesKey{}, func() any { return indexNamespaces(g) }).(*nsIndex)
	at, policies := nss.at(ns), nss.policies[ns]
	if at == nil || defaultDenyFixed(p, ns, at, policies) {
		return rules.Fix{}, false
	}
	if fix, ok, refused := dnsCorrection(p, ns, fs); refused {
		return fix, ok
	}
	// A pod that asks the node's resolver needs its address, which no
	// manifest gives; those that ask dnsConfig's get them allowed.
	var servers []string
	for _, df := range fs {
		res := resolverOf(df.w)
		if res.node {
			return rules.Fix{}, false
		}
		if !res.cluster {
			servers = appendNew(servers, res.cidrs...)
		}
	}
	var sel *graph.NetworkPolicy
	for _, np := range policies {
		if !np.Egress {
			continue
		}
		if np.PodSelector.Empty() {
			sel = np
			break
		}
		if sel == nil && selectsAll(np, fs) {
			sel = np
		}
	}
	if sel == nil {
		return rules.Fix{}, false
	}
	path, explicit, ok := policyFile(p, ns, "allow-dns-egress", at, policies)
	if !ok {
		return rules.Fix{}, false
	}
	var b strings.Builder
	pods, who := "every pod of namespace "+ns, "NetworkPolicies isolate every pod\n# of namespace "+ns
	if !sel.PodSelector.Empty() {
		pods = fmt.Sprintf("the pods of namespace %s that NetworkPolicy %s selects", ns, sel.Name())
		who = fmt.Sprintf("NetworkPolicy %s isolates\n# the pods it selects in namespace %s", sel.Name(), ns)
	}
	fmt.Fprintf(&b, "# Allows DNS, written by meshlint --fix (MR409): %s for egress, and without DNS their name resolution fails.\n", who)
	writePolicyMeta(&b, "allow-dns-egress", ns, explicit)
	writeAllowDNSSpec(&b, selectorYAML(sel.PodSelector), servers)
	return rules.Fix{
		Message:  fmt.Sprintf("Create %s with a NetworkPolicy that allows DNS egress to %s", path, pods),
		NewFiles: []rules.NewFile{{Path: path, Content: b.String()}},
	}, true
}

// dnsCorrection returns the fix of the findings fs of namespace ns when
// a refused NetworkPolicy would allow one of their workloads DNS once
// corrected (refused is then set): a second allow beside it would leave
// two once it is corrected, so the fix corrects it in place, when its
// refusal is a spelling (correct) and it selects every workload of fs,
// and there is none otherwise.
func dnsCorrection(p *rules.Pass, ns string, fs []dnsFinding) (fix rules.Fix, ok, refused bool) {
	g := p.Graph
	var rs []*graph.Refusal
	for _, df := range fs {
		for _, r := range refusedDNSAllows(g, df.w) {
			if !slices.Contains(rs, r) {
				rs = append(rs, r)
			}
		}
	}
	if len(rs) == 0 {
		return rules.Fix{}, false, false
	}
	for _, r := range rs {
		if !slices.ContainsFunc(fs, func(df dnsFinding) bool { return !isolatesOnceCorrected(r.Spec, df.w.Labels, egress) }) {
			if c, ok := correct(g, ns, r.Name()); ok {
				return rules.Fix{
					Message: fmt.Sprintf("Correct %s in NetworkPolicy %s/%s, whose egress rule open to port 53 the API server then accepts, rather than add another DNS allow", wording.List(c.what), ns, r.Name()),
					Edits:   c.edits,
				}, true, true
			}
		}
	}
	return rules.Fix{}, false, true
}

// defaultDenyFixed reports whether MR402 reports namespace ns, whose
// NetworkPolicies are nps, at object at, with a fix: it is not a system
// namespace, has no default deny for egress, nor admin policies that deny
// as one, and MR402 can write one that keeps the declared traffic open
// (defaultDenyFix; it withholds the fix when it cannot).
func defaultDenyFixed(p *rules.Pass, ns string, at *manifest.Object, nps []*graph.NetworkPolicy) bool {
	if systemNamespaces[ns] {
		return false
	}
	for _, np := range nps {
		if isDefaultDeny(np, egress) {
			return false
		}
	}
	if unisolatedOpen(p, ns, egress).closed(egress) {
		return false
	}
	_, ok := defaultDenyFix(p, ns, at, egress, nps)
	return ok
}

// appendNew appends to list each of vs it does not hold yet.
func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// selectsAll reports whether np selects the workload of every finding.
func selectsAll(np *graph.NetworkPolicy, fs []dnsFinding) bool {
	for _, df := range fs {
		if !slices.Contains(np.Workloads, df.w) {
			return false
		}
	}
	return true
}

// selectorYAML renders a pod selector as the YAML that follows
// "podSelector:" at the top of a NetworkPolicy spec.
func selectorYAML(s labels.Selector) string {
	if s.Empty() {
		return " {}"
	}
	var b strings.Builder
	if len(s.MatchLabels) > 0 {
		keys := slices.Sorted(maps.Keys(s.MatchLabels))
		pairs := make([]string, len(keys))
		for i, k := range keys {
			pairs[i] = yamlString(k) + ": " + yamlString(s.MatchLabels[k])
		}
		fmt.Fprintf(&b, "\n    matchLabels: {%s}", strings.Join(pairs, ", "))
	}
	if len(s.Exprs) > 0 {
		b.WriteString("\n    matchExpressions:")
		for _, r := range s.Exprs {
			fmt.Fprintf(&b, "\n    - {key: %s, operator: %s", yamlString(r.Key), yamlString(string(r.Op)))
			if len(r.Values) > 0 {
				vs := make([]string, len(r.Values))
				for i, v := range r.Values {
					vs[i] = yamlString(v)
				}
				fmt.Fprintf(&b, ", values: [%s]", strings.Join(vs, ", "))
			}
			b.WriteString("}")
		}
	}
	return b.String()
}

// yamlString writes s as a YAML string: plain when it is a plain word
// (plainWord), which reads back as the same string, else double-quoted.
func yamlString(s string) string {
	if plainWord(s) {
		return s
	}
	return strconv.Quote(s)
}
