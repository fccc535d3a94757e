package kubevalid

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/validate/content"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// TestNameChecks holds the hand-written checks to apimachinery's
// regular expressions, which they replace on the common path: a fast
// check that refuses more than apimachinery would only cost time (the
// rule asks apimachinery before it reports), one that accepts more would
// miss refusals.
func TestNameChecks(t *testing.T) {
	samples := []string{
		"", "a", "A", "0", "-", ".", "_", "a-b", "a--b", "-a", "a-", "a.b", "a..b", ".a", "a.", "a_b", "_a", "a_",
		"Abc", "abC", "1abc", "abc1", "a/b", "/b", "a/", "a/b/c", "example.com/Name", "Example.com/name",
		"example.com/na_me.x", "exa_mple.com/x", "a b", "a@b", "ä", "kubernetes.io/metadata.name",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 126) + "ab",
		"http", "http-2", "h2c", "1http", "http-", "-http", "ht--tp", "123", "a1", "abcdefghijklmno", "abcdefghijklmnop", "dns-tcp", "HTTP",
		strings.Repeat("b", 253) + "/x", strings.Repeat("b", 254) + "/x", "x/" + strings.Repeat("c", 64),
	}
	for _, s := range samples {
		check := func(name string, fast bool, msgs []string) {
			t.Helper()
			if fast != (len(msgs) == 0) {
				t.Errorf("%s(%q) = %v, apimachinery says %q", name, s, fast, msgs)
			}
		}
		check("DNS1123Label", DNS1123Label(s), kvalidation.IsDNS1123Label(s))
		check("DNS1035Label", DNS1035Label(s), kvalidation.IsDNS1035Label(s))
		check("DNS1123Subdomain", DNS1123Subdomain(s), kvalidation.IsDNS1123Subdomain(s))
		check("LabelKey", LabelKey(s), content.IsLabelKey(s))
		check("LabelValue", LabelValue(s), content.IsLabelValue(s))
		check("PortName", PortName(s), kvalidation.IsValidPortName(s))
	}
}
