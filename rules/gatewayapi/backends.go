package gatewayapi

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// BackendRefUnresolved reports route backendRefs that name no Service.
var BackendRefUnresolved = &rules.Rule{
	ID:      "MR602",
	Name:    "gatewayapi-backend-ref-unresolved",
	Summary: "backendRef of a Gateway API route names no Service",
	Doc: `A route rule sends its traffic to its ` + "`backendRefs`" + `, split by weight. A backendRef naming a
Service that does not exist is invalid (` + "`ResolvedRefs: False`" + `, reason ` + "`BackendNotFound`" + `): the share of
requests it should receive gets HTTP 500 (connections are refused for TCP and TLS routes), and
when every backend of a rule is invalid, all of its requests fail. RequestMirror filters name a
backend too; a mirror to nowhere silently mirrors nothing.

The API's defaults are applied first: a backendRef without ` + "`group`" + ` and ` + "`kind`" + ` is a core
Service, and one without ` + "`namespace`" + ` is in the route's namespace. Backends of other kinds
(a multi-cluster ServiceImport, Istio's Hostname, an inference pool, ...) are not checked: they
are legitimate and meshlint does not model them.

A manifest folder seldom holds every Service of the cluster. The rule reports a missing Service
only when the input holds Services in the target namespace, or a Service of that name in
another namespace (the message then says where); with the closed-world setting, always.

Kiali (KIA1402) skips backendRefs without ` + "`kind`" + `, the usual way they are written; meshlint does not.`,
	Bad: `apiVersion: v1
kind: Service
metadata:
  name: storefront
  namespace: shop
spec:
  selector: {app: storefront}
  ports:
  - {name: http, port: 8080}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - backendRefs:
    - name: store-front
      port: 8080
`,
	Good: `apiVersion: v1
kind: Service
metadata:
  name: storefront
  namespace: shop
spec:
  selector: {app: storefront}
  ports:
  - {name: http, port: 8080}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - backendRefs:
    - name: storefront
      port: 8080
`,
	Severity: rules.Error,
	Inputs:   inputs(kinds.Service),
	Related:  []string{"IST0101", "KIA1402"},
	Run:      runBackendRefUnresolved,
}

func runBackendRefUnresolved(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for _, b := range allBackends(r) {
			if b.IsService() && b.Service == nil && b.Name != "" {
				reportMissingService(p, r, &b.ObjectRef, backendWhat(b))
			}
		}
	}
	return nil
}
