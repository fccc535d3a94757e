package graph

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// The admin network policy kinds (AdminNetworkPolicy and
// BaselineAdminNetworkPolicy of network-policy-api v0.1.5,
// ClusterNetworkPolicy of v0.3.0) are CRDs: the API server refuses what
// their schemas' markers and CEL rules refuse (the kubebuilder markers of
// apis/v1alpha1/shared_types.go and apis/v1alpha2/clusternetworkpolicy_types.go,
// embedded under schema/netpolapi), and MR001 reports it. Read as applied,
// a refused policy would deny, pass or allow traffic that the cluster
// never sees decided: the engine even fails closed on a peer with no
// field, as the API asks of an implementation that meets one the API
// server admitted (a field newer than the implementation), so a refused
// Deny with a typo in a peer denied everything.
//
// Only what decides refusal for certain is checked, from the decoded
// spec: an unknown field is pruned or refused depending on the client's
// field validation, and an empty list (networks: [], protocols: []) reads
// as an absent one, as the cache's encoding leaves no difference.

// adminKindRules is what one admin kind's schema allows.
type adminKindRules struct {
	kind        string
	actions     []string // the enum of a rule's action
	maxRules    int      // of ingress, of egress, and of a rule's peers
	podsNSSel   bool     // a pods selector requires namespaceSelector
	egressPeers []string // the peer fields of egress; ingress has namespaces and pods
	namedPort   string   // the field of a port that names a port
}

var (
	anpRules = adminKindRules{
		kind: "AdminNetworkPolicy", actions: []string{"Allow", "Deny", "Pass"}, maxRules: 100,
		podsNSSel: true, egressPeers: []string{"namespaces", "pods", "nodes", "networks"}, namedPort: "namedPort",
	}
	banpRules = adminKindRules{
		kind: "BaselineAdminNetworkPolicy", actions: []string{"Allow", "Deny"}, maxRules: 100,
		podsNSSel: true, egressPeers: []string{"namespaces", "pods", "nodes", "networks"}, namedPort: "namedPort",
	}
	cnpRules = adminKindRules{
		kind: "ClusterNetworkPolicy", actions: []string{"Accept", "Deny", "Pass"}, maxRules: 25,
		egressPeers: []string{"namespaces", "pods", "nodes", "networks", "domainNames"}, namedPort: "destinationNamedPort",
	}
)

// adminRefusal collects the first refusal of an admin policy.
type adminRefusal struct {
	m     Meta
	spec  any
	rules *adminKindRules
	r     *Refusal
}

// refuse keeps the first refusal; at may be unset (a required field left
// out), and then the refusal points at the object's name.
func (a *adminRefusal) refuse(at manifest.Loc, format string, args ...any) {
	if a.r != nil {
		return
	}
	if at.IsZero() {
		at = a.m.Obj.NameLoc
	}
	a.r = &Refusal{Meta: a.m, Why: fmt.Sprintf(format, args...), At: at, Admin: a.spec}
}

// adminNetworkPolicyRefusal returns why the API server refuses the
// AdminNetworkPolicy, or nil.
func adminNetworkPolicyRefusal(m Meta, s *spec.AdminNetworkPolicy) *Refusal {
	a := &adminRefusal{m: m, spec: s, rules: &anpRules}
	a.priority(s.Priority)
	a.subject(s.Subject)
	a.anpRules(s.Ingress, s.Egress)
	return a.r
}

// baselineAdminNetworkPolicyRefusal returns why the API server refuses
// the BaselineAdminNetworkPolicy, or nil: its CRD's CEL rule allows a
// single one, named "default".
func baselineAdminNetworkPolicyRefusal(m Meta, s *spec.BaselineAdminNetworkPolicy) *Refusal {
	a := &adminRefusal{m: m, spec: s, rules: &banpRules}
	if m.Name() != "default" {
		a.refuse(m.Obj.NameLoc, "metadata.name %q is not \"default\", the only name the API allows a BaselineAdminNetworkPolicy", m.Name())
	}
	a.subject(s.Subject)
	a.anpRules(s.Ingress, s.Egress)
	return a.r
}

