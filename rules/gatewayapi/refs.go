package gatewayapi

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// routeKinds are the route kinds the rules read.
var routeKinds = []kinds.Kind{kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute, kinds.UDPRoute}

// inputs returns the route kinds followed by more.
func inputs(more ...kinds.Kind) []kinds.Kind {
	return append(append([]kinds.Kind{}, routeKinds...), more...)
}

// refText names a reference as written with its resolved target:
// `"reviews" (Service shop/reviews)`.
func refText(r *graph.ObjectRef) string {
	return fmt.Sprintf("%q (%s %s/%s)", r.Name, r.GroupKind, r.Namespace, r.Name)
}

// backendWhat introduces a backend reference in a message.
func backendWhat(b *graph.BackendRef) string {
	if b.Mirror {
		return "requestMirror backendRef " + refText(&b.ObjectRef)
	}
	return "backendRef " + refText(&b.ObjectRef)
}

// grpcMirrorLoss is what Istio does with a GRPCRoute whose mirror it cannot
// build, beyond what the API asks (drop the mirror alone): convertGRPCRoute
// (pilot/pkg/config/kube/gateway/conversion.go) returns createMirrorFilter's
// error as the rule's, with no route, and computeRoute takes a rule without
// route for a hard error, so none of the GRPCRoute's rules is served.
// convertHTTPRoute keeps an HTTPRoute's mirror error apart
// (mirrorBackendErr) and drops the mirror alone.
const grpcMirrorLoss = "unlike an HTTPRoute's, a GRPCRoute's mirror that Istio cannot build takes the whole route down"

// grpcMirrorFailure says what becomes of GRPCRoute r when Istio cannot build
// its mirror, for a ResolvedRefs reason ("" leaves it to the caller), or ""
// when r is no GRPCRoute or is served by another implementation only.
// gateways narrows the failure to the route's Gateway parents, for a
// reference refused for want of a ReferenceGrant: its mesh build checks
// none (enforceRefGrant is false there).
func grpcMirrorFailure(r *graph.GatewayRoute, reason string, gateways bool) string {
	if r.Kind() != kinds.GRPCRoute {
		return ""
	}
	why := ""
	if reason != "" {
		why = " (ResolvedRefs: False, reason " + reason + ")"
	}
	where, there := "", ""
	parents := r.Parents
	if gateways {
		parents = slices.DeleteFunc(slices.Clone(parents), (*graph.ParentRef).IsMesh)
		if len(parents) < len(r.Parents) {
			where, there = " for its Gateway parents (its mesh parents need no grant)", " there"
		}
	}
	switch {
	case istioParent(parents):
		return fmt.Sprintf("Istio rejects the GRPCRoute%s and serves none of its rules%s%s; %s", where, there, why, grpcMirrorLoss)
	case mayBeIstioParent(parents):
		return fmt.Sprintf("nothing is mirrored, and Istio, if it serves the route, rejects the whole GRPCRoute%s%s", where, why)
	}
	return ""
}

// allBackends returns the backends and mirrors of every rule of a route.
func allBackends(r *graph.GatewayRoute) []*graph.BackendRef {
	var out []*graph.BackendRef
	for _, rule := range r.Rules {
		out = append(append(out, rule.Backends...), rule.Mirrors...)
	}
	return out
}

// frontendText names a client certificate validation of a Gateway's
// spec.tls.frontend.
func frontendText(fv *graph.FrontendValidation) string {
	if fv.Port == 0 {
		return "spec.tls.frontend.default"
	}
	return fmt.Sprintf("the spec.tls.frontend.perPort entry of port %d", fv.Port)
}

// listenersNamed names listeners: "listener https", "listeners a, b".
// Those of a ListenerSet name it, since their names are unique within it
// only: "listener https of ListenerSet shop/shop".
func listenersNamed(ls []*graph.Listener) string {
	var ns []string
	// The listeners of two definitions of one ListenerSet are its
	// listeners, named once (MR017 reports the copies).
	for _, l := range graph.DistinctFunc(ls, (*graph.Listener).Owner) {
		if l.Set != nil {
			ns = append(ns, l.Name+" of "+l.OwnerText())
			continue
		}
		ns = append(ns, l.Name)
	}
	if len(ns) == 1 {
		return "listener " + ns[0]
	}
	return "listeners " + names(ns)
}

// listenerText describes a listener: `https (HTTPS 443, *.example.com)`.
func listenerText(l *graph.Listener) string {
	h := ""
	if l.Hostname != "" {
		h = ", " + l.Hostname
	}
	return fmt.Sprintf("%s (%s %d%s)", l.Name, l.Protocol, l.Port, h)
}

// listenerList describes the listeners of a Gateway, at most five.
func listenerList(ls []*graph.Listener) string {
	var out []string
	for i, l := range ls {
		if i == 5 {
			out = append(out, fmt.Sprintf("and %d more", len(ls)-5))
			break
		}
		out = append(out, listenerText(l))
	}
	return strings.Join(out, ", ")
}

// names returns sorted, de-duplicated names, at most five.
func names(ns []string) string {
	sort.Strings(ns)
	var out []string
	for i, n := range ns {
		if i > 0 && n == ns[i-1] {
			continue
		}
		out = append(out, n)
	}
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("and %d more", len(out)-5))
	}
	return strings.Join(out, ", ")
}

// wrongRefLoc is where a reference of a group or kind that is not taken
// goes wrong: its group when the group alone can be at fault (the kind is
// one that is taken in another group, or is not written and so the
// default), else its kind; its name when that field is not written.
func wrongRefLoc(group, kind, name manifest.Loc, groupAtFault bool) manifest.Loc {
	loc := kind
	if groupAtFault || loc.IsZero() {
		loc = group
	}
	if loc.IsZero() {
		loc = name
	}
	return loc
}
