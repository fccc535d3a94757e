package graph

import (
	"crypto/x509"
	"encoding/pem"
	"sort"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ConfigMap is a core ConfigMap, as far as a CA certificate reference
// needs it. Its data is not kept: a tree may hold thousands of ConfigMaps
// (dashboards, scripts) that nothing else reads.
type ConfigMap struct {
	Meta
	c *configMapFacts
}

// configMapFacts is what meshlint keeps of a ConfigMap, by Prepare for the
// cache (facts.ConfigMap): the fields are exported for its gob encoding
// only.
type configMapFacts struct {
	// Keys are the keys of data, sorted. binaryData is left out, as Istio
	// reads CA certificates from data alone (ExtractRootFromString).
	Keys []string
	// CAKey is the key Istio reads a CA certificate from: the first of
	// cacert and ca.crt whose value is not empty, "" when neither.
	CAKey string
	// CAParses is true when CAKey holds a PEM certificate that parses.
	CAParses bool
}

// Keys lists the keys of the ConfigMap's data, sorted.
func (c *ConfigMap) Keys() []string { return c.c.Keys }

// CheckCABundle reports why Istio cannot read a CA certificate from the
// ConfigMap, as buildCaCertificateReference does (ExtractRootFromString,
// then x509.CertPool.AppendCertsFromPEM): the first non-empty of "cacert"
// and "ca.crt" of its data must hold at least one PEM certificate that
// parses. Dates are not checked. It returns "" for a usable ConfigMap.
func (c *ConfigMap) CheckCABundle() string {
	switch {
	case c.c.CAKey != "" && c.c.CAParses:
		return ""
	case c.c.CAKey != "":
		return c.c.CAKey + " holds no PEM certificate that parses"
	}
	for _, k := range caKeys {
		if c.has(k) {
			return k + " is empty"
		}
	}
	return "it has neither cacert nor ca.crt (keys: " + keyList(c.c.Keys) + ")"
}

func (c *ConfigMap) has(key string) bool {
	i := sort.SearchStrings(c.c.Keys, key)
	return i < len(c.c.Keys) && c.c.Keys[i] == key
}

// caKeys are the keys Istio reads a CA certificate from, in its order
// (credentials/kube ExtractRoot): GenericScrtCaCert, then TLSSecretCaCert.
var caKeys = []string{"cacert", "ca.crt"}

// FindConfigMap returns the ConfigMap namespace/name, or nil.
func (g *Graph) FindConfigMap(ns, name string) *ConfigMap {
	o := g.configMaps[[2]string{ns, name}]
	if o == nil {
		return nil
	}
	var f *configMapFacts
	if p := preparedOf(o); p != nil {
		f = p.f().ConfigMap
	}
	if f == nil {
		f = readConfigMap(o)
	}
	if f == nil {
		return nil
	}
	return &ConfigMap{Meta: Meta{Obj: o}, c: f}
}

// readConfigMap reads what configMapFacts keeps of ConfigMap o from its
// nodes, or returns nil when they are gone.
func readConfigMap(o *manifest.Object) *configMapFacts {
	root := o.Root()
	if root == nil {
		return nil
	}
	f := &configMapFacts{}
	data := yamlpath.Field(root, "data")
	if data == nil || data.Kind != yaml.MappingNode {
		return f
	}
	values := map[string]string{}
	for i := 0; i+1 < len(data.Content); i += 2 {
		k, v := data.Content[i], data.Content[i+1]
		f.Keys = append(f.Keys, manifest.Intern(k.Value))
		if v.Kind == yaml.ScalarNode && (k.Value == caKeys[0] || k.Value == caKeys[1]) {
			values[k.Value] = v.Value
		}
	}
	sort.Strings(f.Keys)
	for _, k := range caKeys {
		if v := values[k]; v != "" {
			f.CAKey, f.CAParses = k, CABundleParses([]byte(v))
			break
		}
	}
	return f
}

// CABundleParses reports whether data holds at least one PEM certificate
// that parses, as x509.CertPool.AppendCertsFromPEM requires of the CA
// bundle Istio reads for a Gateway's client certificate validation: blocks
// of another type, or with headers, are skipped.
func CABundleParses(data []byte) bool {
	for len(data) > 0 {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return false
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err == nil {
			return true
		}
	}
	return false
}
