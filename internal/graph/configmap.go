package graph

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"

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
	// Overlays are the keys among the overlays of Istio's Gateway
	// deployment controller whose value it cannot read as a patch, sorted
	// by key. Values are not kept, for the reason given on ConfigMap.
	Overlays []OverlayFault
}

// OverlayFault is a data key of a ConfigMap that Istio's Gateway
// deployment controller reads as a patch (supportedOverlays) but whose
// value it cannot read as a YAML mapping, so that it renders none of the
// Gateway's objects.
type OverlayFault struct {
	Key string
	// Msg says what is wrong, without the key.
	Msg string
	// Loc is where in the file: inside a literal block, the node at
	// fault; otherwise, or when the YAML does not parse, the value.
	Loc manifest.Loc
}

// GatewayOverlays are the keys of a Gateway's parameters ConfigMap that
// Istio's deployment controller applies, each as a strategic merge patch
// over one object it renders (supportedOverlays,
// gatewaycommon/deploymentcontroller.go), sorted.
var GatewayOverlays = []string{"deployment", "horizontalPodAutoscaler", "podDisruptionBudget", "service", "serviceAccount"}

// OverlayFaults lists the overlay keys whose value Istio cannot read as a
// patch, sorted by key.
func (c *ConfigMap) OverlayFaults() []OverlayFault { return c.c.Overlays }

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

// noteConfigMap records ConfigMap o for FindConfigMap and
// FindConfigMapFor.
func (g *Graph) noteConfigMap(o *manifest.Object) {
	k := [2]string{o.Namespace, o.Name}
	first := g.configMaps[k]
	switch {
	case first == nil:
		g.configMaps[k] = o
		return
	case g.configMapCopies == nil:
		g.configMapCopies = map[[2]string][]*manifest.Object{}
	}
	if g.configMapCopies[k] == nil {
		g.configMapCopies[k] = []*manifest.Object{first}
	}
	g.configMapCopies[k] = append(g.configMapCopies[k], o)
	if CompareDefinitions(o, first) < 0 {
		g.configMaps[k] = o
	}
}

// FindConfigMap returns the ConfigMap namespace/name, or nil; of its
// definitions, the first written (CompareDefinitions).
func (g *Graph) FindConfigMap(ns, name string) *ConfigMap {
	return g.configMap(g.configMaps[[2]string{ns, name}])
}

// FindConfigMapFor returns the ConfigMap namespace/name that definition
// from of the object that names it goes with (Counterpart), or nil.
func (g *Graph) FindConfigMapFor(from *manifest.Object, ns, name string) *ConfigMap {
	k := [2]string{ns, name}
	if defs := g.configMapCopies[k]; defs != nil {
		return g.configMap(counterpartFunc(g, from, defs, func(o *manifest.Object) *manifest.Object { return o }))
	}
	return g.configMap(g.configMaps[k])
}

// configMap returns what is kept of ConfigMap o, nil for none.
func (g *Graph) configMap(o *manifest.Object) *ConfigMap {
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
	for k, v := range yamlpath.Entries(data) {
		f.Keys = append(f.Keys, manifest.Intern(k.Value))
		if v.Kind == yaml.ScalarNode && (k.Value == caKeys[0] || k.Value == caKeys[1]) {
			values[k.Value] = v.Value
		}
		if _, ok := slices.BinarySearch(GatewayOverlays, k.Value); ok {
			if msg, loc := checkOverlay(embedded{o: o, key: "data." + k.Value, n: v}); msg != "" {
				f.Overlays = append(f.Overlays, OverlayFault{Key: manifest.Intern(k.Value), Msg: msg, Loc: loc})
			}
		}
	}
	sort.Strings(f.Keys)
	sort.Slice(f.Overlays, func(i, j int) bool { return f.Overlays[i].Key < f.Overlays[j].Key })
	for _, k := range caKeys {
		if v := values[k]; v != "" {
			f.CAKey, f.CAParses = k, CABundleParses([]byte(v))
			break
		}
	}
	return f
}

// checkOverlay reports why Istio cannot read e's value as a patch, and
// where; "" when it can. Istio reads it with sigs.k8s.io/yaml into a
// map[string]any (patchHandleUnmarshal): the YAML must parse, its root
// must be a mapping or null (an empty value patches nothing), and every
// mapping key must be a string, number or boolean, which JSON can hold.
// The YAML is parsed here with yaml.v3 where Istio's parser is yaml.v2:
// they differ in corner cases only, and a duplicate key, which v2
// accepts, is not checked since a yaml.Node decode keeps both.
func checkOverlay(e embedded) (string, manifest.Loc) {
	if !kubeString(e.n) {
		return "", manifest.Loc{} // the API server takes only strings
	}
	var doc yaml.Node
	err := yaml.NewDecoder(strings.NewReader(e.n.Value)).Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		return "", manifest.Loc{}
	case err != nil:
		// The parser's line is the problem's for a scanner error but one
		// before it for a parser error, and missing on the first line, so
		// the finding points at the value rather than at a wrong line.
		msg := yamlErrLine.ReplaceAllString(err.Error(), "")
		return "not valid YAML: " + strings.TrimPrefix(msg, "yaml: "), manifest.LocOf(e.n)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if isNullNode(root) {
		return "", manifest.Loc{}
	}
	if root.Kind != yaml.MappingNode {
		return "expected a mapping, got " + describeNode(root), e.fileLoc(manifest.LocOf(root))
	}
	if k := badKey(root); k != nil {
		return "a mapping key must be a string, number or boolean, got " + describeKey(k), e.fileLoc(manifest.LocOf(k))
	}
	return "", manifest.Loc{}
}

// badKey returns the first mapping key under n that JSON cannot hold
// (sigs.k8s.io/yaml convertToJSONableObject: a list, a mapping or null).
func badKey(n *yaml.Node) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
				return n.Content[i]
			}
			if b := badKey(n.Content[i+1]); b != nil {
				return b
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if b := badKey(c); b != nil {
				return b
			}
		}
	}
	return nil
}

func describeKey(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind == yaml.ScalarNode {
		return "null"
	}
	return describeNode(k)
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
