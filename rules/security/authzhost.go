package security

import (
	"net/netip"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// AuthzHostUnknown reports AuthorizationPolicy operation hosts that name a
// service of the registry that does not exist.
var AuthzHostUnknown = &rules.Rule{
	ID:      "MR350",
	Name:    "authz-operation-host-unknown",
	Summary: "authorization policy operation host names a service that is not in the registry",
	Doc: `` + "`to.operation.hosts`" + ` (and ` + "`notHosts`" + `) of an AuthorizationPolicy rule match the Host header of the
request the workload receives. Any value is legal, since clients may send any Host; but a value
written as a service name of the mesh (` + "`reviews`" + `, ` + "`reviews.shop`" + `,
` + "`reviews.shop.svc.cluster.local`" + `) that names no Service or ServiceEntry is almost always a typo or
a renamed service, and the rule then never matches: an ALLOW rule lets nobody in, a DENY rule
denies nobody.

Fix the host. Values with a wildcard, and names with dots that are not ` + "`<name>.<namespace>`" + ` of a
namespace of the input or a cluster-local FQDN, are taken as Host-header matchers of external
names and not checked (as Kiali does since its fix of KIA0104 false positives). The port of a
` + "`host:port`" + ` value is ignored.

Kiali makes this an error, or a warning when outboundTrafficPolicy is ALLOW_ANY, reading an
unset policy as REGISTRY_ONLY; Istio's default is ALLOW_ANY, and the outbound policy has nothing
to do with the Host header a server receives, so the rule is a warning. It stays quiet when the
input describes no Service or ServiceEntry of the host's namespace, unless the closed-world
setting is on.`,
	//nolint:misspell // the misspelt host is the mistake the example shows
	Bad:      authzHostsExample("reveiws"),
	Good:     authzHostsExample(`reviews, "reviews.shop:9080", "*.example.com", www.example.com`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Service, kinds.ServiceEntry, kinds.VirtualService},
	Related:  []string{"KIA0104"},
	Deps:     rules.DepNS | rules.DepHOST | rules.DepPRES,
	Run:      runAuthzHostUnknown,
}

// authzHostsExample is Service shop/reviews, and an ALLOW policy for
// requests to hosts: the examples of MR350.
func authzHostsExample(hosts string) string {
	return reviewsService + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: shop}
spec:
  action: ALLOW
  rules:
  - to: [{operation: {hosts: [` + hosts + `]}}]
`
}

func runAuthzHostUnknown(p *rules.Pass) error {
	g := p.Graph
	for _, ap := range g.AuthorizationPolicies {
		for at, h := range operationValues(ap, hostFields) {
			fqdn := registryName(g, h.V, ap.Namespace())
			if fqdn == "" || len(g.LookupHost(fqdn, ap.Namespace())) > 0 || vsHost(g, fqdn, ap.Namespace()) || !g.HostDescribed(fqdn) {
				continue
			}
			p.Reportf(ap.Obj, h.Loc, "%s: %q names %s, which no Service or ServiceEntry visible from namespace %s serves",
				at, h.V, fqdn, ap.Namespace())
		}
	}
	return nil
}

func hostFields(o *spec.AuthzOperation) []valueField {
	return []valueField{{"hosts", o.Hosts}, {"notHosts", o.NotHosts}}
}

// registryName returns the FQDN an operation host means when it is written
// as a service name of the mesh, else "".
func registryName(g *graph.Graph, v, ns string) string {
	h := strings.ToLower(v)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		h = h[:i]
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return ""
	}
	if h == "" || strings.Contains(h, "*") || strings.Contains(h, ":") {
		return ""
	}
	parts := strings.Split(h, ".")
	switch {
	case len(parts) == 1:
		return g.FQDN(h, ns)
	case len(parts) == 2 && g.Namespaces[parts[1]] != nil:
		return h + ".svc." + g.Mesh.ClusterDomain
	case len(parts) == 3 && parts[2] == "svc":
		return h + "." + g.Mesh.ClusterDomain
	case g.ClusterLocalNamespace(h) != "":
		return h
	}
	return ""
}

// vsHost reports whether a VirtualService visible from ns declares fqdn.
func vsHost(g *graph.Graph, fqdn, ns string) bool {
	for _, vs := range g.VirtualServices {
		if !graph.Visible(vs.ExportTo, vs.Namespace(), ns) {
			continue
		}
		for _, h := range vs.Hosts {
			if host.Matches(h, fqdn) {
				return true
			}
		}
	}
	return false
}
