package validation

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/rules/ruletest"
	"k8s.io/apimachinery/pkg/api/validate/content"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

func TestKubernetesObjectInvalidFixtures(t *testing.T) {
	ruletest.Run(t, KubernetesObjectInvalid, "../../fixtures/rules/MR027")
}

// TestFastNameChecks holds the hand-written checks to apimachinery's
// regular expressions, which they replace on the common path: a fast
// check that refuses more than apimachinery would only cost time (the
// rule asks apimachinery before it reports), one that accepts more would
// miss refusals.
func TestFastNameChecks(t *testing.T) {
	samples := []string{
		"", "a", "A", "0", "-", ".", "_", "a-b", "a--b", "-a", "a-", "a.b", "a..b", ".a", "a.", "a_b", "_a", "a_",
		"Abc", "abC", "1abc", "abc1", "a/b", "/b", "a/", "a/b/c", "example.com/Name", "Example.com/name",
		"example.com/na_me.x", "exa_mple.com/x", "a b", "a@b", "ä", "kubernetes.io/metadata.name",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 126) + "ab",
		strings.Repeat("b", 253) + "/x", strings.Repeat("b", 254) + "/x", "x/" + strings.Repeat("c", 64),
	}
	for _, s := range samples {
		check := func(name string, fast bool, msgs []string) {
			t.Helper()
			if fast != (len(msgs) == 0) {
				t.Errorf("%s(%q) = %v, apimachinery says %q", name, s, fast, msgs)
			}
		}
		check("fastDNS1123Label", fastDNS1123Label(s), kvalidation.IsDNS1123Label(s))
		check("fastDNS1035Label", fastDNS1035Label(s), kvalidation.IsDNS1035Label(s))
		check("fastDNS1123Subdomain", fastDNS1123Subdomain(s), kvalidation.IsDNS1123Subdomain(s))
		check("fastLabelKey", fastLabelKey(s), content.IsLabelKey(s))
		check("fastLabelValue", fastLabelValue(s), content.IsLabelValue(s))
	}
}
