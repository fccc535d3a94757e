package graph

import (
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// Visible reports whether a config of namespace own with the given exportTo
// list is visible from namespace from. An empty list means "*", Istio's
// default; "." means the own namespace and "~" nobody.
func Visible(exportTo []string, own, from string) bool {
	if len(exportTo) == 0 {
		return true
	}
	for _, e := range exportTo {
		switch e {
		case "*":
			return true
		case ".":
			if from == own {
				return true
			}
		case "~":
		default:
			if e == from {
				return true
			}
		}
	}
	return false
}

// HostTarget is a registry entry that serves a host.
type HostTarget struct {
	Service *Service
	Entry   *ServiceEntry
}

// Namespace is the namespace of the Service or ServiceEntry.
func (t HostTarget) Namespace() string {
	if t.Service != nil {
		return t.Service.Namespace()
	}
	return t.Entry.Namespace()
}

// Ports lists the port numbers the target exposes.
func (t HostTarget) Ports() []int64 { return t.AppendPorts(nil) }

// AppendPorts appends the port numbers the target exposes to dst, so that
// a caller collecting the ports of several targets makes one list.
func (t HostTarget) AppendPorts(dst []int64) []int64 {
	if t.Service != nil {
		for _, p := range t.Service.Spec.Ports {
			dst = append(dst, p.Port.V)
		}
		return dst
	}
	for _, p := range t.Entry.Spec.Ports {
		dst = append(dst, p.Number.V)
	}
	return dst
}

// FQDN expands host h of a config of namespace ns as host.FQDN does, in
// the graph's cluster domain. The name of a Service of the input comes
// back as that Service's Host: rules expand the host of every route
// destination, several of them each, and a new string each time added up
// to megabytes on a large input.
func (g *Graph) FQDN(h, ns string) string {
	if !host.Expands(h) {
		return h
	}
	domain := g.Mesh.ClusterDomain
	if domain == "" {
		domain = host.DefaultDomain
	}
	var buf [128]byte
	b := append(buf[:0], h...)
	b = append(b, '.')
	b = append(b, ns...)
	b = append(b, ".svc."...)
	b = append(b, domain...)
	if ss := g.servicesByHost[string(b)]; len(ss) > 0 {
		return ss[0].Host
	}
	return string(b)
}

// LookupHost returns the Services and ServiceEntries that serve fqdn and are
// visible from namespace from.
func (g *Graph) LookupHost(fqdn, from string) []HostTarget {
	return slices.Collect(g.HostTargets(fqdn, from))
}

// HostTargets yields what LookupHost returns, for callers that look at
// the targets one at a time (or at the first only) without a list.
func (g *Graph) HostTargets(fqdn, from string) iter.Seq[HostTarget] {
	return func(yield func(HostTarget) bool) {
		if host.IsWildcard(fqdn) {
			for _, s := range g.Services {
				if host.Matches(fqdn, s.Host) && Visible(s.ExportTo, s.Namespace(), from) && !yield(HostTarget{Service: s}) {
					return
				}
			}
		} else {
			for _, s := range g.servicesByHost[strings.ToLower(fqdn)] {
				if Visible(s.ExportTo, s.Namespace(), from) && !yield(HostTarget{Service: s}) {
					return
				}
			}
		}
		for _, se := range g.ServiceEntries {
			if !Visible(se.ExportTo, se.Namespace(), from) {
				continue
			}
			for _, h := range se.Spec.Hosts {
				if host.Matches(h.V, fqdn) {
					if !yield(HostTarget{Entry: se}) {
						return
					}
					break
				}
			}
		}
	}
}

// ServiceNamespace returns the namespace that owns host fqdn: the namespace
// of a Service or ServiceEntry for it, else the namespace part of a
// "name.ns.svc.<domain>" name, else "".
func (g *Graph) ServiceNamespace(fqdn string) string {
	if ss := g.servicesByHost[strings.ToLower(fqdn)]; len(ss) > 0 {
		return ss[0].Namespace()
	}
	for _, se := range g.ServiceEntries {
		for _, h := range se.Spec.Hosts {
			if host.Matches(h.V, fqdn) {
				return se.Namespace()
			}
		}
	}
	suffix := ".svc." + g.Mesh.ClusterDomain
	if strings.HasSuffix(fqdn, suffix) {
		parts := strings.Split(strings.TrimSuffix(fqdn, suffix), ".")
		if len(parts) == 2 {
			return parts[1]
		}
	}
	return ""
}

// DestinationRulesFor returns the DestinationRules that proxies of
// namespace client use for host fqdn, as Istio's PushContext.destinationRule
// picks them; several rules come back when Istio keeps them all (rules for
// the same host, which it merges, and the workload-specific rules of the
// client's namespace, of which each proxy takes the one that selects it,
// else the one without a selector). Istio tries in order:
//
//  1. the client's namespace: its rules visible to it, workloadSelector
//     rules included, so that a rule that selects some workloads hides the
//     service's rules from every proxy of the namespace; for a client in
//     the root namespace, only the root namespace's rules exported to it
//     alone, so that a mesh-wide rule such as "*.local" there does not hide
//     each service's rules from the gateways that run in it;
//  2. the service's namespace, its rules exported to the client;
//  3. the root namespace, its rules exported to the client.
//
// Within a namespace the most specific host wins, and only then is the
// exportTo of the rules for that host checked, so that a closer host not
// exported to the client hides a wider one that is. Rules in any other
// namespace do nothing for this client, whatever their exportTo.
func (g *Graph) DestinationRulesFor(fqdn, client string) []*DestinationRule {
	return destinationRulesFor(fqdn, client, g.ServiceNamespace(fqdn), g.Mesh.RootNamespace, func(ns string) []*DestinationRule {
		return g.drsMayMatch(ns, fqdn)
	})
}

// destinationRulesFor is DestinationRulesFor, with svcNS the namespace of
// the host's service and cands giving, in input order, a superset of the
// rules of a namespace whose host matches fqdn.
func destinationRulesFor(fqdn, client, svcNS, root string, cands func(ns string) []*DestinationRule) []*DestinationRule {
	if client != "" {
		local := func(dr *DestinationRule) bool {
			if client == root {
				// Istio's rootNamespaceLocal index: the private rules,
				// and a workloadSelector makes a rule private.
				return dr.Spec.WorkloadSelector != nil || privateOnly(dr.ExportTo, root)
			}
			return dr.Spec.WorkloadSelector != nil || Visible(dr.ExportTo, client, client)
		}
		if drs := mostSpecificDRs(cands(client), fqdn, local); len(drs) > 0 {
			return drs
		}
	}
	// The service's namespace, then the root namespace, offer their
	// exported rules. For a client outside the root namespace, its own
	// namespace has nothing more to offer when it is the service's: its
	// exported rules visible to it were all among its local ones.
	if svcNS != "" && (svcNS != client || client == root) {
		if drs := exportedDRs(cands(svcNS), svcNS, fqdn, client); len(drs) > 0 {
			return drs
		}
	}
	if root != "" && root != svcNS {
		return exportedDRs(cands(root), root, fqdn, client)
	}
	return nil
}

// exportedDRs returns the rules of namespace ns, among drs, that Istio's
// getExportedDestinationRuleFromNamespace gives a client: of the rules ns
// exports (not to itself alone, and without a workloadSelector), those for
// the most specific host, then of these the ones exported to the client.
// That check reads exportTo literally: "." does not stand for ns there.
func exportedDRs(drs []*DestinationRule, ns, fqdn, client string) []*DestinationRule {
	best := mostSpecificDRs(drs, fqdn, func(dr *DestinationRule) bool {
		return dr.Spec.WorkloadSelector == nil && !privateOnly(dr.ExportTo, ns)
	})
	out := best[:0]
	for _, dr := range best {
		if len(dr.ExportTo) == 0 || slices.Contains(dr.ExportTo, "*") || slices.Contains(dr.ExportTo, client) {
			out = append(out, dr)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mostSpecificDRs returns the rules among drs that ok accepts and whose
// host matches fqdn, keeping only those of the most specific host (Istio's
// MostSpecificHostMatch), in input order. The list is new: callers may
// filter it in place.
func mostSpecificDRs(drs []*DestinationRule, fqdn string, ok func(*DestinationRule) bool) []*DestinationRule {
	var best []*DestinationRule
	bestHost := ""
	for _, dr := range drs {
		if !host.Matches(dr.Host, fqdn) || host.IsWildcard(fqdn) && !host.SubsetOf(fqdn, dr.Host) || !ok(dr) {
			continue
		}
		switch {
		case best == nil || moreSpecific(dr.Host, bestHost):
			best, bestHost = []*DestinationRule{dr}, dr.Host
		case dr.Host == bestHost:
			best = append(best, dr)
		}
	}
	return best
}

// privateOnly reports whether a rule of namespace ns is exported to ns
// alone, so that Istio leaves it out of the rules other namespaces see.
func privateOnly(exportTo []string, ns string) bool {
	return len(exportTo) == 1 && (exportTo[0] == "." || exportTo[0] == ns)
}

// moreSpecific orders hosts as Istio's MostSpecificHostMatch: an exact name
// beats a wildcard, and a longer wildcard beats a shorter one.
func moreSpecific(a, b string) bool {
	aw, bw := host.IsWildcard(a), host.IsWildcard(b)
	if aw != bw {
		return !aw
	}
	return len(a) > len(b)
}

// Subset finds a subset by name among the given DestinationRules.
func Subset(drs []*DestinationRule, name string) (*DestinationRule, *spec.Subset) {
	for _, dr := range drs {
		for i := range dr.Spec.Subsets {
			if dr.Spec.Subsets[i].Name.V == name {
				return dr, &dr.Spec.Subsets[i]
			}
		}
	}
	return nil, nil
}

// FindGateway returns the gateway namespace/name, or nil.
func (g *Graph) FindGateway(ns, name string) *Gateway { return g.gatewaysByKey[ns+"/"+name] }

// MTLS is the effective mTLS mode for a workload port and the setting that
// decided it.
type MTLS struct {
	// Mode is STRICT, PERMISSIVE or DISABLE.
	Mode string
	// Policy is the PeerAuthentication that set the mode, nil for the mesh
	// default.
	Policy *PeerAuthentication
	// Loc is the location of the deciding mode value.
	Loc spec.Loc
}

// EffectiveMTLS returns the mTLS mode a workload accepts on a port (0 for
// the workload as a whole), applying Istio's precedence: a workload
// selector policy (its portLevelMtls first), then the namespace policy, then
// the mesh-wide policy in the root namespace, else PERMISSIVE. UNSET
// inherits from the next level.
func (g *Graph) EffectiveMTLS(w *Workload, port int64) MTLS {
	if pa := g.workloadPA(w); pa != nil {
		if port != 0 {
			if m, ok := pa.Spec.PortLevelMTLS[strconv.FormatInt(port, 10)]; ok && isMode(m.Mode) {
				return MTLS{Mode: m.Mode.V, Policy: pa, Loc: m.Mode.Loc}
			}
		}
		if pa.Spec.MTLS != nil && isMode(pa.Spec.MTLS.Mode) {
			return MTLS{Mode: pa.Spec.MTLS.Mode.V, Policy: pa, Loc: pa.Spec.MTLS.Mode.Loc}
		}
	}
	return g.namespaceMTLS(w.Namespace(), w.Obj)
}

// PortMTLS returns the ports to which the workload's own PeerAuthentication
// gives a mode of their own (portLevelMtls), with that mode; nil when it
// gives none. Istio reads portLevelMtls only on a policy with a selector.
func (g *Graph) PortMTLS(w *Workload) map[int64]MTLS {
	pa := g.workloadPA(w)
	if pa == nil {
		return nil
	}
	var out map[int64]MTLS
	for p, m := range pa.Spec.PortLevelMTLS {
		port, err := strconv.ParseInt(p, 10, 64)
		if err != nil || port <= 0 || !isMode(m.Mode) {
			continue
		}
		if out == nil {
			out = make(map[int64]MTLS)
		}
		out[port] = MTLS{Mode: m.Mode.V, Policy: pa, Loc: m.Mode.Loc}
	}
	return out
}

// NamespaceMTLS returns the mode of workloads in ns that no workload policy
// selects.
func (g *Graph) NamespaceMTLS(ns string) MTLS { return g.namespaceMTLS(ns, nil) }

// namespaceMTLS is NamespaceMTLS for a workload from (nil for none): where
// the input defines a policy twice, from's layout decides which copy sets
// the mode.
func (g *Graph) namespaceMTLS(ns string, from *manifest.Object) MTLS {
	if pa := g.namespacePA(ns, from); pa != nil && pa.Spec.MTLS != nil && isMode(pa.Spec.MTLS.Mode) {
		return MTLS{Mode: pa.Spec.MTLS.Mode.V, Policy: pa, Loc: pa.Spec.MTLS.Mode.Loc}
	}
	if pa := g.namespacePA(g.Mesh.RootNamespace, from); pa != nil && pa.Spec.MTLS != nil && isMode(pa.Spec.MTLS.Mode) {
		return MTLS{Mode: pa.Spec.MTLS.Mode.V, Policy: pa, Loc: pa.Spec.MTLS.Mode.Loc}
	}
	return MTLS{Mode: "PERMISSIVE"}
}

func isMode(m spec.Str) bool { return m.Set && m.V != "" && m.V != "UNSET" }

// HasSelector reports whether a policy selects specific workloads.
func (pa *PeerAuthentication) HasSelector() bool {
	return pa.Spec.Selector != nil && len(pa.Spec.Selector.MatchLabels) > 0
}

func (g *Graph) workloadPA(w *Workload) *PeerAuthentication {
	if w.Namespace() == g.Mesh.RootNamespace {
		// Istio ignores selector policies of the root namespace
		// (ComposePeerAuthentication), even for its own workloads.
		return nil
	}
	return g.firstPA(g.pasByNS[w.Namespace()], w.Obj, func(pa *PeerAuthentication) bool {
		return pa.HasSelector() && labels.SubsetOf(pa.Spec.Selector.MatchLabels, w.Labels)
	})
}

func (g *Graph) namespacePA(ns string, from *manifest.Object) *PeerAuthentication {
	return g.firstPA(g.pasByNS[ns], from, func(pa *PeerAuthentication) bool { return !pa.HasSelector() })
}

// firstPA returns the first of pas (one namespace's, in name order) that
// ok accepts. Of a policy the input defines twice, only the definition
// from goes with (Counterpart) is asked: another layout's copy may select
// other pods or set another mode, and taking the first written would make
// the result depend on which layout the input lists first.
func (g *Graph) firstPA(pas []*PeerAuthentication, from *manifest.Object, ok func(*PeerAuthentication) bool) *PeerAuthentication {
	for i := 0; i < len(pas); {
		j := i + 1
		for j < len(pas) && pas[i].Name() != "" && pas[j].Name() == pas[i].Name() {
			j++
		}
		pa := pas[i]
		if j-i > 1 {
			pa = Counterpart(g, from, pas[i:j])
		}
		if ok(pa) {
			return pa
		}
		i = j
	}
	return nil
}

// PeerAuthenticationsIn returns the policies of a namespace in precedence
// order.
func (g *Graph) PeerAuthenticationsIn(ns string) []*PeerAuthentication { return g.pasByNS[ns] }
