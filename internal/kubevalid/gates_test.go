package kubevalid

import "testing"

// TestGatesFor checks each gate on both sides of the release that turned
// it on by default.
func TestGatesFor(t *testing.T) {
	for _, tc := range []struct {
		minor int
		want  Gates
	}{
		{31, Gates{}},
		{32, Gates{}},
		{33, Gates{RelaxedDNSSearch: true}},
		{34, Gates{RelaxedDNSSearch: true, PodLevelResources: true}},
		{35, Gates{RelaxedDNSSearch: true, PodLevelResources: true, HostnameOverride: true}},
		{36, Gates{StrictIPCIDR: true, RelaxedServiceName: true, RelaxedDNSSearch: true, PodLevelResources: true, HostnameOverride: true}},
		{37, Gates{StrictIPCIDR: true, RelaxedServiceName: true, RelaxedDNSSearch: true, PodLevelResources: true, HostnameOverride: true}},
	} {
		if got := GatesFor(tc.minor); got != tc.want {
			t.Errorf("GatesFor(%d) = %+v, want %+v", tc.minor, got, tc.want)
		}
	}
}
