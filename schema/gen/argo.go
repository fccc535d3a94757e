package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// argoGroup is the API group of Argo Rollouts, and argoCRD the copy of its
// Rollout CRD that the generator reads (third_party/argo-rollouts/README.md
// says where it comes from, and why it is a copy).
const (
	argoGroup   = "argoproj.io"
	argoRelease = "github.com/argoproj/argo-rollouts v1.10.2"
	argoCRD     = "third_party/argo-rollouts/rollout-crd.yaml"
)

// writeArgo replaces the folder dir with one schema per served version of
// the Rollout CRD, converted as Istio's are (wrapCRD), and a README that
// records the source. gen is the generator's folder, relative to the
// working directory.
func writeArgo(dir, gen string, meta map[string]any) error {
	data, err := os.ReadFile(filepath.Join(gen, filepath.FromSlash(argoCRD)))
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	written, err := writeCRDs(dir, data, func(group string) bool { return group == argoGroup }, meta)
	if err != nil {
		return fmt.Errorf("schema/gen/%s: %w", argoCRD, err)
	}
	if len(written) == 0 {
		return fmt.Errorf("schema/gen/%s: no CRD of %s", argoCRD, argoGroup)
	}
	sort.Strings(written)
	return crdReadme{
		title: "Argo Rollouts",
		fields: [][2]string{
			{"source", fmt.Sprintf("`manifests/crds/rollout-crd.yaml` of `%s`, copied as `schema/gen/%s` (%d bytes, sha256 `%x`)",
				argoRelease, argoCRD, len(data), sha256.Sum256(data))},
			{"group", argoGroup},
			{"versions", "every version with `served: true`"},
			{"licence", "Apache-2.0 (argoproj/argo-rollouts)"},
		},
		files: written,
	}.write(filepath.Join(dir, "README.md"))
}
