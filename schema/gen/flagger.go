package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"

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
	return crdReadme{
		title: "Flagger",
		fields: [][2]string{
			{"source module", fmt.Sprintf("`%s %s` (pinned in go.mod, read from the Go module cache)", m.Path, m.Version)},
			{"source file", fmt.Sprintf("`%s` (%d bytes, sha256 `%x`)", flaggerCRDs, len(data), sha256.Sum256(data))},
			{"group", flaggerGroup},
			{"versions", "every version with `served: true`"},
			{"licence", "Apache-2.0 (fluxcd/flagger)"},
		},
		files: written,
	}.write(filepath.Join(dir, "README.md"))
}
