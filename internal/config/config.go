// Package config holds the settings of a run: which rules run at what
// severity, and what meshlint assumes about the mesh it cannot see.
package config

// Mesh describes the mesh installation the manifests are meant for. These
// are the MeshConfig values that change what the rules conclude.
type Mesh struct {
	// RootNamespace is Istio's config root namespace: PeerAuthentication,
	// DestinationRules and Sidecars there apply mesh-wide.
	RootNamespace string
	// ClusterDomain is the Kubernetes cluster domain used to expand short
	// host names.
	ClusterDomain string
	// ClosedWorld asserts that the input holds every object of the cluster,
	// so that absence ("no Service for this host") is an error rather than
	// something meshlint cannot see.
	ClosedWorld bool
}

// DefaultMesh returns Istio's defaults.
func DefaultMesh() Mesh {
	return Mesh{RootNamespace: "istio-system", ClusterDomain: "cluster.local"}
}
