package workload

import (
	"fmt"
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// EnvoyFilterRelativeOperation reports order-dependent patches without a
// priority.
var EnvoyFilterRelativeOperation = &rules.Rule{
	ID:      "MR710",
	Name:    "envoyfilter-relative-operation",
	Summary: "envoy filter patch depends on the order of other patches but sets no priority",
	Doc: `INSERT_BEFORE, INSERT_AFTER, REPLACE and REMOVE act relative to what other patches have already
done (where Istio applies them at all: MR711 reports the others). EnvoyFilters with the same
` + "`priority`" + ` (0 by default) are applied in creation order, so the result of a relative patch
depends on which EnvoyFilter was created first, and changes when one is re-created, for example
at an upgrade. When another patch of
the same filter is limited to some proxy versions (` + "`match.proxy.proxyVersion`" + `), the order also
changes when proxies are upgraded.

Set ` + "`priority`" + ` on the EnvoyFilter to make the order explicit, or use an absolute operation
(INSERT_FIRST, ADD, MERGE). istioctl analyze reports IST0155 instead of IST0151 when an
EnvoyFilter it happened to read earlier has a proxyVersion patch of the same filter; meshlint
looks at every EnvoyFilter, whatever the order.`,
	Bad: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: lua, namespace: shop}
spec:
` + luaPatches,
	Good: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: lua, namespace: shop}
spec:
  priority: 10
` + luaPatches,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.EnvoyFilter},
	Related:  []string{"IST0151", "IST0155"},
	Deps:     rules.DepREF,
	Run:      runEnvoyFilterRelativeOperation,
}

// luaPatches are the configPatches of EnvoyFilter shop/lua, which insert
// a Lua filter before the HTTP connection manager, a relative operation:
// the examples of MR710.
const luaPatches = `  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener:
        filterChain:
          filter: {name: envoy.filters.network.http_connection_manager}
    patch:
      operation: INSERT_BEFORE
      value: {name: envoy.filters.http.lua}
`

// patchName is the instance name Istio's analyzer compares: the patch
// value's name, else the listener filter name.
func patchName(cp *spec.EnvoyConfigPatch) string {
	if cp.Patch != nil && cp.Patch.Value != nil && cp.Patch.Value.Name.V != "" {
		return cp.Patch.Value.Name.V
	}
	if m := cp.Match; m != nil && m.Listener != nil && m.Listener.FilterChain != nil && m.Listener.FilterChain.Filter != nil {
		return m.Listener.FilterChain.Filter.Name.V
	}
	return ""
}

func versioned(cp *spec.EnvoyConfigPatch) bool {
	return cp.Match != nil && cp.Match.Proxy != nil && cp.Match.Proxy.ProxyVersion.V != ""
}

// relative reports whether a patch acts relative to other patches. Enum
// values are case-sensitive: the CRD's enum refuses insert_before (MR001),
// and istiod's JSON decoding does too.
func relative(cp *spec.EnvoyConfigPatch) bool {
	switch appliedOperation(cp) {
	case "INSERT_BEFORE", "INSERT_AFTER", "REPLACE", "REMOVE":
		return !invalidOperation(cp)
	}
	return false
}

func runEnvoyFilterRelativeOperation(p *rules.Pass) error {
	g := p.Graph
	versionedBy := map[string]*graph.EnvoyFilter{}
	for _, ef := range g.EnvoyFilters {
		for i := range ef.Spec.ConfigPatches {
			cp := &ef.Spec.ConfigPatches[i]
			if n := patchName(cp); n != "" && versioned(cp) && versionedBy[n] == nil {
				versionedBy[n] = ef
			}
		}
	}
	for _, ef := range g.EnvoyFilters {
		if ef.Spec.Priority.V != 0 {
			continue
		}
		for i := range ef.Spec.ConfigPatches {
			cp := &ef.Spec.ConfigPatches[i]
			if cp.Patch == nil || !relative(cp) {
				continue
			}
			msg := fmt.Sprintf("configPatches[%d]: %s is relative to other patches and EnvoyFilter %s/%s sets no priority: the result depends on creation order",
				i, cp.Patch.Operation.V, ef.Namespace(), ef.Name())
			if other := versionedBy[patchName(cp)]; other != nil {
				msg += fmt.Sprintf(", and EnvoyFilter %s/%s patches %s for some proxy versions only", other.Namespace(), other.Name(), patchName(cp))
			}
			p.Reportf(ef.Obj, cp.Patch.Operation.Loc, "%s", msg)
		}
	}
	return nil
}

