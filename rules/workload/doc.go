// Package workload holds the rules about workloads and the objects that
// configure their proxies: Services, Deployments and other pod templates,
// Namespaces, annotations, Sidecars, Telemetry and EnvoyFilters.
package workload
