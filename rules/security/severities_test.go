package security

import (
	"os"
	"path/filepath"
	"strings"
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

// TestDryRunSeverities checks that findings on dry-run policies, whose
// mistakes refuse requests only once they are turned on, are warnings,
// while the same mistakes in force stay errors.
func TestDryRunSeverities(t *testing.T) {
	severitiesWithOptions(t, AuthzCustomProviderUnknown, fixture("MR315", "fire-custom-provider-dry-run.yaml"),
		map[string]rules.Severity{
			"shop/misspelt-trial is not":   rules.Warning,
			"shop/wrong-type-trial is a":   rules.Warning,
			"shop/misspelt-not-dry is not": rules.Error,
		})
	severitiesWithOptions(t, AuthzIdentityWithoutMTLS, fixture("MR351", "fire-dry-run.yaml"),
		map[string]rules.Severity{"would refuse every request": rules.Warning, "never matches": rules.Warning})
	severitiesWithOptions(t, AuthzIdentityWithoutMTLS, fixture("MR351", "fire-disabled-negative.yaml"),
		map[string]rules.Severity{"DENY rule refuses every request": rules.Error})
}

// severitiesWithOptions is ruletest.Severities for one fixture run with
// its "# fixture:" options, which the providers of MR315 need.
func severitiesWithOptions(t *testing.T, r *rules.Rule, path string, want map[string]rules.Severity) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := ruletest.ParseOptions(data, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	res := rules.Lint(rules.LintOptions{Paths: []string{path}, Mesh: opts.Mesh, Rules: []*rules.Rule{r}})
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
		t.Errorf("no %s finding says %q", r.ID, text)
	}
}
