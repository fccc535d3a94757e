package routing

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// SidecarEgressHostUnknown reports Sidecar egress hosts that import nothing.
var SidecarEgressHostUnknown = &rules.Rule{
	ID:      "MR173",
	Name:    "sidecar-egress-host-unknown",
	Summary: "sidecar egress host imports no Service or ServiceEntry, or the egressProxy names a host or port no cluster serves",
	Doc: `A Sidecar's ` + "`egress[].hosts`" + ` entries (` + "`namespace/dnsName`" + `) list the services its workloads can
reach: only Services and ServiceEntries of that namespace (` + "`*`" + ` for any, ` + "`.`" + ` for the Sidecar's
own) whose host matches the name are imported. An entry that matches nothing (a typo, a short
name where Istio wants the FQDN, the wrong namespace part) imports nothing, and calls to the
service it meant fall to the outbound traffic policy: passthrough without routing rules or
mTLS settings under ` + "`ALLOW_ANY`" + `, refused under ` + "`REGISTRY_ONLY`" + `.

Fix the name or the namespace part; for an external host add a ServiceEntry. Entries whose name
is a wildcard and exclusions (` + "`~/*`" + `, ` + "`~ns/name`" + `) are not checked.

The rule also checks an ` + "`ALLOW_ANY`" + ` policy's ` + "`outboundTrafficPolicy.egressProxy`" + `. Istio sends the
unknown outbound traffic to the cluster of its host, subset and port, and builds clusters only
for the ports of the Services and ServiceEntries the Sidecar imports (a Service's ` + "`port`" + `, not its
` + "`targetPort`" + `). A host that no Service or ServiceEntry visible from the Sidecar's namespace carries
(a typo, a Service its exportTo hides, a name that only a wildcard ServiceEntry matches), or a
port that none of them has, names a cluster Envoy does not know: HTTP requests fail with 503
(NC) and TCP connections are closed. A proxy without a port (the webhook rejects it; Istio would
name port 0, a cluster that never exists), a host that is not a fully qualified name and a host
no egress listener imports are MR014's; a host that an egress listener names as it is, which the
check above reports, is not reported twice.

Unlike Kiali (KIA1004), which ignores the namespace part, the rule follows Istio: a Service of
another namespace than the one written does not count. It stays quiet when the input describes
no Service or ServiceEntry of that namespace (for an external name: no ServiceEntry at all),
unless the closed-world setting is on.`,
	Bad:      sidecarHostsExample(`"shop/reveiws.shop.svc.cluster.local"`),
	Good:     sidecarHostsExample(`"shop/reviews.shop.svc.cluster.local", "istio-system/*"`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Sidecar, kinds.Service, kinds.ServiceEntry},
	Related:  []string{"KIA1004"},
	Deps:     rules.DepHOST | rules.DepPRES,
	Run:      runSidecarEgressHostUnknown,
}

// sidecarHostsExample is Service shop/reviews, and a Sidecar of frontend
// whose egress lists hosts: the examples of MR173.
func sidecarHostsExample(hosts string) string {
	return reviewsService + `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: frontend}
spec:
  egress:
  - hosts: [` + hosts + `]
`
}

func runSidecarEgressHostUnknown(p *rules.Pass) error {
	g := p.Graph
	for _, sc := range g.Sidecars {
		for _, eg := range sc.Spec.Egress {
			for _, h := range eg.Hosts {
				s := host.ParseScoped(h.V, sc.Namespace())
				// An exclusion (~ns/name, ~/* among them) takes hosts
				// away: that it imports none is its point.
				if s.Host == "" || host.IsWildcard(s.Host) || strings.HasPrefix(s.Namespace, "~") || !strings.Contains(h.V, "/") {
					continue
				}
				var elsewhere []string
				found := false
				for _, t := range g.LookupHost(s.Host, sc.Namespace()) {
					if s.Admits(t.Namespace(), s.Host) {
						found = true
						break
					}
					elsewhere = append(elsewhere, t.Namespace())
				}
				if found {
					continue
				}
				hint := ""
				switch {
				case len(elsewhere) > 0:
					hint = fmt.Sprintf(" (it is defined in namespace %s, which %q does not import)", elsewhere[0], h.V)
				case g.HostDefined(s.Host):
					hint = fmt.Sprintf(" (it exists, but its exportTo hides it from namespace %s)", sc.Namespace())
				case !g.HostDescribed(s.Host) || s.Namespace != "*" && !g.HostsKnown(s.Namespace):
					continue
				}
				p.Reportf(sc.Obj, h.Loc, "egress host %q of Sidecar %s/%s imports no Service or ServiceEntry%s", h.V, sc.Namespace(), sc.Name(), hint)
			}
		}
		checkEgressProxy(p, sc)
	}
	return nil
}

