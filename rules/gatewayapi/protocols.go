package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// istioProtocols are the listener protocols Istio's gateway controller
// serves (listenerProtocolToIstio in pilot/pkg/config/kube/gateway).
var istioProtocols = map[string]bool{"HTTP": true, "HTTPS": true, "TLS": true, "TCP": true}

// ListenerProtocolUnsupported reports listeners of Istio's Gateways whose
// protocol Istio does not serve.
var ListenerProtocolUnsupported = &rules.Rule{
	ID:      "MR615",
	Name:    "gatewayapi-listener-protocol-unsupported",
	Summary: "listener of an Istio Gateway API Gateway has a protocol Istio does not support",
	Doc: `The Gateway API lets an implementation support only some listener protocols: a listener whose
protocol it does not support is not accepted (` + "`Accepted: False`" + `, reason ` + "`UnsupportedProtocol`" + `), serves
nothing, and no route attaches to it; a Gateway none of whose listeners is valid is not accepted
either (` + "`ListenersNotValid`" + `).

Istio's gateway controller serves ` + "`HTTP`" + `, ` + "`HTTPS`" + `, ` + "`TLS`" + ` and ` + "`TCP`" + ` listeners. It does not support
` + "`UDP`" + ` (nor UDPRoute), the protocol names are case-sensitive (` + "`http`" + ` is not ` + "`HTTP`" + `), ` + "`HBONE`" + ` is for
waypoint and east-west gateways only, and it defines no implementation-specific protocol
(` + "`example.com/proto`" + `) for ingress gateways. Un-prefixed names other than the core ones are reserved
by the API and supported by no implementation.

The rule checks the Gateways whose GatewayClass has the controller ` + "`istio.io/gateway-controller`" + `: a
GatewayClass of the input, or the class ` + "`istio`" + ` that istiod creates. Gateways of other classes,
waypoints and east-west gateways included, have protocols of their own.

The listeners of the ListenerSets a Gateway accepts are checked too, at their ListenerSet, and
so is an ` + "`HTTPS`" + ` listener of a ListenerSet without ` + "`tls`" + `, which the CRD accepts: Istio creates no
listener for it and reports it ` + "`UnsupportedProtocol`" + ` (on a Gateway, such a listener is a placeholder
that ListenerSets fill, and is not reported). A ListenerSet with no valid listener left is not
accepted. A ` + "`TLS`" + ` listener without ` + "`tls`" + `, of a Gateway or a ListenerSet, is refused by the API
server in every class: gatewayapi-crd-validation reports it.`,
	Bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: dns, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: dns, port: 53, protocol: UDP}
  - {name: web, port: 80, protocol: http}
`,
	Good: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: dns, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: dns, port: 53, protocol: TCP}
  - {name: web, port: 80, protocol: HTTP}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.ListenerSet, kinds.GatewayClass},
	Deps:     rules.DepCLS | rules.DepGWAPI,
	Run:      runListenerProtocolUnsupported,
}

func runListenerProtocolUnsupported(p *rules.Pass) error {
	for _, gw := range p.Graph.K8sGateways {
		if gw.Controller() != graph.IstioGatewayController {
			continue
		}
		// Whether a Gateway or ListenerSet is left with a valid listener
		// is counted per object: each is accepted on its own.
		valid := map[*manifest.Object]int{}
		for _, l := range gw.Merged {
			if istioProtocols[l.Protocol] && !missingTLS(l) {
				valid[l.Owner()]++
			}
		}
		for _, l := range gw.Merged {
			if l.Protocol == "" {
				continue // no protocol is a schema error (MR001)
			}
			effect := "the listener is not accepted and serves nothing"
			if valid[l.Owner()] == 0 {
				effect += fmt.Sprintf(", and with no valid listener the %s is not accepted (ListenersNotValid)", l.Owner().Kind)
			}
			if missingTLS(l) {
				// The CRDs refuse a TLS listener without tls in any class:
				// gatewayapi-crd-validation reports it. Istio refuses an
				// HTTPS one beyond that.
				if l.Protocol == "HTTPS" {
					p.Reportf(l.Owner(), l.Spec.Protocol.Loc, "listener %s has protocol %s but no tls: Istio creates no listener for it (UnsupportedProtocol); %s", l.Name, l.Protocol, effect)
				}
				continue
			}
			if istioProtocols[l.Protocol] {
				continue
			}
			why := "Istio does not support it"
			switch up := strings.ToUpper(l.Protocol); {
			case up == "UDP":
				why = "Istio does not support UDP listeners, nor UDPRoutes"
			case istioProtocols[up]:
				why = fmt.Sprintf("protocol names are case-sensitive: write %s", up)
			case up == "HBONE":
				why = "HBONE is for waypoint and east-west gateways only"
			}
			p.Reportf(l.Owner(), l.Spec.Protocol.Loc, "listener %s has protocol %q: %s (UnsupportedProtocol); %s", l.Name, l.Protocol, why, effect)
		}
	}
	return nil
}

// missingTLS reports whether l is an HTTPS or TLS listener of a
// ListenerSet without tls. Istio builds no listener for it and reports it
// (buildListener, conversion.go); on a Gateway it takes such a listener
// for a placeholder that ListenerSets fill, and reports nothing. The API
// server refuses the TLS one before Istio sees it.
func missingTLS(l *graph.Listener) bool {
	return l.Set != nil && l.Spec.TLS == nil && (l.Protocol == "HTTPS" || l.Protocol == "TLS")
}

// ListenerRouteKindsInvalid reports allowedRoutes.kinds entries that the
// listener's protocol cannot carry.
var ListenerRouteKindsInvalid = &rules.Rule{
	ID:      "MR616",
	Name:    "gatewayapi-listener-route-kinds-invalid",
	Summary: "allowedRoutes.kinds of a Gateway API listener names a route kind its protocol cannot carry",
	Doc: `A listener's ` + "`allowedRoutes.kinds`" + ` must name route kinds that its protocol can carry. An entry
