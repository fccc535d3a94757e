package gatewayapi

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// apiFilterTypes are the filter types the API defines for each route kind
// that has filters (the enum of HTTPRouteFilter.type, GRPCRouteFilter.type):
// a backendRef's filters are of the same type as its rule's. Other values
// are schema errors (MR001), which the API server rejects.
var apiFilterTypes = map[kinds.Kind]map[string]bool{
	kinds.HTTPRoute: {"RequestHeaderModifier": true, "ResponseHeaderModifier": true, "RequestMirror": true,
		"RequestRedirect": true, "URLRewrite": true, "ExtensionRef": true, "CORS": true, "ExternalAuth": true},
	kinds.GRPCRoute: {"RequestHeaderModifier": true, "ResponseHeaderModifier": true, "RequestMirror": true, "ExtensionRef": true},
}

// istioRuleFilters are the filter types Istio applies on a rule of each
// route kind (the switches of convertHTTPRoute and convertGRPCRoute,
// pilot/pkg/config/kube/gateway/conversion.go); istioBackendFilters those
// it applies on a backendRef (buildHTTPDestination, buildGRPCDestination).
// Any other type is a hard error, InvalidFilter.
var (
	istioRuleFilters = map[kinds.Kind]map[string]bool{
		kinds.HTTPRoute: {"RequestHeaderModifier": true, "ResponseHeaderModifier": true, "RequestMirror": true,
			"RequestRedirect": true, "URLRewrite": true, "CORS": true},
		kinds.GRPCRoute: {"RequestHeaderModifier": true, "ResponseHeaderModifier": true, "RequestMirror": true},
	}
	istioBackendFilters = map[string]bool{"RequestHeaderModifier": true, "ResponseHeaderModifier": true}
)

// RouteFilterUnsupported reports filters of routes that Istio serves which
// Istio cannot apply, and for which it drops the whole route.
var RouteFilterUnsupported = &rules.Rule{
	ID:      "MR623",
	Name:    "gatewayapi-route-filter-unsupported",
	Summary: "filter of a Gateway API route that Istio serves is one Istio does not implement there, and Istio serves none of the route",
	Doc: `The filters of an HTTPRoute or GRPCRoute rule, and those of each of its ` + "`backendRefs`" + `, modify the
requests it forwards. The API makes some filter types core and leaves others, and the filters a
backendRef may carry at all, to the implementation. A filter Istio does not implement is not
skipped: the conversion of the route fails, the route reports ` + "`ResolvedRefs: False`" + ` with reason
` + "`InvalidFilter`" + ` ("unsupported filter type"), and Istio serves none of its rules, on any of its
parents, not just the rule that has the filter. The routes it replaced stay gone too.

What Istio applies:

- on an HTTPRoute rule: ` + "`RequestHeaderModifier`" + `, ` + "`ResponseHeaderModifier`" + `, ` + "`RequestRedirect`" + `,
  ` + "`RequestMirror`" + `, ` + "`URLRewrite`" + ` and ` + "`CORS`" + `; not ` + "`ExtensionRef`" + ` nor ` + "`ExternalAuth`" + ` (use an
  AuthorizationPolicy with action ` + "`CUSTOM`" + ` for external authorization);
- on a GRPCRoute rule: ` + "`RequestHeaderModifier`" + `, ` + "`ResponseHeaderModifier`" + ` and ` + "`RequestMirror`" + `; not
  ` + "`ExtensionRef`" + `;
- on a backendRef of either: ` + "`RequestHeaderModifier`" + ` and ` + "`ResponseHeaderModifier`" + ` only. A mirror, a
  redirect, a rewrite or CORS belongs in the rule's ` + "`filters`" + `, where it applies to every backend
  of the rule.

Istio reads a backendRef's filters only when it builds the backend, which it does not for a
backend of weight 0: those filters are warnings, since the route goes down once the weight is
raised (a canary's, typically). The rule checks the routes Istio serves: those with a parent
Gateway whose GatewayClass is Istio's, or a mesh parent (a Service, or an Istio ServiceEntry);
other implementations support other filters. Filter types the API does not define are schema errors
(schema-invalid), which the API server rejects.`,
	Bad: filterExample(`      filters:
      - type: URLRewrite
        urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
`, ""),
	Good: filterExample("", `    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
`),
	Severity: rules.Error,
	Inputs:   inputs(kinds.K8sGateway, kinds.GatewayClass),
	Deps:     rules.DepCLS | rules.DepREF,
	Run:      runRouteFilterUnsupported,
}

// filterExample is an HTTPRoute of Gateway infra/public whose one rule
// sends /shop to Service storefront, with backendFilters on the backend
// and ruleFilters on the rule: the examples of MR623.
func filterExample(backendFilters, ruleFilters string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: storefront, namespace: shop}
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - matches:
    - path: {type: PathPrefix, value: /shop}
` + ruleFilters + `    backendRefs:
    - name: storefront
      port: 8080
` + backendFilters + `` + publicHTTPGateway
}

func runRouteFilterUnsupported(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		known := apiFilterTypes[r.Kind()]
		if known == nil || !servedByIstio(r) {
			continue // TCP, TLS and UDP routes have no filters
		}
		for _, rule := range r.Rules {
			for i := range rule.Spec.Filters {
				f := &rule.Spec.Filters[i]
				if !known[f.Type.V] || istioRuleFilters[r.Kind()][f.Type.V] {
					continue
				}
				what := fmt.Sprintf("filter %s of %s", f.Type.V, ruleText(rule))
				hint := ""
				if f.Type.V == "ExternalAuth" {
					hint = "; for external authorization, use an AuthorizationPolicy with action CUSTOM"
				}
				p.Reportf(r.Obj, filterLoc(f), "%s is not one Istio implements on the rules of %ss: it rejects the route and serves none of its rules (ResolvedRefs: False, reason InvalidFilter)%s",
					what, r.Kind(), hint)
			}
			for _, bf := range rule.BackendFilters() {
				f := bf.Spec
				if !known[f.Type.V] || istioBackendFilters[f.Type.V] {
					continue
				}
				effect := "it rejects the route and serves none of its rules (ResolvedRefs: False, reason InvalidFilter)"
				if bf.Backend.Weight == 0 {
					effect = "it skips the backend while its weight is 0, and rejects the whole route (InvalidFilter) once it is raised"
				}
				hint := ""
				if istioRuleFilters[r.Kind()][f.Type.V] {
					hint = "; move it to the rule's filters, where Istio applies it to every backend of the rule"
				}
				finding := p.Reportf(r.Obj, filterLoc(f), "filter %s of %s of %s: Istio applies only RequestHeaderModifier and ResponseHeaderModifier on a backendRef, and %s%s",
					f.Type.V, backendWhat(bf.Backend), ruleText(rule), effect, hint)
				if bf.Backend.Weight == 0 {
					finding.AtMost(rules.Warning)
				}
			}
		}
	}
	return nil
}

// ruleText names a route rule for messages: `rules[1]`, or `rules[1]
// ("checkout")` when it is named.
func ruleText(rule *graph.GatewayRouteRule) string {
	if rule.Spec.Name.V != "" {
		return fmt.Sprintf("rules[%d] (%q)", rule.Index, rule.Spec.Name.V)
	}
	return fmt.Sprintf("rules[%d]", rule.Index)
}

// filterLoc is where a filter is reported: its type, else its entry.
func filterLoc(f *spec.GatewayRouteFilter) spec.Loc {
	if !f.Type.Loc.IsZero() {
		return f.Type.Loc
	}
	return f.Loc
}
