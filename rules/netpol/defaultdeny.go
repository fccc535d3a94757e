package netpol

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// systemNamespaces belong to the cluster's distribution, which manages
// their network access; the default-deny rules skip them.
var systemNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true}

// direction is what the ingress and egress default-deny rules differ in.
type direction struct {
	// Name is "ingress" or "egress", Type the policyTypes value.
	Name, Type string
	// Isolates tells whether a policy isolates pods in this direction, and
	// Rules returns its rules for it.
	Isolates func(*graph.NetworkPolicy) bool
	Rules    func(*graph.NetworkPolicy) []spec.NetworkPolicyRule
	// Open says what an unisolated pod does.
	Open string
}

var (
	ingress = direction{
		Name: "ingress", Type: "Ingress",
		Isolates: func(np *graph.NetworkPolicy) bool { return np.Ingress },
		Rules:    func(np *graph.NetworkPolicy) []spec.NetworkPolicyRule { return np.Spec.Ingress },
		Open:     "accepts connections from anywhere",
	}
	egress = direction{
		Name: "egress", Type: "Egress",
		Isolates: func(np *graph.NetworkPolicy) bool { return np.Egress },
		Rules:    func(np *graph.NetworkPolicy) []spec.NetworkPolicyRule { return np.Spec.Egress },
		Open:     "can connect anywhere",
	}
)

// isDefaultDeny reports whether np selects every pod of its namespace,
// isolates them in direction d and allows nothing.
func isDefaultDeny(np *graph.NetworkPolicy, d direction) bool {
	return np.PodSelector.Empty() && d.Isolates(np) && len(d.Rules(np)) == 0
}

// namespacesKey memoizes indexNamespaces, which both directions need.
type namespacesKey struct{}

type nsIndex struct {
	// first is the first workload or policy of each namespace, in input
	// order: the place to report when the Namespace object is not in the
	// input.
	first    map[string]*manifest.Object
	policies map[string][]*graph.NetworkPolicy
	// declared is the Namespace object of each namespace the input
	// declares: its first-written definition (graph.CompareDefinitions)
	// when it has several, which the graph does not keep.
	declared map[string]*manifest.Object
}

// at is the object to report namespace ns at: its Namespace object, else
// its first workload or policy.
func (x *nsIndex) at(ns string) *manifest.Object {
	if o := x.declared[ns]; o != nil {
		return o
	}
	return x.first[ns]
}

func indexNamespaces(g *graph.Graph) *nsIndex {
	x := &nsIndex{first: map[string]*manifest.Object{}, policies: map[string][]*graph.NetworkPolicy{}, declared: map[string]*manifest.Object{}}
	for _, o := range g.Objects {
		if o.Kind != kinds.Namespace || o.Group != kinds.GroupCore {
			continue
		}
		if c := x.declared[o.Name]; c == nil || graph.CompareDefinitions(o, c) < 0 {
			x.declared[o.Name] = o
		}
	}
	for _, np := range g.NetworkPolicies {
		x.policies[np.Namespace()] = append(x.policies[np.Namespace()], np)
	}
	// The first of a namespace is its first workload of the input or its
	// first policy, both listed by the graph in input order (the
	// workloads that Flagger and Argo derive are not in the input): only
	// those are looked for, rather than every workload and policy.
	counted := map[*manifest.Object]bool{}
	for _, nps := range x.policies {
		counted[nps[0].Obj] = true
	}
	withWorkload := map[string]bool{}
	for _, w := range g.Workloads {
		if !withWorkload[w.Namespace()] && graph.Origin(w.Obj) == w.Obj {
			withWorkload[w.Namespace()] = true
			counted[w.Obj] = true
		}
	}
	// Objects come a namespace at a time, mostly: once a namespace has its
	// first, the objects that follow in it need no lookup.
	var cur string
	done := false
	for _, o := range g.Objects {
		if done && o.Namespace == cur {
			continue
		}
		cur = o.Namespace
		done = x.first[cur] != nil
		if !done && counted[o] {
			x.first[cur] = o
			done = true
		}
	}
	return x
}

