package validation

import (
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// WasmPluginInvalid reports WasmPlugins and TrafficExtensions that Istio's
// webhook rejects for a reason that neither the CRD's schema nor its CEL
// rules (MR001) see. The url is not among them: the CEL rule's isURL and
// url() run url.ParseRequestURI and url.Parse, as strictParseURL does.
var WasmPluginInvalid = &rules.Rule{
	ID:      "MR026",
	Name:    "wasmplugin-invalid",
	Summary: "a WasmPlugin or TrafficExtension has a target reference, name or environment variable that Istio rejects",
	Doc: `Istio's webhook (ValidateWasmPlugin, ValidateTrafficExtension) rejects a WasmPlugin, or a
TrafficExtension, for a few reasons its CRD does not see:

- a ` + "`targetRef`" + ` or ` + "`targetRefs`" + ` entry to anything but a Service, a ServiceEntry
  (` + "`networking.istio.io`" + `), a Gateway or a GatewayClass (` + "`gateway.networking.k8s.io`" + `). The CRD
  takes any kind: ` + "`kind: Gateway`" + ` without ` + "`group: gateway.networking.k8s.io`" + ` (an Istio Gateway),
  a Deployment or a lower-case ` + "`service`" + ` pass it, and the webhook refuses them. Attach to an Istio
  gateway's pods with ` + "`selector`" + `;
- two ` + "`vmConfig.env`" + ` entries of the same ` + "`name`" + ` ("duplicate env"; the CRD's list, keyed by name,
  refuses them too: MR001 leaves this repeat to MR026);
- a ` + "`pluginName`" + ` or an environment variable name over 256 bytes, an ` + "`imagePullSecret`" + ` over 253
  bytes, or a TrafficExtension's ` + "`lua.inlineCode`" + ` over 65,536 bytes, that the CRD's length limit, which
  counts characters, lets through: the webhook counts bytes, and a character outside ASCII takes two to
  four.

The rest of what the webhook checks the CRD refuses too, and MR001 reports it: a missing or empty
` + "`url`" + `, one that does not parse (the CEL rule's ` + "`url()`" + ` runs the same two parsers as the webhook's
strictParseURL) or of another scheme than oci, http, https and file, a ` + "`sha256`" + ` that is not 64 lower-case
hexadecimal digits, more than one of ` + "`selector`" + `, ` + "`targetRef`" + ` and ` + "`targetRefs`" + `, a selector label
with an empty key or a ` + "`*`" + `, a target reference with a namespace or no name, an environment
variable without a name or with a ` + "`value`" + ` beside ` + "`valueFrom: HOST`" + `, match ports out of range, and
the enums (` + "`phase`" + `, ` + "`type`" + `, ` + "`failStrategy`" + `, ` + "`imagePullPolicy`" + `, match ` + "`mode`" + `). A ` + "`selector`" + `
without labels is accepted with a warning: MR016's.`,
	Bad:      wasmPlugin("targetRefs:\n  - {kind: Gateway, name: public-gateway}"),
	Good:     wasmPlugin("targetRefs:\n  - {group: gateway.networking.k8s.io, kind: Gateway, name: public-gateway}"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.WasmPlugin, kinds.TrafficExtension},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runWasmPluginInvalid,
}

// wasmPlugin is WasmPlugin shop/basic-auth attached by the target given:
// the examples of MR026.
func wasmPlugin(target string) string {
	return `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: basic-auth
  namespace: shop
spec:
  ` + target + `
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  phase: AUTHN
  pluginConfig:
    basic_auth_rules:
    - prefix: /admin
      request_methods: [GET, POST]
      credentials: ["ok:test"]
`
}

// The webhook's length limits, in bytes, which the CRD's maxLength repeats
// in characters.
const (
	maxPluginNameBytes      = 256
	maxEnvNameBytes         = 256
	maxImagePullSecretBytes = 253
	maxLuaCodeBytes         = 65536
)

func runWasmPluginInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioExtensions, kinds.WasmPlugin, kinds.TrafficExtension) {
		s := specOf(o)
		rejects := "Istio's webhook rejects the " + string(o.Kind)
		// A TrafficExtension has no targetRef: the CRD refuses the field
		// (MR001), and the webhook never reads it.
		if o.Kind == kinds.WasmPlugin && s.get("targetRef").isMap() {
			checkTargetKind(p, o, s.get("targetRef"), rejects)
		}
		for ref := range s.get("targetRefs").items() {
			checkTargetKind(p, o, ref, rejects)
		}
		wasm := s
		if o.Kind == kinds.TrafficExtension {
			wasm = s.get("wasm")
			// validateLuaConfig counts bytes.
			checkByteLength(p, o, s.get("lua").get("inlineCode"), maxLuaCodeBytes, rejects)
		}
		if !wasm.isMap() {
			continue
		}
		checkByteLength(p, o, wasm.get("pluginName"), maxPluginNameBytes, rejects)
		checkByteLength(p, o, wasm.get("imagePullSecret"), maxImagePullSecretBytes, rejects)
		checkWasmEnv(p, o, wasm.get("vmConfig").get("env"), rejects)
	}
	return nil
}

// checkWasmEnv reports what validateWasmPluginVMConfig refuses in the
// environment variables and the CRD's schema does not: a name given
// twice, and one over the webhook's limit in bytes. The CRD declares env a
// list keyed by name, which the API server checks for repeats too; MR001
// leaves that repeat to this rule, which says more. A missing or empty
// name (the CRD's minLength 1; the webhook's "spec.vmConfig.env invalid"),
// or a value beside valueFrom HOST, is MR001's, at each entry: entries
// that repeat an empty name are reported that way already, and naming
// them fixes the repeat too.
func checkWasmEnv(p *rules.Pass, o *manifest.Object, env node, rejects string) {
	seen := map[string]node{}
	for e := range env.items() {
		x := e.get("name")
		name, ok := x.str()
		if !ok || name == "" {
			continue
		}
		checkByteLength(p, o, x, maxEnvNameBytes, rejects)
		if first, dup := seen[name]; dup {
			p.Reportf(o, x.loc(), "%s: environment variable %q is also set by %s (duplicate env); keep one (the API server refuses it too: the CRD's env list is keyed by name); %s", e.where(), name, first.where(), rejects)
			continue
		}
		seen[name] = e
	}
}

// checkByteLength reports a string over maxBytes bytes that holds at most
// as many characters: the CRD's maxLength counts characters (MR001 reports
// a longer one), and the webhook's limit bytes.
func checkByteLength(p *rules.Pass, o *manifest.Object, x node, maxBytes int, rejects string) {
	v, ok := x.str()
	if !ok || len(v) <= maxBytes || utf8.RuneCountInString(v) > maxBytes {
		return
	}
	p.Reportf(o, x.loc(), "%s is %d bytes long (%d characters): the webhook counts bytes, and allows %d; %s",
		x.where(), len(v), utf8.RuneCountInString(v), maxBytes, rejects)
}
