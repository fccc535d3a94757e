package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// meshConfigFields are the fields of Istio's MeshConfig (istio.io/api
// v1.32.0, mesh/v1alpha1/config.proto), by proto name; YAML may use the
// proto name or its lowerCamelCase JSON name, as protojson does. The
// retired (reserved) names are accepted too, since old ConfigMaps still
// carry them and Istio ignores them. Only the fields that change what
// meshlint concludes are read; the others are skipped unread.
var meshConfigFields = []string{
	// Current fields.
	"proxy_listen_port", "proxy_inbound_listen_port", "proxy_http_port",
	"connect_timeout", "hbone_idle_timeout", "protocol_detection_timeout",
	"tcp_keepalive", "ingress_class", "ingress_service",
	"ingress_controller_mode", "ingress_selector", "enable_tracing",
	"access_log_file", "access_log_format", "access_log_encoding",
	"enable_envoy_access_log_service", "disable_envoy_listener_log",
	"default_config", "outbound_traffic_policy", "inbound_traffic_policy",
	"config_sources", "enable_auto_mtls", "trust_domain",
	"trust_domain_aliases", "ca_certificates", "default_service_export_to",
	"default_virtual_service_export_to", "default_destination_rule_export_to",
	"root_namespace", "locality_lb_setting", "zone_aware_lb_setting",
	"dns_refresh_rate", "h2_upgrade_policy", "inbound_cluster_stat_name",
	"outbound_cluster_stat_name", "certificates", "service_settings",
	"service_scope_configs", "enable_prometheus_merge",
	"verify_certificate_at_client", "ca", "extension_providers",
	"default_providers", "discovery_selectors", "path_normalization",
	"default_http_retry_policy", "default_inbound_http_retry_policy",
	"mesh_mTLS", "tls_defaults", "default_traffic_policy",
	"service_entry_visibility",
	// Retired fields.
	"thrift_config", "mixer_check_server", "mixer_report_server",
	"disable_policy_checks", "disable_mixer_http_reports",
	"policy_check_fail_open", "sidecar_to_telemetry_session_affinity",
	"auth_policy", "rds_refresh_delay", "mixer_address",
	"enable_client_side_policy_check", "sds_uds_path", "sds_refresh_delay",
	"enable_sds_token_mount", "sds_use_k8s_sa_jwt",
	"termination_drain_duration", "disable_report_batch",
	"report_batch_max_entries", "report_batch_max_time", "file_flush_interval",
	"file_flush_min_size",
}

