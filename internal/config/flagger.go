package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/suggest"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// flaggerKeys are the keys of the file's flagger section.
var flaggerKeys = []string{"mesh-provider", "selector-labels"}

// flaggerExact are the providers that Flagger v1.36.1's Factory.MeshRouter
// (pkg/router/factory.go) matches whole, and flaggerPrefixes those it
// matches by prefix: "appmesh:v1beta2", "smi:v1alpha3:istio" or "gloo:v1"
// select a router by their start.
var (
	flaggerExact    = []string{"istio", "appmesh", "linkerd", "contour", "nginx", "skipper", "traefik", "apisix", "osm", "kuma", "kubernetes"}
	flaggerPrefixes = []string{"appmesh:v1beta2", "smi:v1alpha1", "smi:v1alpha2", "smi:v1alpha3", "gloo", "gatewayapi:v1"}
)

// FlaggerProviderKnown reports whether Flagger v1.36.1's Factory.MeshRouter
// picks a router for the provider p by its name. It gives any other value,
// "" included, its IstioRouter: a typo then routes with Istio, and a newer
// Flagger's provider may mean something else.
func FlaggerProviderKnown(p string) bool {
	for _, x := range flaggerExact {
		if p == x {
			return true
		}
	}
	for _, prefix := range flaggerPrefixes {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// flaggerSection reads the flagger section: what meshlint assumes about
// the Flagger controller, whose flags the manifests of Canaries do not show.
func (d *decoder) flaggerSection(n *yaml.Node, s *MeshSettings) {
	d.mapping(n, "flagger", flaggerKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "mesh-provider":
			s.FlaggerMeshProvider = d.flaggerProvider(v, "flagger."+key)
		case "selector-labels":
			s.FlaggerSelectorLabels = d.flaggerSelectorLabels(v, "flagger."+key)
		}
	})
}

// DefaultFlaggerSelectorLabels is the default of Flagger's -selector-labels
// flag (v1.36.1, cmd/flagger/main.go).
var DefaultFlaggerSelectorLabels = []string{"app", "name", "app.kubernetes.io/name"}

// FlaggerLabels returns the labels of Flagger's -selector-labels that m
// assumes: its own, or the flag's default.
func (m Mesh) FlaggerLabels() []string {
	if m.FlaggerSelectorLabels != nil {
		return m.FlaggerSelectorLabels
	}
	return DefaultFlaggerSelectorLabels
}

// flaggerSelectorLabels reads the labels of Flagger's -selector-labels, as
// a list (the flag is one string, split at its commas): label keys, each
// once, at least one.
func (d *decoder) flaggerSelectorLabels(n *yaml.Node, where string) []string {
	items := d.list(n, where)
	var out []string
	for _, it := range items {
		if slices.Contains(out, it.value) {
			d.errorf(it.node, "%s: %q is listed twice", where, it.value)
			return nil
		}
		if errs := content.IsLabelKey(it.value); len(errs) > 0 {
			d.errorf(it.node, "%s: %q is not a label key: %s", where, it.value, strings.Join(errs, "; "))
			return nil
		}
		out = append(out, it.value)
	}
	if r := resolve(n); r.Kind == yaml.SequenceNode && len(r.Content) == 0 {
		d.errorf(n, "%s: want at least one label", where)
	}
	return out
}

// flaggerProvider reads a value of Flagger's -mesh-provider flag. One that
// MeshRouter does not know is refused rather than taken as Flagger takes it
// (the Istio router): in a configuration file it is a typo far more often
// than a provider newer than the Flagger meshlint models.
func (d *decoder) flaggerProvider(n *yaml.Node, where string) string {
	p := d.str(n, where)
	if p == "" || FlaggerProviderKnown(p) {
		return p
	}
	msg := fmt.Sprintf("%s: Flagger knows no mesh provider %q", where, p)
	candidates := append(append([]string{}, flaggerExact...), "appmesh:v1beta2", "gloo", "gatewayapi:v1", "gatewayapi:v1beta1")
	if s, ok := suggest.Closest(p, candidates); ok {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else {
		msg += " (want istio, linkerd, appmesh, appmesh:v1beta2, contour, gloo, nginx, skipper, traefik, apisix, osm, kuma, " +
			"kubernetes, smi:v1alpha1, smi:v1alpha2, smi:v1alpha3, gatewayapi:v1 or gatewayapi:v1beta1)"
	}
	d.errorf(n, "%s", msg)
	return ""
}
