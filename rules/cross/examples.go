package cross

// injectedShop is Namespace shop, labelled for sidecar injection, and the
// separator of the next document.
const injectedShop = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
`

// ingressPolicy is NetworkPolicy shop/app, which isolates the pods
// labelled app=app for ingress and admits them from the peers of from (a
// flow sequence).
func ingressPolicy(app, from string) string {
	return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ` + app + `, namespace: shop}
spec:
  podSelector: {matchLabels: {app: ` + app + `}}
  ingress:
  - from: ` + from + `
`
}
