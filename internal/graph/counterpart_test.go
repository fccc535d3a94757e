package graph

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// layoutObjects writes files (by slash-separated path) into a temporary
// directory and loads them, in the loader's order.
func layoutObjects(t *testing.T, files map[string]string) (string, []*manifest.Object) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := manifest.Load([]string{dir}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("load: %v", res.Errors)
	}
	return dir, res.Objects
}

// folderOf names the folder of an object's file under dir: "dev", "prod",
// or "." for the top.
func folderOf(dir string, o *manifest.Object) string {
	if o == nil {
		return "none"
	}
	rel, err := filepath.Rel(dir, o.File)
	if err != nil {
		return o.File
	}
	return filepath.ToSlash(filepath.Dir(rel))
}

// TestCounterpart checks that each definition of an object that refers
// to another resolves to the definition of its own folder, whatever the
// order in which the input lists the objects, and that one written once,
// outside both folders, takes the first written.
func TestCounterpart(t *testing.T) {
	folder := docs(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: http, port: 80, protocol: HTTP}]`, `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: shop, namespace: infra}
spec:
  parentRef: {name: public}
  listeners: [{name: shop, hostname: shop.example.com, port: 80, protocol: HTTP}]`, `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  workloadRef: {apiVersion: v1, kind: PodTemplate, name: web}
  strategy:
    canary:
      stableService: web
      trafficRouting:
        istio:
          virtualService: {name: web}
          destinationRule: {name: web, canarySubsetName: canary, stableSubsetName: stable}`, `apiVersion: v1
kind: PodTemplate
metadata: {name: web, namespace: shop}
template:
  metadata: {labels: {app: web}}
  spec: {containers: [{name: web, image: web:1}]}`,
		vsOf("shop", "web"), dr("shop", "web", "web"), svc("shop", "web", "app=web"), `apiVersion: v1
kind: ConfigMap
metadata: {name: params, namespace: infra}
data: {}`)
	dir, objs := layoutObjects(t, map[string]string{
		"dev/all.yaml":  folder,
		"prod/all.yaml": folder,
		// Written once, outside both folders: a route through the
		// ListenerSet.
		"route.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: infra}
spec:
  parentRefs: [{kind: ListenerSet, name: shop}]`,
	})
	for _, order := range []string{"as read", "reversed"} {
		in := slices.Clone(objs)
		if order == "reversed" {
			slices.Reverse(in)
		}
		g := Build(in, config.DefaultMesh())
		var got []string
		for _, ls := range g.ListenerSets {
			got = append(got, "ListenerSet "+folderOf(dir, ls.Obj)+" -> Gateway "+folderOf(dir, ls.Gateway.Obj))
		}
		for _, r := range g.Rollouts {
			f := folderOf(dir, r.Obj)
			got = append(got, "Rollout "+f+" -> VirtualService "+folderOf(dir, r.VirtualServices[0].VirtualService.Obj),
				"Rollout "+f+" -> DestinationRule "+folderOf(dir, r.DestinationRule.Obj),
				"Rollout "+f+" -> PodTemplate "+folderOf(dir, r.Ref.Obj),
				"Rollout "+f+" -> Service "+folderOf(dir, r.Services[0].Service.Obj))
		}
		for _, r := range g.GatewayRoutes {
			got = append(got, "HTTPRoute "+folderOf(dir, r.Obj)+" -> ListenerSet "+folderOf(dir, r.Parents[0].ListenerSet.Obj))
		}
		for _, gw := range g.K8sGateways {
			got = append(got, "Gateway "+folderOf(dir, gw.Obj)+" -> ConfigMap "+folderOf(dir, g.FindConfigMapFor(gw.Obj, "infra", "params").Obj))
		}
		got = append(got, "ConfigMap "+folderOf(dir, g.FindConfigMap("infra", "params").Obj))
		slices.Sort(got)
		want := []string{
			"ConfigMap dev",
			"Gateway dev -> ConfigMap dev", "Gateway prod -> ConfigMap prod",
			"HTTPRoute . -> ListenerSet dev",
			"ListenerSet dev -> Gateway dev", "ListenerSet prod -> Gateway prod",
			"Rollout dev -> DestinationRule dev", "Rollout dev -> PodTemplate dev", "Rollout dev -> Service dev", "Rollout dev -> VirtualService dev",
			"Rollout prod -> DestinationRule prod", "Rollout prod -> PodTemplate prod", "Rollout prod -> Service prod", "Rollout prod -> VirtualService prod",
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", order, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
}

func vsOf(ns, name string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  hosts: [` + name + `]
  http: [{route: [{destination: {host: ` + name + `}}]}]`
}

// TestCounterpartRank checks the choice among definitions equally close
// to the one that refers: a file and its copy in one folder.
func TestCounterpartRank(t *testing.T) {
	dir, objs := layoutObjects(t, map[string]string{
		"a.yaml": svc("shop", "web", "app=web"),
		"b.yaml": svc("shop", "web", "app=web"),
		"c.yaml": svc("shop", "web", "app=web"),
		"r.yaml": vsOf("shop", "web"), "r-copy.yaml": vsOf("shop", "web"),
	})
	for _, order := range []string{"as read", "reversed"} {
		in := slices.Clone(objs)
		if order == "reversed" {
			slices.Reverse(in)
		}
		g := Build(in, config.DefaultMesh())
		var got []string
		for _, vs := range g.VirtualServices {
			s := g.serviceFor(vs.Obj, "shop", "web")
			got = append(got, filepath.Base(vs.Obj.File)+" -> "+filepath.Base(s.Obj.File))
		}
		slices.Sort(got)
		// r-copy.yaml sorts before r.yaml: the first definition of the
		// VirtualService takes the first Service, the second the second.
		if want := []string{"r-copy.yaml -> a.yaml", "r.yaml -> b.yaml"}; !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v (in %s)", order, got, want, dir)
		}
	}
}
