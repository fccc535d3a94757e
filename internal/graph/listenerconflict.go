package graph

import (
	"fmt"
	"slices"
	"strings"
)

// ListenerConflict says why a listener of a Gateway's merged list is not
// accepted: it is not distinct from To, before it in the list. Why is ""
// for a loss that is no conflict of the listener's own to report: a name
// used twice in one ListenerSet (schema validation reports it), or a UDP
// listener Istio does not serve anyway.
type ListenerConflict struct {
	To  *Listener
	Why string
}

// ListenerConflicts returns the listeners of gw.Merged that are not
// accepted for a conflict with one before them, each against the first
// it conflicts with: a ListenerSet's listener loses to those of higher
// precedence. The API makes every listener that shares its port with a
// TCP one indistinct, whichever comes first, so a listener is compared
// with every one before it. Istio compares it with those it accepted only,
// its Gateway's own listeners included (ComputeGatewayListenerConflicts):
// of two conflicting listeners it keeps the first, and a TLS listener
// after a TCP one that lost is accepted.
func (gw *K8sGateway) ListenerConflicts() map[*Listener]ListenerConflict {
	istio := gw.Controller() == IstioGatewayController
	// Istio computes no conflicts for its classes that take no
	// ListenerSets (ComputeGatewayListenerConflicts runs for classes with
	// SupportsListenerSet only): on waypoints and east-west gateways only
	// what the API server rejects is left, listeners of one protocol with
	// the same port and hostname.
	unchecked := strings.HasPrefix(gw.Controller(), "istio.io/") && !gw.SupportsListenerSets()
	lost := map[*Listener]ListenerConflict{}
	// Two definitions of one ListenerSet are one ListenerSet (MR017
	// reports them): a listener conflicts with no copy of itself, and
	// loses to the canonical definition of another's.
	var canonical map[*Listener]bool // nil: no copies, as nearly always
	if d := DistinctFunc(gw.Merged, (*Listener).Owner); len(d) < len(gw.Merged) {
		canonical = map[*Listener]bool{}
		for _, l := range d {
			canonical[l] = true
		}
	}
	copied := func(prev, l *Listener) bool {
		return canonical != nil && prev.Owner() != l.Owner() && (!canonical[prev] || SameObject(prev.Owner(), l.Owner()))
	}
	for i, l := range gw.Merged {
		for _, prev := range gw.Merged[:i] {
			if copied(prev, l) {
				continue
			}
			if prev.Set == l.Set && prev.Name == l.Name {
				// A ListenerSet's is left to schema validation (its
				// listeners are a list keyed by name), which reports it
				// whether the ListenerSet is attached or not.
				why := ""
				if l.Set == nil {
					why = fmt.Sprintf("the name %q is used twice, and the API server rejects the %s", l.Name, l.Owner().Kind)
				}
				lost[l] = ListenerConflict{prev, why}
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
			if why := listenerConflict(prev, l, istio); why != "" || istio && udpLoses(prev, l) {
				lost[l] = ListenerConflict{prev, why}
				break
			}
		}
	}
	return lost
}

// ListenersLeft reports whether some listener of ListenerSet ls is not
// among lost, its Gateway's ListenerConflicts: one none of whose listeners
// is left is not accepted (ListenersNotValid).
func (ls *ListenerSet) ListenersLeft(lost map[*Listener]ListenerConflict) bool {
	return slices.ContainsFunc(ls.Listeners, func(m *Listener) bool { _, bad := lost[m]; return !bad })
}

// hostnameProtocols are the protocols whose listeners are told apart by
// hostname.
var hostnameProtocols = map[string]bool{"HTTP": true, "HTTPS": true, "TLS": true}

// l4Protocols are the protocols whose listeners have no hostname.
var l4Protocols = map[string]bool{"TCP": true, "UDP": true}

// listenerConflict says why listener b, after a in the Gateway's merged
// list, is not distinct from a, or "". Names are compared by the caller:
// they need to be unique within a Gateway or ListenerSet only. With istio,
// a is one that Istio accepted, and b is judged as Istio's
// listenersDistinct (pilot/pkg/config/kube/gatewaycommon/listener_conflict.go)
// does: it keeps a and does not accept b.
func listenerConflict(a, b *Listener, istio bool) string {
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
// that it accepted, for a conflict: its loss is not reported
// (listenerConflict), but b is no listener that later ones are compared
// with.
func udpLoses(a, b *Listener) bool {
	return b.Protocol == "UDP" && a.Port == b.Port && (l4Protocols[a.Protocol] || hostnameProtocols[a.Protocol])
}

// hostnameText says a listener's hostname for messages.
func hostnameText(l *Listener) string {
	if l.Hostname == "" {
		return "no hostname"
	}
	return "hostname " + l.Hostname
}
