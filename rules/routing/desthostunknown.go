package routing

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// DestinationHostUnknown reports route destinations whose host is in no
// registry.
var DestinationHostUnknown = &rules.Rule{
	ID:      "MR112",
	Name:    "destination-host-unknown",
	Summary: "route destination host matches no Service or ServiceEntry visible from the VirtualService",
	Fix:     "replaces a misspelt host with the one visible host it most likely means",
	Doc: `Istio builds a cluster for each host of its service registry: Kubernetes Services and
ServiceEntry hosts. A route or mirror destination whose host is in neither has no cluster,
so requests routed there fail with 503 (NC, no cluster) and mirrored traffic is dropped. A short
host is expanded with the VirtualService's namespace; a host with a dot is taken literally, so
` + "`reviews.shop`" + ` is not ` + "`reviews.shop.svc.cluster.local`" + `, although Kubernetes DNS would
resolve it.

Fix the host (write the FQDN for a Service of another namespace), or add a ServiceEntry for
an external host.

istioctl analyze skips this check when it reads files (it drops Services), and reports it
only against a live cluster. meshlint stays quiet when the input describes no Service or
ServiceEntry of the host's namespace (for an external host: no ServiceEntry at all), since the
host may be defined elsewhere; the closed-world setting makes it strict. Visibility honours
Service ` + "`networking.istio.io/exportTo`" + ` annotations and ServiceEntry ` + "`exportTo`" + `. The host
must be visible where the routes are used: from the VirtualService's namespace, or, when its
` + "`exportTo`" + ` lists namespaces, from at least one of them (a VirtualService exported only to
namespaces that cannot see its destination routes their requests nowhere). A gateway looks the
destinations of the VirtualServices bound to it up from the namespace of its own pods: a Service
exported to its own namespace alone (` + "`networking.istio.io/exportTo: \".\"`" + `) has no cluster in
an ingress gateway of ` + "`istio-system`" + `. So the host of a VirtualService bound to gateways must be
visible from the namespaces of their pods too, or only from them when it is not bound to
` + "`mesh`" + ` (when the input holds no pods of a Gateway, its namespace and the root namespace stand
for theirs; its namespace alone with ` + "`scope-gateway-to-namespace`" + `). A delegate VirtualService (one without hosts) is merged into the routes that
delegate to it and served by their proxies, so its destinations must be visible from where
those routes are used, as above, not from the delegate's namespace; a delegate that no route of
the input delegates to is checked from its own namespace.

When exactly one host visible from there is a close match (the same name in another case, or,
for names of 6 or more characters, at most 2 edits away), the message asks whether it was meant
and ` + "`meshlint --fix`" + ` writes it instead. Hosts are compared in the form written: a short name
with the names of the Services of the VirtualService's namespace, a ` + "`name.namespace`" + ` with
those forms of all Services (the fix writes the Service's FQDN, which Istio resolves) and with
ServiceEntry hosts, an FQDN with Service FQDNs and ServiceEntry hosts. There is no suggestion
when the message already names what was meant, nor between ` + "`ingress`" + ` and ` + "`egress`" + `
(` + "`istio-egressgateway`" + ` is no typo of ` + "`istio-ingressgateway`" + `), and no fix for a host written
under a YAML anchor or in a VirtualService that Flagger rewrites, nor when the route would then
list the same destination twice, which MR130 reports.`,
	Bad:      destHostExample("reviewz"),
	Good:     destHostExample("reviews"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.Service, kinds.ServiceEntry, kinds.Gateway, kinds.Pod, kinds.Deployment},
	Related:  []string{"IST0101", "KIA1101"},
	Deps:     rules.DepHOST | rules.DepGW | rules.DepREF | rules.DepREV | rules.DepPRES,
	Run:      runDestinationHostUnknown,
}

// destHostExample is Service shop/reviews, and a route of a
// VirtualService to host: the examples of MR112.
func destHostExample(host string) string {
	return reviewsService + `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: ` + host + `}
`
}

