package routing

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SEDuplicateHostPort reports host and port pairs that several
// ServiceEntries declare with the same protocol.
var SEDuplicateHostPort = &rules.Rule{
	ID:      "MR174",
	Name:    "service-entry-duplicate-host-port",
	Summary: "several service entries declare the same host and port",
	Doc: `When ServiceEntries of different namespaces declare the same host and port and a namespace
sees both (` + "`exportTo`" + `), Istio keeps one service for the host there (the oldest entry): the
resolution, endpoints, location and addresses of the other are ignored, and which one wins
depends on creation order. ServiceEntries of the same namespace with the same host are merged
by Istio instead, so two of them declaring the same port duplicate each other's settings and are
hard to keep in step.

Declare each host and port once, in one ServiceEntry, and export it where it is needed.
Entries whose exportTo lists are disjoint are not compared. Different protocols for the same
host and port are the business of MR117.

Kiali's KIA1211 compares entries per namespace after Sidecar import scoping; the rule compares
every pair some namespace sees together.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: shop}
spec:
  hosts: [api.payments.example]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: billing}
spec:
  hosts: [api.payments.example]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`,
	Good: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: shop}
spec:
  hosts: [api.payments.example]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
  exportTo: ["."]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: billing}
spec:
  hosts: [api.payments.example]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
  exportTo: ["."]
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.ServiceEntry},
	Related:  []string{"KIA1211"},
	Deps:     rules.DepHOST,
	Run:      runSEDuplicateHostPort,
}

func runSEDuplicateHostPort(p *rules.Pass) error {
	keys, groups := p.Graph.ServiceEntryPorts()
	copies := rules.CopiesOf(p, p.Graph.ServiceEntries)
	for _, k := range keys {
		ps := groups[k]
		// Two definitions of one entry are one entry (MR017 reports
		// them): it declares the port once, as the definition a goes with
		// (its layout's) does or not.
		for _, a := range ps {
			var others []string
			sameNS := false
			for _, b := range ps {
				if graph.SameObject(a.Entry.Obj, b.Entry.Obj) || !copies.GoesWith(a.Entry.Obj, b.Entry) || a.Protocol != b.Protocol || !graph.ExportsOverlap(a.Entry.ExportTo, a.Entry.Namespace(), b.Entry.ExportTo, b.Entry.Namespace()) {
					continue
				}
				others = append(others, fmt.Sprintf("ServiceEntry %s/%s", b.Entry.Namespace(), b.Entry.Name()))
				sameNS = sameNS || b.Entry.Namespace() == a.Entry.Namespace()
			}
			if len(others) == 0 {
				continue
			}
			port := a.Port()
			at := port.Number.Loc
			if at.IsZero() {
				at = port.Loc
			}
			how := "Istio keeps only the oldest entry for namespaces that see both"
			if sameNS {
				how = "Istio merges entries of the same namespace, so the port is declared twice"
			}
			p.Reportf(a.Entry.Obj, at, "%s (%s) is also declared by %s: %s", k, a.Protocol, strings.Join(others, ", "), how)
		}
	}
	return nil
}