// runDefaultDeny reports every namespace with workloads or NetworkPolicies
// in the input that has no default-deny policy for direction d.
func runDefaultDeny(p *rules.Pass, d direction) {
	g := p.Graph
	nss := p.Memo(namespacesKey{}, func() any { return indexNamespaces(g) }).(*nsIndex)
	first, policies := nss.first, nss.policies
	for _, ns := range g.NamespaceNames() {
		if first[ns] == nil || systemNamespaces[ns] {
			continue
		}
		deny := false
		for _, np := range policies[ns] {
			if isDefaultDeny(np, d) {
				deny = true
				break
			}
		}
		if deny {
			continue
		}
		open := unisolatedOpen(p, ns, d)
		if open.closed(d) {
			continue
		}
		msg := fmt.Sprintf("namespace %s has no default-deny %s NetworkPolicy (podSelector: {}, policyTypes: [%s], no %s rules): a pod that no policy isolates for %s %s",
			ns, d.Name, d.Type, d.Name, d.Name, open.phrase(d))
		// Two definitions of an object are one object: each is counted,
		// named and related once, by its first-written definition.
		ws := rules.Distinct(p, g.WorkloadsIn(ns))
		if len(ws) > 0 {
			msg += openCount(p, ws, policies[ns], d)
		}
		var notes []string
		var near []*graph.NetworkPolicy
		for _, np := range rules.Distinct(p, policies[ns]) {
			if note := nearMiss(np, d); note != "" {
				notes = append(notes, note)
				near = append(near, np)
			}
		}
		// A policy the API server refuses is no near miss (the cluster
		// never holds it), but one that would be the deny once its typo
		// (MR001's) is corrected is most likely the deny meant: say so,
		// so that it is corrected rather than doubled.
		var refused []*graph.Refusal
		named := map[string]bool{} // two definitions of one policy are one (MR017)
		for _, r := range g.RefusedNetworkPolicies {
			if r.Namespace() == ns && !named[r.Name()] && deniesOnceCorrected(r.Spec, d) {
				named[r.Name()] = true
				refused = append(refused, r)
				notes = append(notes, fmt.Sprintf("NetworkPolicy %s/%s selects every pod, but the API server refuses it (%s): correct it rather than add another", ns, r.Name(), r.Why))
			}
		}
		// So is an admin policy that would close the namespace, a deny
		// written once for many namespaces.
		adminRefused := refusedAdminDenies(p, ns, d)
		for _, r := range adminRefused {
			notes = append(notes, refusedAdminNote(r, ns, d))
		}
		if len(notes) > 0 {
			msg += "; " + strings.Join(notes, "; ")
		}
		at := nss.at(ns)
		f := p.Reportf(at, at.NameLoc, "%s", msg)
		for _, np := range near {
			f.Relate(np.Obj, np.Obj.NameLoc, "NetworkPolicy %s/%s selects every pod but is not a default deny for %s", ns, np.Name(), d.Name)
		}
		for _, r := range refused {
			f.Relate(r.Obj, r.At, "the API server refuses NetworkPolicy %s/%s: %s", ns, r.Name(), r.Why)
		}
		for _, r := range adminRefused {
			f.Relate(r.Obj, r.At, "the API server refuses %s %s: %s", r.Obj.Kind, r.Name(), r.Why)
		}
		if !open.all(d) {
			for _, o := range graph.DistinctObjects(open.policies) {
				f.Relate(o, o.NameLoc, "%s %s decides the %s of the pods of %s that no NetworkPolicy isolates", o.Kind, o.Name, d.Name, ns)
			}
		}
		// A NetworkPolicy deny would stand in for the refused admin one
		// in this namespace only: correcting that one is the fix meant,
		// and which correction is meant cannot be known.
		if len(adminRefused) > 0 && len(refused) == 0 {
			continue
		}
		if fix, ok := defaultDenyFix(p, ns, at, d, policies[ns]); ok {
			f.Fixes = []rules.Fix{fix}
		}
	}
}

// unisolated is what the admin tiers leave open in one direction to a
// pod of a namespace that no policy selects by its labels
// (netpol.AdminTiersAllowed): connections with any pod of the cluster,
// and for egress to some external address. Without admin policies that
// is everything.
type unisolated struct {
	pods, ext netpol.Set
	// ext6 is what goes to some external IPv6 address, counted (v6) only
	// when the policies name IPv6 blocks (namesIPv6).
	ext6     netpol.Set
	v6       bool
	policies []*manifest.Object
}

