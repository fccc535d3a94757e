package gatewayapi

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
)

// TestClientCertificateExpiryIsAWarning checks the severities of MR614 on
// spec.tls.backend.clientCertificateRef: Istio accepts a pair that is only
// out of date (no InvalidClientCertificateRef), so it is a warning; a pair
// that does not load, or a missing Secret, is an error.
func TestClientCertificateExpiryIsAWarning(t *testing.T) {
	res := rules.Lint(rules.LintOptions{
		Paths: []string{filepath.Join("..", "..", "fixtures", "rules", "MR614", "fire-client-certificate.yaml")},
		Mesh:  config.DefaultMesh(),
		Rules: []*rules.Rule{CertificateRefInvalid},
	})
	want := map[string]rules.Severity{
		`clientCertificateRef "expired" (Secret infra/expired): the certificate in tls.crt expired`: rules.Warning,
		`clientCertificateRef "malformed" (Secret infra/malformed) cannot be loaded`:                rules.Error,
		`clientCertificateRef "does-not-exist" (Secret infra/does-not-exist) names no Secret`:       rules.Error,
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
		t.Errorf("no MR614 finding says %q", text)
	}
}
