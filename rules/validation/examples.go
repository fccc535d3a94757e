package validation

// reviewsVirtualService is VirtualService shop/reviews for host reviews,
// with the rest of its spec (lines indented as its fields).
func reviewsVirtualService(spec string) string {
	return reviewsVirtualServiceOf("v1", spec)
}

// reviewsVirtualServiceOf is reviewsVirtualService in the version of
// networking.istio.io.
func reviewsVirtualServiceOf(version, spec string) string {
	return `apiVersion: networking.istio.io/` + version + `
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
` + spec
}

// reviewsDestinationRule is DestinationRule shop/reviews for host reviews,
// with the rest of its spec (lines indented as its fields).
func reviewsDestinationRule(spec string) string {
	return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
` + spec
}

// publicGateway is Gateway shop/public, on Istio's ingress gateway, with
// one server on port (a flow mapping) for hosts (a flow sequence's
// entries), with the tls settings (a flow mapping) unless tls is "".
func publicGateway(port, hosts, tls string) string {
	gw := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: ` + port + `
    hosts: [` + hosts + `]
`
	if tls != "" {
		gw += "    tls: " + tls + "\n"
	}
	return gw
}

// httpsPort is the port of the HTTPS servers of publicGateway.
const httpsPort = "{number: 443, name: https, protocol: HTTPS}"
