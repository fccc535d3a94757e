package graph

import (
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
)

// This file derives the HTTPRoute that Flagger v1.36.1 creates for a
// Canary of a Gateway API provider: the GatewayAPIRouter's Reconcile
// (pkg/router/gateway_api.go, gateway.networking.k8s.io/v1) or the
// GatewayAPIV1Beta1Router's (gateway_api_v1beta1.go), which make the same
// route but for its version and the rule's timeouts. Reconcile creates it
// when absent; SetRoutes later changes its weights, and adds the rules of
// session affinity and the mirror of a blue/green analysis, while an
// analysis runs: the route modelled is the one of an idle canary.

// GatewayAPI reports whether Flagger routes the Canary's traffic with one
// of its Gateway API routers, as Factory.MeshRouter chooses: spec.provider
// starts with "gatewayapi:v1beta1" (GatewayAPIV1Beta1Router) or, failing
// that, with "gatewayapi:v1" (GatewayAPIRouter, which "gatewayapi:v1alpha2"
// gets too). "gatewayapi" without a version gets the IstioRouter.
func (c *Canary) GatewayAPI() bool {
	return strings.HasPrefix(c.Spec.Provider.V, flaggerGatewayAPIPrefix)
}

const flaggerGatewayAPIPrefix = "gatewayapi:v1"

// gatewayAPIVersion returns the version of the Gateway API client of the
// Canary's router: v1beta1 for a provider "gatewayapi:v1beta1...", v1
// otherwise.
func (c *Canary) gatewayAPIVersion() string {
	if strings.HasPrefix(c.Spec.Provider.V, "gatewayapi:v1beta1") {
		return "v1beta1"
	}
	return "v1"
}

// flaggerHTTPRoute returns the HTTPRoute Flagger creates for c, as
// Reconcile makes it: named after the apex, in the Canary's namespace,
// with the apex metadata (its annotations without Flux's), the parentRefs
// spec.service.gatewayRefs and the hostnames spec.service.hosts as written
// (Flagger adds no apex host, unlike for a VirtualService), and one rule
// whose backendRefs are the primary and canary Services (group "", kind
// Service) at spec.service.port, weighted 100 and 0 (makeBackendRef), with
// a RequestMirror filter for each spec.service.mirror (makeFilters). For
// an A/B test (spec.analysis.match), the first rule's matches are the
// analysis's merged into the service's, and a second rule sends the
// service's matches to the primary Service alone. The rules' matches,
// header and rewrite filters and timeouts are not modelled: meshlint's
// routes do not hold them.
//
// It returns nil when Flagger creates nothing: without gatewayRefs
// (Reconcile fails), when spec.service.match has a matcher the Gateway API
// lacks (mapRouteMatches fails), when the API server rejects the hosts as
// hostnames (the creation fails), and when the input holds an HTTPRoute of
// that name and namespace, which Flagger takes over: its spec becomes the
// one derived here (c.routeTakeOver, put in place by takeOverRoute).
//
// Positions: the object is at the field the apex name comes from, its
// parentRefs, hostnames and mirrors at the Canary's entries, the rules at
// spec.service, the backendRefs at spec.service.port, their names at the
// apex name's field.
func (g *Graph) flaggerHTTPRoute(c *Canary) *GatewayRoute {
	svc := c.Spec.Service
	if len(svc.GatewayRefs) == 0 || !flaggerRouteMatchesValid(svc.Match) || !validRouteHostnames(svc.Hosts) {
		return nil
	}
	apex, _, _ := c.ServiceNames()
	if g.inputHTTPRoute(c.Namespace(), apex) {
		c.routeTakeOver = flaggerHTTPRouteSpec(c)
		return nil
	}
	return &GatewayRoute{Meta: Meta{Obj: g.flaggerApexObject(c, kinds.HTTPRoute)}, Spec: flaggerHTTPRouteSpec(c)}
}

// flaggerHTTPRouteSpec returns the spec of the HTTPRoute that
// flaggerHTTPRoute describes.
func flaggerHTTPRouteSpec(c *Canary) *spec.GatewayRoute {
	svc := c.Spec.Service
	_, primary, canary := c.ServiceNames()
	var filters []spec.GatewayRouteFilter
	for i := range svc.Mirror {
		m := &svc.Mirror[i]
		f := spec.GatewayRouteFilter{Type: spec.Str{V: "RequestMirror", Set: true}, RequestMirror: m}
		if m.BackendRef != nil {
			f.At = m.BackendRef.At
		}
		filters = append(filters, f)
	}
	at := spec.At{Loc: svc.Loc}
	if at.Loc.IsZero() {
		at.Loc = svc.Port.Loc
	}
	rules := []spec.GatewayRouteRule{{
		At:          at,
		Filters:     filters,
		BackendRefs: []spec.BackendRef{flaggerBackendRef(c, primary, 100), flaggerBackendRef(c, canary, 0)},
	}}
	if c.Spec.Analysis != nil && len(c.Spec.Analysis.Match) > 0 {
		rules = append(rules, spec.GatewayRouteRule{
			At:          at,
			Filters:     filters,
			BackendRefs: []spec.BackendRef{flaggerBackendRef(c, primary, 100)},
		})
	}
	return &spec.GatewayRoute{
		ParentRefs: svc.GatewayRefs,
		Hostnames:  svc.Hosts,
		Rules:      rules,
	}
}