// EnvoyFilterOperationInvalid reports patch operations Istio ignores for
// the patched object.
var EnvoyFilterOperationInvalid = &rules.Rule{
	ID:      "MR711",
	Name:    "envoyfilter-operation-invalid",
	Summary: "envoy filter patch uses an operation that Istio ignores for what it applies to",
	Doc: `Istio applies an operation only where its patching code handles it: MERGE everywhere but
extension configs; ADD and REMOVE on listeners, filter chains, filters, virtual hosts, routes
and clusters (not on a whole ` + "`ROUTE_CONFIGURATION`" + `); REPLACE only on filters (` + "`LISTENER_FILTER`" + `,
` + "`NETWORK_FILTER`" + `, ` + "`HTTP_FILTER`" + `) and ` + "`VIRTUAL_HOST`" + `; and only ADD on ` + "`EXTENSION_CONFIG`" + `. INSERT_BEFORE,
INSERT_AFTER and INSERT_FIRST insert into the ordered lists of listener, network and HTTP filters
and of routes (` + "`HTTP_ROUTE`" + `); anywhere else Istio turns them into ADD, which adds the listener,
filter chain, virtual host, cluster or extension config (and does nothing to a
` + "`ROUTE_CONFIGURATION`" + `). Any other patch does nothing.

Use MERGE to change a route configuration, ADD for a listener, filter chain or cluster, and a
supported target for REPLACE. The comments of the EnvoyFilter API, and istioctl analyze
(IST0152, IST0154), say ADD and REMOVE are ignored for ` + "`HTTP_ROUTE`" + ` too, but Istio applies
them (patchHTTPRoutes and patchHTTPRoute), so meshlint does not report them. An operation or
` + "`applyTo`" + ` in another case, such as ` + "`merge`" + `, is MR001's: the API server refuses it, as it does
any value outside the enum.`,
	Bad:      routePatch("ADD"),
	Good:     routePatch("MERGE"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.EnvoyFilter},
	Related:  []string{"IST0152", "IST0153", "IST0154"},
	Deps:     rules.DepNone,
	Run:      runEnvoyFilterOperationInvalid,
}

// routePatch is EnvoyFilter shop/routes, which patches the outbound route
// configurations with the operation: the examples of MR711.
func routePatch(operation string) string {
	return `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: routes, namespace: shop}
spec:
  configPatches:
  - applyTo: ROUTE_CONFIGURATION
    match: {context: SIDECAR_OUTBOUND}
    patch:
      operation: ` + operation + `
      value: {virtual_hosts: [{name: extra, domains: [extra.example.com]}]}
`
}

// appliedOperations are the operations Istio's EnvoyFilter code applies to
// each applyTo (pilot/pkg/networking/core/envoyfilter: listener_patch.go,
// rc_patch.go, cluster_patch.go, extension_configuration_patch.go); it
// skips the others. They are the operations appliedOperation returns.
var appliedOperations = map[string][]string{
	"LISTENER":            {"MERGE", "ADD", "REMOVE"},
	"FILTER_CHAIN":        {"MERGE", "ADD", "REMOVE"},
	"LISTENER_FILTER":     {"MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"},
	"NETWORK_FILTER":      {"MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"},
	"HTTP_FILTER":         {"MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"},
	"ROUTE_CONFIGURATION": {"MERGE"},
	"VIRTUAL_HOST":        {"MERGE", "ADD", "REMOVE", "REPLACE"},
	"HTTP_ROUTE":          {"MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST"},
	"CLUSTER":             {"MERGE", "ADD", "REMOVE"},
	"EXTENSION_CONFIG":    {"ADD"},
}

// invalidOperation reports whether Istio skips the patch's operation for
// what it applies to. Unknown targets and operations (and BOOTSTRAP, which
// is deprecated) are left to validation, and so are values in another
// case, such as merge: the CRD's enum refuses them (MR001), as istiod's
// JSON decoding of enums does, so the patch is not applied as a MERGE.
func invalidOperation(cp *spec.EnvoyConfigPatch) bool {
	ops, ok := appliedOperations[cp.ApplyTo.V]
	switch op := appliedOperation(cp); op {
	case "MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE":
		return ok && !slices.Contains(ops, op)
	}
	return false
}

// orderedApplyTos are the applyTos that patch an ordered list, where Istio
// inserts.
var orderedApplyTos = []string{"LISTENER_FILTER", "NETWORK_FILTER", "HTTP_FILTER", "HTTP_ROUTE"}

// appliedOperation is the operation that Istio's patching code sees:
// convertToEnvoyFilterWrapper (pilot/pkg/model/envoyfilter.go) turns
// INSERT_BEFORE, INSERT_AFTER and INSERT_FIRST into ADD outside the ordered
// lists, and MERGE_AND_REPLACE_LIST is a MERGE there.
func appliedOperation(cp *spec.EnvoyConfigPatch) string {
	switch op := cp.Patch.Operation.V; op {
	case "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST":
		if !slices.Contains(orderedApplyTos, cp.ApplyTo.V) {
			return "ADD"
		}
		return op
	case "MERGE_AND_REPLACE_LIST":
		return "MERGE"
	default:
		return op
	}
}

func runEnvoyFilterOperationInvalid(p *rules.Pass) error {
	for _, ef := range p.Graph.EnvoyFilters {
		for i := range ef.Spec.ConfigPatches {
			cp := &ef.Spec.ConfigPatches[i]
			if cp.Patch == nil || !invalidOperation(cp) {
				continue
			}
			op := cp.Patch.Operation.V
			if applied := appliedOperation(cp); applied != op && applied == "ADD" {
				op += " (an ADD outside the ordered lists of filters and routes)"
			}
			p.Reportf(ef.Obj, cp.Patch.Operation.Loc, "configPatches[%d]: operation %s is ignored for applyTo %s: the patch does nothing",
				i, op, cp.ApplyTo.V)
		}
	}
	return nil
}
