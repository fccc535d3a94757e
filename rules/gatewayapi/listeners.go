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
protocols on a shared port (HTTP beside HTTPS, TCP beside UDP) are distinct for the API; whether
an implementation can serve them together is its own business, and they are not reported either.
Listeners of different Gateways are not compared (unlike Kiali's KIA1501): Istio, like most
implementations, deploys each Gateway on its own addresses.`,
	Bad: `apiVersion: gateway.networking.k8s.io/v1
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
    port: 443
    protocol: TCP
`,
	Good: `apiVersion: gateway.networking.k8s.io/v1
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
    port: 8443
    protocol: TCP
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.K8sGateway},
	Related:  []string{"KIA1503"},
	Run:      runListenerConflict,
}

func runListenerConflict(p *rules.Pass) error {
	for _, gw := range p.Graph.K8sGateways {
		for i, l := range gw.Listeners {
			// Each listener is reported once, against the first earlier
			// listener it conflicts with.
			for _, prev := range gw.Listeners[:i] {
				if why := conflict(prev, l); why != "" {
					p.Reportf(gw.Obj, at(l), "listener %s conflicts with listener %s: %s", listenerText(l), listenerText(prev), why).
						Relate(gw.Obj, at(prev), "listener %s", prev.Name)
					break
				}
			}
		}
	}
	return nil
}

// hostnameProtocols are the protocols whose listeners are told apart by
// hostname.
var hostnameProtocols = map[string]bool{"HTTP": true, "HTTPS": true, "TLS": true}

// conflict says why listeners a and b are not distinct, or "".
func conflict(a, b *graph.Listener) string {
	if a.Name == b.Name {
		return fmt.Sprintf("the name %q is used twice, and the API server rejects the Gateway", b.Name)
	}
	if a.Port != b.Port {
		return ""
	}
	if a.Protocol == b.Protocol {
		switch {
		case a.Protocol == "TCP" || a.Protocol == "UDP":
			return fmt.Sprintf("two %s listeners on port %d cannot be told apart, so neither is accepted", a.Protocol, a.Port)
		case a.Hostname == b.Hostname:
			h := "no hostname"
			if a.Hostname != "" {
				h = "hostname " + a.Hostname
			}
			return fmt.Sprintf("same port, protocol and %s, which the API server rejects (HostnameConflict)", h)
		}
		return ""
	}
	if (a.Protocol == "TCP" && hostnameProtocols[b.Protocol]) || (b.Protocol == "TCP" && hostnameProtocols[a.Protocol]) {
		return fmt.Sprintf("a TCP listener cannot share port %d with an HTTP, HTTPS or TLS listener, so neither is accepted (ProtocolConflict)", a.Port)
	}
	return ""
}

// at is where a listener is reported: its name, else its entry.
func at(l *graph.Listener) manifest.Loc {
	if !l.Spec.Name.Loc.IsZero() {
		return l.Spec.Name.Loc
	}
	return l.Spec.Loc
}
