package config

import (
	"reflect"
	"regexp"
	"strconv"
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
	uncommented = strings.Replace(uncommented, "\n#  selector-labels:", "\n  selector-labels:", 1)
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
	want.FlaggerSelectorLabels = DefaultFlaggerSelectorLabels
	// The kubernetes section shows the default release.
	if want.KubernetesMinor, err = ParseKubernetesVersion(DefaultKubernetesVersion); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("uncommented template mesh = %+v, want %+v", m, want)
	}
}

// TestKubernetesVersion: the default release is the schemas', and only
// "1.N" reads as a release.
func TestKubernetesVersion(t *testing.T) {
	if got, want := (Mesh{}).Kubernetes(), DefaultKubernetesVersion; "1."+strconv.Itoa(got) != want {
		t.Errorf("Mesh{}.Kubernetes() = %d, want the minor of %s", got, want)
	}
	if got := (Mesh{KubernetesMinor: 35}).Kubernetes(); got != 35 {
		t.Errorf("Kubernetes() = %d, want 35", got)
	}
	for in, want := range map[string]int{"1.35": 35, "1.30": 30, "1.3": 3, "1.100": 100,
		"1.0": 0, "1.035": 0, "1.": 0, "1.35.0": 0, "v1.35": 0, "2.1": 0, "1.-3": 0, "1.+3": 0, "": 0} {
		got, err := ParseKubernetesVersion(in)
		if got != want || (err == nil) != (want > 0) {
			t.Errorf("ParseKubernetesVersion(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}
