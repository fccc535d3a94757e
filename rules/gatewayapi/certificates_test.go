package gatewayapi

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestCertificateExpiryIsAWarning checks the severities of MR614: a
// certificate that is only out of date is served (Istio reports no
// InvalidCertificateRef), so it is a warning; one that does not parse
// cannot be loaded, an error.
func TestCertificateExpiryIsAWarning(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "rules", "MR614")
	ruletest.Severities(t, CertificateRefInvalid,
		[]string{filepath.Join(dir, "fire-expired.yaml"), filepath.Join(dir, "fire-certificates.yaml")},
		map[string]rules.Severity{
			"expired on 2015-09-12":            rules.Warning,
			"tls.crt holds no PEM certificate": rules.Error,
		})
}

// TestClientCertificateExpiryIsAWarning checks the same on
// spec.tls.backend.clientCertificateRef: Istio accepts a pair that is only
// out of date (no InvalidClientCertificateRef), so it is a warning; a pair
// that does not load, or a missing Secret, is an error.
func TestClientCertificateExpiryIsAWarning(t *testing.T) {
	ruletest.Severities(t, CertificateRefInvalid,
		[]string{filepath.Join("..", "..", "fixtures", "rules", "MR614", "fire-client-certificate.yaml")},
		map[string]rules.Severity{
			`clientCertificateRef "expired" (Secret infra/expired): the certificate in tls.crt expired`: rules.Warning,
			`clientCertificateRef "malformed" (Secret infra/malformed) cannot be loaded`:                rules.Error,
			`clientCertificateRef "does-not-exist" (Secret infra/does-not-exist) names no Secret`:       rules.Error,
		})
}
