package validation

import (
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// EnvoyFilterInvalid reports EnvoyFilters that Istio's webhook rejects.
var EnvoyFilterInvalid = &rules.Rule{
	ID:      "MR022",
	Name:    "envoyfilter-invalid",
	Summary: "an EnvoyFilter selects workloads with a wildcard or empty label key, or a patch lacks what Istio requires, has a match that does not fit its applyTo, or a typed_config without @type or of a v2 type",
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
Listener, an HttpFilter...) and rejects a value that does not build. meshlint has no Envoy protos:
of these errors it reports those of the ` + "`google.protobuf.Any`" + ` fields it knows by name
(` + "`typed_config`" + `, the values of ` + "`typed_per_filter_config`" + ` and the other ` + "`typed_*`" + ` maps, in the
value and in the messages those hold): an Any without ` + "`@type`" + ` (even an empty one), and an Any of a
type of Envoy's v2 API (` + "`...v2...`" + `), which Istio no longer knows. A field of the wrong type, or an
Any of another type Istio does not link in, ` + "`istioctl validate`" + ` (which runs the webhook's checks) or
` + "`kubectl apply --dry-run=server`" + ` against a cluster with Istio's webhook finds.

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

const rejects = "Istio rejects the EnvoyFilter"

func runEnvoyFilterInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.EnvoyFilter) {
		s := specOf(o)
		checkSelectorLabels(p, o, s.get("workloadSelector").get("labels"), rejects)
		for cp := range checkedPatches(s) {
			if pr, bad := envoyPatchProblem(cp); bad {
				p.Reportf(o, pr.loc, "%s", pr.msg)
			}
		}
	}
	return nil
}

// checkedPatches yields the config patches that validateEnvoyFilter
// checks: it skips those of context WAYPOINT, and a null patch is MR001's
// (the CRD's items are objects).
func checkedPatches(s node) iter.Seq[node] {
	return func(yield func(node) bool) {
		for cp := range s.get("configPatches").items() {
			if !cp.isMap() {
				continue
			}
			if ctx, _ := cp.get("match").get("context").str(); ctx == "WAYPOINT" {
				continue // validateEnvoyFilter does not check these yet
			}
			if !yield(cp) {
				return
			}
		}
	}
}

// patchProblem is the error validateEnvoyFilter finds in a config patch:
// where meshlint reports it, and the message.
type patchProblem struct {
	loc manifest.Loc
	msg string
}

// problemAt is a patchProblem at x, or at fallback where x is absent.
func problemAt(x, fallback node, format string, args ...any) patchProblem {
	loc := x.loc()
	if loc.IsZero() {
		loc = fallback.loc()
	}
	return patchProblem{loc, fmt.Sprintf(format, args...)}
}

// envoyPatchProblem returns the first error validateEnvoyFilter finds in a
// config patch: it stops at a patch's first error, and so does MR022, so
// that one mistake is one finding. MR016 reads it to leave alone the
// patches the webhook refuses. A value of the wrong type is MR001's.
func envoyPatchProblem(cp node) (patchProblem, bool) {
	if missingEnum(cp.get("applyTo")) {
		return problemAt(cp.get("applyTo"), cp, "%s has no applyTo: %s", cp.where(), rejects), true
	}
	patch := cp.get("patch")
	switch {
	case !patch.ok():
		return patchProblem{cp.loc(), fmt.Sprintf("%s has no patch: %s", cp.where(), rejects)}, true
	case !patch.isMap():
		return patchProblem{}, false
	case missingEnum(patch.get("operation")):
		return problemAt(patch.get("operation"), patch, "%s has no operation: %s", patch.where(), rejects), true
	}
	op, _ := patch.get("operation").str()
	if op != "REMOVE" && !patch.has("value") {
		return patchProblem{cp.keyLoc("patch"), fmt.Sprintf("%s has no value, which every operation but REMOVE needs: %s", patch.where(), rejects)}, true
	}
	x := cp.get("match").get("proxy").get("proxyVersion")
	if v, ok := x.str(); ok && v != "" && len(v) <= maxProxyVersionLen {
		if _, err := regexp.Compile(v); err != nil {
			return patchProblem{x.loc(), fmt.Sprintf("%s %q is not a valid regular expression (%v): %s", x.where(), v, err, rejects)}, true
		}
	}
	applyTo, _ := cp.get("applyTo").str()
	if pr, bad := patchMatchProblem(applyTo, cp.get("match")); bad {
		return pr, true
	}
	return anyProblem(patch.get("value"))
}

