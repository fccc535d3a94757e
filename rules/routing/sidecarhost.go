package routing

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SidecarEgressHostUnknown reports Sidecar egress hosts that import nothing.
var SidecarEgressHostUnknown = &rules.Rule{
	ID:      "MR173",
	Name:    "sidecar-egress-host-unknown",
	Summary: "sidecar egress host imports no Service or ServiceEntry",
	Doc: `A Sidecar's ` + "`egress[].hosts`" + ` entries (` + "`namespace/dnsName`" + `) list the services its workloads can
reach: only Services and ServiceEntries of that namespace (` + "`*`" + ` for any, ` + "`.`" + ` for the Sidecar's
own) whose host matches the name are imported. An entry that matches nothing (a typo, a short
name where Istio wants the FQDN, the wrong namespace part) imports nothing, and calls to the
service it meant fall to the outbound traffic policy: passthrough without routing rules or
mTLS settings under ` + "`ALLOW_ANY`" + `, refused under ` + "`REGISTRY_ONLY`" + `.

Fix the name or the namespace part; for an external host add a ServiceEntry. Entries whose name
is a wildcard and exclusions (` + "`~/*`" + `, ` + "`~ns/name`" + `) are not checked.

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
	}
	return nil
}