func runDestinationHostUnknown(p *rules.Pass) error {
	g := p.Graph
	var rws []destRewrite
	eachHostDestination(p, func(vs *graph.VirtualService, ref destRef, targets []graph.HostTarget) {
		if len(targets) > 0 {
			return
		}
		h := ref.Dest.Host.V
		fqdn := g.FQDN(h, vs.Namespace())
		nss, from := destNamespaces(p, vs)
		hint := hostHint(g, h, fqdn, vs.Namespace(), nss)
		if hint == "" && !g.HostDescribed(fqdn) {
			return
		}
		where := namespacesPhrase(nss)
		if from != "" {
			where += ", " + from
		}
		// A hint already names what was meant, or why the host is hidden.
		match, ok := "", false
		if hint == "" {
			if match, ok = hostTypo(g, h, vs.Namespace(), nss); ok {
				hint = fmt.Sprintf("; did you mean %q?", match)
			}
		}
		f := p.Reportf(vs.Obj, ref.Dest.Host.Loc, "%s: host %q matches no Service or ServiceEntry visible from %s%s", ref.Where(), h, where, hint)
		if ok && rules.Rewritable(g, vs.Obj, ref.Dest.Host.Loc) {
			to := destKeyOf(g, vs.Namespace(), ref.Dest)
			to.host = g.FQDN(match, vs.Namespace())
			rws = append(rws, destRewrite{vs: vs, ref: ref, to: to, f: f, fix: rules.Fix{
				Message: fmt.Sprintf("Change the host to %s", match),
				Edits:   []rules.Edit{rules.ReplaceValue(vs.Obj, ref.Dest.Host.Loc, h, match)},
			}})
		}
	})
	setRewriteFixes(g, rws)
	return nil
}

// hostTypo returns the host that written, a destination host of a
// VirtualService of namespace own that resolves to nothing, most likely
// meant: the one close match among the hosts visible from the namespaces
// from, compared in the form written. A short name is compared with the
// names of the Services of namespace own, a "name.namespace" with those of
// every Service and with ServiceEntry hosts, and a longer name with Service
// FQDNs and ServiceEntry hosts. The match is returned as it must be
// written to resolve: a "name.namespace" that means a Service becomes its
// FQDN, since Istio does not expand it.
func hostTypo(g *graph.Graph, written, own string, from []string) (string, bool) {
	if written == "" || strings.ContainsAny(written, "*:") {
		return "", false
	}
	if _, err := netip.ParseAddr(written); err == nil {
		return "", false // an address is not misspelt like a name
	}
	visible := func(exportTo []string, ns string) bool {
		for _, c := range from {
			if graph.Visible(exportTo, ns, c) {
				return true
			}
		}
		return false
	}
	labels := strings.Count(written, ".") + 1
	if labels == 2 && g.HostDefined(written+".svc."+g.Mesh.ClusterDomain) {
		// A Service of that name exists but is hidden: not a typo.
		return "", false
	}
	// Candidates are compared as the user would write them; replace gives
	// the text that resolves.
	replace := map[string]string{}
	var candidates []string
	add := func(form, to string) {
		if _, dup := replace[form]; !dup {
			replace[form] = to
			candidates = append(candidates, form)
		}
	}
	for _, s := range g.Services {
		if !visible(s.ExportTo, s.Namespace()) {
			continue
		}
		switch labels {
		case 1:
			if s.Namespace() == own {
				add(s.Name(), s.Name())
			}
		case 2:
			add(s.Name()+"."+s.Namespace(), s.Host)
		default:
			add(s.Host, s.Host)
		}
	}
	if labels > 1 {
		for _, se := range g.ServiceEntries {
			if !visible(se.ExportTo, se.Namespace()) {
				continue
			}
			for _, h := range se.Spec.Hosts {
				if h.V != "" && !host.IsWildcard(h.V) {
					add(h.V, h.V)
				}
			}
		}
	}
	match, ok := suggest.Closest(written, candidates)
	if !ok {
		return "", false
	}
	return replace[match], true
}
