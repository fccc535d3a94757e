package gateway

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// GatewayRefLegacyForm reports gateway references written in the legacy
// name.namespace form.
var GatewayRefLegacyForm = &rules.Rule{
	ID:      "MR230",
	Name:    "gateway-ref-legacy-form",
	Summary: "gateway reference uses the legacy name.namespace form instead of namespace/name",
	Fix:     "rewrites the reference to namespace/name",
	Doc: `A VirtualService can name a Gateway of another namespace as ` + "`namespace/name`" + `. The older
` + "`name.namespace`" + ` form (or ` + "`name.namespace.svc.cluster.local`" + `) is still accepted, with a webhook
warning, but it is ambiguous to readers and to tools: ` + "`istioctl analyze`" + ` looks it up literally as a
Gateway name and reports it missing (IST0101), while Istio resolves it. meshlint resolves it as
Istio does (see MR201) and suggests the current form here. Every place Istio resolves a gateway
name is checked: ` + "`spec.gateways`" + ` and the ` + "`gateways`" + ` of the ` + "`http`" + `, ` + "`tcp`" + ` and ` + "`tls`" + `
match clauses.

Write ` + "`namespace/name`" + `. When the entry names a Gateway of the input, ` + "`meshlint --fix`" + ` rewrites it to
that Gateway's ` + "`namespace/name`" + `, which Istio reads the same way. It leaves the entry alone when the
VirtualService's namespace holds a Gateway whose name is the entry itself (a Gateway called
` + "`public.istio-system`" + `): Istio does not read that one, but which was meant is not clear.`,
	Bad:      legacyRefExample("public.istio-system"),
	Good:     legacyRefExample("istio-system/public"),
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"KIA1108", "IST0133"},
	Deps:     rules.DepREF,
	Run:      runGatewayRefLegacyForm,
}

// legacyRefExample is VirtualService shop/storefront bound to the Gateway
// reference gateway: the examples of MR230.
func legacyRefExample(gateway string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: storefront
  namespace: shop
spec:
  hosts: [shop.example.com]
  gateways: [` + gateway + `]
  http:
  - route:
    - destination: {host: storefront}
`
}

func runGatewayRefLegacyForm(p *rules.Pass) error {
	for _, vs := range p.Graph.VirtualServices {
		eachGatewayRef(p.Graph, vs, func(ref graph.GatewayRef, prefix string) {
			reportLegacy(p, vs, ref, prefix)
		})
	}
	return nil
}

func reportLegacy(p *rules.Pass, vs *graph.VirtualService, ref graph.GatewayRef, prefix string) {
	if !ref.Legacy {
		return
	}
	key := ref.Namespace + "/" + ref.Name
	f := p.Reportf(vs.Obj, ref.Written.Loc, "%sgateway %q uses the legacy name.namespace form: write %q", prefix, ref.Written.V, key)
	// Only a reference that resolves keeps its meaning for sure; an
	// unresolved one is MR201's, whose fix may point elsewhere.
	if ref.Gateway == nil || ref.Written.Loc.Line == 0 || literalGateway(p.Graph, vs.Namespace(), ref.Written.V) {
		return
	}
	f.Fixes = []rules.Fix{{
		Message: fmt.Sprintf("Refer to the Gateway as %s", key),
		Edits:   []rules.Edit{rules.ReplaceValue(vs.Obj, ref.Written.Loc, ref.Written.V, key)},
	}}
}

// literalGateway reports whether namespace ns holds a Gateway whose name is
// written, dots and all: the name a reader, or istioctl analyze, may take
// the legacy entry for.
func literalGateway(g *graph.Graph, ns, written string) bool {
	for _, gw := range g.GatewaysNamed(written) {
		if gw.Namespace() == ns {
			return true
		}
	}
	return false
}
