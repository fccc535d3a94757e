package validation

import (
	"testing"

	"github.com/meshlint/meshlint/rules/ruletest"
)

func TestKubernetesObjectInvalidFixtures(t *testing.T) {
	ruletest.Run(t, KubernetesObjectInvalid, "../../fixtures/rules/MR027")
}
