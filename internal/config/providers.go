package config

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ExtensionProvider is an entry of MeshConfig extensionProviders: its name
// and its type, the field of the provider oneof it sets, by proto name
// (e.g. "envoy_ext_authz_grpc", "opentelemetry").
type ExtensionProvider struct {
	Name, Type string
}

// TypeName is the provider's type as MeshConfig YAML spells it, e.g.
// "envoyExtAuthzGrpc".
func (p ExtensionProvider) TypeName() string { return jsonName(p.Type) }

// DefaultProviders is MeshConfig defaultProviders: the providers Telemetry
// uses where it names none.
type DefaultProviders struct {
	Tracing, Metrics, AccessLogging []string
}

// providerTypes are the fields of MeshConfig.ExtensionProvider's provider
// oneof (istio.io/api v1.32.0, mesh/v1alpha1/config.proto).
var providerTypes = []string{
	"envoy_ext_authz_http", "envoy_ext_authz_grpc", "zipkin", "lightstep",
	"datadog", "stackdriver", "opencensus", "skywalking", "opentelemetry",
	"prometheus", "envoy_file_access_log", "envoy_http_als", "envoy_tcp_als",
	"envoy_otel_als", "sds",
}

// builtinProviders are the extension providers of Istio's default
// MeshConfig (DefaultMeshConfig in istio/istio pkg/config/mesh): a
// MeshConfig's own providers are merged into them by name.
var builtinProviders = []ExtensionProvider{
	{Name: "prometheus", Type: "prometheus"},
	{Name: "stackdriver", Type: "stackdriver"},
	{Name: "envoy", Type: "envoy_file_access_log"},
}

// mergeProviders adds ps to base as Istio's ApplyMeshConfig does: a
// provider of a name base has replaces it, others are appended.
func mergeProviders(base, ps []ExtensionProvider) []ExtensionProvider {
	out := append([]ExtensionProvider(nil), base...)
	for _, p := range ps {
		replaced := false
		for i := range out {
			if out[i].Name == p.Name {
				out[i].Type, replaced = p.Type, true
				break
			}
		}
		if !replaced {
			out = append(out, p)
		}
	}
	return out
}

// Provider returns the extension provider of this name, and whether the
// mesh has one. fold matches the name case-insensitively, as Istio does
// for Telemetry (but not for AuthorizationPolicy's CUSTOM provider).
func (m Mesh) Provider(name string, fold bool) (ExtensionProvider, bool) {
	for _, p := range m.providers() {
		if p.Name == name || fold && strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return ExtensionProvider{}, false
}

// providers are the mesh's extension providers: Istio's built-in ones
// unless a MeshConfig was read.
func (m Mesh) providers() []ExtensionProvider {
	if m.ProvidersKnown {
		return m.ExtensionProviders
	}
	return builtinProviders
}

// ProviderNames lists the names of the mesh's extension providers.
func (m Mesh) ProviderNames() []string {
	var names []string
	for _, p := range m.providers() {
		names = append(names, p.Name)
	}
	return names
}

// extensionProviders reads MeshConfig extensionProviders.
func (d *decoder) extensionProviders(n *yaml.Node, where string) []ExtensionProvider {
	keys := []string{"name"}
	for _, t := range providerTypes {
		keys = append(keys, jsonName(t))
		if jsonName(t) != t {
			keys = append(keys, t)
		}
	}
	var out []ExtensionProvider
	seen := map[string]bool{}
	for i, c := range d.sequence(n, where) {
		at := fmt.Sprintf("%s[%d]", where, i)
		var p ExtensionProvider
		var nameNode *yaml.Node
		errs := len(d.errs)
		d.mapping(c, at, keys, func(key string, k, v *yaml.Node) {
			if key == "name" {
				p.Name, nameNode = d.str(v, at+".name"), v
				return
			}
			if p.Type != "" {
				d.errorf(k, "%s: sets both %s and %s; a provider has one type", at, jsonName(p.Type), key)
				return
			}
			p.Type = protoName(key)
		})
		switch {
		case p.Name == "":
			d.errorf(resolve(c), "%s: needs a name", at)
		case p.Type == "" && len(d.errs) == errs: // not after a misspelt type
			d.errorf(resolve(c), "%s: provider %q sets no type (one of %s)", at, p.Name, strings.Join(jsonNames(providerTypes), ", "))
		case seen[p.Name]:
			d.errorf(nameNode, "%s: duplicate provider name %q", at, p.Name)
		default:
			seen[p.Name] = true
			out = append(out, p)
		}
	}
	return out
}

// defaultProviders reads MeshConfig defaultProviders.
func (d *decoder) defaultProviders(n *yaml.Node, where string) *DefaultProviders {
	dp := &DefaultProviders{}
	names := func(v *yaml.Node, at string) []string {
		var out []string
		for _, it := range d.list(v, at) {
			out = append(out, it.value)
		}
		return out
	}
	d.mapping(n, where, []string{"tracing", "metrics", "accessLogging", "access_logging"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "tracing":
			dp.Tracing = names(v, where+".tracing")
		case "metrics":
			dp.Metrics = names(v, where+".metrics")
		default:
			dp.AccessLogging = names(v, where+"."+key)
		}
	})
	return dp
}

// protoName is the proto name of a provider type given by either name.
func protoName(key string) string {
	for _, t := range providerTypes {
		if key == t || key == jsonName(t) {
			return t
		}
	}
	return key
}

func jsonNames(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = jsonName(t)
	}
	return out
}
