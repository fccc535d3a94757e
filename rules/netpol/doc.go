// Package netpol holds the rules about Kubernetes NetworkPolicies.
package netpol
