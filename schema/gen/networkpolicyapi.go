package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// The API group of the network policy API, and the copies of its CRDs
// that the generator reads (third_party/network-policy-api/README.md says
// where they come from, and why they are copies).
const (
	netpolAPIGroup = "policy.networking.k8s.io"
	netpolAPIDir   = "third_party/network-policy-api"
)

// netpolAPICopy is a CRD copied from a release of the network policy API.
type netpolAPICopy struct {
	// release is the module and version, as go.mod writes them.
	release string
	// name is the file's name in config/crd/experimental of the release
	// and in netpolAPIDir.
	name string
}

// The ClusterNetworkPolicy CRD comes from v0.3.0; the v1alpha1
// AdminNetworkPolicy and BaselineAdminNetworkPolicy CRDs, which v0.3.0 no
// longer ships, from v0.1.5, the last release that serves them and whose
// conformance suite internal/netpol runs.
var netpolAPICRDs = []netpolAPICopy{
	{"sigs.k8s.io/network-policy-api v0.1.5", "policy.networking.k8s.io_adminnetworkpolicies.yaml"},
	{"sigs.k8s.io/network-policy-api v0.1.5", "policy.networking.k8s.io_baselineadminnetworkpolicies.yaml"},
	{"sigs.k8s.io/network-policy-api v0.3.0", "policy.networking.k8s.io_clusternetworkpolicies.yaml"},
}

// writeNetworkPolicyAPI replaces the folder dir with one schema per served
// version of each copied CRD, converted as Istio's are (wrapCRD), and a
// README that records the sources. gen is the generator's folder,
// relative to the working directory.
func writeNetworkPolicyAPI(dir, gen string, meta map[string]any) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	var written, sources []string
	for _, c := range netpolAPICRDs {
		rel := path.Join(netpolAPIDir, c.name)
		data, err := os.ReadFile(filepath.Join(gen, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		w, err := writeCRDs(dir, data, func(group string) bool { return group == netpolAPIGroup }, meta)
		if err != nil {
			return fmt.Errorf("schema/gen/%s: %w", rel, err)
		}
		if len(w) == 0 {
			return fmt.Errorf("schema/gen/%s: no CRD of %s", rel, netpolAPIGroup)
		}
		written = append(written, w...)
		sources = append(sources, fmt.Sprintf("`config/crd/experimental/%s` of `%s` (%d bytes, sha256 `%x`)",
			c.name, c.release, len(data), sha256.Sum256(data)))
	}
	sort.Strings(written)
	return crdReadme{
		title: "Network policy API",
		fields: [][2]string{
			{"source", fmt.Sprintf("copied into `schema/gen/%s`: %s", netpolAPIDir, strings.Join(sources, ", "))},
			{"group", netpolAPIGroup},
			{"kinds", "AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1, from v0.1.5); ClusterNetworkPolicy (from v0.3.0)"},
			{"versions", "every version with `served: true`"},
			{"licence", "Apache-2.0 (kubernetes-sigs/network-policy-api)"},
		},
		files: written,
	}.write(filepath.Join(dir, "README.md"))
}
