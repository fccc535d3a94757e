package gatewayapi

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// ListenerConflict reports listeners of a Gateway that are not distinct.
var ListenerConflict = &rules.Rule{
	ID:      "MR606",
	Name:    "gatewayapi-listener-conflict",
	Summary: "listeners of a Gateway API Gateway conflict",
	Doc: `Every listener of a Gateway must be distinct, so that each connection belongs to exactly one
listener. The Gateway API spells out when they are not (GatewaySpec.listeners):

- two listeners with the same name: the API server rejects the Gateway;
- two listeners with the same port, protocol and hostname (an absent hostname counts as a
  value of its own): the API server rejects the Gateway. For TCP and UDP, which have no
  hostnames, the same port and protocol is enough;
- a TCP listener that shares its port with an HTTP, HTTPS or TLS listener: all of them are
  ` + "`Conflicted`" + ` (reason ` + "`ProtocolConflict`" + `), and the implementation must not accept any of them.

Conflicted listeners serve nothing, and their routes are not attached.

Listeners that differ only by hostname are distinct, including a wildcard hostname and a name
under it (` + "`*.example.com`" + ` and ` + "`shop.example.com`" + `) or a listener without hostname beside one with a
hostname: requests pick the most specific match. So they are not reported, unlike Kiali
(KIA0301 for Istio Gateways), which reports overlapping wildcard hosts as conflicts. Other
protocols on a shared port (HTTP beside HTTPS, TCP beside UDP) are distinct for the API.
Listeners of different Gateways are not compared (unlike Kiali's KIA1501): Istio, like most
implementations, deploys each Gateway on its own addresses.

Istio's gateways (GatewayClass controller ` + "`istio.io/gateway-controller`" + `) tell fewer listeners apart,
and the rule follows them: HTTP, HTTPS and TLS listeners of one port are distinct by hostname only,
so an HTTP and an HTTPS listener without hostname on one port, or an HTTPS and a TLS listener with
the same hostname, conflict; TCP and UDP listeners of one port conflict, and so do a UDP listener
and an HTTP, HTTPS or TLS one (a UDP listener that loses is left to
gatewayapi-listener-protocol-unsupported, as Istio serves none). Istio compares each listener
with those it accepted before it only, the Gateway's own included: of two conflicting listeners it
keeps the first and reports the other ` + "`Conflicted`" + `, and a listener beside a TCP listener that lost
is accepted.

The listeners of the ListenerSets a Gateway accepts (see gatewayapi-listenerset-not-allowed)
are the Gateway's too. Their names need to be unique within their ListenerSet only (a name used
twice in one ListenerSet is left to schema-invalid, which reports it attached or not). The API
merges them in precedence order: the Gateway's own listeners, then the ListenerSets' by creation
time (oldest first; those whose manifest carries no ` + "`creationTimestamp`" + ` come after those that do),
then by namespace and name. A ListenerSet's listener that conflicts with a listener of higher
precedence that is served is the one that is ` + "`Conflicted`" + `, and it is reported at its ListenerSet;
a ListenerSet none of whose listeners is left is not accepted (` + "`ListenersNotValid`" + `).

Istio's classes that take no ListenerSets (waypoints ` + "`istio-waypoint`" + `, east-west gateways, the remote
class) get no conflict check from Istio at all: their listeners are reported only where the API
server rejects the Gateway (a name used twice, or one protocol with the same port and hostname).`,
	Bad:      passthroughPortExample("443"),
	Good:     passthroughPortExample("8443"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.ListenerSet, kinds.GatewayClass},
	Related:  []string{"KIA1503"},
	Deps:     rules.DepCLS | rules.DepGWAPI | rules.DepREV,
	Run:      runListenerConflict,
}

// passthroughPortExample is Gateway infra/public with an HTTPS listener on
// 443 and a TCP listener on port: the examples of MR606.
func passthroughPortExample(port string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
spec:
  gatewayClassName: istio
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: shop-cert}]
  - name: passthrough
    port: ` + port + `
    protocol: TCP
`
}

func runListenerConflict(p *rules.Pass) error {
	for _, gw := range p.Graph.K8sGateways {
		// Each listener is reported once, against the first listener
		// before it in the merged list that it conflicts with
		// (ListenerConflicts, shared with the HTML report's topology).
		lost := gw.ListenerConflicts()
		for _, l := range gw.Merged {
			c, ok := lost[l]
			if !ok || c.Why == "" {
				continue
			}
			if c.To.Owner() == l.Owner() {
				p.Reportf(l.Owner(), at(l), "listener %s conflicts with listener %s: %s", listenerText(l), listenerText(c.To), c.Why).
					Relate(c.To.Owner(), at(c.To), "listener %s", c.To.Name)
				continue
			}
			effect := ""
			if l.Set != nil && !l.Set.ListenersLeft(lost) {
				effect = fmt.Sprintf("; no listener of ListenerSet %s/%s is left, so it is not accepted (ListenersNotValid)", l.Set.Namespace(), l.Set.Name())
			}
			p.Reportf(l.Owner(), at(l), "listener %s conflicts with listener %s of %s, which takes precedence: %s%s",
				listenerText(l), listenerText(c.To), c.To.OwnerText(), c.Why, effect).
				Relate(c.To.Owner(), at(c.To), "listener %s of %s", c.To.Name, c.To.OwnerText())
		}
	}
	return nil
}

// at is where a listener is reported: its name, else its entry.
func at(l *graph.Listener) manifest.Loc {
	if !l.Spec.Name.Loc.IsZero() {
		return l.Spec.Name.Loc
	}
	return l.Spec.Loc
}
