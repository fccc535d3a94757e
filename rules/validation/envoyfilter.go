package validation

import (
	"regexp"
	"slices"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// EnvoyFilterInvalid reports EnvoyFilters that Istio's webhook rejects.
var EnvoyFilterInvalid = &rules.Rule{
	ID:      "MR022",
	Name:    "envoyfilter-invalid",
	Summary: "an EnvoyFilter selects workloads with a wildcard or empty label key, or a patch lacks what Istio requires or has a match that does not fit its applyTo",
	Doc: `Istio's webhook (ValidateEnvoyFilter) rejects an EnvoyFilter that:

- has a ` + "`workloadSelector`" + ` label with an empty key, or a ` + "`*`" + ` in a key or a value (the CRD's CEL
  rule refuses the value too): selectors match labels exactly, and an EnvoyFilter without a
  ` + "`workloadSelector`" + ` already applies to every workload of its namespace;
- has a config patch without ` + "`applyTo`" + `, without ` + "`patch`" + `, without ` + "`patch.operation`" + `, or without
  ` + "`patch.value`" + ` for any operation but REMOVE;
- matches ` + "`proxy.proxyVersion`" + ` with a regular expression that does not compile (Go's RE2 syntax);
- has a match of another kind than its ` + "`applyTo`" + ` patches: a ` + "`LISTENER`" + `, ` + "`FILTER_CHAIN`" + `,
  ` + "`NETWORK_FILTER`" + ` or ` + "`HTTP_FILTER`" + ` patch needs a ` + "`listener`" + ` match, a
  ` + "`ROUTE_CONFIGURATION`" + `, ` + "`VIRTUAL_HOST`" + ` or ` + "`HTTP_ROUTE`" + ` patch a ` + "`routeConfiguration`" + ` match,
  and a ` + "`CLUSTER`" + ` patch a ` + "`cluster`" + ` match (a match with only ` + "`context`" + ` or ` + "`proxy`" + ` does for
  all; ` + "`LISTENER_FILTER`" + ` and ` + "`EXTENSION_CONFIG`" + ` patches are not checked);
- in such a listener match, has a ` + "`filterChain.filter`" + ` without a ` + "`name`" + `, or a ` + "`subFilter`" + ` in a
  patch other than ` + "`HTTP_FILTER`" + `, under a filter other than the HTTP connection manager
  (` + "`envoy.filters.network.http_connection_manager`" + `, or its old name
  ` + "`envoy.http_connection_manager`" + `), or without a ` + "`name`" + `.

The webhook stops at a patch's first error, and so does this rule: one mistake is one finding.
It skips the patches of ` + "`context: WAYPOINT`" + `, and so does this rule. What MR001 (the schema, such as
two of ` + "`listener`" + `, ` + "`routeConfiguration`" + ` and ` + "`cluster`" + ` in one match, and the other CEL rules)
and MR711 (operations Istio ignores) report is left to them.

The webhook also builds each ` + "`patch.value`" + ` into the Envoy message its ` + "`applyTo`" + ` names (a Cluster, a
Listener, an HttpFilter...) and rejects a value that does not build: a field of the wrong type, a
` + "`typed_config`" + ` whose ` + "`@type`" + ` it does not know (such as a v2 type). meshlint has no Envoy protos,
so it does not check patch values: ` + "`istioctl validate`" + `, which runs the webhook's checks, or
` + "`kubectl apply --dry-run=server`" + ` against a cluster with Istio's webhook does.

Remove the ` + "`workloadSelector`" + ` to patch every workload of the namespace, give each patch its
` + "`applyTo`" + `, ` + "`operation`" + ` and ` + "`value`" + `, and match the kind of object it patches, by name.`,
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
					continue
				}
			}
			applyTo, _ := cp.get("applyTo").str()
			checkPatchMatch(p, o, applyTo, cp.get("match"), rejects)
		}
	}
	return nil
}

