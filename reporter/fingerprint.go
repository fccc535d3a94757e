package reporter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FingerprintKey names meshlint's fingerprint in SARIF partialFingerprints.
// SARIF wants versioned hierarchical keys; bump the version if the recipe
// below ever changes, since consumers compare values across runs.
const FingerprintKey = "meshlint/v1"

// Fingerprints returns a stable identity for each finding of r, in order:
// the first 16 hex digits of a SHA-256 over the rule ID, the file (relative
// to Root, slash-separated), the object's API group, kind, namespace (only
// when the manifest sets one, since the default is a run option) and name,
// and the YAML path of the node the finding points at within the object
// (such as .spec.http[0].route[1].weight).
//
// Line numbers and messages are left out on purpose: a finding keeps its
// fingerprint when lines are added above it or when its wording, or a
// number it quotes, changes. So does the API version, so that moving from
// v1beta1 to v1 does not reopen every alert. Findings that would still
// collide get ":1", ":2"… in report order, as GitHub does for its own line
// hashes.
func Fingerprints(r *Report) []string {
	out := make([]string, len(r.Findings))
	seen := map[string]int{}
	for i, f := range r.Findings {
		fp := fingerprint(r.Root, f)
		if n := seen[fp]; n > 0 {
			out[i] = fmt.Sprintf("%s:%d", fp, n)
		} else {
			out[i] = fp
		}
		seen[fp]++
	}
	return out
}

func fingerprint(root string, f *rules.Finding) string {
	file := displayPath(root, f.Pos.File)
	parts := []string{FingerprintKey, f.Rule.ID, file}
	if o := f.Object; o != nil {
		ns := ""
		if o.NamespaceSet {
			ns = o.Namespace
		}
		p, _ := nodePath(o.Node, f.Pos.Line, f.Pos.Col)
		parts = append(parts, o.Group, string(o.Kind), ns, o.Name, p)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// nodePath returns the path, from the object's root mapping, of the first
// node (in document order) that starts at line:col, and whether there is
// one. A mapping key stands for its entry. Aliases are not followed.
func nodePath(n *yaml.Node, line, col int) (string, bool) {
	if n == nil || line == 0 {
		return "", false
	}
	if n.Line == line && n.Column == col {
		return "", true
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p, ok := nodePath(c, line, col); ok {
				return p, true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			step := pathKey(k.Value)
			if k.Line == line && k.Column == col {
				return step, true
			}
			if p, ok := nodePath(v, line, col); ok {
				return step + p, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if p, ok := nodePath(c, line, col); ok {
				return "[" + strconv.Itoa(i) + "]" + p, true
			}
		}
	}
	return "", false
}

// pathKey renders a mapping key as a path step: .name, or ["odd key"].
func pathKey(k string) string {
	for _, r := range k {
		if !(r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	if k == "" {
		return `[""]`
	}
	return "." + k
}
