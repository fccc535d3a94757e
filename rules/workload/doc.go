// Package workload holds the rules about workloads and the objects that
// configure their proxies: Services, Deployments and other pod templates,
// Namespaces, annotations, Sidecars, Telemetry and EnvoyFilters, and the
// webhook configurations of Istio's sidecar injector and config validation.
package workload
