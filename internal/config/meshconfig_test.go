package config

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestMeshConfigForms(t *testing.T) {
	no := false
	want := MeshSettings{
		RootNamespace:                  "istio-config",
		TrustDomain:                    "corp.example",
		TrustDomainAliases:             []string{"old.example", "cluster.local"},
		DefaultServiceExportTo:         []string{"."},
		DefaultVirtualServiceExportTo:  []string{"."},
		DefaultDestinationRuleExportTo: []string{".", "istio-system"},
		OutboundTrafficPolicy:          RegistryOnly,
		EnableAutoMTLS:                 &no,
		FromMeshConfig:                 true,
	}
	for _, tc := range []struct{ name, content string }{
		{"MeshConfig", `# istioctl --meshConfigFile
rootNamespace: istio-config
trustDomain: corp.example
trustDomainAliases: [old.example, cluster.local]
defaultServiceExportTo: ["."]
defaultVirtualServiceExportTo: ["."]
defaultDestinationRuleExportTo: [".", istio-system]
outboundTrafficPolicy:
  mode: REGISTRY_ONLY
enableAutoMtls: false
accessLogFile: /dev/stdout
defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
  anything: [is, skipped]
`},
		{"proto names and enum numbers", `root_namespace: istio-config
trust_domain: corp.example
trust_domain_aliases: [old.example, cluster.local]
default_service_export_to: ["."]
default_virtual_service_export_to: ["."]
default_destination_rule_export_to: [".", istio-system]
outbound_traffic_policy: {mode: 0}
enable_auto_mtls: false
`},
		// Istio reads MeshConfig with sigs.k8s.io/yaml (YAML 1.1): a plain
		// off is false.
		{"YAML 1.1 boolean", `rootNamespace: istio-config
trustDomain: corp.example
trustDomainAliases: [old.example, cluster.local]
defaultServiceExportTo: ["."]
defaultVirtualServiceExportTo: ["."]
defaultDestinationRuleExportTo: [".", istio-system]
outboundTrafficPolicy: {mode: REGISTRY_ONLY}
enableAutoMtls: off
`},
		{"ConfigMap", `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  meshNetworks: 'networks: {}'
  mesh: |-
    rootNamespace: istio-config
    trustDomain: corp.example
    trustDomainAliases:
    - old.example
    - cluster.local
    defaultServiceExportTo: ["."]
    defaultVirtualServiceExportTo: ["."]
    defaultDestinationRuleExportTo: [".", istio-system]
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
    enableAutoMtls: false
`},
		{"IstioOperator", `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: default
  meshConfig:
    rootNamespace: istio-config
    trustDomain: corp.example
    trustDomainAliases:
    - old.example
    - cluster.local
    defaultServiceExportTo: ["."]
    defaultVirtualServiceExportTo: ["."]
    defaultDestinationRuleExportTo: [".", istio-system]
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
    enableAutoMtls: false
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMeshConfig("mesh.yaml", []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestMeshConfigEmpty(t *testing.T) {
	for _, content := range []string{"", "{}\n", "kind: IstioOperator\nspec: {profile: demo}\n", "kind: ConfigMap\ndata:\n  mesh: \"\"\n"} {
		got, err := ParseMeshConfig("mesh.yaml", []byte(content))
		if err != nil || !reflect.DeepEqual(got, MeshSettings{FromMeshConfig: true}) {
			t.Errorf("%q: %+v, %v; want nothing set", content, got, err)
		}
	}
}

// TestIstioOperatorScopeGateways checks that PILOT_SCOPE_GATEWAY_TO_NAMESPACE
// is read from an IstioOperator's istiod environment, as Helm values or as
// the Deployment's own entries (which the operator patches in last), and
// that a value istiod could not parse is an error at its line.
func TestIstioOperatorScopeGateways(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name, content string
		want          *bool
		err           string
	}{
		{"values", "kind: IstioOperator\nspec:\n  values:\n    pilot:\n      env:\n        PILOT_SCOPE_GATEWAY_TO_NAMESPACE: true\n", &yes, ""},
		{"values quoted", "kind: IstioOperator\nspec:\n  values:\n    pilot:\n      env: {PILOT_SCOPE_GATEWAY_TO_NAMESPACE: \"1\"}\n", &yes, ""},
		{"components", "kind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s:\n        env:\n        - {name: PILOT_ENABLE_ALPHA_GATEWAY_API, value: \"true\"}\n        - {name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: \"TRUE\"}\n", &yes, ""},
		{"components win over values", "kind: IstioOperator\nspec:\n  values: {pilot: {env: {PILOT_SCOPE_GATEWAY_TO_NAMESPACE: \"true\"}}}\n  components: {pilot: {k8s: {env: [{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: \"false\"}]}}}\n", &no, ""},
		{"other variables only", "kind: IstioOperator\nspec:\n  values: {pilot: {env: {PILOT_HTTP10: \"true\"}}}\n", nil, ""},
		{"not a boolean", "kind: IstioOperator\nspec:\n  values:\n    pilot:\n      env:\n        PILOT_SCOPE_GATEWAY_TO_NAMESPACE: enabled\n", nil,
			`mesh.yaml:6: spec.values.pilot.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE: want true or false, got "enabled" (istiod would ignore it and keep false)`},
		// A MeshConfig has no such field: only an IstioOperator is read.
		{"ConfigMap", "kind: ConfigMap\ndata:\n  mesh: |\n    rootNamespace: istio-system\n", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMeshConfig("mesh.yaml", []byte(tc.content))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error:\n%v\nwant:\n%s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.ScopeGatewayToNamespace, tc.want) {
				t.Errorf("ScopeGatewayToNamespace = %v, want %v", fmtBool(got.ScopeGatewayToNamespace), fmtBool(tc.want))
			}
		})
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "unset"
	}
	return fmt.Sprint(*b)
}

func TestMeshConfigProviders(t *testing.T) {
	s, err := ParseMeshConfig("mesh.yaml", []byte(`extensionProviders:
- name: otel
  opentelemetry: {service: otel-collector.observability.svc.cluster.local, port: 4317}
- name: ext-authz
  envoy_ext_authz_grpc: {service: authz.authz.svc.cluster.local, port: 9000}
- name: envoy
  envoyOtelAls: {service: otel-collector.observability.svc.cluster.local, port: 4317}
defaultProviders:
  accessLogging: [envoy]
  tracing: [otel]
`))
	if err != nil {
		t.Fatal(err)
	}
	m := DefaultMesh()
	s.Apply(&m)
	want := []ExtensionProvider{
		{"prometheus", "prometheus"}, {"stackdriver", "stackdriver"}, {"envoy", "envoy_otel_als"},
		{"otel", "opentelemetry"}, {"ext-authz", "envoy_ext_authz_grpc"},
	}
	if !m.ProvidersKnown || !reflect.DeepEqual(m.ExtensionProviders, want) {
		t.Errorf("providers %v (known %v), want %v", m.ExtensionProviders, m.ProvidersKnown, want)
	}
	if want := (DefaultProviders{AccessLogging: []string{"envoy"}, Tracing: []string{"otel"}}); !reflect.DeepEqual(m.DefaultProviders, want) {
		t.Errorf("default providers %+v, want %+v", m.DefaultProviders, want)
	}
	if p, ok := m.Provider("OTEL", true); !ok || p.Type != "opentelemetry" {
		t.Errorf("Provider(OTEL, fold) = %v, %v", p, ok)
	}
	if _, ok := m.Provider("OTEL", false); ok {
		t.Error("Provider(OTEL) without folding found otel")
	}

	// Without a MeshConfig only Istio's built-in providers are known.
	d := DefaultMesh()
	if d.ProvidersKnown || !reflect.DeepEqual(d.ProviderNames(), []string{"prometheus", "stackdriver", "envoy"}) {
		t.Errorf("default mesh: known %v, names %v", d.ProvidersKnown, d.ProviderNames())
	}
}

func TestMeshConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"provider without a type", "extensionProviders:\n- name: otel\n",
			`mesh.yaml:2: extensionProviders[0]: provider "otel" sets no type (one of envoyExtAuthzHttp, envoyExtAuthzGrpc, zipkin, lightstep, datadog, stackdriver, opencensus, skywalking, opentelemetry, prometheus, envoyFileAccessLog, envoyHttpAls, envoyTcpAls, envoyOtelAls, sds)`},
		{"provider with two types", "extensionProviders:\n- name: otel\n  zipkin: {}\n  datadog: {}\n",
			`mesh.yaml:4: extensionProviders[0]: sets both zipkin and datadog; a provider has one type`},
		{"misspelt provider type", "extensionProviders:\n- name: otel\n  opentelemtry: {}\n",
			`mesh.yaml:3: unknown key "opentelemtry" in extensionProviders[0] (did you mean "opentelemetry"?)`},
		{"unknown field", "rootNamespace: x\nrootNamspace: y\n",
			`mesh.yaml:2: unknown key "rootNamspace" (did you mean "rootNamespace"?)`},
		{"unknown field in a ConfigMap literal", "kind: ConfigMap\ndata:\n  mesh: |\n    trustDomain: a\n    enableAutoMTLS: true\n",
			`mesh.yaml:5: unknown key "enableAutoMTLS" (did you mean "enableAutoMtls"?)`},
		{"unknown field in a quoted ConfigMap string", "kind: ConfigMap\ndata:\n  mesh: \"trustDomain: a\\nfoo: 1\"\n",
			`mesh.yaml:3: unknown key "foo"`},
		{"ConfigMap without mesh", "kind: ConfigMap\ndata:\n  meshNetworks: x\n",
			`mesh.yaml:1: ConfigMap has no data.mesh (is it the istio ConfigMap?)`},
		{"another kind", "apiVersion: v1\nkind: Secret\n",
			`mesh.yaml:2: kind Secret is not a MeshConfig, the istio ConfigMap or an IstioOperator`},
		{"wrong type", "enableAutoMtls: \"false\"\n",
			`mesh.yaml:1: enableAutoMtls: want true or false, got "false"`},
		{"bad mode", "outboundTrafficPolicy:\n  mode: DENY\n",
			`mesh.yaml:2: outboundTrafficPolicy.mode: unknown mode "DENY" (want ALLOW_ANY, REGISTRY_ONLY, ALLOW_ANY_DYNAMIC_DNS)`},
		{"unknown key in outboundTrafficPolicy", "outboundTrafficPolicy:\n  mdoe: ALLOW_ANY\n",
			`mesh.yaml:2: unknown key "mdoe" in outboundTrafficPolicy (did you mean "mode"?)`},
		{"bad exportTo", "defaultServiceExportTo: [\"~\", \"*\"]\n",
			`mesh.yaml:1: defaultServiceExportTo: "~" cannot be combined with other values`},
		{"bad exportTo namespace", "defaultDestinationRuleExportTo: [Foo]\n",
			`mesh.yaml:1: defaultDestinationRuleExportTo: "Foo" is not a namespace name, ".", "*" or "~"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMeshConfig("mesh.yaml", []byte(tc.content))
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}

func TestReadMeshConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mesh.yaml")
	write(t, p, "trustDomain: td\n")
	s, err := ReadMeshConfig(p, "")
	if err != nil || s.TrustDomain != "td" {
		t.Errorf("ReadMeshConfig = %+v, %v", s, err)
	}
	if _, err := ReadMeshConfig(p+".missing", "m.yaml"); err == nil || !strings.HasPrefix(err.Error(), "m.yaml: cannot read") {
		t.Errorf("missing file: %v", err)
	}
}

func TestJSONName(t *testing.T) {
	for proto, want := range map[string]string{
		"default_service_export_to": "defaultServiceExportTo",
		"mesh_mTLS":                 "meshMTLS",
		"ca":                        "ca",
		"h2_upgrade_policy":         "h2UpgradePolicy",
	} {
		if got := jsonName(proto); got != want {
			t.Errorf("jsonName(%s) = %s, want %s", proto, got, want)
		}
	}
}

// TestMeshConfigFieldsMatchAPI checks meshConfigFields against the
// MeshConfig message of the istio.io/api module in go.mod, when the module
// is in the module cache.
func TestMeshConfigFieldsMatchAPI(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "istio.io/api").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skip("istio.io/api is not available:", err)
	}
	f, err := os.Open(filepath.Join(dir, "mesh", "v1alpha1", "config.proto"))
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	field := regexp.MustCompile(`^  (?:repeated |optional )?(?:map<[\w., ]+>|[\w.]+) (\w+) = \d+`)
	reserved := regexp.MustCompile(`^  reserved "(\w+)";`)
	var want []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "message MeshConfig {":
			in = true
		case in && line == "}":
			in = false
		case in:
			if m := field.FindStringSubmatch(line); m != nil {
				want = append(want, m[1])
			} else if m := reserved.FindStringSubmatch(line); m != nil {
				want = append(want, m[1])
			}
		}
	}
	got := append([]string(nil), meshConfigFields...)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("meshConfigFields differ from config.proto:\ngot  %v\nwant %v", got, want)
	}
}
