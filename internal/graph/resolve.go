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

// DestinationRulesFor returns the DestinationRules that a client in
// namespace client uses for host fqdn, as Istio chooses them: the client's
// own namespace first, then the service's namespace, then the root
// namespace, taking the first namespace that has a visible rule for the
// host. Within it the most specific host wins, and several rules for that
// same host are merged by Istio, so all are returned. DestinationRules in
// any other namespace do nothing for this client, whatever their exportTo.
func (g *Graph) DestinationRulesFor(fqdn, client string) []*DestinationRule {
	return destinationRulesFor(client, g.ServiceNamespace(fqdn), g.Mesh.RootNamespace, func(ns string) []*DestinationRule {
		return bestDRs(g.drsMayMatch(ns, fqdn), ns, fqdn, client)
	})
}

// destinationRulesFor tries the namespaces in Istio's order, client's,
// service's, root, and returns the rules best offers in the first that has
// any.
func destinationRulesFor(client, svcNS, root string, best func(ns string) []*DestinationRule) []*DestinationRule {
	order := [...]string{client, svcNS, root}
	for i, ns := range order {
		if ns == "" || i > 0 && ns == order[0] || i > 1 && ns == order[1] {
			continue
		}
		if drs := best(ns); len(drs) > 0 {
			return drs
		}
	}
	return nil
}

// bestDRs returns the rules of namespace ns, among drs (which hold every
// rule of ns whose host may match, in input order), that a client uses for
// fqdn. The client's own namespace offers every rule exported to it;
// another namespace offers its exported rules, of which Istio takes the
// most specific host first and only then checks that it is exported to the
// client, so that a closer host not exported to the client hides a wider
// one that is.
func bestDRs(drs []*DestinationRule, ns, fqdn, client string) []*DestinationRule {
	local := ns == client
	var best []*DestinationRule
	bestHost := ""
	for _, dr := range drs {
		if dr.Spec.WorkloadSelector != nil || !host.Matches(dr.Host, fqdn) {
			continue
		}
		if host.IsWildcard(fqdn) && !host.SubsetOf(fqdn, dr.Host) {
			continue
		}
		if local && !Visible(dr.ExportTo, ns, ns) || !local && privateOnly(dr.ExportTo, ns) {
			continue
		}
		switch {
		case best == nil || moreSpecific(dr.Host, bestHost):
			best, bestHost = []*DestinationRule{dr}, dr.Host
		case dr.Host == bestHost:
			best = append(best, dr)
		}
	}
	if local {
		return best
	}
	for _, dr := range best {
		if Visible(dr.ExportTo, ns, client) {
			return best
		}
	}
	return nil
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
