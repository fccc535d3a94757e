package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/schema"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// DefaultKubernetesVersion is the Kubernetes release meshlint assumes the
// manifests are applied to when the configuration names none: the one
// whose API the embedded schemas describe (schema.KubernetesVersion, that
// of the pinned k8s.io/api), so that the validation rules and the schemas
// agree on one release.
const DefaultKubernetesVersion = schema.KubernetesVersion

// kubernetesKeys are the keys of the file's kubernetes section.
var kubernetesKeys = []string{"version"}

// Kubernetes returns the minor version N of the Kubernetes release 1.N
// that m assumes: Mesh.KubernetesMinor, or DefaultKubernetesVersion's when
// that is unset.
func (m Mesh) Kubernetes() int {
	if m.KubernetesMinor > 0 {
		return m.KubernetesMinor
	}
	n, _ := ParseKubernetesVersion(DefaultKubernetesVersion)
	return n
}

// ParseKubernetesVersion reads a Kubernetes release written "1.N" and
// returns N. Kubernetes has had no other major version; a patch version
// ("1.35.2") or a "v" is refused rather than dropped, since the value is
// compared, not shown, and the message then says what to write.
func ParseKubernetesVersion(s string) (int, error) {
	rest, ok := strings.CutPrefix(s, "1.")
	if !ok || rest == "" || len(rest) > 1 && rest[0] == '0' || strings.TrimLeft(rest, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a Kubernetes version 1.N", s)
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a Kubernetes version 1.N", s)
	}
	return n, nil
}

// kubernetesSection reads the kubernetes section: what meshlint assumes
// about the API server that the manifests are applied to.
func (d *decoder) kubernetesSection(n *yaml.Node, s *MeshSettings) {
	d.mapping(n, "kubernetes", kubernetesKeys, func(key string, _, v *yaml.Node) {
		if key == "version" {
			s.KubernetesMinor = d.kubernetesVersion(v, "kubernetes."+key)
		}
	})
}

// kubernetesVersion reads a Kubernetes release "1.N", quoted or not: an
// unquoted 1.35 is a YAML float, whose text is still what was written
// (1.30 stays 1.30, not 1.3). It returns 0 for null or a mistake.
func (d *decoder) kubernetesVersion(n *yaml.Node, where string) int {
	n = resolve(n)
	if isNull(n) {
		return 0
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" && n.ShortTag() != "!!float" {
		d.errorf(n, "%s: want a Kubernetes version such as \"%s\", got %s", where, DefaultKubernetesVersion, describe(n))
		return 0
	}
	minor, err := ParseKubernetesVersion(n.Value)
	if err == nil {
		return minor
	}
	msg := fmt.Sprintf("%s: %v, such as \"%s\"", where, err, DefaultKubernetesVersion)
	// What kubectl version and the release notes print.
	if t := strings.TrimPrefix(n.Value, "v"); t != n.Value || strings.Count(t, ".") == 2 {
		parts := strings.Split(t, ".")
		if len(parts) >= 2 {
			if _, err := ParseKubernetesVersion(parts[0] + "." + parts[1]); err == nil {
				msg += fmt.Sprintf(" (did you mean \"%s.%s\"?)", parts[0], parts[1])
			}
		}
	}
	d.errorf(n, "%s", msg)
	return 0
}
