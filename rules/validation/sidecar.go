package validation

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// SidecarInvalid reports Sidecars that Istio's webhook rejects.
var SidecarInvalid = &rules.Rule{
	ID:      "MR014",
	Name:    "sidecar-invalid",
	Summary: "a Sidecar is empty, or its ingress or egress listeners are invalid",
	Doc: `Istio's webhook rejects a Sidecar that:

- configures nothing (none of ` + "`ingress`" + `, ` + "`egress`" + `, ` + "`outboundTrafficPolicy`" + `,
  ` + "`inboundConnectionPool`" + `);
- has an egress listener without hosts, more than one egress listener without a port, or a
  port-less (catch-all) egress listener that is not the last one;
- declares the same port twice among its egress listeners, or among its ingress listeners;
- sets ` + "`targetPort`" + ` on an ingress port, or an ingress listener without a port;
- sets ` + "`outboundTrafficPolicy.egressProxy`" + ` with a mode other than ALLOW_ANY.

Host formats of egress listeners (` + "`namespace/dnsName`" + `) are checked by MR006.`,
	Bad:      sidecarEgress + anyPortEgress + postgresEgress,
	Good:     sidecarEgress + postgresEgress + anyPortEgress,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Sidecar},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runSidecarInvalid,
}

// sidecarEgress is Sidecar shop/default up to its egress listeners, which
// the examples of MR014 give in either order: anyPortEgress, for every
// port, and postgresEgress, for PostgreSQL's.
const sidecarEgress = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: shop
spec:
  egress:
`

// anyPortEgress is an egress listener for every port, to the hosts of the
// namespace and of istio-system.
const anyPortEgress = `  - hosts: ["./*", "istio-system/*"]
`

// postgresEgress is an egress listener for PostgreSQL's port, to the
// hosts of namespace db.
const postgresEgress = `  - port: {number: 5432, protocol: TCP, name: pg}
    hosts: ["db/*"]
`

func runSidecarInvalid(p *rules.Pass) error {
	const rejects = "Istio rejects the Sidecar"
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.Sidecar) {
		s := specOf(o)
		if !s.has("ingress") && !s.has("egress") && !s.has("outboundTrafficPolicy") && !s.has("inboundConnectionPool") {
			p.Reportf(o, o.KindLoc, "Sidecar configures nothing (no ingress, egress, outboundTrafficPolicy or inboundConnectionPool): %s", rejects)
		}
		egress := s.get("egress")
		catchAll := -1
		ports := map[string]node{}
		for i := range egress.len() {
			eg := egress.item(i)
			if !eg.isMap() {
				continue
			}
			if hs := eg.get("hosts"); hs.len() == 0 {
				p.Reportf(o, eg.loc(), "%s has no hosts: %s", eg.where(), rejects)
			}
			port := eg.get("port")
			if !port.ok() {
				if catchAll >= 0 {
					p.Reportf(o, eg.loc(), "%s: only one egress listener may omit its port (%s already does): %s", eg.where(), egress.item(catchAll).where(), rejects)
				} else if i != egress.len()-1 {
					p.Reportf(o, eg.loc(), "%s omits its port, so it catches all ports: it must be the last egress listener; %s", eg.where(), rejects)
				}
				catchAll = i
				continue
			}
			if n, ok := port.get("number").int(); ok {
				bind, _ := eg.get("bind").str()
				key := fmt.Sprintf("%s:%d", bind, n)
				if first, dup := ports[key]; dup {
					p.Reportf(o, port.get("number").loc(), "%s: port %d is already used by %s: egress ports must be unique; %s", eg.where(), n, first.where(), rejects)
				} else {
					ports[key] = eg
				}
			}
		}
		inPorts := map[int64]node{}
		for in := range s.get("ingress").items() {
			if !in.isMap() {
				continue
			}
			port := in.get("port")
			if !port.ok() {
				p.Reportf(o, in.loc(), "%s has no port: %s", in.where(), rejects)
				continue
			}
			if port.has("targetPort") {
				p.Reportf(o, port.keyLoc("targetPort"), "%s: targetPort is not allowed on a Sidecar ingress port (use defaultEndpoint); %s", port.where(), rejects)
			}
			if n, ok := port.get("number").int(); ok {
				if first, dup := inPorts[n]; dup {
					p.Reportf(o, port.get("number").loc(), "%s: port %d is already used by %s: ingress ports must be unique; %s", in.where(), n, first.where(), rejects)
				} else {
					inPorts[n] = in
				}
			}
		}
		otp := s.get("outboundTrafficPolicy")
		if mode, _ := otp.get("mode").str(); otp.has("egressProxy") && mode != "ALLOW_ANY" {
			if mode == "" {
				mode = "REGISTRY_ONLY (the default)"
			}
			p.Reportf(o, otp.keyLoc("egressProxy"), "outboundTrafficPolicy.egressProxy needs mode ALLOW_ANY, not %s: %s", mode, rejects)
		}
	}
	return nil
}