// anyProblem returns the first google.protobuf.Any of a patch value that
// xds.BuildXDSObjectFromStruct fails to decode, as it decodes the value
// into the Envoy message of its applyTo with jsonpb
// (protomarshal.UnmarshalAllowUnknown): an Any without @type ("Any JSON
// doesn't have '@type'", even when empty), or of an Envoy v2 type, which
// istiod no longer links in ("could not resolve Any message type", which
// validateEnvoyFilter words "referenced type unknown (hint: try using the
// v3 XDS API)"). Without Envoy's protos meshlint knows the Anys by their
// field names only: typed_config, and the values of the typed_* maps. It
// does not look into Struct fields, whose keys are data: a TypedStruct's
// value, a google.protobuf wrapper's, filter_metadata.
func anyProblem(x node) (patchProblem, bool) {
	switch {
	case x.isSeq():
		for it := range x.items() {
			if pr, bad := anyProblem(it); bad {
				return pr, true
			}
		}
	case x.isMap():
		if opaqueAny(x) {
			// An Any in a field not named as one, such as a Wasm
			// filter's configuration.
			return patchProblem{}, false
		}
		for e := range x.entries() {
			var pr patchProblem
			var bad bool
			switch {
			case e.key == "typed_config" || e.key == "typedConfig":
				pr, bad = anyValueProblem(e.val, e.keyLoc)
			case slices.Contains(anyMapFields, e.key):
				for f := range e.val.entries() {
					if pr, bad = anyValueProblem(f.val, f.keyLoc); bad {
						break
					}
				}
			case e.key == "filter_metadata" || e.key == "filterMetadata":
			default:
				pr, bad = anyProblem(e.val)
			}
			if bad {
				return pr, true
			}
		}
	}
	return patchProblem{}, false
}

// anyMapFields are the fields of Envoy's messages that map names to Anys.
var anyMapFields = []string{
	"typed_per_filter_config", "typedPerFilterConfig",
	"typed_extension_protocol_options", "typedExtensionProtocolOptions",
	"typed_filter_metadata", "typedFilterMetadata",
}

// anyValueProblem returns why jsonpb refuses a, the value of an Any field
// whose key is at keyLoc, and otherwise looks into the message it holds.
func anyValueProblem(a node, keyLoc manifest.Loc) (patchProblem, bool) {
	if !a.isMap() {
		return patchProblem{}, false // null is unset; another type is not checked
	}
	t := a.get("@type")
	if !t.ok() {
		return patchProblem{keyLoc, fmt.Sprintf("%s has no @type, which names the type of the configuration it holds (%q): %s",
			a.where(), "Any JSON doesn't have '@type'", rejects)}, true
	}
	url, isStr := t.str()
	if !isStr {
		return patchProblem{}, false
	}
	if name := url[strings.LastIndex(url, "/")+1:]; strings.HasPrefix(name, "envoy.") && strings.Contains(name, ".v2.") {
		return patchProblem{t.loc(), fmt.Sprintf("%s %q is a type of Envoy's v2 API, which Istio no longer knows (%q): %s; use the type's v3 version (envoy.extensions.*.v3 or envoy.config.*.v3)",
			t.where(), url, "referenced type unknown (hint: try using the v3 XDS API)", rejects)}, true
	}
	return anyProblem(a)
}

