package config

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/suggest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// flaggerKeys are the keys of the file's flagger section.
var flaggerKeys = []string{"mesh-provider"}

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
		if key == "mesh-provider" {
			s.FlaggerMeshProvider = d.flaggerProvider(v, "flagger."+key)
		}
	})
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
