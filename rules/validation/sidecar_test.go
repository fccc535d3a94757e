package validation

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestEgressProxyImportSeverity checks that an egressProxy host no
// listener imports, or imports on the proxy's port, is a warning: the
// webhook accepts it, and a VirtualService the Sidecar imports may import
// the host; so is a trailing dot, which a ServiceEntry may write too.
func TestEgressProxyImportSeverity(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "rules", "MR014")
	ruletest.Severities(t, SidecarInvalid, []string{filepath.Join(dir, "fire-egress-proxy-import.yaml"), filepath.Join(dir, "fire-egress-proxy.yaml"), filepath.Join(dir, "fire-egress-proxy-dot.yaml")},
		map[string]rules.Severity{
			"is not imported by any egress listener":       rules.Warning,
			"is imported only by egress[0], for port 5432": rules.Warning,
			"ends with a dot": rules.Warning,
			"the egress proxy must be named by a fully qualified domain name": rules.Error,
		})
}
