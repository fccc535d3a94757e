package kinds

import "testing"

// TestIstioTelemetryExtensionsStrict checks that telemetry.istio.io and
// extensions.istio.io are checked like networking.istio.io: their kinds
// are known and kept for schema validation, and any other kind is a typo
// the loader reports, never a generic workload read from a pod template.
func TestIstioTelemetryExtensionsStrict(t *testing.T) {
	for _, c := range []struct {
		group string
		kind  Kind
		known bool
	}{
		{GroupIstioTelemetry, Telemetry, true},
		{GroupIstioExtensions, WasmPlugin, true},
		{GroupIstioExtensions, TrafficExtension, true},
		{GroupIstioTelemetry, "Telemetri", false},
		{GroupIstioTelemetry, WasmPlugin, false},
		{GroupIstioExtensions, "WasmPlugins", false},
		{GroupIstioExtensions, Telemetry, false},
	} {
		if got := Known(c.group, c.kind); got != c.known {
			t.Errorf("Known(%q, %s) = %v, want %v", c.group, c.kind, got, c.known)
		}
		if got := Modelled(c.group, c.kind); got != c.known {
			t.Errorf("Modelled(%q, %s) = %v, want %v", c.group, c.kind, got, c.known)
		}
		if GenericWorkload(c.group, c.kind) {
			t.Errorf("GenericWorkload(%q, %s) = true, want false: the group is strict", c.group, c.kind)
		}
	}
}
