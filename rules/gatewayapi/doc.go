// Package gatewayapi holds the rules about the Gateway API
// (gateway.networking.k8s.io): how routes attach to Gateways, the backends
// they send traffic to, the ReferenceGrants that permit cross-namespace
// references, and the listeners of Gateways. The graph applies the API's
// defaults before any rule reads a reference.
package gatewayapi
