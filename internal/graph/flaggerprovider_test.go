package graph

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestFlaggerMeshProvider checks that a Canary without spec.provider is
// routed by the provider of Flagger's -mesh-provider flag
// (config.Mesh.FlaggerMeshProvider; the scheduler's advanceCanary takes it
// when spec.provider is empty), istio when it is not set, and that a
// Canary's own spec.provider wins over it.
func TestFlaggerMeshProvider(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	for _, c := range []struct {
		name, meshProvider, provider string
		istio, gatewayAPI            bool
	}{
		{"default", "", "", true, false},
		{"istio", "istio", "", true, false},
		{"linkerd", "linkerd", "", false, false},
		{"kubernetes", "kubernetes", "", false, false},
		{"gatewayapi", "gatewayapi:v1", "", false, true},
		{"gatewayapi v1beta1", "gatewayapi:v1beta1", "", false, true},
		{"spec.provider wins", "linkerd", "istio", true, false},
		{"spec.provider wins over istio", "istio", "gatewayapi:v1", false, true},
		// Flagger tests spec.provider != "": an empty one is unset.
		{"empty spec.provider", "linkerd", `""`, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service: {port: 9898, gatewayRefs: [{name: public}]}\n"
			if c.provider != "" {
				spec = "  provider: " + c.provider + "\n" + spec
			}
			mesh := config.DefaultMesh()
			mesh.FlaggerMeshProvider = c.meshProvider
			cn := flaggerCanaryOf(t, docs(target, flaggerCanary("podinfo", spec)), mesh)
			if cn.Istio() != c.istio || cn.GatewayAPI() != c.gatewayAPI {
				t.Errorf("Provider %q: Istio() = %v, GatewayAPI() = %v", cn.Provider, cn.Istio(), cn.GatewayAPI())
			}
			if (cn.VirtualService != nil) != c.istio || (len(cn.DestinationRules) == 2) != c.istio {
				t.Errorf("VirtualService %v, %d DestinationRules", cn.VirtualService != nil, len(cn.DestinationRules))
			}
			if (cn.HTTPRoute != nil) != c.gatewayAPI {
				t.Errorf("HTTPRoute %v", cn.HTTPRoute != nil)
			}
			// The Kubernetes router's objects do not depend on the provider.
			if cn.Primary == nil || len(cn.Services) != 3 {
				t.Errorf("primary %v, %d Services", cn.Primary != nil, len(cn.Services))
			}
		})
	}
}

// TestFlaggerSelectorLabels checks that Flagger's selectors are keyed on
// the first label of config.Mesh.FlaggerLabels (flagger.selector-labels,
// else the -selector-labels default) that the target's selector has, and
// that nothing is derived when it has none.
func TestFlaggerSelectorLabels(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo, tier: web}", "{app: podinfo, tier: web}", flaggerContainers)
	spec := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service: {port: 9898}\n"
	for _, c := range []struct {
		name          string
		labels        []string
		label, value  string
		primaryTarget string
	}{
		{"default", nil, "app", "podinfo", "podinfo-primary"},
		{"configured", []string{"tier", "app"}, "tier", "web", "web-primary"},
		{"none found", []string{"version"}, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			mesh := config.DefaultMesh()
			mesh.FlaggerSelectorLabels = c.labels
			cn := flaggerCanaryOf(t, docs(target, flaggerCanary("podinfo", spec)), mesh)
			if cn.Label != c.label || cn.Value != c.value || cn.TargetSelector == nil {
				t.Errorf("Label, Value = %q, %q (selector %v), want %q, %q", cn.Label, cn.Value, cn.TargetSelector, c.label, c.value)
			}
			if c.primaryTarget == "" {
				if cn.Primary != nil || len(cn.Services) != 0 {
					t.Errorf("derived primary %v, %d Services; want nothing", cn.Primary != nil, len(cn.Services))
				}
				return
			}
			if cn.Primary == nil || cn.Primary.Labels[c.label] != c.primaryTarget {
				t.Fatalf("primary %v, want its pods labelled %s=%s", cn.Primary, c.label, c.primaryTarget)
			}
		})
	}
}

// flaggerCanaryOf builds the graph of src, which must load without
// errors, under mesh, and returns its first Canary.
func flaggerCanaryOf(t *testing.T, src string, mesh config.Mesh) *Canary {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	g := Build(res.Objects, mesh)
	if len(res.Errors)+len(g.Errors) > 0 {
		t.Fatalf("errors: %v %v", res.Errors, g.Errors)
	}
	return g.Canaries[0]
}
