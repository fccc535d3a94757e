package routing

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DRHostUnknown reports DestinationRules whose host is in no registry.
var DRHostUnknown = &rules.Rule{
	ID:      "MR110",
	Name:    "dr-host-unknown",
	Summary: "destination rule host matches no Service or ServiceEntry visible from its namespace",
	Doc: `A DestinationRule configures the clusters of a host of the service registry: a Kubernetes
Service or a ServiceEntry host. When its host names nothing in the registry (a typo, a short
name written in the wrong namespace, or an external host without a ServiceEntry), its traffic
policy and subsets apply to nothing. A short host is expanded with the DestinationRule's own
namespace, so ` + "`reviews`" + ` in namespace ` + "`ops`" + ` means ` + "`reviews.ops.svc.cluster.local`" + `.

Fix the host (write the FQDN for a Service of another namespace), or add the ServiceEntry
for an external host. Wildcard hosts are not checked.

The rule stays quiet when the input describes no Service or ServiceEntry of the host's
namespace (for an external host: no ServiceEntry at all), since the host may be defined
elsewhere; the closed-world setting makes it strict. Services honour the
` + "`networking.istio.io/exportTo`" + ` annotation and ServiceEntries their ` + "`exportTo`" + `.`,
	//nolint:misspell // the misspelt host is the mistake the example shows
	Bad:      drHostExample("reveiws"),
	Good:     drHostExample("reviews"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.DestinationRule, kinds.Service, kinds.ServiceEntry},
	Related:  []string{"IST0174", "KIA0202"},
	Deps:     rules.DepHOST | rules.DepPRES,
	Run:      runDRHostUnknown,
}

// drHostExample is Service shop/reviews, and a DestinationRule for host:
// the examples of MR110.
func drHostExample(host string) string {
	return reviewsService + `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: ` + host + `
`
}

func runDRHostUnknown(p *rules.Pass) error {
	g := p.Graph
	for _, dr := range g.DestinationRules {
		if dr.Host == "" || host.IsWildcard(dr.Host) || served(g, dr.Host, dr.Namespace()) {
			continue
		}
		hint := hostHint(g, dr.Spec.Host.V, dr.Host, dr.Namespace(), []string{dr.Namespace()})
		if hint == "" && !g.HostDescribed(dr.Host) {
			continue
		}
		p.Reportf(dr.Obj, dr.Spec.Host.Loc, "host %q of DestinationRule %s/%s matches no Service or ServiceEntry visible from namespace %s%s",
			dr.Spec.Host.V, dr.Namespace(), dr.Name(), dr.Namespace(), hint)
	}
	return nil
}

// served reports whether a Service or ServiceEntry visible from namespace
// from serves fqdn: whether LookupHost finds any, without listing them.
func served(g *graph.Graph, fqdn, from string) bool {
	for range g.HostTargets(fqdn, from) {
		return true
	}
	return false
}
