package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// GatewayAddressUnsupported reports addresses of Gateways that Istio
// translates which Istio ignores.
var GatewayAddressUnsupported = &rules.Rule{
	ID:      "MR624",
	Name:    "gatewayapi-address-unsupported",
	Summary: "address of an Istio Gateway API Gateway is one Istio ignores, and the Gateway is not accepted",
	Doc: `A Gateway's ` + "`spec.addresses`" + ` tell the implementation where to serve it. Istio reads them in two
ways. With no address, or a single ` + "`IPAddress`" + ` (the type of an address without one), it deploys the
Gateway itself and asks for that IP. Otherwise, more than one address or one of another type, it
deploys nothing: the Gateway is bound to the gateway pods behind the Services its ` + "`Hostname`" + `
addresses name (a name without a dot is a Service of the Gateway's namespace), and every
address of another type, an ` + "`IPAddress`" + ` included, is ignored (extractGatewayServices in
istio.io/istio). The Gateway then reports ` + "`Accepted: False`" + ` with reason ` + "`UnsupportedAddress`" + `
("only Hostname is supported, ignoring ..."):

- when no ` + "`Hostname`" + ` address is left, Istio programs nothing for the Gateway: no listener, no
  route attaches, and its ListenerSets are not accepted either. The addresses are errors;
- when one is left, Istio serves the Gateway on those Services all the same, but its status says
  it is not accepted, which tools that wait for it (Argo CD, Flux, ` + "`kubectl wait`" + `) take for a
  failure. The ignored addresses are warnings.

Drop the addresses Istio ignores: to ask for an IP, give the Gateway that address alone; to use
gateway pods of your own, name their Service in a ` + "`Hostname`" + ` address. An ` + "`IPAddress`" + ` or ` + "`Hostname`" + `
address written twice makes the API server refuse the Gateway (gatewayapi-crd-validation reports
the repeat): the rule judges the addresses without it. The rule checks the
Gateways of the classes Istio translates (controller ` + "`istio.io/gateway-controller`" + `, waypoints,
east-west gateways); other implementations take other addresses.`,
	Bad:      addressExample(`[{type: IPAddress, value: 203.0.113.10}, {type: IPAddress, value: 203.0.113.11}]`),
	Good:     addressExample(`[{type: IPAddress, value: 203.0.113.10}]`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.GatewayClass},
	Deps:     rules.DepCLS,
	Run:      runGatewayAddressUnsupported,
}

// addressExample is Gateway infra/public with addresses: the examples of
// MR624.
func addressExample(addresses string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  addresses: ` + addresses + `
  listeners:
  - name: http
    port: 80
    protocol: HTTP
`
}

func runGatewayAddressUnsupported(p *rules.Pass) error {
	for _, gw := range p.Graph.K8sGateways {
		if !gw.IstioTranslated() {
			continue
		}
		if gw.DeploysProxy() {
			continue // on that IP if any
		}
		as := gw.DistinctAddresses()
		var hostnames, ignored []string
		for _, a := range as {
			if graph.AddressType(a) == "Hostname" {
				hostnames = append(hostnames, a.Value.V)
			} else {
				ignored = append(ignored, a.Value.V)
			}
		}
		if len(ignored) == 0 {
			continue
		}
		why := "Istio does not deploy a Gateway with an address that is not an IPAddress"
		if len(as) > 1 {
			why = fmt.Sprintf("Istio does not deploy a Gateway with %d addresses", len(as))
		}
		why += ": it binds it to the Services its Hostname addresses name, and ignores other types"
		effect := "no Hostname address is left, so the Gateway is not accepted (UnsupportedAddress) and Istio programs nothing for it"
		if len(hostnames) > 0 {
			effect = fmt.Sprintf("Istio serves the Gateway on %s, but reports it not accepted (Accepted: False, reason UnsupportedAddress)", strings.Join(hostnames, ", "))
		}
		for _, a := range as {
			if graph.AddressType(a) == "Hostname" {
				continue
			}
			loc := a.Type.Loc
			if loc.IsZero() {
				loc = a.Value.Loc
			}
			f := p.Reportf(gw.Obj, loc, "address %s (%s) of Gateway %s is ignored: %s; %s", a.Value.V, graph.AddressType(a), gwRef(gw), why, effect)
			if len(hostnames) > 0 {
				f.AtMost(rules.Warning)
			}
		}
	}
	return nil
}
