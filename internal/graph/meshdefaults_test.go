package graph

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestMeshDefaultExportTo checks that objects without exportTo take the
// mesh's default for their kind (MeshConfig default*ExportTo), and that an
// exportTo written on the object still wins.
func TestMeshDefaultExportTo(t *testing.T) {
	src := docs(
		svc("shop", "reviews"),
		`apiVersion: v1
kind: Service
metadata:
  name: ratings
  namespace: shop
  annotations: {networking.istio.io/exportTo: "*"}
spec:
  ports: [{port: 80}]`,
		`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS`,
		`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews}}]}]`,
		dr("shop", "dr", "reviews"),
		dr("shop", "dr-public", "ratings", "  exportTo: [\"*\"]"),
	)
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}

	// Istio's defaults: everything is exported everywhere.
	g := Build(res.Objects, config.DefaultMesh())
	if len(g.LookupHost("reviews.shop.svc.cluster.local", "web")) != 1 || len(g.DestinationRulesFor("reviews.shop.svc.cluster.local", "web")) != 1 {
		t.Error("with Istio's defaults, reviews and its DestinationRule are visible from another namespace")
	}

	mesh := config.DefaultMesh()
	mesh.DefaultServiceExportTo = []string{"."}
	mesh.DefaultVirtualServiceExportTo = []string{"~"}
	mesh.DefaultDestinationRuleExportTo = []string{"."}
	g = Build(res.Objects, mesh)
	for _, tc := range []struct {
		what string
		got  []string
		want string
	}{
		{"Service without annotation", exportOf(g, "Service", "reviews"), "."},
		{"Service with annotation", exportOf(g, "Service", "ratings"), "*"},
		{"ServiceEntry", exportOf(g, "ServiceEntry", "ext"), "."},
		{"VirtualService", exportOf(g, "VirtualService", "vs"), "~"},
		{"DestinationRule", exportOf(g, "DestinationRule", "dr"), "."},
		{"DestinationRule with exportTo", exportOf(g, "DestinationRule", "dr-public"), "*"},
	} {
		if len(tc.got) != 1 || tc.got[0] != tc.want {
			t.Errorf("%s: exportTo %v, want [%s]", tc.what, tc.got, tc.want)
		}
	}
	if n := len(g.LookupHost("reviews.shop.svc.cluster.local", "web")); n != 0 {
		t.Errorf("reviews is visible from web despite defaultServiceExportTo [.]")
	}
	if n := len(g.LookupHost("reviews.shop.svc.cluster.local", "shop")); n != 1 {
		t.Errorf("reviews is not visible from its own namespace")
	}
	if n := len(g.LookupHost("api.example.com", "web")); n != 0 {
		t.Errorf("the ServiceEntry is visible from web despite defaultServiceExportTo [.]")
	}
	if n := len(g.DestinationRulesFor("reviews.shop.svc.cluster.local", "web")); n != 0 {
		t.Errorf("the DestinationRule applies to web despite defaultDestinationRuleExportTo [.]")
	}
}

// TestDestinationRuleDefaultExportTo: Istio reads only "." and "*" of the
// mesh's defaultDestinationRuleExportTo, unlike the other kinds' defaults.
func TestDestinationRuleDefaultExportTo(t *testing.T) {
	src := docs(svc("shop", "reviews"), dr("shop", "dr", "reviews"))
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	for _, tc := range []struct {
		meshDefault []string
		web, shop   int
	}{
		{[]string{".", "web"}, 0, 1}, // private only: web is not honoured
		{[]string{"web"}, 1, 1},      // neither . nor *: everywhere
		{[]string{"other"}, 1, 1},
		{[]string{"*"}, 1, 1},
		{[]string{"."}, 0, 1},
	} {
		mesh := config.DefaultMesh()
		mesh.DefaultDestinationRuleExportTo = tc.meshDefault
		g := Build(res.Objects, mesh)
		for _, c := range []struct {
			client string
			want   int
		}{{"web", tc.web}, {"shop", tc.shop}} {
			if got := len(g.DestinationRulesFor("reviews.shop.svc.cluster.local", c.client)); got != c.want {
				t.Errorf("defaultDestinationRuleExportTo %v: %d rules apply to clients in %s, want %d", tc.meshDefault, got, c.client, c.want)
			}
		}
	}
}

func exportOf(g *Graph, kind, name string) []string {
	switch kind {
	case "Service":
		for _, s := range g.Services {
			if s.Object().Name == name {
				return s.ExportTo
			}
		}
	case "ServiceEntry":
		for _, s := range g.ServiceEntries {
			if s.Object().Name == name {
				return s.ExportTo
			}
		}
	case "VirtualService":
		for _, s := range g.VirtualServices {
			if s.Object().Name == name {
				return s.ExportTo
			}
		}
	case "DestinationRule":
		for _, s := range g.DestinationRules {
			if s.Object().Name == name {
				return s.ExportTo
			}
		}
	}
	return nil
}
