package validation

import (
	"fmt"
	"slices"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestNetworkPolicyProblemColumns checks that MR027 reports a
// NetworkPolicy's problems where the YAML has them, which the typed spec
// that the graph checks does not know for a label map's key or value and
// a requirement's values: the rule follows the problem's path down the
// nodes. The fixtures match lines only.
func TestNetworkPolicyProblemColumns(t *testing.T) {
	src := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
  podSelector: {matchLabels: {"-a": "b c"}}
  ingress:
  - from:
    - podSelector: {matchExpressions: [{key: a, operator: In, values: [ok, "-v"]}, {key: b, operator: NotIn}, {key: c, operator: In, values: []}]}
`
	var got []string
	for _, f := range ruletest.LintTree(t, map[string]string{"np.yaml": src}, "", config.DefaultMesh(), KubernetesObjectInvalid) {
		got = append(got, fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col))
	}
	// The key "-a", its value, the value "-v", the requirement without
	// values, the empty values list.
	want := []string{"5:31", "5:37", "8:76", "8:84", "8:142"}
	if !slices.Equal(got, want) {
		t.Errorf("findings at %v, want %v", got, want)
	}
}
