package gatewayapi

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
)

// TestCertificateExpiryIsAWarning checks the severities of MR614: a
// certificate that is only out of date is served (Istio reports no
// InvalidCertificateRef), so it is a warning; one that does not parse
// cannot be loaded, an error.
func TestCertificateExpiryIsAWarning(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "rules", "MR614")
	res := rules.Lint(rules.LintOptions{
		Paths: []string{filepath.Join(dir, "fire-expired.yaml"), filepath.Join(dir, "fire-certificates.yaml")},
		Mesh:  config.DefaultMesh(),
		Rules: []*rules.Rule{CertificateRefInvalid},
	})
	want := map[string]rules.Severity{
		"expired on 2015-09-12":            rules.Warning,
		"tls.crt holds no PEM certificate": rules.Error,
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
