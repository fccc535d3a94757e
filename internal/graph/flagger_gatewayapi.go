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
// analysis runs: the route modelled is the one of an idle canary. The
// rules' matches and timeouts are not held (meshlint's routes, whose spec
// GRPCRoutes share, have none), but an HTTPRoute the API server would
// refuse for them is not derived.

// GatewayAPI reports whether Flagger routes the Canary's traffic with one
// of its Gateway API routers, as Factory.MeshRouter chooses: its Provider
// starts with "gatewayapi:v1beta1" (GatewayAPIV1Beta1Router) or, failing
// that, with "gatewayapi:v1" (GatewayAPIRouter, which "gatewayapi:v1alpha2"
// gets too). "gatewayapi" without a version gets the IstioRouter.
func (c *Canary) GatewayAPI() bool {
	return strings.HasPrefix(c.Provider, flaggerGatewayAPIPrefix)
}

const flaggerGatewayAPIPrefix = "gatewayapi:v1"

// gatewayAPIVersion returns the version of the Gateway API client of the
// Canary's router: v1beta1 for a provider "gatewayapi:v1beta1...", v1
// otherwise.
func (c *Canary) gatewayAPIVersion() string {
	if strings.HasPrefix(c.Provider, "gatewayapi:v1beta1") {
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
// the filters of makeFilters. For an A/B test (spec.analysis.match), the
// first rule's matches are the analysis's merged into the service's, and a
// second rule, of the same filters, sends the service's matches to the
// primary Service alone.
//
// It returns nil when Flagger creates nothing: without gatewayRefs
// (Reconcile fails), when mapRouteMatches fails on spec.service.match, when
// the API server rejects the route (flaggerRouteAccepted), and when the
// input holds an HTTPRoute of that name and namespace, which Flagger takes
// over: its spec becomes the one derived here (c.routeTakeOver, put in
// place by takeOverRoute).
//
// Positions: the object is at the field the apex name comes from, its
// parentRefs, hostnames and filters at the Canary's fields they come from,
// the rules at spec.service (the first of an A/B test at the first
// analysis match), the backendRefs at spec.service.port, their names at
// the apex name's field.
func (g *Graph) flaggerHTTPRoute(c *Canary) *GatewayRoute {
	if len(c.Spec.Service.GatewayRefs) == 0 || !c.flaggerRouteAccepted() {
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
	filters := flaggerRouteFilters(svc)
	at := spec.At{Loc: svc.Loc}
	if at.Loc.IsZero() {
		at.Loc = svc.Port.Loc
	}
	rules := []spec.GatewayRouteRule{{
		At:          at,
		Filters:     filters,
		BackendRefs: []spec.BackendRef{flaggerBackendRef(c, primary, 100), flaggerBackendRef(c, canary, 0)},
	}}
	if ab := c.abMatch(); len(ab) > 0 {
		rules[0].At = spec.At{Loc: ab[0].Loc}
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

// flaggerRouteFilters mirrors makeFilters: a RequestHeaderModifier and a
// ResponseHeaderModifier for the request and response operations of
// spec.service.headers, a URLRewrite for spec.service.rewrite, then a
// RequestMirror for each spec.service.mirror. Of the first three, only
// the type is held, at the field each comes from.
func flaggerRouteFilters(svc spec.CanaryService) []spec.GatewayRouteFilter {
	var filters []spec.GatewayRouteFilter
	add := func(typ string, at spec.At) {
		filters = append(filters, spec.GatewayRouteFilter{At: at, Type: spec.Str{V: typ, Loc: at.Loc, Set: true}})
	}
	if h := svc.Headers; h != nil {
		if h.Request != nil {
			add("RequestHeaderModifier", h.Request.At)
		}
		if h.Response != nil {
			add("ResponseHeaderModifier", h.Response.At)
		}
	}
	if svc.Rewrite != nil {
		add("URLRewrite", svc.Rewrite.At)
	}
	for i := range svc.Mirror {
		m := &svc.Mirror[i]
		// The Canary CRD's mirror schema (Flagger 1.36) has backendRef
		// alone: the API server prunes a percent or fraction, and
		// Flagger mirrors all.
		f := spec.GatewayRouteFilter{Type: spec.Str{V: "RequestMirror", Set: true}, RequestMirror: &spec.RequestMirror{BackendRef: m.BackendRef}}
		if m.BackendRef != nil {
			f.At = m.BackendRef.At
		}
		filters = append(filters, f)
	}
	return filters
}

// takeOverRoute gives r, a route of the input, the spec Flagger gives it
// when a Canary's HTTPRoute has its name: of a Canary defined more than
// once, the definition r goes with (takesOver).
func (g *Graph) takeOverRoute(r *GatewayRoute) {
	if r.Obj.Kind != kinds.HTTPRoute {
		return
	}
	for _, c := range g.Canaries {
		if c.routeTakeOver == nil || c.Namespace() != r.Namespace() || !g.takesOver(c, r.Obj) {
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

// flaggerRouteAccepted reports whether Reconcile gets as far as creating
// the HTTPRoute, and the API server accepts it, as far as what Flagger
// copies from the Canary goes: mapRouteMatches must map spec.service.match,
// the hosts must be Gateway API hostnames, the request timeout of the v1
// router's rules a Gateway API Duration (the v1beta1 router sets none),
// and the rewrite fit the rules.
func (c *Canary) flaggerRouteAccepted() bool {
	svc := c.Spec.Service
	paths, ok := flaggerRoutePaths(svc.Match)
	switch {
	case !ok || !validRouteHostnames(svc.Hosts):
		return false
	case c.gatewayAPIVersion() == "v1" && svc.Timeout.V != "" && !gatewayDuration.MatchString(svc.Timeout.V):
		return false
	}
	return svc.Rewrite == nil || c.flaggerRewriteAccepted(paths)
}

// flaggerRewriteAccepted reports whether the API server accepts the
// URLRewrite filter of spec.service.rewrite on rules of the service's
// matches, whose paths are servicePaths: its authority must be a precise
// hostname, and a rewrite of the prefix (a uri of type
// ReplacePrefixMatch; any other type replaces the full path) needs each
// rule to have a single match, of a path prefix.
func (c *Canary) flaggerRewriteAccepted(servicePaths []string) bool {
	rw := c.Spec.Service.Rewrite
	if a := rw.Authority.V; a != "" && !preciseHostname.MatchString(a) {
		return false
	}
	if rw.URI.V == "" || rw.Type.V != "ReplacePrefixMatch" {
		return true
	}
	if len(servicePaths) == 0 {
		servicePaths = []string{"PathPrefix"} // Reconcile's default match
	}
	// The A/B rule has a match per analysis match and service match,
	// with the service match's path (mergeMatchConditions); the analysis
	// matches count only when mapRouteMatches maps them.
	abPaths, abOK := flaggerRoutePaths(c.abMatch())
	return len(servicePaths) == 1 && servicePaths[0] == "PathPrefix" && (!abOK || len(abPaths) <= 1)
}

// flaggerRoutePaths mirrors mapRouteMatches: it returns the path match
// types of the HTTPRoute matches it makes of ms (RegularExpression, Exact
// or PathPrefix for a uri of a regex, exact or prefix value; PathPrefix,
// the API's default, for a match without a uri) leaving out the matches
// with no condition it maps, and ok false when it fails: a uri needs a
// regex, exact or prefix value, a method an exact one, and each header and
// query parameter an exact or regex one.
func flaggerRoutePaths(ms []spec.HTTPMatch) (paths []string, ok bool) {
	exactOrRegex := func(m spec.StringMatch) bool { return m.Exact.V != "" || m.Regex.V != "" }
	for _, m := range ms {
		path := "PathPrefix"
		switch u := m.URI; {
		case u == nil:
			if m.Method == nil && len(m.Headers) == 0 && len(m.QueryParams) == 0 {
				path = ""
			}
		case u.Regex.V != "":
			path = "RegularExpression"
		case u.Exact.V != "":
			path = "Exact"
		case u.Prefix.V == "":
			return nil, false
		}
		if m.Method != nil && m.Method.Exact.V == "" {
			return nil, false
		}
		for _, h := range m.Headers {
			if !exactOrRegex(h) {
				return nil, false
			}
		}
		for _, q := range m.QueryParams {
			if !exactOrRegex(q) {
				return nil, false
			}
		}
		if path != "" {
			paths = append(paths, path)
		}
	}
	return paths, true
}

// gatewayDuration is the pattern of the Gateway API's Duration (GEP-2257).
var gatewayDuration = regexp.MustCompile(`^([0-9]{1,5}(h|m|s|ms)){1,4}$`)

// preciseHostname is the pattern of the Gateway API's PreciseHostname: a
// lower-case DNS name, without wildcard.
var preciseHostname = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

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
