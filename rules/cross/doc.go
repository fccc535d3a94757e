// Package cross holds the rules that check the mesh and the network
// together: Istio routes and policies against what the Kubernetes
// NetworkPolicies let through, as the connectivity engine of
// internal/netpol computes it (built once per run by netpol.Analysis).
package cross