// jsonName is protojson's JSON name of a proto field: lowerCamelCase.
func jsonName(proto string) string {
	var b strings.Builder
	up := false
	for _, r := range proto {
		if r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

// meshConfigKeys are the accepted keys: JSON names first, so that
// suggestions use the spelling Istio's documentation shows.
var meshConfigKeys = func() []string {
	var keys []string
	for _, f := range meshConfigFields {
		keys = append(keys, jsonName(f))
	}
	for _, f := range meshConfigFields {
		if jsonName(f) != f {
			keys = append(keys, f)
		}
	}
	return keys
}()

// ReadMeshConfig reads the Istio MeshConfig at path; see ParseMeshConfig.
// Messages name the file display (path when empty).
func ReadMeshConfig(path, display string) (MeshSettings, error) {
	if display == "" {
		display = path
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return MeshSettings{}, &Error{File: display, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}
	}
	return ParseMeshConfig(display, data)
}

// ParseMeshConfig reads the settings meshlint uses from an Istio MeshConfig
// in one of three forms: the MeshConfig itself (what the `mesh` key of the
// istio ConfigMap holds, or istioctl's --meshConfigFile), the istio
// ConfigMap (kind: ConfigMap, data.mesh), or an IstioOperator
// (spec.meshConfig). Unknown MeshConfig fields are errors, with their line.
func ParseMeshConfig(name string, data []byte) (MeshSettings, error) {
	d := &decoder{file: name}
	root := resolve(d.parseYAML(data))
	// fields reads the MeshConfig's fields: a MeshConfig inside a
	// ConfigMap string has lines of its own.
	fields := d
	var scope *bool
	if kind := yamlpath.Field(root, "kind"); kind != nil {
		if resolve(kind).Value == "IstioOperator" {
			scope = d.istiodScopeGateways(root)
		}
		root, fields = d.unwrapMeshConfig(root, resolve(kind))
		if root == nil {
			return MeshSettings{FromMeshConfig: true}, d.err()
		}
	}
	s := fields.meshConfig(root)
	s.ScopeGatewayToNamespace = scope
	if fields != d {
		d.errs = append(d.errs, fields.errs...)
	}
	return s, d.err()
}

// scopeGatewayEnv is istiod's environment variable that scopes Gateways to
// their namespace (pilot/pkg/features ScopeGatewayToNamespace): not a
// MeshConfig field, but an IstioOperator sets it beside the MeshConfig.
const scopeGatewayEnv = "PILOT_SCOPE_GATEWAY_TO_NAMESPACE"

// istiodScopeGateways reads PILOT_SCOPE_GATEWAY_TO_NAMESPACE from an
// IstioOperator: from the Helm values (spec.values.pilot.env, a map the
// istiod chart turns into env entries) and from the istiod Deployment's own
// entries (spec.components.pilot.k8s.env), which the operator writes after
// the chart's and so win. nil when neither sets it.
func (d *decoder) istiodScopeGateways(root *yaml.Node) *bool {
	spec := resolve(yamlpath.Field(root, "spec"))
	var out *bool
	valuesEnv := resolve(yamlpath.Field(resolve(yamlpath.Field(resolve(yamlpath.Field(spec, "values")), "pilot")), "env"))
	if valuesEnv != nil && valuesEnv.Kind == yaml.MappingNode {
		if v := yamlpath.Field(valuesEnv, scopeGatewayEnv); v != nil {
			out = d.envBool(v, "spec.values.pilot.env."+scopeGatewayEnv)
		}
	}
	k8sEnv := resolve(yamlpath.Field(resolve(yamlpath.Field(resolve(yamlpath.Field(resolve(yamlpath.Field(spec, "components")), "pilot")), "k8s")), "env"))
	if k8sEnv != nil && k8sEnv.Kind == yaml.SequenceNode {
		for _, e := range k8sEnv.Content {
			e = resolve(e)
			if name := resolve(yamlpath.Field(e, "name")); name == nil || name.Value != scopeGatewayEnv {
				continue
			}
			if v := yamlpath.Field(e, "value"); v != nil {
				out = d.envBool(v, "spec.components.pilot.k8s.env "+scopeGatewayEnv)
			}
		}
	}
	return out
}

// envBool reads a boolean environment variable's value as istiod does
// (strconv.ParseBool: true, 1, t, TRUE...), or as the YAML boolean the
// chart quotes into one. A value istiod cannot read leaves its default,
// false, in force: it is reported rather than guessed at.
func (d *decoder) envBool(n *yaml.Node, where string) *bool {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if b, ok := yamlpath.Bool(n); ok {
		return &b
	}
	if n.Kind == yaml.ScalarNode {
		if b, err := strconv.ParseBool(n.Value); err == nil {
			return &b
		}
	}
	d.errorf(n, "%s: want true or false, got %s (istiod would ignore it and keep false)", where, describe(n))
	return nil
}

func (d *decoder) meshConfig(n *yaml.Node) MeshSettings {
	s := MeshSettings{FromMeshConfig: true}
	d.mapping(n, "", meshConfigKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "rootNamespace", "root_namespace":
			s.RootNamespace = d.namespaceName(v, key)
		case "trustDomain", "trust_domain":
			s.TrustDomain = d.str(v, key)
		case "trustDomainAliases", "trust_domain_aliases":
			for _, it := range d.list(v, key) {
				s.TrustDomainAliases = append(s.TrustDomainAliases, it.value)
			}
		case "defaultServiceExportTo", "default_service_export_to":
			s.DefaultServiceExportTo = d.exportTo(v, key)
		case "defaultVirtualServiceExportTo", "default_virtual_service_export_to":
			s.DefaultVirtualServiceExportTo = d.exportTo(v, key)
		case "defaultDestinationRuleExportTo", "default_destination_rule_export_to":
			s.DefaultDestinationRuleExportTo = d.exportTo(v, key)
		case "enableAutoMtls", "enable_auto_mtls":
			s.EnableAutoMTLS = d.boolean(v, key)
		case "extensionProviders", "extension_providers":
			s.ExtensionProviders = d.extensionProviders(v, key)
		case "defaultProviders", "default_providers":
			s.DefaultProviders = d.defaultProviders(v, key)
		case "outboundTrafficPolicy", "outbound_traffic_policy":
			d.mapping(v, key, []string{"mode", "tls"}, func(k string, _, v *yaml.Node) {
				if k == "mode" {
					s.OutboundTrafficPolicy = d.outboundMode(v, key+".mode")
				}
			})
		}
	})
	return s
}

// unwrapMeshConfig returns the MeshConfig inside a ConfigMap or an
// IstioOperator and the decoder to read it with, or a nil node (with an
// error when root is not one of those).
func (d *decoder) unwrapMeshConfig(root, kind *yaml.Node) (*yaml.Node, *decoder) {
	switch kind.Value {
	case "ConfigMap":
		mesh := resolve(yamlpath.Field(resolve(yamlpath.Field(root, "data")), "mesh"))
		if mesh == nil {
			d.errorf(root, "ConfigMap has no data.mesh (is it the istio ConfigMap?)")
			return nil, d
		}
		if mesh.Kind != yaml.ScalarNode || mesh.ShortTag() != "!!str" {
			d.errorf(mesh, "data.mesh: want a string holding the MeshConfig, got %s", describe(mesh))
			return nil, d
		}
		// The MeshConfig is YAML inside a string. The lines of a literal
		// block (mesh: |) map back to this file; those of other styles
		// do not, so their errors name the line of data.mesh.
		inner := &decoder{file: d.file}
		if mesh.Style&yaml.LiteralStyle != 0 {
			inner.lineOffset = mesh.Line
		} else {
			inner.fixedLine = mesh.Line
		}
		n := resolve(inner.parseYAML([]byte(mesh.Value)))
		if n == nil {
			d.errs = append(d.errs, inner.errs...)
			return nil, d
		}
		return n, inner
	case "IstioOperator":
		mc := resolve(yamlpath.Field(resolve(yamlpath.Field(root, "spec")), "meshConfig"))
		if mc == nil {
			// An IstioOperator that sets no MeshConfig keeps Istio's
			// defaults.
			return &yaml.Node{Kind: yaml.MappingNode}, d
		}
		return mc, d
	}
	d.errorf(kind, "kind %s is not a MeshConfig, the istio ConfigMap or an IstioOperator", kind.Value)
	return nil, d
}
