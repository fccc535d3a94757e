package gateway

import (
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
	Doc: `A VirtualService can name a Gateway of another namespace as ` + "`namespace/name`" + `. The older
` + "`name.namespace`" + ` form (or ` + "`name.namespace.svc.cluster.local`" + `) is still accepted, with a webhook
warning, but it is ambiguous to readers and to tools: ` + "`istioctl analyze`" + ` looks it up literally as a
Gateway name and reports it missing (IST0101), while Istio resolves it. meshlint resolves it as
Istio does (see MR201) and suggests the current form here. Every place Istio resolves a gateway
name is checked: ` + "`spec.gateways`" + ` and the ` + "`gateways`" + ` of the ` + "`http`" + `, ` + "`tcp`" + ` and ` + "`tls`" + `
match clauses.

Write ` + "`namespace/name`" + `.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: storefront
  namespace: shop
spec:
  hosts: [shop.example.com]
  gateways: [public.istio-system]
  http:
  - route:
    - destination: {host: storefront}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: storefront
  namespace: shop
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - route:
    - destination: {host: storefront}
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.VirtualService},
	Related:  []string{"KIA1108", "IST0133"},
	Run:      runGatewayRefLegacyForm,
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
	p.Reportf(vs.Obj, ref.Written.Loc, "%sgateway %q uses the legacy name.namespace form: write %q", prefix, ref.Written.V, ref.Namespace+"/"+ref.Name)
}
