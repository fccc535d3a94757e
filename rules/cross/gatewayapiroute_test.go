package cross

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
)

// TestGatewayAPIRouteRelatesEgress checks that a finding blocked on the
// egress of the pods Istio deploys for a Gateway, which are in no file,
// points at the policy that blocks them.
func TestGatewayAPIRouteRelatesEgress(t *testing.T) {
	res := rules.Lint(rules.LintOptions{
		Paths: []string{filepath.Join("..", "..", "fixtures", "rules", "MR506", "fire-blocked.yaml")},
		Mesh:  config.DefaultMesh(),
		Rules: []*rules.Rule{GatewayAPIRouteBlocked},
	})
	var notes []string
	for _, f := range res.Findings {
		if !strings.Contains(f.Message, "HTTPRoute shop/internal") {
			continue
		}
		for _, r := range f.Related {
			notes = append(notes, r.Message)
		}
	}
	want := "NetworkPolicy edge/dns-only applies to the pods of Gateway edge/internal for Egress"
	for _, n := range notes {
		if n == want {
			return
		}
	}
	t.Errorf("the finding on HTTPRoute shop/internal has notes %q; want %q", notes, want)
}
