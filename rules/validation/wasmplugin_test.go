package validation

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// TestWasmByteLengths checks the webhook's length limits, which count
// bytes where the CRD's maxLength (MR001's) counts characters, on strings
// too long for fixtures: only a string over the limit in bytes but not in
// characters is MR026's.
func TestWasmByteLengths(t *testing.T) {
	e := func(n int) string { return strings.Repeat("é", n) } // two bytes each
	a := func(n int) string { return strings.Repeat("a", n) }
	plugin := func(name, fields string) string {
		return "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: " + name + ", namespace: shop}\n" +
			"spec:\n  url: oci://ghcr.io/example/filters/auth:v1\n" + fields + "---\n"
	}
	lua := func(name, code string) string {
		return "apiVersion: extensions.istio.io/v1alpha1\nkind: TrafficExtension\nmetadata: {name: " + name + ", namespace: shop}\n" +
			"spec:\n  lua:\n    inlineCode: \"-- " + code + "\"\n---\n"
	}
	src := plugin("name-over", "  pluginName: "+e(129)+"\n") + // 258 bytes
		plugin("name-at", "  pluginName: "+e(128)+"\n") + // 256 bytes
		plugin("name-crd", "  pluginName: "+e(257)+"\n") + // 257 characters: MR001's
		plugin("secret-over", "  imagePullSecret: "+e(127)+"\n") + // 254 bytes
		plugin("secret-at", "  imagePullSecret: a"+e(126)+"\n") + // 253 bytes
		plugin("env-over", "  vmConfig:\n    env:\n    - {name: "+e(129)+", value: x}\n    - {name: "+e(128)+", value: x}\n") +
		lua("lua-over", e(32767)) + // 3 + 65534 bytes
		lua("lua-at", a(1)+e(32766)) + // 3 + 1 + 65532 bytes
		lua("lua-crd", a(65534)) + // 65537 characters: MR001's
		"apiVersion: extensions.istio.io/v1alpha1\nkind: TrafficExtension\nmetadata: {name: wasm-over, namespace: shop}\n" +
		"spec:\n  wasm:\n    url: oci://ghcr.io/example/filters/auth:v1\n    pluginName: " + e(129) + "\n"
	fs := ruletest.LintTree(t, nil, src, config.DefaultMesh(), WasmPluginInvalid)
	var got []string
	for _, f := range fs {
		got = append(got, f.Object.Name+": "+f.Message)
	}
	want := []string{
		"name-over: pluginName is 258 bytes long (129 characters): the webhook counts bytes, and allows 256; Istio's webhook rejects the WasmPlugin",
		"secret-over: imagePullSecret is 254 bytes long (127 characters): the webhook counts bytes, and allows 253",
		"env-over: vmConfig.env[0].name is 258 bytes long (129 characters)",
		"lua-over: lua.inlineCode is 65537 bytes long (32770 characters): the webhook counts bytes, and allows 65536; Istio's webhook rejects the TrafficExtension",
		"wasm-over: wasm.pluginName is 258 bytes long (129 characters)",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d: got %q, want it to start with %q", i, got[i], want[i])
		}
	}
}
