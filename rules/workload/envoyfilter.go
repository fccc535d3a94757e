package workload

import (
	"fmt"
	"strings"

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
	Doc: `INSERT_BEFORE, INSERT_AFTER, and REPLACE or REMOVE of a filter, act relative to what other
patches have already done. EnvoyFilters with the same ` + "`priority`" + ` (0 by default) are applied in
creation order, so the result of a relative patch depends on which EnvoyFilter was created
first, and changes when one is re-created, for example at an upgrade. When another patch of
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

// relative reports whether a patch acts relative to other patches.
func relative(cp *spec.EnvoyConfigPatch) bool {
	op := strings.ToUpper(cp.Patch.Operation.V)
	switch op {
	case "INSERT_BEFORE", "INSERT_AFTER":
		return true
	case "REPLACE", "REMOVE":
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
			op := strings.ToUpper(cp.Patch.Operation.V)
			msg := fmt.Sprintf("configPatches[%d]: %s is relative to other patches and EnvoyFilter %s/%s sets no priority: the result depends on creation order",
				i, op, ef.Namespace(), ef.Name())
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
	Doc: `Istio supports ADD and REMOVE for lists (listeners, clusters, virtual hosts, filters) but ignores
them for ` + "`ROUTE_CONFIGURATION`" + ` and ` + "`HTTP_ROUTE`" + `, and supports REPLACE only for ` + "`HTTP_FILTER`" + `,
` + "`NETWORK_FILTER`" + ` and ` + "`VIRTUAL_HOST`" + `. Such a patch does nothing.

Use MERGE to change a route configuration or route, and a supported target for REPLACE.`,
	Bad:      routePatch("ADD"),
	Good:     routePatch("MERGE"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.EnvoyFilter},
	Related:  []string{"IST0152", "IST0153", "IST0154"},
	Deps:     rules.DepNone,
	Run:      runEnvoyFilterOperationInvalid,
}

// routePatch is EnvoyFilter shop/routes, which patches the outbound HTTP
// routes with the operation: the examples of MR711.
func routePatch(operation string) string {
	return `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: routes, namespace: shop}
spec:
  configPatches:
  - applyTo: HTTP_ROUTE
    match: {context: SIDECAR_OUTBOUND}
    patch:
      operation: ` + operation + `
      value: {name: extra}
`
}

func invalidOperation(cp *spec.EnvoyConfigPatch) bool {
	applyTo := strings.ToUpper(cp.ApplyTo.V)
	routes := applyTo == "ROUTE_CONFIGURATION" || applyTo == "HTTP_ROUTE"
	switch strings.ToUpper(cp.Patch.Operation.V) {
	case "ADD", "REMOVE":
		return routes
	case "REPLACE":
		return applyTo != "HTTP_FILTER" && applyTo != "NETWORK_FILTER" && applyTo != "VIRTUAL_HOST"
	}
	return false
}

func runEnvoyFilterOperationInvalid(p *rules.Pass) error {
	for _, ef := range p.Graph.EnvoyFilters {
		for i := range ef.Spec.ConfigPatches {
			cp := &ef.Spec.ConfigPatches[i]
			if cp.Patch == nil || !invalidOperation(cp) {
				continue
			}
			p.Reportf(ef.Obj, cp.Patch.Operation.Loc, "configPatches[%d]: operation %s is ignored for applyTo %s: the patch does nothing",
				i, strings.ToUpper(cp.Patch.Operation.V), cp.ApplyTo.V)
		}
	}
	return nil
}
