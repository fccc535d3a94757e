package gatewayapi

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// fixture is the path of a fixture file of rule id.
func fixture(id, name string) string {
	return filepath.Join("..", "..", "fixtures", "rules", id, name)
}

// TestLatentRouteErrorsAreWarnings checks the severities of MR617's Hostname
// namespaces and MR623's backend filters: Istio does not build a backend of
// weight 0, so what would take the route down is latent until the weight
// is raised, a warning; on a backend it builds, an error.
func TestLatentRouteErrorsAreWarnings(t *testing.T) {
	ruletest.Severities(t, BackendKindUnsupported, []string{fixture("MR617", "fire-hostname-namespace.yaml")},
		map[string]rules.Severity{
			`backendRef "api-next.example.com" (Hostname.networking.istio.io shop/api-next.example.com) sets namespace`: rules.Warning,
			`backendRef "api.example.com" (Hostname.networking.istio.io shop/api.example.com) sets namespace`:           rules.Error,
		})
	ruletest.Severities(t, RouteFilterUnsupported, []string{fixture("MR623", "fire-filters.yaml")},
		map[string]rules.Severity{
			`filter RequestRedirect of backendRef "storefront-next"`: rules.Warning,
			`filter URLRewrite of backendRef "storefront"`:           rules.Error,
		})
}

// TestIgnoredAddressesBesideAHostname checks the severities of MR624: with
// a Hostname address left, Istio serves the Gateway and only its status is
// wrong, a warning; with none, it programs nothing, an error.
func TestIgnoredAddressesBesideAHostname(t *testing.T) {
	ruletest.Severities(t, GatewayAddressUnsupported, []string{fixture("MR624", "fire-addresses.yaml")},
		map[string]rules.Severity{
			"address 203.0.113.12 (IPAddress) of Gateway infra/manual": rules.Warning,
			"address 203.0.113.10 (IPAddress) of Gateway infra/public": rules.Error,
		})
}
