package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	// The generator reads the CRD file of the flagger module, not its Go
	// code. This import keeps the module, and so the pinned version, in
	// go.mod when `go mod tidy` runs; the package has no dependencies.
	_ "github.com/fluxcd/flagger/pkg/apis/flagger"
)

// flaggerGroup is the API group of Flagger's kinds, and flaggerCRDs the
// file of their CRDs in the flagger module.
const (
	flaggerGroup = "flagger.app"
	flaggerCRDs  = "artifacts/flagger/crd.yaml"
)

// writeFlagger replaces the folder dir with one schema per served version
// of every Flagger CRD, converted as Istio's are (wrapCRD), and a README
// that records the source.
func writeFlagger(dir string, meta map[string]any) error {
	m, err := moduleDir("github.com/fluxcd/flagger")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(flaggerCRDs)))
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	written, err := writeCRDs(dir, data, func(group string) bool { return group == flaggerGroup }, meta)
	if err != nil {
		return fmt.Errorf("%s@%s/%s: %w", m.Path, m.Version, flaggerCRDs, err)
	}
	if len(written) == 0 {
		return fmt.Errorf("%s@%s/%s: no CRD of %s", m.Path, m.Version, flaggerCRDs, flaggerGroup)
	}
	sort.Strings(written)
	var b strings.Builder
	fmt.Fprintf(&b, "# Flagger CRD schemas (generated)\n\n")
	fmt.Fprintf(&b, "Written by `go generate ./schema/` (schema/gen); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "| field | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| source module | `%s %s` (pinned in go.mod, read from the Go module cache) |\n", m.Path, m.Version)
	fmt.Fprintf(&b, "| source file | `%s` (%d bytes, sha256 `%x`) |\n", flaggerCRDs, len(data), sha256.Sum256(data))
	fmt.Fprintf(&b, "| group | %s |\n", flaggerGroup)
	fmt.Fprintf(&b, "| versions | every version with `served: true` |\n")
	fmt.Fprintf(&b, "| licence | Apache-2.0 (fluxcd/flagger) |\n\n")
	fmt.Fprintf(&b, "Conversion: as for Istio's CRDs (istio/README.md).\n\n")
	fmt.Fprintf(&b, "| file |\n|---|\n")
	for _, f := range written {
		fmt.Fprintf(&b, "| %s |\n", f)
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644)
}