// takeOverRoute gives r, a route of the input, the spec Flagger gives it
// when a Canary's HTTPRoute has its name.
func (g *Graph) takeOverRoute(r *GatewayRoute) {
	if r.Obj.Kind != kinds.HTTPRoute {
		return
	}
	for _, c := range g.Canaries {
		if c.routeTakeOver == nil || c.Namespace() != r.Namespace() {
			continue
		}
		if apex, _, _ := c.ServiceNames(); apex == r.Name() {
			c.Rewrites = append(c.Rewrites, &Rewrite{Obj: r.Obj, Written: r.Spec, Flagger: c.routeTakeOver})
			r.Spec = c.routeTakeOver
			return
		}
	}
}

// flaggerBackendRef mirrors makeBackendRef: the Service name, in the core
// group, at spec.service.port, with this weight. Its positions are
// spec.service.port's, its name's the apex name's field.
func flaggerBackendRef(c *Canary, name string, weight int64) spec.BackendRef {
	port := c.Spec.Service.Port
	return spec.BackendRef{
		At:     spec.At{Loc: port.Loc},
		Group:  spec.Str{V: "", Set: true},
		Kind:   spec.Str{V: string(kinds.Service), Set: true},
		Name:   spec.Str{V: name, Loc: c.apexLoc(), Set: true},
		Port:   port,
		Weight: spec.Int{V: weight, Loc: port.Loc, Set: true},
	}
}

// flaggerRouteMatchesValid reports whether mapRouteMatches turns the
// Canary's matches into HTTPRoute matches without an error: a uri needs a
// regex, exact or prefix value, a method an exact one, and each header and
// query parameter an exact or regex one.
func flaggerRouteMatchesValid(ms []spec.HTTPMatch) bool {
	exactOrRegex := func(m spec.StringMatch) bool { return m.Exact.V != "" || m.Regex.V != "" }
	for _, m := range ms {
		if u := m.URI; u != nil && !exactOrRegex(*u) && u.Prefix.V == "" {
			return false
		}
		if m.Method != nil && m.Method.Exact.V == "" {
			return false
		}
		for _, h := range m.Headers {
			if !exactOrRegex(h) {
				return false
			}
		}
		for _, q := range m.QueryParams {
			if !exactOrRegex(q) {
				return false
			}
		}
	}
	return true
}

// routeHostname is the pattern of the Gateway API's Hostname: a lower-case
// DNS name, or one under a leading "*." wildcard.
var routeHostname = regexp.MustCompile(`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// validRouteHostnames reports whether the API server takes hs as the
// hostnames of an HTTPRoute: at most 16, each a Hostname of at most 253
// characters ("*", an upper-case letter or a trailing dot are refused).
func validRouteHostnames(hs []spec.Str) bool {
	if len(hs) > 16 {
		return false
	}
	for _, h := range hs {
		if len(h.V) > 253 || !routeHostname.MatchString(h.V) {
			return false
		}
	}
	return true
}

// inputHTTPRoute reports whether the input holds an HTTPRoute (of any
// version of the Gateway API) of this namespace and name, whether or not
// its spec decodes: Flagger gets it and rewrites it.
func (g *Graph) inputHTTPRoute(ns, name string) bool {
	if !g.HasGatewayAPIKind(kinds.HTTPRoute, ns) {
		return false
	}
	for _, o := range g.Objects {
		if o.Kind == kinds.HTTPRoute && o.Group == kinds.GroupGatewayAPI && o.Namespace == ns && o.Name == name {
			return true
		}
	}
	return false
}

// addFlaggerRoutes adds the HTTPRoutes derived for the Canaries to the
// graph's routes, as those of the input are added (addGatewayRoute): their
// parentRefs need the input's Gateways, and their cross-namespace mirrors
// its ReferenceGrants, so addGatewayAPI calls it after the input's routes.
func (g *Graph) addFlaggerRoutes() {
	for _, c := range g.Canaries {
		if c.HTTPRoute != nil {
			g.addGatewayRoute(c.HTTPRoute)
		}
	}
}