// checkEgressProxy reports an egressProxy whose host names no Service or
// ServiceEntry, or whose port is no port of those it names. Pilot sends
// unknown outbound traffic to the cluster GetDestinationCluster
// (pilot/pkg/networking/core/route/route.go) names from the proxy's host,
// subset and port (httproute.go's ALLOW_ANY virtual host,
// listener_builder.go buildOutboundCatchAllNetworkFiltersOnly), and builds
// outbound clusters only for the ports of the services the Sidecar
// imports: Envoy finds no such cluster. What MR014 reports is left to it:
// a mode other than ALLOW_ANY (Pilot ignores the proxy), no port (the
// webhook rejects it; Pilot would name port 0), a host that is no FQDN or
// ends with a dot, a host no egress listener imports for the proxy's port;
// and MR003's: port 0 or one out of range.
func checkEgressProxy(p *rules.Pass, sc *graph.Sidecar) {
	otp := sc.Spec.OutboundTrafficPolicy
	if otp == nil || otp.Mode.V != "ALLOW_ANY" || otp.EgressProxy == nil {
		return
	}
	ep := otp.EgressProxy
	if !ep.Port.Set || ep.Port.V < 1 || ep.Port.V > 65535 {
		return
	}
	proxy := ep.Host.V
	if !fqdnName.MatchString(proxy) {
		return
	}
	n := ep.Port.V
	cluster := fmt.Sprintf("outbound|%d|%s|%s", n, ep.Subset.V, proxy)
	const fails = "so that traffic fails (HTTP with 503 NC, TCP connections closed)"
	visible := p.Graph.LookupHost(proxy, sc.Namespace())
	targets := namedTargets(slices.Clone(visible), proxy)
	if len(targets) == 0 {
		if hint, fix, ok := egressProxyUnknown(p.Graph, sc, proxy, n, visible); ok {
			p.Reportf(sc.Obj, ep.Host.Loc, "outboundTrafficPolicy.egressProxy.host %q of Sidecar %s/%s names no Service or ServiceEntry%s: Pilot sends unknown outbound traffic to cluster %s, which does not exist, %s; %s",
				proxy, sc.Namespace(), sc.Name(), hint, cluster, fails, fix)
		}
		return
	}
	ports := targetPorts(targets)
	if slices.Contains(ports, n) {
		return
	}
	p.Reportf(sc.Obj, ep.Port.Loc, "outboundTrafficPolicy.egressProxy port %d of Sidecar %s/%s is not a port of %s (ports: %s%s): Pilot sends unknown outbound traffic to cluster %s, which does not exist, %s; use a port of the host",
		n, sc.Namespace(), sc.Name(), targetName(targets[0]), portList(ports), targetPortHint(targets, n), cluster, fails)
}

