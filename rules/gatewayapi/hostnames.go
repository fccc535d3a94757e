package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// HostnameNotAccepted reports route hostnames that no listener of the
// route's parent Gateways accepts.
var HostnameNotAccepted = &rules.Rule{
	ID:      "MR607",
	Name:    "gatewayapi-hostname-not-accepted",
	Summary: "hostname of a Gateway API route is accepted by no listener of its parent Gateway",
	Doc: `When both a listener and a route (HTTPRoute, GRPCRoute, TLSRoute) set hostnames, the route
attaches to the listener only if the two intersect, and route hostnames that do not intersect
the listener's are ignored there. The intersection follows the API: a listener without
hostname accepts every hostname, and a route without hostnames matches every listener; an exact
name matches itself; ` + "`*.example.com`" + ` matches ` + "`foo.example.com`" + ` and ` + "`a.b.example.com`" + ` but not
` + "`example.com`" + `, in either direction (a route's ` + "`*.example.com`" + ` intersects a listener's
` + "`shop.example.com`" + `, and two wildcards intersect when one lies under the other).

Only the listeners the route attaches to count: those its parentRef selects (by
` + "`sectionName`" + ` and ` + "`port`" + `) that admit its kind and namespace (see MR605): the Gateway's own
listeners, or for a parentRef of ` + "`kind: ListenerSet`" + ` the ListenerSet's.

- When no hostname of the route intersects such a listener, the Gateway does not accept the
  route (` + "`Accepted: False`" + `, reason ` + "`NoMatchingListenerHostname`" + `): the finding is at the
  parentRef, and requests for those names get 404.
- When some hostnames are accepted and others by no parent Gateway, each of the others is
  reported: its requests never reach the route. A hostname accepted by one parent and not by
  another is normal for a route bound to, say, an internal and a public Gateway, and is not
  reported; nor is anything when the route also has a parent meshlint cannot inspect.
- A request goes to the most specific listener of its port whose hostname matches it. So a
  hostname that a wildcard listener (or one without hostname) accepts, but that a more specific
  listener of the same Gateway (ListenerSet), port and protocol covers whole, is not served
  through the wildcard listener: Istio drops it from the route there (listener isolation), with no
  status. When the route does not attach to that more specific listener, for example because its
  ` + "`allowedRoutes`" + ` do not admit the route's namespace or a ` + "`sectionName`" + ` selects the wildcard
  listener, the hostname is reported with the listener that takes its requests. Istio isolates
  HTTPRoutes and GRPCRoutes so, not TLSRoutes.

Fix the hostname, or add a listener (or widen a listener hostname) that accepts it. An IP address
among a TLSRoute's hostnames makes the API server refuse the route (gatewayapi-crd-validation
reports it): the rule judges the route without it. A parentRef that repeats an earlier one exactly,
which the API server refuses alike, is reported once, at the first.`,
	Bad:      hostnameExample("example.com"),
	Good:     hostnameExample("shop.example.com"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.HTTPRoute, kinds.GRPCRoute, kinds.TLSRoute, kinds.K8sGateway, kinds.ListenerSet, kinds.GatewayClass},
	Deps:     rules.DepGWAPI | rules.DepREF | rules.DepCLS,
	Run:      runHostnameNotAccepted,
}

