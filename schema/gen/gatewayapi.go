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
	var b strings.Builder
	fmt.Fprintf(&b, "# Gateway API CRD schemas (generated)\n\n")
	fmt.Fprintf(&b, "Written by `go generate ./schema/` (schema/gen); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "| field | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| source module | `%s %s` (pinned in go.mod, read from the Go module cache) |\n", m.Path, m.Version)
	fmt.Fprintf(&b, "| group | %s |\n", gatewayAPIGroup)
	fmt.Fprintf(&b, "| channel | experimental (`%s`): it serves every field and version of the standard channel |\n", gatewayAPICRDs)
	fmt.Fprintf(&b, "| versions | every version with `served: true` |\n")
	fmt.Fprintf(&b, "| licence | Apache-2.0 (kubernetes-sigs/gateway-api) |\n\n")
	fmt.Fprintf(&b, "Conversion: as for Istio's CRDs (istio/README.md). ")
	fmt.Fprintf(&b, "The CEL rules (`x-kubernetes-validations`) are kept and ignored by the validator; the API server enforces them.\n\n")
	fmt.Fprintf(&b, "| source file | size and digest |\n|---|---|\n")
	for _, f := range sortedKeys(sums) {
		fmt.Fprintf(&b, "| %s | %s |\n", f, sums[f])
	}
	fmt.Fprintf(&b, "\n| file |\n|---|\n")
	for _, f := range files {
		fmt.Fprintf(&b, "| %s |\n", f)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
