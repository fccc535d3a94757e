package yamlpath

import (
	"strconv"

	"istio.io/api/annotation"
	"istio.io/api/label"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Kubernetes reads manifests with sigs.k8s.io/yaml, whose YAMLToJSON
// decodes them with a fork of go-yaml v2: YAML 1.1, where the plain
// (unquoted, untagged) words y, yes, on, n, no and off, capitalised or in
// capitals, are booleans, as true and false are. yaml.v3 and the fast
// parser read YAML 1.2 and tag those words !!str, so that a node's tag
// alone would have `name: y` a string, which the API server rejects, and
// `publishNotReadyAddresses: yes` a string, which it accepts as true.

// Bool reports whether Kubernetes reads scalar n as a boolean, and as
// which: true, false and their capitalised forms (tagged !!bool), and the
// YAML 1.1 words of YAML11Bool.
func Bool(n *yaml.Node) (value, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return false, false
	}
	if v, ok := YAML11Bool(n); ok {
		return v, true
	}
	if n.ShortTag() != "!!bool" {
		return false, false
	}
	// go-yaml v2 resolves an explicitly tagged !!bool by the same table;
	// it rejects the document for any other text.
	return yaml11Words(n.Value)
}

// YAML11Bool reports whether n is a boolean to Kubernetes that yaml.v3
// reads as a string: a plain y, Y, yes, Yes, YES, on, On or ON (true) or
// n, N, no, No, NO, off, Off or OFF (false). Quoted, block and tagged
// scalars are strings to both. (A scalar with the non-specific tag "!" is
// a string to go-yaml v2 too, but yaml.v3's node does not keep that tag,
// and it is read as plain here.)
func YAML11Bool(n *yaml.Node) (value, ok bool) {
	// Style 0 is a plain scalar without a tag: quoting, a block style
	// or an explicit tag each set a bit.
	if n == nil || n.Kind != yaml.ScalarNode || n.Style != 0 || len(n.Value) > MaxBoolWord {
		return false, false
	}
	// The table's true and false are longer than MaxBoolWord, and tagged
	// !!bool by yaml.v3 anyway. A node built in code may carry another tag
	// without a style bit.
	if value, ok = yaml11Words(n.Value); !ok || n.ShortTag() != "!!str" {
		return false, false
	}
	return value, true
}

// MaxBoolWord is the length of the longest word YAML11Bool takes, for a
// hot loop to test before it calls it.
const MaxBoolWord = 3

// yaml11Words looks s up in go-yaml v2's table of booleans.
func yaml11Words(s string) (value, ok bool) {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE":
		return true, true
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// BoolNote explains a YAML11Bool node to a user who meant a string, as
// "Kubernetes reads the unquoted yes as the boolean true"; "" for any other
// node.
func BoolNote(n *yaml.Node) string {
	v, ok := YAML11Bool(n)
	if !ok {
		return ""
	}
	return "Kubernetes reads the unquoted " + n.Value + " as the boolean " + strconv.FormatBool(v)
}

// StringFix says how to write, as the value of the mapping key key, a
// YAML11Bool node n that a string was wanted for: quoted, as a rule; for
// the labels and annotations that Istio reads as a boolean spelled exactly
// "true" or "false" (the injector's injectRequired, the merge-metrics
// setting), the boolean Kubernetes read, since a quoted on is refused as
// the plain one was.
func StringFix(n *yaml.Node, key string) string {
	v, ok := YAML11Bool(n)
	if !ok || !istioBooleans[key] {
		return "quote it"
	}
	return "write " + strconv.Quote(strconv.FormatBool(v)) + `: Istio reads only "true" and "false"`
}

var istioBooleans = map[string]bool{
	annotation.SidecarInject.Name:          true,
	label.SidecarInject.Name:               true,
	annotation.PrometheusMergeMetrics.Name: true,
}

// KeyName returns the name Kubernetes gives the mapping key k when k is a
// boolean: YAMLToJSON turns it into "true" or "false" (a label written y:
// is the label "true"). Any other key is returned as written, although
// YAMLToJSON rewrites some numbers too (0x1F: is "31").
func KeyName(k *yaml.Node) string {
	if v, ok := Bool(k); ok {
		return strconv.FormatBool(v)
	}
	return k.Value
}