// fqdnName is a lower-case DNS name of two labels or more whose last one
// starts with a letter: one that agent.ValidateFQDN accepts, without the
// trailing dot MR014 reports. The names it rejects are MR014's too.
var fqdnName = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]([-a-z0-9]*[a-z0-9])?$`)

// egressProxyUnknown tells whether to report an egressProxy host that
// names no Service or ServiceEntry visible from the Sidecar's namespace,
// with the hint to add and the fix to suggest. visible are the entries
// LookupHost found: ones whose wildcard host matches it. Not reported: a
// host that MR014 already reports as not imported; one an egress listener
// names as it is, which the egress check above reports (or spares) the
// same way; one whose namespace (any ServiceEntry, for an external name)
// the input does not describe; one hidden by its exportTo from the root
// namespace, when the Sidecar there is every namespace's default (it may
// be exported to those that use the proxy).
func egressProxyUnknown(g *graph.Graph, sc *graph.Sidecar, proxy string, port int64, visible []graph.HostTarget) (hint, fix string, ok bool) {
	if !egressProxyImported(g, sc, proxy, port) {
		return "", "", false
	}
	for _, eg := range sc.Spec.Egress {
		for _, h := range eg.Hosts {
			if _, dns, ok := strings.Cut(h.V, "/"); ok && strings.EqualFold(dns, proxy) {
				return "", "", false
			}
		}
	}
	if hidden := hiddenHolder(g, proxy); hidden != "" {
		if defaultSidecar(g, sc) {
			return "", "", false
		}
		return fmt.Sprintf(" visible from namespace %s (%s has the name, but its exportTo hides it)", sc.Namespace(), hidden), "export it to namespace " + sc.Namespace(), true
	}
	if !g.HostDescribed(proxy) {
		// A Service of a namespace the input does not show may carry the
		// name, whatever wildcard matches it too.
		return "", "", false
	}
	for _, t := range visible {
		if t.Entry != nil {
			return fmt.Sprintf(" (ServiceEntry %s/%s matches it by a wildcard host, and Pilot names that entry's clusters after the wildcard)", t.Entry.Namespace(), t.Entry.Name()), "add a ServiceEntry for the name itself", true
		}
	}
	return "", "fix the name, or add a ServiceEntry for a proxy outside the cluster", true
}

// hiddenHolder names a Service or ServiceEntry of the input that carries
// host h itself, for a caller that found none visible, or returns "".
func hiddenHolder(g *graph.Graph, h string) string {
	for _, s := range g.Services {
		if strings.EqualFold(s.Host, h) {
			return fmt.Sprintf("Service %s/%s", s.Namespace(), s.Name())
		}
	}
	for _, se := range g.ServiceEntries {
		for _, eh := range se.Spec.Hosts {
			if strings.EqualFold(eh.V, h) {
				return fmt.Sprintf("ServiceEntry %s/%s", se.Namespace(), se.Name())
			}
		}
	}
	return ""
}

// egressProxyImported is the import test of MR014's
// checkEgressProxyImported (rules/validation/sidecar.go), which reports
// the host when it fails: a Sidecar without egress listeners imports every
// host, else a listener must name the host, in a namespace part that can
// hold it, for every port or for the proxy's.
func egressProxyImported(g *graph.Graph, sc *graph.Sidecar, proxy string, port int64) bool {
	if len(sc.Spec.Egress) == 0 {
		return true
	}
	// "." of a root-namespace Sidecar without a selector, every
	// namespace's default, is each proxy's own namespace.
	own := sc.Namespace()
	if defaultSidecar(g, sc) {
		own = ""
	}
	for _, eg := range sc.Spec.Egress {
		for _, h := range eg.Hosts {
			if !host.SidecarImports(h.V, own, proxy) {
				continue
			}
			if eg.Port == nil || !eg.Port.Number.Set || eg.Port.Number.V == port {
				return true
			}
		}
	}
	return false
}

// defaultSidecar reports whether sc is a root-namespace Sidecar without a
// selector: the default of every namespace without one of its own.
func defaultSidecar(g *graph.Graph, sc *graph.Sidecar) bool {
	return sc.Namespace() == g.Mesh.RootNamespace && sc.Spec.WorkloadSelector == nil
}

// namedTargets keeps the targets that carry name h itself. A ServiceEntry
// of a wildcard host that matches h has clusters named after the
// wildcard, so that no port of it gives the cluster of h: another fault.
func namedTargets(ts []graph.HostTarget, h string) []graph.HostTarget {
	return slices.DeleteFunc(ts, func(t graph.HostTarget) bool {
		if t.Service != nil {
			return !strings.EqualFold(t.Service.Host, h)
		}
		return !slices.ContainsFunc(t.Entry.Spec.Hosts, func(eh spec.Str) bool { return strings.EqualFold(eh.V, h) })
	})
}

// targetPortHint says which Service port forwards to container port n,
// when n is a targetPort: the cluster is named after the Service's port.
func targetPortHint(targets []graph.HostTarget, n int64) string {
	for _, t := range targets {
		if t.Service == nil {
			continue
		}
		for _, sp := range t.Service.Spec.Ports {
			if tp := sp.TargetPort; tp.Set && !tp.IsStr && tp.Int == n {
				return fmt.Sprintf("; %d is the targetPort of port %d, and clusters are named after the Service port", n, sp.Port.V)
			}
		}
	}
	return ""
}