// unisolatedOpen asks the connectivity engine what the admin tiers let
// a pod of namespace ns that no policy selects by its labels do in
// direction d.
func unisolatedOpen(p *rules.Pass, ns string, d direction) unisolated {
	a := Analysis(p)
	nd := netpol.Ingress
	if d.Name == "egress" {
		nd = netpol.Egress
	}
	var u unisolated
	u.pods, u.policies = a.AdminTiersAllowed(ns, nd, netpol.AnyPod())
	if nd == netpol.Egress {
		for _, r := range a.ExternalDestinations() {
			got, _ := a.AdminTiersAllowed(ns, nd, netpol.ExternalEndpoint(r))
			u.ext = u.ext.Union(got)
		}
		// A deny of 0.0.0.0/0 leaves IPv6 open on a dual-stack cluster,
		// which policies naming IPv6 blocks tell of.
		if u.v6 = namesIPv6(p, ns); u.v6 {
			for _, r := range a.ExternalDestinations6() {
				got, _ := a.AdminTiersAllowed(ns, nd, netpol.ExternalEndpoint6(r))
				u.ext6 = u.ext6.Union(got)
			}
		}
	}
	return u
}

// closed reports whether the admin tiers deny every connection of the
// pod with the cluster's pods (and for egress with external addresses,
// of both families when IPv6 counts): a default deny of their own,
// written once for many namespaces. Ingress from outside the cluster
// does not count: the admin policies' ingress rules cannot name
// addresses, so no cluster-wide default can close it.
func (u unisolated) closed(d direction) bool {
	return u.pods.IsEmpty() && (d.Name == "ingress" || u.ext.IsEmpty() && u.ext6.IsEmpty())
}

// all reports whether the admin tiers leave everything open.
func (u unisolated) all(d direction) bool {
	return u.pods.IsAll() && (d.Name == "ingress" || u.ext.IsAll() && (!u.v6 || u.ext6.IsAll()))
}

// adminClosed reports whether the admin tiers deny workload w, which no
// NetworkPolicy isolates, every connection in direction d, as closed
// reads it.
func adminClosed(p *rules.Pass, w *graph.Workload, d direction) bool {
	a := Analysis(p)
	nd := netpol.Ingress
	if d.Name == "egress" {
		nd = netpol.Egress
	}
	if len(a.Policies(w, nd)) == 0 {
		return false
	}
	self := netpol.WorkloadEndpoint(w)
	if nd == netpol.Ingress {
		return a.IngressAllowed(netpol.AnyPod(), self).IsEmpty()
	}
	if !a.EgressAllowed(self, netpol.AnyPod()).IsEmpty() {
		return false
	}
	for _, r := range a.ExternalDestinations() {
		if !a.EgressAllowed(self, netpol.ExternalEndpoint(r)).IsEmpty() {
			return false
		}
	}
	if namesIPv6(p, w.Namespace()) {
		for _, r := range a.ExternalDestinations6() {
			if !a.EgressAllowed(self, netpol.ExternalEndpoint6(r)).IsEmpty() {
				return false
			}
		}
	}
	return true
}

// phrase says what the unisolated pod does, for the message.
func (u unisolated) phrase(d direction) string {
	if u.all(d) {
		return d.Open
	}
	on := func(s netpol.Set) string {
		if s.IsAll() {
			return ""
		}
		return " on " + s.String()
	}
	if d.Name == "ingress" {
		return "accepts connections from any pod of the cluster" + on(u.pods) + ", which the admin network policies leave open"
	}
	var to []string
	if !u.pods.IsEmpty() {
		to = append(to, "to any pod of the cluster"+on(u.pods))
	}
	switch {
	case u.ext6.IsEmpty() && !u.ext.IsEmpty(), u.ext6.Equal(u.ext) && !u.ext.IsEmpty():
		to = append(to, "to addresses outside the cluster"+on(u.ext))
	case u.ext.IsEmpty() && !u.ext6.IsEmpty():
		to = append(to, "to IPv6 addresses outside the cluster"+on(u.ext6))
	case !u.ext.IsEmpty():
		to = append(to, "to IPv4 addresses outside the cluster"+on(u.ext), "to IPv6 addresses outside the cluster"+on(u.ext6))
	}
	return "can connect " + strings.Join(to, " and ") + ", which the admin network policies leave open"
}

