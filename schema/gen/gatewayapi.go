package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	// The generator reads the CRD files of the gateway-api module, not its
	// Go code. This import keeps the module, and so the pinned version, in
	// go.mod when `go mod tidy` runs; the package has no dependencies.
	_ "sigs.k8s.io/gateway-api/pkg/consts"
)

// gatewayAPIGroup is the API group of the Gateway API kinds meshlint
// reads; the experimental x-k8s.io kinds are not among them.
const gatewayAPIGroup = "gateway.networking.k8s.io"

// gatewayAPICRDs is the folder of the experimental channel's CRDs in the
// gateway-api module. The experimental channel serves every field and
// version of the standard one, and more: a manifest written for either
// channel validates.
const gatewayAPICRDs = "config/crd/experimental"

// writeGatewayAPI replaces the folder dir with one schema per served
// version of every Gateway API CRD of gatewayAPIGroup, converted as Istio's
// are (wrapCRD), and a README that records the source.
func writeGatewayAPI(dir string, meta map[string]any) error {
	m, err := moduleDir("sigs.k8s.io/gateway-api")
	if err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(m.Dir, filepath.FromSlash(gatewayAPICRDs), gatewayAPIGroup+"_*.yaml"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	var written []string
	sums := map[string]string{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		rel := gatewayAPICRDs + "/" + filepath.Base(name)
		// The ValidatingAdmissionPolicy of safe upgrades holds no CRD.
		files, err := writeCRDs(dir, data, func(group string) bool { return group == gatewayAPIGroup }, meta)
		if err != nil {
			return fmt.Errorf("%s@%s/%s: %w", m.Path, m.Version, rel, err)
		}
		if len(files) > 0 {
			sums[rel] = fmt.Sprintf("%d bytes, sha256 `%x`", len(data), sha256.Sum256(data))
		}
		written = append(written, files...)
	}
	if len(written) == 0 {
		return fmt.Errorf("%s@%s/%s: no CRD of %s", m.Path, m.Version, gatewayAPICRDs, gatewayAPIGroup)
	}
	sort.Strings(written)
	return writeGatewayAPIReadme(filepath.Join(dir, "README.md"), m, sums, written)
}

func writeGatewayAPIReadme(path string, m module, sums map[string]string, files []string) error {
	var extra strings.Builder
	fmt.Fprintf(&extra, "| source file | size and digest |\n|---|---|\n")
	for _, f := range sortedKeys(sums) {
		fmt.Fprintf(&extra, "| %s | %s |\n", f, sums[f])
	}
	return crdReadme{
		title: "Gateway API",
		fields: [][2]string{
			{"source module", fmt.Sprintf("`%s %s` (pinned in go.mod, read from the Go module cache)", m.Path, m.Version)},
			{"group", gatewayAPIGroup},
			{"channel", fmt.Sprintf("experimental (`%s`): it serves every field and version of the standard channel", gatewayAPICRDs)},
			{"versions", "every version with `served: true`"},
			{"licence", "Apache-2.0 (kubernetes-sigs/gateway-api)"},
		},
		conversion: " The CEL rules (`x-kubernetes-validations`) are kept and ignored by the validator; the API server enforces them.",
		extra:      extra.String(),
		files:      files,
	}.write(path)
}
