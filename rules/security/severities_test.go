package security

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

func fixture(id, name string) string {
	return filepath.Join("..", "..", "fixtures", "rules", id, name)
}

// TestSelectorOnGatewaySeverity checks the severities of MR314: a waypoint
// ignores selector policies, a warning; the other Gateway API gateways
// apply them by istiod's default, so that is for information only.
func TestSelectorOnGatewaySeverity(t *testing.T) {
	ruletest.Severities(t, SelectorOnGatewayAPIPod, []string{fixture("MR314", "fire-selector.yaml")},
		map[string]rules.Severity{"matches the pods of Gateway API Gateway shop/public": rules.Info})
	ruletest.Severities(t, SelectorOnGatewayAPIPod, []string{fixture("MR314", "fire-waypoint.yaml")},
		map[string]rules.Severity{"matches the pods of waypoint shop/waypoint": rules.Warning})
}