// clusterNetworkPolicyRefusal returns why the API server refuses the
// ClusterNetworkPolicy, or nil.
func clusterNetworkPolicyRefusal(m Meta, s *spec.ClusterNetworkPolicy) *Refusal {
	a := &adminRefusal{m: m, spec: s, rules: &cnpRules}
	switch {
	case !s.Tier.Set:
		a.refuse(manifest.Loc{}, "tier is required")
	case s.Tier.V != "Admin" && s.Tier.V != "Baseline":
		a.refuse(s.Tier.Loc, "tier %q is neither Admin nor Baseline", s.Tier.V)
	}
	a.priority(s.Priority)
	a.subject(s.Subject)
	a.ruleCount("ingress", len(s.Ingress))
	a.ruleCount("egress", len(s.Egress))
	for i, r := range s.Ingress {
		where := fmt.Sprintf("ingress[%d]", i)
		a.rule(where, r.Loc, r.Name, r.Action, r.From, "from", false)
		a.protocols(where, r.Protocols)
	}
	for i, r := range s.Egress {
		where := fmt.Sprintf("egress[%d]", i)
		a.rule(where, r.Loc, r.Name, r.Action, r.To, "to", true)
		a.protocols(where, r.Protocols)
		if hasNamed := func() bool {
			for _, p := range r.Protocols {
				if p.DestinationNamedPort.Set {
					return true
				}
			}
			return false
		}(); hasNamed {
			a.namedPortPeers(where, r.To)
		}
	}
	return a.r
}

func (a *adminRefusal) priority(p spec.Int) {
	switch {
	case !p.Set:
		a.refuse(manifest.Loc{}, "priority is required")
	case p.V < 0 || p.V > 1000:
		a.refuse(p.Loc, "priority %d is outside 0-1000", p.V)
	}
}

func (a *adminRefusal) subject(s spec.AdminSubject) {
	switch {
	case s.Namespaces == nil && s.Pods == nil && s.Loc.IsZero():
		a.refuse(manifest.Loc{}, "subject is required")
	case (s.Namespaces == nil) == (s.Pods == nil):
		set := "none of its fields"
		if s.Namespaces != nil {
			set = "namespaces and pods"
		}
		a.refuse(s.Loc, "subject sets %s, where exactly one of namespaces and pods is required", set)
	}
	a.selector("subject.namespaces", s.Namespaces)
	a.pods("subject.pods", s.Pods)
}

func (a *adminRefusal) pods(where string, p *spec.NamespacedPod) {
	if p == nil {
		return
	}
	if p.PodSelector == nil {
		a.refuse(p.Loc, "%s.podSelector is required", where)
	}
	if p.NamespaceSelector == nil && a.rules.podsNSSel {
		a.refuse(p.Loc, "%s.namespaceSelector is required", where)
	}
	a.selector(where+".namespaceSelector", p.NamespaceSelector)
	a.selector(where+".podSelector", p.PodSelector)
}

// selector checks the fields a label selector's schema requires.
func (a *adminRefusal) selector(where string, s *spec.LabelSelector) {
	if s == nil {
		return
	}
	for i, e := range s.MatchExpressions {
		switch {
		case !e.Key.Set:
			a.refuse(e.Loc, "%s.matchExpressions[%d].key is required", where, i)
		case !e.Operator.Set:
			a.refuse(e.Loc, "%s.matchExpressions[%d].operator is required", where, i)
		}
	}
}

func (a *adminRefusal) ruleCount(dir string, n int) {
	if n > a.rules.maxRules {
		a.refuse(manifest.Loc{}, "%s has %d rules, more than the %d allowed", dir, n, a.rules.maxRules)
	}
}

// anpRules checks the rules of an AdminNetworkPolicy or a
// BaselineAdminNetworkPolicy, which have the same shape.
func (a *adminRefusal) anpRules(ingress []spec.AdminIngress, egress []spec.AdminEgress) {
	a.ruleCount("ingress", len(ingress))
	a.ruleCount("egress", len(egress))
	for i, r := range ingress {
		where := fmt.Sprintf("ingress[%d]", i)
		a.rule(where, r.Loc, r.Name, r.Action, r.From, "from", false)
		a.ports(where, r.Ports)
	}
	for i, r := range egress {
		where := fmt.Sprintf("egress[%d]", i)
		a.rule(where, r.Loc, r.Name, r.Action, r.To, "to", true)
		a.ports(where, r.Ports)
		for _, p := range r.Ports {
			if p.NamedPort.Set {
				a.namedPortPeers(where, r.To)
				break
			}
		}
	}
}

