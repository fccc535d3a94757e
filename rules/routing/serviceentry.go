package routing

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// SEAddressesRequired reports TCP ServiceEntries without addresses.
var SEAddressesRequired = &rules.Rule{
	ID:      "MR116",
	Name:    "service-entry-addresses-required",
	Summary: "service entry has a TCP port but no addresses, so its hosts cannot be told apart",
	Doc: `For HTTP, Istio tells the hosts of a port apart by the Host header, and for TLS by the SNI. Plain
TCP carries neither, so a sidecar can only recognise a ServiceEntry's TCP traffic by the
destination IP address. Without ` + "`addresses`" + `, Istio listens on 0.0.0.0 for the port, and
every ServiceEntry with the same TCP port competes for all traffic to it: the routing and
policies of one host apply to another's.

Set ` + "`addresses`" + ` (a VIP or CIDR), use a protocol that carries the host (HTTP, HTTPS, TLS),
or turn on Istio's DNS proxying with address auto-allocation (proxyMetadata
` + "`ISTIO_META_DNS_CAPTURE`" + ` and ` + "`ISTIO_META_DNS_AUTO_ALLOCATE`" + `, or the IP auto-allocation
controller); with those the rule does not apply and can be turned off. A port without a
protocol is TCP.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: tcp-postgres, protocol: TCP}]
  resolution: DNS
`,
	Good: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.example.com]
  addresses: [10.20.0.8]
  ports: [{number: 5432, name: tcp-postgres, protocol: TCP}]
  resolution: DNS
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.ServiceEntry},
	Related:  []string{"IST0134"},
	Deps:     rules.DepNone,
	Run:      runSEAddressesRequired,
}

func runSEAddressesRequired(p *rules.Pass) error {
	for _, se := range p.Graph.ServiceEntries {
		if len(se.Spec.Addresses) > 0 {
			continue
		}
		for _, port := range se.Spec.Ports {
			if proto := strings.ToUpper(port.Protocol.V); proto != "" && proto != "TCP" {
				continue
			}
			at := port.Protocol.Loc
			if at.IsZero() {
				at = port.Loc
			}
			p.Reportf(se.Obj, at, "port %d of ServiceEntry %s/%s is TCP and the entry has no addresses: its traffic cannot be told apart from other TCP traffic to port %d; set addresses (a VIP or CIDR) or use a protocol that carries the host (HTTP, HTTPS, TLS)",
				port.Number.V, se.Namespace(), se.Name(), port.Number.V)
		}
	}
	return nil
}

// SEProtocolConflict reports host and port pairs that ServiceEntries give
// different protocols.
var SEProtocolConflict = &rules.Rule{
	ID:      "MR117",
	Name:    "service-entry-protocol-conflict",
	Summary: "service entries give the same host and port different protocols",
	Doc: `When several ServiceEntries visible to the same namespace declare the same host and port with
different protocols, Istio keeps one of them (the oldest) and the listener is built for that
protocol: HTTP routing, TLS origination or plain TCP forwarding silently changes with
creation order.

Declare each host and port once, or give the entries the same protocol. The comparison honours
` + "`exportTo`" + `; a port without a protocol counts as TCP (istioctl analyze treats it as a protocol
of its own).`,
	Bad: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api-http, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: HTTPS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api-tls, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`,
	Good: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.ServiceEntry},
	Related:  []string{"IST0177", "KIA1212"},
	Deps:     rules.DepHOST,
	Run:      runSEProtocolConflict,
}

func runSEProtocolConflict(p *rules.Pass) error {
	keys, groups := p.Graph.ServiceEntryPorts()
	// A port is reported once, even when several hosts of its entry clash.
	type entryPort struct {
		se    *graph.ServiceEntry
		index int
	}
	reported := map[entryPort]bool{}
	copies := rules.CopiesOf(p, p.Graph.ServiceEntries)
	for _, k := range keys {
		ps := groups[k]
		// Two definitions of one entry are one entry (MR017 reports
		// them): it conflicts with no copy of itself, and each other is
		// named once, by the definition a goes with (its layout's), which
		// may declare the port or not, and with another protocol.
		for _, a := range ps {
			var others []string
			for _, b := range ps {
				if graph.SameObject(a.Entry.Obj, b.Entry.Obj) || !copies.GoesWith(a.Entry.Obj, b.Entry) || a.Protocol == b.Protocol || !graph.ExportsOverlap(a.Entry.ExportTo, a.Entry.Namespace(), b.Entry.ExportTo, b.Entry.Namespace()) {
					continue
				}
				others = append(others, fmt.Sprintf("%s in ServiceEntry %s/%s", b.Protocol, b.Entry.Namespace(), b.Entry.Name()))
			}
			id := entryPort{a.Entry, a.Index}
			if len(others) == 0 || reported[id] {
				continue
			}
			reported[id] = true
			port := a.Port()
			at := port.Protocol.Loc
			if at.IsZero() {
				at = port.Loc
			}
			p.Reportf(a.Entry.Obj, at, "%s is %s here but %s: Istio keeps only one of them; declare the port with one protocol in every entry", k, a.Protocol, wording.List(others))
		}
	}
	return nil
}