// openCount says how many of the workloads no policy isolates in
// direction d, as a clause to append to the message: no NetworkPolicy,
// nor admin policies that deny it everything. A host-networked workload
// is not counted, whatever selects it: its traffic is its node's, which
// most network plugins apply no NetworkPolicy to (Kubernetes leaves
// NetworkPolicy for such pods undefined), so a default deny would not
// isolate it; the clause names it instead.
func openCount(p *rules.Pass, ws []*graph.Workload, nps []*graph.NetworkPolicy, d direction) string {
	isolated := map[*graph.Workload]bool{}
	for _, np := range nps {
		if d.Isolates(np) {
			for _, w := range np.Workloads {
				isolated[w] = true
			}
		}
	}
	open := 0
	var host []string
	for _, w := range ws {
		switch {
		case hostNetworked(w):
			host = append(host, w.Name())
		case !isolated[w] && !adminClosed(p, w, d):
			open++
		}
	}
	var out string
	switch {
	case open == 0 && len(host) == len(ws):
	case open == 0:
		out = ", and only the policies selecting today's workloads keep them isolated"
	case open == 1 && len(ws) == 1:
		out = ", as its only workload does today"
	case open == 1:
		out = fmt.Sprintf(", as 1 of its %d workloads does today", len(ws))
	default:
		out = fmt.Sprintf(", as %d of its %d workloads do today", open, len(ws))
	}
	if len(host) > 0 {
		n := len(host)
		out += fmt.Sprintf("; host-networked %s %s %s not counted: %s %s is %s node's, which most network plugins apply no NetworkPolicy to, so that a default deny would not isolate %s",
			wording.Plural(n, "workload", "workloads"), wording.List(firstNames(host)), wording.Plural(n, "is", "are"),
			wording.Plural(n, "its", "their"), d.Name, wording.Plural(n, "its", "their"), wording.Plural(n, "it", "them"))
	}
	return out
}

// hostNetworked reports whether the pods of w run on their node's
// network (hostNetwork: true).
func hostNetworked(w *graph.Workload) bool {
	return w.Spec != nil && w.Spec.Spec.HostNetwork.V
}

// maxNamed bounds the workloads a message names: past it, it counts the
// others.
const maxNamed = 5

// firstNames returns names sorted, the first maxNamed of them and a
// count of the others past it.
func firstNames(names []string) []string {
	names = slices.Sorted(slices.Values(names))
	if len(names) <= maxNamed {
		return names
	}
	return append(names[:maxNamed:maxNamed], fmt.Sprintf("%d more", len(names)-maxNamed))
}

// deniesOnceCorrected reports whether a refused NetworkPolicy's spec
// would be a default deny for direction d with its policyTypes read
// regardless of case (the typos that refuse such a policy): an empty
// podSelector, d among its policyTypes (Ingress when it lists none), and
// no rule for d.
func deniesOnceCorrected(s *spec.NetworkPolicy, d direction) bool {
	if s == nil || !graph.Selector(s.PodSelector).Empty() {
		return false
	}
	rules := s.Ingress
	if d.Name == "egress" {
		rules = s.Egress
	}
	if len(rules) > 0 {
		return false
	}
	if len(s.PolicyTypes) == 0 {
		return d.Name == "ingress"
	}
	for _, t := range s.PolicyTypes {
		if strings.EqualFold(t.V, d.Type) {
			return true
		}
	}
	return false
}

// nearMiss explains why a policy with an empty podSelector is not a
// default deny in direction d, or returns "".
func nearMiss(np *graph.NetworkPolicy, d direction) string {
	if !np.PodSelector.Empty() {
		return ""
	}
	name := np.Namespace() + "/" + np.Name()
	if !d.Isolates(np) {
		if len(np.Spec.Ingress)+len(np.Spec.Egress) > 0 {
			return "" // an allow policy for the other direction
		}
		if len(np.Spec.PolicyTypes) == 0 {
			return fmt.Sprintf("NetworkPolicy %s has no policyTypes, which then default to [Ingress]: list %s explicitly", name, d.Type)
		}
		return fmt.Sprintf("the policyTypes of NetworkPolicy %s do not include %s", name, d.Type)
	}
	rs := d.Rules(np)
	for i, r := range rs {
		peers := r.From
		if d.Name == "egress" {
			peers = r.To
		}
		if len(peers) == 0 && len(r.Ports) == 0 {
			return fmt.Sprintf("NetworkPolicy %s selects every pod but its rule %s[%d] allows all %s traffic", name, d.Name, i, d.Name)
		}
	}
	n := fmt.Sprintf("%d rules", len(rs))
	if len(rs) == 1 {
		n = "1 rule"
	}
	return fmt.Sprintf("NetworkPolicy %s selects every pod but allows %s through %s", name, d.Name, n)
}
