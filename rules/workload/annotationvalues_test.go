package workload

import "testing"

// TestHostPortPort checks the split against what net.SplitHostPort (which
// Istio's ValidateProxyAddress calls) returns for these addresses.
func TestHostPortPort(t *testing.T) {
	for _, tc := range []struct {
		in, port string
		ok       bool
	}{
		{"istiod.istio-system.svc:15012", "15012", true},
		{"10.0.0.1:8125", "8125", true},
		{"[fd00::1]:15012", "15012", true},
		{":15012", "15012", true},
		{"istiod.istio-system.svc", "", false},
		{"fd00::1:15012", "", false},
		{"[fd00::1:15012", "", false},
		{"a]b:1", "", false},
	} {
		port, ok := hostPortPort(tc.in)
		if port != tc.port || ok != tc.ok {
			t.Errorf("hostPortPort(%q) = %q, %v; want %q, %v", tc.in, port, ok, tc.port, tc.ok)
		}
	}
}