that names another kind, or a kind that does not exist, makes the listener report
` + "`ResolvedRefs: False`" + ` with reason ` + "`InvalidRouteKinds`" + ` (GatewaySpec, AllowedRoutes.Kinds); the
entry is ignored, and when no entry is left the listener admits no route at all (routes that try
to attach are reported by gatewayapi-route-not-admitted).

The kinds each core protocol carries: ` + "`HTTP`" + ` and ` + "`HTTPS`" + ` carry HTTPRoute and GRPCRoute, ` + "`TCP`" + `
carries TCPRoute, ` + "`UDP`" + ` UDPRoute, and ` + "`TLS`" + ` carries TLSRoute, plus TCPRoute when the listener
terminates TLS (` + "`tls.mode: Terminate`" + `, the default): "SSL passthrough is only supported by
TLSRoute". An entry without ` + "`group`" + ` is in the group ` + "`gateway.networking.k8s.io`" + `. Listeners of
implementation-specific protocols are not checked; those of the ListenerSets a Gateway accepts
are, at their ListenerSet.`,
	Bad:      routeKindsExample("[{kind: TLSRoute}, {kind: TCPRoute}]"),
	Good:     routeKindsExample("[{kind: TLSRoute}]"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.ListenerSet},
	Deps:     rules.DepGWAPI,
	Run:      runListenerRouteKindsInvalid,
}

// routeKindsExample is a TLS passthrough listener of Gateway infra/public
// that allows the route kinds kinds: the examples of MR616.
func routeKindsExample(kinds string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: passthrough
    port: 443
    protocol: TLS
    tls: {mode: Passthrough}
    allowedRoutes:
      kinds: ` + kinds + `
`
}

func runListenerRouteKindsInvalid(p *rules.Pass) error {
	for _, gw := range p.Graph.K8sGateways {
		for _, l := range gw.Merged {
			if len(l.InvalidKinds) == 0 {
				continue
			}
			var carried []string
			for _, k := range l.Kinds {
				carried = append(carried, k.String())
			}
			left := "it admits " + strings.Join(carried, " and ")
			if len(carried) == 0 {
				left = "no kind is left, so no route can attach to it"
			}
			mode := ""
			if l.Protocol == "TLS" && l.Spec.TLS != nil && l.Spec.TLS.Mode.V == "Passthrough" {
				mode = " in Passthrough mode, where it carries TLSRoutes only"
			}
			for _, w := range l.InvalidKinds {
				gk := graph.GroupKind{Group: kinds.GroupGatewayAPI, Kind: kinds.Kind(w.Kind.V)}
				if w.Group.Set {
					gk.Group = w.Group.V
				}
				loc := w.Kind.Loc
				if loc.IsZero() {
					loc = w.Loc
				}
				p.Reportf(l.Owner(), loc, "allowedRoutes.kinds of listener %s names %s, which protocol %s cannot carry%s: the entry is ignored (InvalidRouteKinds); %s",
					l.Name, gk, l.Protocol, mode, left)
			}
		}
	}
	return nil
}
