package validation

import (
	"regexp"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// EnvoyFilterInvalid reports EnvoyFilters that Istio's webhook rejects.
var EnvoyFilterInvalid = &rules.Rule{
	ID:      "MR022",
	Name:    "envoyfilter-invalid",
	Summary: "an EnvoyFilter selects workloads with a wildcard or empty label key, or a patch lacks what Istio requires",
	Doc: `Istio's webhook (ValidateEnvoyFilter) rejects an EnvoyFilter that:

- has a ` + "`workloadSelector`" + ` label with an empty key, or a ` + "`*`" + ` in a key or a value (the CRD's CEL
  rule refuses the value too): selectors match labels exactly, and an EnvoyFilter without a
  ` + "`workloadSelector`" + ` already applies to every workload of its namespace;
- has a config patch without ` + "`applyTo`" + `, without ` + "`patch`" + `, without ` + "`patch.operation`" + `, or without
  ` + "`patch.value`" + ` for any operation but REMOVE;
- matches ` + "`proxy.proxyVersion`" + ` with a regular expression that does not compile (Go's RE2 syntax).

The webhook skips the patches of ` + "`context: WAYPOINT`" + `, and so does this rule. What MR001 (the schema and
the other CEL rules) and MR711 (operations Istio ignores) report is left to them.

Remove the ` + "`workloadSelector`" + ` to patch every workload of the namespace, and give each patch its
` + "`applyTo`" + `, ` + "`operation`" + ` and ` + "`value`" + `.`,
	Bad:      luaFilter("  workloadSelector:\n    labels: {app: \"*\"}\n"),
	Good:     luaFilter(""),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.EnvoyFilter},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runEnvoyFilterInvalid,
}

// luaFilter is EnvoyFilter shop/lua, which adds a Lua filter to the
// inbound HTTP filters of the workloads that selector (the lines of a
// workloadSelector, or none) selects: the examples of MR022.
func luaFilter(selector string) string {
	return `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: lua, namespace: shop}
spec:
` + selector + `  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener:
        filterChain:
          filter:
            name: envoy.filters.network.http_connection_manager
            subFilter: {name: envoy.filters.http.router}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.lua
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
          default_source_code: {inline_string: "function envoy_on_request(h) end"}
`
}

// maxProxyVersionLen is envoyfilter.go's: the webhook only warns, and
// istiod ignores the match, past that length.
const maxProxyVersionLen = 1024

func runEnvoyFilterInvalid(p *rules.Pass) error {
	const rejects = "Istio rejects the EnvoyFilter"
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.EnvoyFilter) {
		s := specOf(o)
		checkSelectorLabels(p, o, s.get("workloadSelector").get("labels"), rejects)
		for cp := range s.get("configPatches").items() {
			if !cp.isMap() {
				continue
			}
			if ctx, _ := cp.get("match").get("context").str(); ctx == "WAYPOINT" {
				continue // validateEnvoyFilter does not check these yet
			}
			// validateEnvoyFilter stops at a patch's first error: so does
			// this, so that one mistake is one finding.
			// A value of the wrong type is MR001's.
			if missingEnum(cp.get("applyTo")) {
				reportAt(p, o, cp.get("applyTo"), cp, "%s has no applyTo: %s", cp.where(), rejects)
				continue
			}
			patch := cp.get("patch")
			switch {
			case !patch.ok():
				p.Reportf(o, cp.loc(), "%s has no patch: %s", cp.where(), rejects)
				continue
			case !patch.isMap():
				continue
			case missingEnum(patch.get("operation")):
				reportAt(p, o, patch.get("operation"), patch, "%s has no operation: %s", patch.where(), rejects)
				continue
			}
			op, _ := patch.get("operation").str()
			if op != "REMOVE" && !patch.has("value") {
				p.Reportf(o, cp.keyLoc("patch"), "%s has no value, which every operation but REMOVE needs: %s", patch.where(), rejects)
				continue
			}
			x := cp.get("match").get("proxy").get("proxyVersion")
			if v, ok := x.str(); ok && v != "" && len(v) <= maxProxyVersionLen {
				if _, err := regexp.Compile(v); err != nil {
					p.Reportf(o, x.loc(), "%s %q is not a valid regular expression (%v): %s", x.where(), v, err, rejects)
				}
			}
		}
	}
	return nil
}

// missingEnum reports whether an enum field of a patch is unset, or set to
// its zero value INVALID, which protojson reads alike.
func missingEnum(x node) bool {
	if !x.ok() {
		return true
	}
	v, ok := x.str()
	return ok && v == "INVALID"
}