// rule checks what a rule of any admin kind shares: its name, action and
// peers.
func (a *adminRefusal) rule(where string, at manifest.Loc, name, action spec.Str, peers []spec.AdminPeer, peersKey string, egress bool) {
	if n := utf8.RuneCountInString(name.V); n > 100 {
		a.refuse(name.Loc, "%s.name is %d characters long, more than the 100 allowed", where, n)
	}
	switch {
	case !action.Set:
		a.refuse(at, "%s.action is required", where)
	case !slices.Contains(a.rules.actions, action.V):
		a.refuse(action.Loc, "%s.action %q is not one of %s", where, action.V, strings.Join(a.rules.actions, ", "))
	}
	switch {
	case len(peers) == 0:
		a.refuse(at, "%s.%s needs at least one peer", where, peersKey)
	case len(peers) > a.rules.maxRules:
		a.refuse(at, "%s.%s has %d peers, more than the %d allowed", where, peersKey, len(peers), a.rules.maxRules)
	}
	for i, p := range peers {
		a.peer(fmt.Sprintf("%s.%s[%d]", where, peersKey, i), p, egress)
	}
}

// peer checks that a peer sets exactly one of the fields of its direction
// and kind: another field is unknown to the schema, which prunes it or
// refuses it, and a peer left with none is refused either way.
func (a *adminRefusal) peer(where string, p spec.AdminPeer, egress bool) {
	fields := []string{"namespaces", "pods"}
	if egress {
		fields = a.rules.egressPeers
	}
	var set []string
	for _, f := range fields {
		if peerSets(p, f) {
			set = append(set, f)
		}
	}
	if len(set) != 1 {
		a.refuse(p.Loc, "%s sets %s, where exactly one of %s is required", where, setFields(set), andList(fields))
	}
	a.selector(where+".namespaces", p.Namespaces)
	a.pods(where+".pods", p.Pods)
	if !egress {
		return
	}
	a.selector(where+".nodes", p.Nodes)
	if slices.Contains(fields, "networks") {
		a.networks(where+".networks", p.Networks)
	}
	if slices.Contains(fields, "domainNames") {
		a.domainNames(where+".domainNames", p.DomainNames)
	}
}

func peerSets(p spec.AdminPeer, field string) bool {
	switch field {
	case "namespaces":
		return p.Namespaces != nil
	case "pods":
		return p.Pods != nil
	case "nodes":
		return p.Nodes != nil
	case "networks":
		return len(p.Networks) > 0
	case "domainNames":
		return len(p.DomainNames) > 0
	}
	return false
}

func setFields(set []string) string {
	if len(set) == 0 {
		return "none of its fields"
	}
	return andList(set)
}

