package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path"
	"path/filepath"
)

// The API group of the network policy API, and the copy of its
// ClusterNetworkPolicy CRD that the generator reads
// (third_party/network-policy-api/README.md says where it comes from,
// and why it is a copy).
const (
	netpolAPIGroup   = "policy.networking.k8s.io"
	netpolAPIRelease = "sigs.k8s.io/network-policy-api v0.3.0"
	netpolAPIDir     = "third_party/network-policy-api"
	netpolAPICRD     = "policy.networking.k8s.io_clusternetworkpolicies.yaml"
)

// writeNetworkPolicyAPI replaces the folder dir with one schema per served
// version of the copied ClusterNetworkPolicy CRD, converted as Istio's
// are (wrapCRD), and a README that records the source. gen is the
// generator's folder, relative to the working directory.
func writeNetworkPolicyAPI(dir, gen string, meta map[string]any) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	rel := path.Join(netpolAPIDir, netpolAPICRD)
	data, err := os.ReadFile(filepath.Join(gen, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	written, err := writeCRDs(dir, data, func(group string) bool { return group == netpolAPIGroup }, meta)
	if err != nil {
		return fmt.Errorf("schema/gen/%s: %w", rel, err)
	}
	if len(written) == 0 {
		return fmt.Errorf("schema/gen/%s: no CRD of %s", rel, netpolAPIGroup)
	}
	return crdReadme{
		title: "Network policy API",
		fields: [][2]string{
			{"source", fmt.Sprintf("`config/crd/experimental/%s` of `%s`, copied into `schema/gen/%s` (%d bytes, sha256 `%x`)",
				netpolAPICRD, netpolAPIRelease, netpolAPIDir, len(data), sha256.Sum256(data))},
			{"group", netpolAPIGroup},
			{"kinds", "ClusterNetworkPolicy; AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) have no schema"},
			{"versions", "every version with `served: true`"},
			{"licence", "Apache-2.0 (kubernetes-sigs/network-policy-api)"},
		},
		files: written,
	}.write(filepath.Join(dir, "README.md"))
}
