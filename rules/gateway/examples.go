package gateway

// ingressPods is Istio's ingress gateway Deployment in istio-system, and
// the separator of the next document, for the examples of rules that judge
// only Gateways whose pods are in the input.
const ingressPods = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
`

// storefrontExample is VirtualService shop/storefront for hosts, bound to
// gateways, and Gateway shop/public with one HTTP server for serverHosts:
// the examples of MR201 and MR202.
func storefrontExample(serverHosts, hosts, gateways string) string {
	return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [` + serverHosts + `]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: storefront
  namespace: shop
spec:
  hosts: [` + hosts + `]
  gateways: [` + gateways + `]
  http:
  - route:
    - destination: {host: storefront}
`
}
