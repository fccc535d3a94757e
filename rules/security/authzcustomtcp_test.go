package security

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
)

// TestCustomHTTPProviderOnTCPSeverities checks the severities of MR357: a
// policy that covers TCP ports only guards nothing, an error; one that
// covers HTTP ports too still guards those, a warning.
func TestCustomHTTPProviderOnTCPSeverities(t *testing.T) {
	mesh := config.DefaultMesh()
	mesh.ExtensionProviders = []config.ExtensionProvider{{Name: "ext-authz-http", Type: "envoy_ext_authz_http"}}
	mesh.ProvidersKnown = true
	res := rules.Lint(rules.LintOptions{Paths: []string{fixture("MR357", "fire-http-provider.yaml")}, Mesh: mesh, Rules: []*rules.Rule{AuthzCustomHTTPProviderOnTCP}})
	want := map[string]rules.Severity{
		"workload shop/db,":                                                  rules.Error,
		"the policy guards only the HTTP ports":                              rules.Warning,
		"(redis)), never reach the authorizer and the policy guards nothing": rules.Error,
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
		t.Errorf("no MR357 finding says %q", text)
	}
}

// TestCustomHTTPProviderOnSniffedPortSeverity checks that a policy that
// covers a sniffed port and no TCP one is a warning: it still checks the
// connections Istio detects as HTTP.
func TestCustomHTTPProviderOnSniffedPortSeverity(t *testing.T) {
	mesh := config.DefaultMesh()
	mesh.ExtensionProviders = []config.ExtensionProvider{{Name: "ext-authz-http", Type: "envoy_ext_authz_http"}}
	mesh.ProvidersKnown = true
	res := rules.Lint(rules.LintOptions{Paths: []string{fixture("MR357", "fire-sniffed-port.yaml")}, Mesh: mesh, Rules: []*rules.Rule{AuthzCustomHTTPProviderOnTCP}})
	n := 0
	for _, f := range res.Findings {
		if f.Rule != AuthzCustomHTTPProviderOnTCP {
			continue
		}
		n++
		if f.Severity != rules.Warning {
			t.Errorf("%s: severity %s, want warning", f.Message, f.Severity)
		}
	}
	if n != 4 {
		t.Errorf("%d MR357 findings, want 4", n)
	}
}