// hostnameExample is Gateway shop/public, whose listener accepts
// *.example.com, and an HTTPRoute attached to it for hostname: the
// examples of MR607.
func hostnameExample(hostname string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    hostname: "*.example.com"
    port: 80
    protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
  - name: public
  hostnames: [` + hostname + `]
  rules:
  - backendRefs:
    - {name: storefront, port: 8080}
`
}

func runHostnameNotAccepted(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		if !r.HasHostnames() {
			continue
		}
		// The API server refuses a TLSRoute with an IP address for a
		// hostname (gatewayapi-crd-validation reports it): the route is
		// judged without it, as it is once fixed.
		hs := slices.DeleteFunc(slices.Clone(r.Spec.Hostnames), func(h spec.Str) bool { return refusedIPHostname(r.Obj, h.V) })
		if len(hs) == 0 {
			continue
		}
		// accepted[i] is whether a listener the route attaches to gets
		// the requests for hostname i; takenBy[i], when none does, the
		// more specific listener that takes them from those that accept
		// it (isolation, see HostnameTakenBy).
		accepted := make([]bool, len(hs))
		takenBy := make([]*graph.Listener, len(hs))
		var (
			parents   []*graph.ParentRef
			anyParent bool
			// open is true when a parent meshlint cannot inspect may
			// accept any hostname.
			open bool
		)
		for j, pr := range r.Parents {
			if pr.Gateway == nil || len(pr.Attached) == 0 {
				// Unresolved or not attached: MR601 and MR605 say so.
				open = open || pr.Gateway == nil
				continue
			}
			if repeatsEarlier(r.Parents[:j], pr) {
				continue // the first says all it would (see repeatsEarlier)
			}
			parents = append(parents, pr)
			// The parent accepts the route when a hostname intersects a
			// listener's, whether or not a more specific listener takes
			// its requests: isolation shows in no status.
			matched := false
			for i, h := range hs {
				for _, l := range pr.Attached {
					if !l.AcceptsHostname(h.V) {
						continue
					}
					matched, anyParent = true, true
					if by := isolatedBy(r, l, h.V); by != nil {
						if takenBy[i] == nil || len(by.Hostname) > len(takenBy[i].Hostname) {
							takenBy[i] = by
						}
						continue
					}
					accepted[i] = true
					break
				}
			}
			if matched {
				continue
			}
			var written, lhs []string
			for _, h := range hs {
				written = append(written, h.V)
			}
			for _, l := range pr.Attached {
				lhs = append(lhs, l.Name+" "+l.Hostname)
			}
			f := p.Reportf(r.Obj, pr.NameLoc, "no hostname of this %s (%s) intersects the hostname of a listener of %s it attaches to (%s): the %s does not accept the route (NoMatchingListenerHostname)",
				r.Kind(), strings.Join(written, ", "), parentText(pr), strings.Join(lhs, ", "), pr.Kind)
			for _, l := range pr.Attached {
				f.Relate(l.Owner(), l.Spec.Hostname.Loc, "listener %s", l.Name)
			}
		}
		if open || !anyParent {
			continue
		}
		for i, h := range hs {
			if accepted[i] {
				continue
			}
			if by := takenBy[i]; by != nil {
				p.Reportf(r.Obj, h.Loc, "hostname %q is taken by listener %s of %s, which is more specific on the same port and to which this %s does not attach: requests for it go to that listener's routes and never reach this %s",
					h.V, listenerText(by), by.OwnerText(), r.Kind(), r.Kind()).
					Relate(by.Owner(), by.Spec.Hostname.Loc, "listener %s", by.Name)
				continue
			}
			var gws, texts []string
			for _, pr := range parents {
				if n := parentText(pr); !slices.Contains(texts, n) {
					texts = append(texts, n)
					if !pr.IsListenerSet() {
						gws = append(gws, pr.Gateway.Namespace()+"/"+pr.Gateway.Name())
					}
				}
			}
			by := texts[0]
			switch {
			case len(texts) > 1 && len(gws) == len(texts):
				by = "any of the Gateways " + strings.Join(gws, ", ")
			case len(texts) > 1:
				by = "any of " + strings.Join(texts, ", ")
			}
			p.Reportf(r.Obj, h.Loc, "%s", fmt.Sprintf("hostname %q is accepted by no listener of %s, so it is ignored and its requests never reach this %s", h.V, by, r.Kind()))
		}
	}
	return nil
}

// isolatedBy returns the listener that takes the requests for hostname h
// of route r from listener l, which accepts h, or nil. Istio isolates the
// listeners of HTTPRoutes and GRPCRoutes only: a TLSRoute's hostnames
// become SNI matches of l's server, which it does not filter.
func isolatedBy(r *graph.GatewayRoute, l *graph.Listener, h string) *graph.Listener {
	if r.Kind() != kinds.HTTPRoute && r.Kind() != kinds.GRPCRoute {
		return nil
	}
	return l.HostnameTakenBy(h)
}
