package gateway

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
)

// TestCredentialExpiryIsAWarning checks the severities of MR213: a
// certificate that is only out of date is still served (istiod logs it and
// pushes it), so it is a warning; one Envoy cannot load, or a missing
// Secret, is an error.
func TestCredentialExpiryIsAWarning(t *testing.T) {
	res := rules.Lint(rules.LintOptions{
		Paths: []string{filepath.Join("..", "..", "fixtures", "rules", "MR213", "fire-credentials.yaml")},
		Mesh:  config.DefaultMesh(),
		Rules: []*rules.Rule{GatewayCredentialInvalid},
	})
	want := map[string]rules.Severity{
		"expired on 2021-01-01":              rules.Warning,
		"not valid before 2099-01-01":        rules.Warning,
		"has neither tls.crt and tls.key":    rules.Error,
		"no Secret istio-system/missing":     rules.Error,
		"MUTUAL mode needs a CA certificate": rules.Error,
	}
	for _, f := range res.Findings {
		for text, sev := range want {
			if strings.Contains(f.Message, text) {
				if f.Severity != sev {
					t.Errorf("%s: severity %s, want %s", f.Message, f.Severity, sev)
				}
				delete(want, text)
			}
		}
	}
	for text := range want {
		t.Errorf("no MR213 finding says %q", text)
	}
}
