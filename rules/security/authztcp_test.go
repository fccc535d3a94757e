package security

import (
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestHTTPFieldsOnTCPSeverities checks the severities of MR355: a DENY
// rule left with nothing but ports denies a whole port, an error; a DENY
// rule with other conditions left, a dropped ALLOW rule (which fails
// closed) and a dry-run policy are warnings.
func TestHTTPFieldsOnTCPSeverities(t *testing.T) {
	ruletest.Severities(t, AuthzHTTPFieldsOnTCP, []string{fixture("MR355", "fire-deny.yaml")},
		map[string]rules.Severity{
			"paths is HTTP-only, and port 6379":                rules.Error,
			"notRequestPrincipals is HTTP-only":                rules.Error,
			"that its remaining conditions match":              rules.Warning,
			"so this DENY rule would deny every connection on": rules.Warning,
		})
	ruletest.Severities(t, AuthzHTTPFieldsOnTCP, []string{fixture("MR355", "fire-allow.yaml")},
		map[string]rules.Severity{
			"so it never matches":        rules.Warning,
			"never allows TCP port 6379": rules.Warning,
			"so it would never match":    rules.Warning,
		})
}