// objectClass is the kind of match validateEnvoyFilter requires of each
// applyTo, with the name its message gives that kind; the applyTos it
// leaves out (LISTENER_FILTER, EXTENSION_CONFIG, BOOTSTRAP) take any.
var objectClass = map[string]matchClass{
	"LISTENER":            listenerClass,
	"FILTER_CHAIN":        listenerClass,
	"NETWORK_FILTER":      listenerClass,
	"HTTP_FILTER":         listenerClass,
	"ROUTE_CONFIGURATION": routeClass,
	"VIRTUAL_HOST":        routeClass,
	"HTTP_ROUTE":          routeClass,
	"CLUSTER":             {"cluster", "a cluster match", "applyTo for cluster class objects cannot have non cluster match"},
}

// matchClass is a kind of match: its key in the match, its name for
// messages, and the webhook's message when another is set.
type matchClass struct{ key, name, webhook string }

var (
	listenerClass = matchClass{"listener", "a listener match", "applyTo for listener class objects cannot have non listener match"}
	routeClass    = matchClass{"routeConfiguration", "a route configuration match", "applyTo for http route class objects cannot have non route configuration match"}
)

// matchObjectTypes are the members of the match's objectTypes oneof.
var matchObjectTypes = []string{"listener", "routeConfiguration", "cluster", "waypoint"}

// hcmNames are the names validateEnvoyFilter takes for the HTTP connection
// manager under a subFilter match: wellknown.HTTPConnectionManager and its
// deprecated name.
var hcmNames = []string{"envoy.filters.network.http_connection_manager", "envoy.http_connection_manager"}

// checkPatchMatch reports a match that does not line up with applyTo, as
// validateEnvoyFilter does ("ensure that applyTo, match and patch all line
// up"), at its first error.
func checkPatchMatch(p *rules.Pass, o *manifest.Object, applyTo string, m node, rejects string) {
	class, checked := objectClass[applyTo]
	if !checked || !m.isMap() {
		return
	}
	var set []string
	for _, k := range matchObjectTypes {
		if m.has(k) {
			set = append(set, k)
		}
	}
	// Two members of the oneof are MR001's, and a waypoint match outside
	// context WAYPOINT is the CRD's CEL rule's (MR001's): the API server
	// refuses both before the webhook sees them.
	if len(set) != 1 || set[0] == "waypoint" {
		return
	}
	if set[0] != class.key {
		p.Reportf(o, m.keyLoc(set[0]), "%s is not %s, which applyTo %s needs (%q): %s",
			joinPath(m.where(), set[0]), class.name, applyTo, class.webhook, rejects)
		return
	}
	if class != listenerClass {
		return
	}
	chain := m.get("listener").get("filterChain")
	filter := chain.get("filter")
	if !filter.isMap() {
		return // unset, or a wrong type, which is MR001's
	}
	const noName = "filter match has no name to match on"
	name := filter.get("name")
	v, isStr := name.str()
	switch {
	case !name.ok():
		p.Reportf(o, chain.keyLoc("filter"), "%s has no name (%q): %s", filter.where(), noName, rejects)
		return
	case !isStr:
		return // MR001's
	case v == "":
		p.Reportf(o, name.loc(), "%s is empty (%q): %s", name.where(), noName, rejects)
		return
	}
	sub := filter.get("subFilter")
	if !sub.isMap() {
		return // unset, or a wrong type, which is MR001's
	}
	subName := sub.get("name")
	subV, subIsStr := subName.str()
	switch {
	case applyTo != "HTTP_FILTER":
		p.Reportf(o, filter.keyLoc("subFilter"), "%s: a subFilter match is for applyTo HTTP_FILTER only, not %s (%q): %s",
			joinPath(filter.where(), "subFilter"), applyTo, "subfilter match can be used with applyTo HTTP_FILTER only", rejects)
	case !slices.Contains(hcmNames, v):
		p.Reportf(o, name.loc(), "%s %q is not the HTTP connection manager, which a subFilter match needs (%q): %s",
			name.where(), v, "subfilter match requires filter match with "+hcmNames[0], rejects)
	case !subName.ok() || subIsStr && subV == "":
		p.Reportf(o, filter.keyLoc("subFilter"), "%s has no name (%q): %s",
			joinPath(filter.where(), "subFilter"), "subfilter match has no name to match on", rejects)
	}
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
