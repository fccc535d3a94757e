package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

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
		// before it in the merged list that it conflicts with: a
		// ListenerSet's listener loses to those of higher precedence. The
		// API makes every listener that shares its port with a TCP one
		// indistinct, whichever comes first, so a listener is compared
		// with every one before it. Istio compares it with those it
		// accepted only, its Gateway's own listeners included
		// (ComputeGatewayListenerConflicts): of two conflicting listeners
		// it keeps the first, and a TLS listener after a TCP one that
		// lost is accepted.
		istio := gw.Controller() == graph.IstioGatewayController
		// Istio computes no conflicts for its classes that take no
		// ListenerSets (ComputeGatewayListenerConflicts runs for classes
		// with SupportsListenerSet only): on waypoints and east-west
		// gateways only what the API server rejects is left, listeners
		// of one protocol with the same port and hostname.
		unchecked := strings.HasPrefix(gw.Controller(), "istio.io/") && !gw.SupportsListenerSets()
		type loss struct {
			to  *graph.Listener
			why string
		}
		lost := map[*graph.Listener]loss{}
		// Two definitions of one ListenerSet are one ListenerSet (MR017
		// reports them): a listener conflicts with no copy of itself, and
		// loses to the canonical definition of another's.
		var canonical map[*graph.Listener]bool // nil: no copies, as nearly always
		if d := graph.DistinctFunc(gw.Merged, (*graph.Listener).Owner); len(d) < len(gw.Merged) {
			canonical = map[*graph.Listener]bool{}
			for _, l := range d {
				canonical[l] = true
			}
		}
		copied := func(prev, l *graph.Listener) bool {
			return canonical != nil && prev.Owner() != l.Owner() && (!canonical[prev] || graph.SameObject(prev.Owner(), l.Owner()))
		}
		for i, l := range gw.Merged {
			for _, prev := range gw.Merged[:i] {
				if copied(prev, l) {
					continue
				}
				if prev.Set == l.Set && prev.Name == l.Name {
					// A ListenerSet's is left to schema validation (its
					// listeners are a list keyed by name), which reports
					// it whether the ListenerSet is attached or not.
					why := ""
					if l.Set == nil {
						why = fmt.Sprintf("the name %q is used twice, and the API server rejects the %s", l.Name, l.Owner().Kind)
					}
					lost[l] = loss{prev, why}
					break
				}
			}
			if _, ok := lost[l]; ok {
				continue
			}
			for _, prev := range gw.Merged[:i] {
				if _, lostToo := lost[prev]; istio && lostToo {
					continue
				}
				if copied(prev, l) || unchecked && prev.Protocol != l.Protocol {
					continue
				}
				if why := conflict(prev, l, istio); why != "" || istio && udpLoses(prev, l) {
					lost[l] = loss{prev, why}
					break
				}
			}
		}
		for _, l := range gw.Merged {
			c, ok := lost[l]
			if !ok || c.why == "" {
				continue
			}
			if c.to.Owner() == l.Owner() {
				p.Reportf(l.Owner(), at(l), "listener %s conflicts with listener %s: %s", listenerText(l), listenerText(c.to), c.why).
					Relate(c.to.Owner(), at(c.to), "listener %s", c.to.Name)
				continue
			}
			effect := ""
			if l.Set != nil && !slices.ContainsFunc(l.Set.Listeners, func(m *graph.Listener) bool { _, bad := lost[m]; return !bad }) {
				effect = fmt.Sprintf("; no listener of ListenerSet %s/%s is left, so it is not accepted (ListenersNotValid)", l.Set.Namespace(), l.Set.Name())
			}
			p.Reportf(l.Owner(), at(l), "listener %s conflicts with listener %s of %s, which takes precedence: %s%s",
				listenerText(l), listenerText(c.to), c.to.OwnerText(), c.why, effect).
				Relate(c.to.Owner(), at(c.to), "listener %s of %s", c.to.Name, c.to.OwnerText())
		}
	}
	return nil
}

// hostnameProtocols are the protocols whose listeners are told apart by
// hostname.
var hostnameProtocols = map[string]bool{"HTTP": true, "HTTPS": true, "TLS": true}

// l4Protocols are the protocols whose listeners have no hostname.
var l4Protocols = map[string]bool{"TCP": true, "UDP": true}