// andList joins "a, b and c".
func andList(l []string) string {
	if len(l) < 2 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

// networks checks a peer's CIDRs: at most 25, each at most 43 characters
// long, none twice (a list of type set), and each accepted by the kind's
// CEL rule. v0.1.5's only tells IPv4 from IPv6 (one of ':' and '.');
// v0.3.0's is isCIDR(self) && cidr(self) == cidr(self).masked(), which
// Kubernetes' CEL library reads with netip.ParsePrefix and refuses an
// IPv4-mapped IPv6 prefix (k8s.io/apiserver pkg/cel/library/cidr.go).
func (a *adminRefusal) networks(where string, nets []spec.Str) {
	if len(nets) > 25 {
		a.refuse(nets[25].Loc, "%s has %d CIDRs, more than the 25 allowed", where, len(nets))
	}
	for i, n := range nets {
		if l := utf8.RuneCountInString(n.V); l > 43 {
			a.refuse(n.Loc, "%s[%d] is %d characters long, more than the 43 allowed", where, i, l)
		}
		if a.rules == &cnpRules {
			if p, err := netip.ParsePrefix(n.V); err != nil || p.Addr().Is4In6() || p != p.Masked() {
				a.refuse(n.Loc, "%s[%d] %q is no CIDR with its host bits zero", where, i, n.V)
			}
		} else if strings.Contains(n.V, ":") == strings.Contains(n.V, ".") {
			a.refuse(n.Loc, "%s[%d] %q is neither IPv4 nor IPv6 (an IPv4 address embedded in IPv6 is refused)", where, i, n.V)
		}
		a.duplicate(where, nets, i)
	}
}

// domainName is the pattern of a ClusterNetworkPolicy domain name.
var domainName = regexp.MustCompile(`^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$`)

func (a *adminRefusal) domainNames(where string, names []spec.Str) {
	if len(names) > 25 {
		a.refuse(names[25].Loc, "%s has %d domain names, more than the 25 allowed", where, len(names))
	}
	for i, n := range names {
		if !domainName.MatchString(n.V) {
			a.refuse(n.Loc, "%s[%d] %q is no domain name", where, i, n.V)
		}
		a.duplicate(where, names, i)
	}
}

// duplicate refuses item i of a list of type set that an earlier item
// repeats. The lists hold 25 items at most, so the quadratic search costs
// less than a map.
func (a *adminRefusal) duplicate(where string, list []spec.Str, i int) {
	for j := range i {
		if list[j].V == list[i].V {
			a.refuse(list[i].Loc, "%s[%d] %q repeats item %d of a set", where, i, list[i].V, j)
			return
		}
	}
}

// ports checks the ports of an AdminNetworkPolicy or
// BaselineAdminNetworkPolicy rule.
func (a *adminRefusal) ports(where string, ports []spec.AdminPort) {
	if len(ports) > 100 {
		a.refuse(ports[100].Loc, "%s.ports has %d ports, more than the 100 allowed", where, len(ports))
	}
	for i, p := range ports {
		at := fmt.Sprintf("%s.ports[%d]", where, i)
		if n := btoi(p.PortNumber != nil) + btoi(p.NamedPort.Set) + btoi(p.PortRange != nil); n != 1 {
			a.refuse(p.Loc, "%s sets %d of portNumber, namedPort and portRange, where exactly one is required", at, n)
		}
		if pn := p.PortNumber; pn != nil {
			a.port(at+".portNumber.port", p.Loc, pn.Port)
		}
		if pr := p.PortRange; pr != nil {
			a.port(at+".portRange.start", p.Loc, pr.Start)
			a.port(at+".portRange.end", p.Loc, pr.End)
		}
	}
}

// port checks a required port number; at is where to point when it is
// left out.
func (a *adminRefusal) port(where string, at manifest.Loc, n spec.Int) {
	switch {
	case !n.Set:
		a.refuse(at, "%s is required", where)
	case n.V < 1 || n.V > 65535:
		a.refuse(n.Loc, "%s %d is outside 1-65535", where, n.V)
	}
}

// protocols checks the protocols of a ClusterNetworkPolicy rule.
func (a *adminRefusal) protocols(where string, protos []spec.ClusterNetworkPolicyProtocol) {
	if len(protos) > 25 {
		a.refuse(protos[25].Loc, "%s.protocols has %d entries, more than the 25 allowed", where, len(protos))
	}
	for i, p := range protos {
		at := fmt.Sprintf("%s.protocols[%d]", where, i)
		if n := btoi(p.TCP != nil) + btoi(p.UDP != nil) + btoi(p.SCTP != nil) + btoi(p.DestinationNamedPort.Set); n != 1 {
			a.refuse(p.Loc, "%s sets %d of tcp, udp, sctp and destinationNamedPort, where exactly one is required", at, n)
		}
		for _, m := range []struct {
			name string
			m    *spec.ClusterNetworkPolicyPortMatch
		}{{"tcp", p.TCP}, {"udp", p.UDP}, {"sctp", p.SCTP}} {
			if m.m == nil {
				continue
			}
			dp := m.m.DestinationPort
			if dp == nil {
				// Every port of the protocol is no field: the schema
				// wants at least one.
				a.refuse(p.Loc, "%s.%s sets no destinationPort", at, m.name)
				continue
			}
			dpAt := at + "." + m.name + ".destinationPort"
			if n := btoi(dp.Number.Set) + btoi(dp.Range != nil); n != 1 {
				a.refuse(p.Loc, "%s sets %d of number and range, where exactly one is required", dpAt, n)
			}
			if dp.Number.Set {
				a.port(dpAt+".number", p.Loc, dp.Number)
			}
			if r := dp.Range; r != nil {
				a.port(dpAt+".range.start", p.Loc, r.Start)
				a.port(dpAt+".range.end", p.Loc, r.End)
				if r.Start.Set && r.End.Set && r.Start.V >= r.End.V {
					a.refuse(r.Start.Loc, "%s.range %d-%d does not end after it starts", dpAt, r.Start.V, r.End.V)
				}
			}
		}
	}
}

// namedPortPeers refuses an egress rule that names a port and has a peer
// without named ports: the CEL rule of the egress rule types.
func (a *adminRefusal) namedPortPeers(where string, peers []spec.AdminPeer) {
	for i, p := range peers {
		for _, f := range a.rules.egressPeers[2:] { // past namespaces and pods
			if peerSets(p, f) {
				a.refuse(p.Loc, "%s names a port, and its peer to[%d] sets %s, which has no named ports", where, i, f)
				return
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