// opaqueAny reports whether x is the JSON of an Any whose value is data: a
// TypedStruct's, whose value is a Struct, or a google.protobuf type's
// (a wrapper, a Struct).
func opaqueAny(x node) bool {
	url, _ := x.get("@type").str()
	name := url[strings.LastIndex(url, "/")+1:]
	return name == "udpa.type.v1.TypedStruct" || name == "xds.type.v3.TypedStruct" || strings.HasPrefix(name, "google.protobuf.")
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

// patchMatchProblem returns the first way a match does not line up with
// applyTo, as validateEnvoyFilter checks it ("ensure that applyTo, match and
// patch all line up").
func patchMatchProblem(applyTo string, m node) (patchProblem, bool) {
	class, checked := objectClass[applyTo]
	if !checked || !m.isMap() {
		return patchProblem{}, false
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
		return patchProblem{}, false
	}
	if set[0] != class.key {
		return patchProblem{m.keyLoc(set[0]), fmt.Sprintf("%s is not %s, which applyTo %s needs (%q): %s",
			joinPath(m.where(), set[0]), class.name, applyTo, class.webhook, rejects)}, true
	}
	if class != listenerClass {
		return patchProblem{}, false
	}
	chain := m.get("listener").get("filterChain")
	filter := chain.get("filter")
	if !filter.isMap() {
		return patchProblem{}, false // unset, or a wrong type, which is MR001's
	}
	const noName = "filter match has no name to match on"
	name := filter.get("name")
	v, isStr := name.str()
	switch {
	case !name.ok():
		return patchProblem{chain.keyLoc("filter"), fmt.Sprintf("%s has no name (%q): %s", filter.where(), noName, rejects)}, true
	case !isStr:
		return patchProblem{}, false // MR001's
	case v == "":
		return patchProblem{name.loc(), fmt.Sprintf("%s is empty (%q): %s", name.where(), noName, rejects)}, true
	}
	sub := filter.get("subFilter")
	if !sub.isMap() {
		return patchProblem{}, false // unset, or a wrong type, which is MR001's
	}
	subName := sub.get("name")
	subV, subIsStr := subName.str()
	switch {
	case applyTo != "HTTP_FILTER":
		return patchProblem{filter.keyLoc("subFilter"), fmt.Sprintf("%s: a subFilter match is for applyTo HTTP_FILTER only, not %s (%q): %s",
			joinPath(filter.where(), "subFilter"), applyTo, "subfilter match can be used with applyTo HTTP_FILTER only", rejects)}, true
	case !slices.Contains(hcmNames, v):
		return patchProblem{name.loc(), fmt.Sprintf("%s %q is not the HTTP connection manager, which a subFilter match needs (%q): %s",
			name.where(), v, "subfilter match requires filter match with "+hcmNames[0], rejects)}, true
	case !subName.ok() || subIsStr && subV == "":
		return patchProblem{filter.keyLoc("subFilter"), fmt.Sprintf("%s has no name (%q): %s",
			joinPath(filter.where(), "subFilter"), "subfilter match has no name to match on", rejects)}, true
	}
	return patchProblem{}, false
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

// checkEnvoyFilterWarnings reports what validateEnvoyFilter accepts with a
// warning (MR016). It leaves alone the objects and patches the webhook
// refuses (MR022's): their warnings do not matter while the object is refused,
// and one mistake, such as a nameless filter match under a FILTER_CHAIN
// patch, would otherwise be two findings. The warning the webhook gives
// every EnvoyFilter (that the API exposes internals that change between
// versions) is not reported: it would be a finding on each.
func checkEnvoyFilterWarnings(p *rules.Pass, o *manifest.Object, s node) {
	sel := s.get("workloadSelector")
	if len(selectorLabelProblems(sel.get("labels"))) > 0 {
		return // refused whole (MR022): the webhook returns before any warning
	}
	if sel.isMap() && !sel.get("labels").hasEntries() {
		scope := "every workload of namespace " + o.Namespace
		if p.Graph != nil && o.Namespace == p.Graph.Mesh.RootNamespace {
			scope = "every workload of the mesh (" + o.Namespace + " is the root namespace)"
		}
		p.Reportf(o, s.keyLoc("workloadSelector"), "workloadSelector has no labels: the EnvoyFilter patches %s; remove the workloadSelector or add labels", scope)
	}
	for cp := range checkedPatches(s) {
		if _, bad := envoyPatchProblem(cp); bad {
			continue
		}
		x := cp.get("match").get("proxy").get("proxyVersion")
		if v, ok := x.str(); ok && len(v) > maxProxyVersionLen {
			// convertToEnvoyFilterWrapper (pilot/pkg/model/envoyfilter.go)
			// does not compile such an expression and sets
			// ProxyVersionNoMatch: the patch matches no proxy.
			p.Reportf(o, x.loc(), "%s is %d characters long, over Istio's limit of %d: the webhook warns that the match will be ignored, and istiod then applies the patch to no proxy at all; match the versions with a short expression such as '^1\\.2[0-9].*'",
				x.where(), len(v), maxProxyVersionLen)
		}
		applyTo, _ := cp.get("applyTo").str()
		if objectClass[applyTo] == listenerClass {
			checkFilterMatchWarnings(p, o, cp, applyTo)
		}
		checkTypedConfigWarning(p, o, cp, applyTo)
	}
}

// typedFilters are the applyTos whose value is a message with a
// typed_config (an HttpFilter, a Filter, a ListenerFilter, a
// TypedExtensionConfig: xds.BuildXDSObjectFromStruct), with the operations
// that put the value in as a filter of its own. A MERGE keeps the
// typed_config of the filter it merges into, and a REMOVE reads no value;
// the webhook warns about both too, but nothing is wrong with them. MR711
// reports the operations Istio does not apply.
var typedFilters = map[string][]string{
	"HTTP_FILTER":      {"ADD", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"},
	"NETWORK_FILTER":   {"ADD", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"},
	"LISTENER_FILTER":  {"ADD", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"},
	"EXTENSION_CONFIG": {"ADD", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST"}, // an insert is an ADD there (MR711)
}

// checkTypedConfigWarning reports a filter that a patch adds without a
// typed_config, of which validateMissingTypedConfigFilterTypes warns
// ("using deprecated types by name without typed_config"). The webhook
// looks at the messages nested in the value too (a cluster's
// transport_socket...); this looks at the filter itself only.
func checkTypedConfigWarning(p *rules.Pass, o *manifest.Object, cp node, applyTo string) {
	patch := cp.get("patch")
	op, _ := patch.get("operation").str()
	value := patch.get("value")
	if !slices.Contains(typedFilters[applyTo], op) || !value.isMap() {
		return
	}
	for _, k := range []string{"typed_config", "typedConfig", "config_discovery", "configDiscovery"} {
		if value.has(k) {
			return
		}
	}
	name, _ := value.get("name").str()
	if name == "" {
		name = "the filter"
	}
	p.Reportf(o, patch.keyLoc("value"), "%s has no typed_config (the webhook warns \"using deprecated types by name without typed_config\"): Envoy finds a filter's implementation by the @type of its typed_config, no longer by its name, and refuses %s without one, with the configuration that holds it; add typed_config with the @type of the filter's configuration",
		value.where(), name)
}

// checkFilterMatchWarnings reports the warnings validateEnvoyFilter gives
// about the filter match of a listener-class patch whose match lines up
// (envoyPatchProblem found none): a filter match under LISTENER or
// FILTER_CHAIN, and deprecated filter names (validateListenerMatchName).
func checkFilterMatchWarnings(p *rules.Pass, o *manifest.Object, cp node, applyTo string) {
	chain := cp.get("match").get("listener").get("filterChain")
	filter := chain.get("filter")
	if !filter.isMap() {
		return
	}
	if applyTo == "LISTENER" || applyTo == "FILTER_CHAIN" {
		// listenerMatch and filterChainMatch (listener_patch.go) never
		// read the filter match, so the patch applies to every listener
		// or chain the rest of the match selects. The names it holds are
		// never compared, so they are not reported as deprecated.
		what := map[string]string{"LISTENER": "listener", "FILTER_CHAIN": "filter chain"}[applyTo]
		consequence := "applies to every " + what + " that the rest of the match selects, whatever its filters"
		if op, _ := cp.get("patch").get("operation").str(); op == "REMOVE" {
			consequence = "removes every " + what + " that the rest of the match selects, whatever its filters"
		}
		p.Reportf(o, chain.keyLoc("filter"), "%s has no effect with applyTo %s (the webhook warns \"filter match has no effect when used with %s\"): Istio matches %ss without looking at their filters, so the patch %s; use applyTo NETWORK_FILTER to patch a filter, or match the %s by name, port or sni",
			filter.where(), applyTo, applyTo, what, consequence, what)
		return
	}
	name := filter.get("name")
	if v, _ := name.str(); v != "" {
		reportDeprecatedFilterName(p, o, name, v, deprecatedFilterNames[v])
	}
	sub := filter.get("subFilter").get("name")
	if v, _ := sub.str(); v != "" {
		newName := deprecatedFilterNames[v]
		if v == "envoy.ext_authz" {
			newName = "envoy.filters.http.ext_authz"
		}
		reportDeprecatedFilterName(p, o, sub, v, newName)
	}
}

// reportDeprecatedFilterName reports a filter name of a match that Envoy
// deprecated, with the name that replaced it, if any.
func reportDeprecatedFilterName(p *rules.Pass, o *manifest.Object, x node, name, newName string) {
	if newName == "" {
		return
	}
	// networkFilterMatch and httpFilterMatch (listener_patch.go) compare
	// names exactly, and Istio names the filters it generates by
	// pkg/wellknown's current names.
	p.Reportf(o, x.loc(), "%s %q is a deprecated filter name, use %q (the webhook warns \"using deprecated filter name\"): Istio generates its filters under the current names and compares names exactly, so this match finds none of them and the patch does nothing",
		x.where(), name, newName)
}

// deprecatedFilterNames is Istio's xds.DeprecatedFilterNames
// (pkg/config/xds/deprecated.go) reversed, from deprecated name to current
// one, as validateListenerMatchName looks names up. envoy.ext_authz was the
// name of the HTTP and of the network filter: the webhook's reversed map
// names either, by chance; here it is the network filter, which a filter
// match names, and the HTTP filter under a subFilter match.
var deprecatedFilterNames = map[string]string{
	"envoy.buffer":                  "envoy.filters.http.buffer",
	"envoy.cors":                    "envoy.filters.http.cors",
	"envoy.csrf":                    "envoy.filters.http.csrf",
	"envoy.http_dynamo_filter":      "envoy.filters.http.dynamo",
	"envoy.fault":                   "envoy.filters.http.fault",
	"envoy.grpc_http1_bridge":       "envoy.filters.http.grpc_http1_bridge",
	"envoy.grpc_json_transcoder":    "envoy.filters.http.grpc_json_transcoder",
	"envoy.grpc_web":                "envoy.filters.http.grpc_web",
	"envoy.gzip":                    "envoy.filters.http.gzip",
	"envoy.health_check":            "envoy.filters.http.health_check",
	"envoy.ip_tagging":              "envoy.filters.http.ip_tagging",
	"envoy.lua":                     "envoy.filters.http.lua",
	"envoy.rate_limit":              "envoy.filters.http.ratelimit",
	"envoy.router":                  "envoy.filters.http.router",
	"envoy.squash":                  "envoy.filters.http.squash",
	"envoy.listener.http_inspector": "envoy.filters.listener.http_inspector",
	"envoy.listener.original_dst":   "envoy.filters.listener.original_dst",
	"envoy.listener.original_src":   "envoy.filters.listener.original_src",
	"envoy.listener.proxy_protocol": "envoy.filters.listener.proxy_protocol",
	"envoy.listener.tls_inspector":  "envoy.filters.listener.tls_inspector",
	"envoy.client_ssl_auth":         "envoy.filters.network.client_ssl_auth",
	"envoy.ext_authz":               "envoy.filters.network.ext_authz",
	"envoy.http_connection_manager": "envoy.filters.network.http_connection_manager",
	"envoy.mongo_proxy":             "envoy.filters.network.mongo_proxy",
	"envoy.ratelimit":               "envoy.filters.network.ratelimit",
	"envoy.redis_proxy":             "envoy.filters.network.redis_proxy",
	"envoy.tcp_proxy":               "envoy.filters.network.tcp_proxy",
}
