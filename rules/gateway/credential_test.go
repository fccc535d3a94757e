package gateway

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestCredentialExpiryIsAWarning checks the severities of MR213: a
// certificate that is only out of date is still served (istiod logs it and
// pushes it), so it is a warning; one Envoy cannot load, or a missing
// Secret, is an error.
func TestCredentialExpiryIsAWarning(t *testing.T) {
	ruletest.Severities(t, GatewayCredentialInvalid,
		[]string{filepath.Join("..", "..", "fixtures", "rules", "MR213", "fire-credentials.yaml")},
		map[string]rules.Severity{
			"expired on 2021-01-01":              rules.Warning,
			"not valid before 2099-01-01":        rules.Warning,
			"has neither tls.crt and tls.key":    rules.Error,
			"no Secret istio-system/missing":     rules.Error,
			"MUTUAL mode needs a CA certificate": rules.Error,
		})
}
