package netpol

import (
	"os"
	"testing"
)

// A namespace whose refused admin policy is named as its deny gets no
// fix: a NetworkPolicy deny would stand in for the cluster-wide one in
// that namespace only. Its neighbour, whose refused policy would not be
// the deny once corrected, keeps the fix.
func TestRefusedAdminDenyNoFix(t *testing.T) {
	for _, tc := range []struct{ fixture, rule string }{
		{"../../fixtures/rules/MR401/fire-refused-admin-peer.yaml", "MR401"},
		{"../../fixtures/rules/MR402/fire-refused-admin-deny.yaml", "MR402"},
	} {
		data, err := os.ReadFile(tc.fixture)
		if err != nil {
			t.Fatal(err)
		}
		got := denyFiles(t, map[string]string{"policies.yaml": string(data)})
		if c, ok := got[tc.rule+" shop"]; !ok || c != "" {
			t.Errorf("%s: %s shop: want a finding without fix, got %q (found: %v)", tc.fixture, tc.rule, c, ok)
		}
		if c := got[tc.rule+" billing"]; c == "" {
			t.Errorf("%s: %s billing: want a finding with a fix", tc.fixture, tc.rule)
		}
	}
}
