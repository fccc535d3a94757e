package gatewayapi

import "fmt"

// reviewsSplitExample is HTTPRoute shop/reviews, whose one rule splits
// requests between reviews-v1 and reviews-v2 with weights v1 and v2: the
// examples of MR608 and MR609.
func reviewsSplitExample(v1, v2 int) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
  namespace: shop
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - backendRefs:
    - {name: reviews-v1, port: 9080, weight: %d}
    - {name: reviews-v2, port: 9080, weight: %d}
`, v1, v2)
}

// storefrontExample is Service shop/storefront with servicePort, and an
// HTTPRoute whose one backend is Service backend on port: the examples of
// MR602 and MR603.
func storefrontExample(servicePort, backend, port string) string {
	return `apiVersion: v1
kind: Service
metadata:
  name: storefront
  namespace: shop
spec:
  selector: {app: storefront}
  ports:
  - ` + servicePort + `
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
    - name: ` + backend + `
      port: ` + port + `
`
}

// publicHTTPGateway is Gateway infra/public of Istio's class, with one
// HTTP listener that admits routes of every namespace, and the separator
// before it.
const publicHTTPGateway = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: All}}
`
