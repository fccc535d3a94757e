package config

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestDefaultMesh(t *testing.T) {
	m := DefaultMesh()
	want := Mesh{RootNamespace: "istio-system", ClusterDomain: "cluster.local", TrustDomain: "cluster.local", OutboundTrafficPolicy: AllowAny}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("DefaultMesh = %+v", m)
	}
	if !m.AutoMTLS() || m.ClosedWorld || len(m.DefaultServiceExportTo) != 0 {
		t.Errorf("DefaultMesh: auto mTLS must be on, the world open and exportTo \"*\": %+v", m)
	}
	// The zero value stands for the defaults.
	if got := (Mesh{}).Complete(); !reflect.DeepEqual(got, want) {
		t.Errorf("Mesh{}.Complete() = %+v", got)
	}
	if got := (Mesh{RootNamespace: "x", ClosedWorld: true}).Complete(); got.RootNamespace != "x" || !got.ClosedWorld || got.ClusterDomain != "cluster.local" {
		t.Errorf("Complete overwrote set fields: %+v", got)
	}
}

func TestApplyLeavesUnsetFields(t *testing.T) {
	m := DefaultMesh()
	m.DefaultVirtualServiceExportTo = []string{"."}
	MeshSettings{TrustDomain: "td"}.Apply(&m)
	want := DefaultMesh()
	want.TrustDomain = "td"
	want.DefaultVirtualServiceExportTo = []string{"."}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Apply = %+v, want %+v", m, want)
	}
}

// TestTemplate loads the file `meshlint config init` writes: as written, it
// sets Istio's defaults, and with its mesh section uncommented it still
// loads and still sets them.
func TestTemplate(t *testing.T) {
	f, err := Parse(".meshlint.yaml", []byte(Template))
	if err != nil {
		t.Fatalf("the template does not load:\n%v", err)
	}
	if len(f.Enable)+len(f.Disable)+len(f.Severity)+len(f.IgnorePaths) != 0 || f.FailOn != "error" ||
		f.Namespace != "default" || f.ClosedWorld == nil || *f.ClosedWorld || f.MeshConfig != "" {
		t.Errorf("template settings: %+v", f)
	}
	m := DefaultMesh()
	f.Mesh.Apply(&m)
	if !reflect.DeepEqual(m, DefaultMesh()) {
		t.Errorf("template mesh = %+v, want the defaults", m)
	}

	// Uncomment "  # key: value" lines (the mesh section) and the
	// examples below severity and ignore-paths.
	setting := regexp.MustCompile(`(?m)^(  )# ([a-z-]+:.*|  [a-z-]+: .*)$`)
	uncommented := setting.ReplaceAllString(Template, "$1$2")
	uncommented = strings.Replace(uncommented, "severity: {}\n#  MR101: error", "severity:\n  MR101: error", 1)
	uncommented = strings.Replace(uncommented, "ignore-paths: []\n#  - vendor\n#  - ", "ignore-paths:\n  - vendor\n  - ", 1)
	uncommented = strings.Replace(uncommented, "flagger: {}\n#  mesh-provider:", "flagger:\n  mesh-provider:", 1)
	if uncommented == Template || strings.Contains(uncommented, "# root-namespace") {
		t.Fatal("the test no longer uncomments the template")
	}
	f, err = Parse(".meshlint.yaml", []byte(uncommented))
	if err != nil {
		t.Fatalf("the uncommented template does not load:\n%v\n%s", err, uncommented)
	}
	if len(f.Severity) != 1 || len(f.IgnorePaths) != 2 || f.Mesh.FlaggerMeshProvider != "linkerd" {
		t.Errorf("uncommented examples: %+v", f)
	}
	// Every key of the mesh section is shown, at Istio's default.
	if f.Mesh.EnableAutoMTLS == nil || f.Mesh.ScopeGatewayToNamespace == nil || *f.Mesh.ScopeGatewayToNamespace {
		t.Errorf("uncommented mesh section: %+v", f.Mesh)
	}
	m = DefaultMesh()
	f.Mesh.Apply(&m)
	want := DefaultMesh()
	want.DefaultServiceExportTo = []string{"*"}
	want.DefaultVirtualServiceExportTo = []string{"*"}
	want.DefaultDestinationRuleExportTo = []string{"*"}
	want.FlaggerMeshProvider = "linkerd"
	if !reflect.DeepEqual(m, want) {
		t.Errorf("uncommented template mesh = %+v, want %+v", m, want)
	}
}
