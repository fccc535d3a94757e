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

// argoGroup is the API group of Argo Rollouts, and argoCRDs the copies of
// its CRDs that the generator reads, in the order of manifests/crds of the
// release (third_party/argo-rollouts/README.md says where they come from,
// and why they are copies).
const (
	argoGroup   = "argoproj.io"
	argoRelease = "github.com/argoproj/argo-rollouts v1.10.2"
	argoDir     = "third_party/argo-rollouts"
)

var argoCRDs = []string{
	"analysis-run-crd.yaml",
	"analysis-template-crd.yaml",
	"cluster-analysis-template-crd.yaml",
	"experiment-crd.yaml",
	"rollout-crd.yaml",
}

// writeArgo replaces the folder dir with one schema per served version of
// each copied CRD, converted as Istio's are (wrapCRD), and a README that
// records the sources. gen is the generator's folder, relative to the
// working directory.
func writeArgo(dir, gen string, meta map[string]any) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	var written, sources []string
	for _, name := range argoCRDs {
		rel := path.Join(argoDir, name)
		data, err := os.ReadFile(filepath.Join(gen, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		w, err := writeCRDs(dir, data, func(group string) bool { return group == argoGroup }, meta)
		if err != nil {
			return fmt.Errorf("schema/gen/%s: %w", rel, err)
		}
		if len(w) == 0 {
			return fmt.Errorf("schema/gen/%s: no CRD of %s", rel, argoGroup)
		}
		written = append(written, w...)
		sources = append(sources, fmt.Sprintf("`%s` (%d bytes, sha256 `%x`)", name, len(data), sha256.Sum256(data)))
	}
	sort.Strings(written)
	return crdReadme{
		title: "Argo Rollouts",
		fields: [][2]string{
			{"source", fmt.Sprintf("`manifests/crds/` of `%s`, copied into `schema/gen/%s`: %s",
				argoRelease, argoDir, strings.Join(sources, ", "))},
			{"group", argoGroup},
			{"versions", "every version with `served: true`"},
			{"licence", "Apache-2.0 (argoproj/argo-rollouts)"},
		},
		files: written,
	}.write(filepath.Join(dir, "README.md"))
}