// conflict says why listener b, after a in the Gateway's merged list, is
// not distinct from a, or "". Names are compared by the caller: they need
// to be unique within a Gateway or ListenerSet only. With istio, a is one
// that Istio accepted, and b is judged as Istio's listenersDistinct
// (pilot/pkg/config/kube/gatewaycommon/listener_conflict.go) does: it
// keeps a and does not accept b.
func conflict(a, b *graph.Listener, istio bool) string {
	if a.Port != b.Port {
		return ""
	}
	// Within one object the API server rejects duplicates; across a
	// Gateway and its ListenerSets the later listener is Conflicted.
	sameObject := a.Owner() == b.Owner()
	if a.Protocol == b.Protocol {
		switch {
		case l4Protocols[a.Protocol]:
			if !sameObject {
				return fmt.Sprintf("two %s listeners on port %d cannot be told apart, so this one is not accepted (ProtocolConflict)", a.Protocol, a.Port)
			}
			return fmt.Sprintf("two %s listeners on port %d cannot be told apart: same port and protocol, which the API server rejects", a.Protocol, a.Port)
		case a.Hostname == b.Hostname:
			h := hostnameText(a)
			if !sameObject {
				return fmt.Sprintf("same port, protocol and %s, so this one is not accepted (HostnameConflict)", h)
			}
			return fmt.Sprintf("same port, protocol and %s, which the API server rejects (HostnameConflict)", h)
		}
		return ""
	}
	if (a.Protocol == "TCP" && hostnameProtocols[b.Protocol]) || (b.Protocol == "TCP" && hostnameProtocols[a.Protocol]) {
		switch {
		case !sameObject:
			return fmt.Sprintf("a TCP listener cannot share port %d with an HTTP, HTTPS or TLS listener, so this one is not accepted (ProtocolConflict)", a.Port)
		case istio:
			return fmt.Sprintf("a TCP listener cannot share port %d with an HTTP, HTTPS or TLS listener: the API accepts neither, and Istio keeps the first and does not accept this one (ProtocolConflict)", a.Port)
		}
		return fmt.Sprintf("a TCP listener cannot share port %d with an HTTP, HTTPS or TLS listener, so neither is accepted (ProtocolConflict)", a.Port)
	}
	if !istio {
		return ""
	}
	// Istio tells fewer listeners apart than the API: it does not use the
	// protocol between TCP and UDP, nor between HTTP, HTTPS and TLS,
	// where the hostname alone decides; and UDP is as TCP beside those.
	//
	// A UDP listener that loses is left to gatewayapi-listener-protocol-
	// unsupported: Istio serves none. One that wins takes the port from
	// the listeners after it all the same.
	switch {
	case b.Protocol == "UDP":
		return "" // see udpLoses
	case a.Protocol == "UDP" && (b.Protocol == "TCP" || hostnameProtocols[b.Protocol]):
		return fmt.Sprintf("Istio does not tell a UDP listener on port %d from a %s one: the UDP listener, which Istio does not support either, takes the port, and this one is not accepted (ProtocolConflict)", a.Port, b.Protocol)
	case hostnameProtocols[a.Protocol] && hostnameProtocols[b.Protocol] && a.Hostname == b.Hostname:
		return fmt.Sprintf("Istio tells HTTP, HTTPS and TLS listeners of one port apart by hostname only, and both have %s: it does not accept this one (ProtocolConflict)", hostnameText(a))
	}
	return ""
}

// udpLoses reports whether Istio does not accept UDP listener b, after a
// that it accepted, for a conflict: its loss is not reported (conflict),
// but b is no listener that later ones are compared with.
func udpLoses(a, b *graph.Listener) bool {
	return b.Protocol == "UDP" && a.Port == b.Port && (l4Protocols[a.Protocol] || hostnameProtocols[a.Protocol])
}

// hostnameText says a listener's hostname for messages.
func hostnameText(l *graph.Listener) string {
	if l.Hostname == "" {
		return "no hostname"
	}
	return "hostname " + l.Hostname
}

// at is where a listener is reported: its name, else its entry.
func at(l *graph.Listener) manifest.Loc {
	if !l.Spec.Name.Loc.IsZero() {
		return l.Spec.Name.Loc
	}
	return l.Spec.Loc
}
