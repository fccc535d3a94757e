package security

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// meshedPod is a pod with a sidecar in namespace shop.
const meshedPod = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - {name: web, image: web:1}
  - {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}
`

// istioComponents renders istiod and ztunnel in namespace ns and the CNI
// node agent in cni, as Istio's charts label them, without sidecars.
func istioComponents(ns, cni string) string {
	return strings.NewReplacer("NS", ns, "CNI", cni).Replace(`apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: NS}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot}}
    spec: {containers: [{name: discovery, image: docker.io/istio/pilot:1.24.0}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ztunnel, namespace: NS}
spec:
  selector: {matchLabels: {app: ztunnel}}
  template:
    metadata: {labels: {app: ztunnel}}
    spec: {containers: [{name: istio-proxy, image: docker.io/istio/ztunnel:1.24.0}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: istio-cni-node, namespace: CNI}
spec:
  selector: {matchLabels: {k8s-app: istio-cni-node}}
  template:
    metadata: {labels: {k8s-app: istio-cni-node}}
    spec: {containers: [{name: install-cni, image: docker.io/istio/install-cni:1.24.0}]}
`)
}

const rootNamespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n"

// lintMesh runs MR302 over files, written to a temporary directory, or
// over stdin when files is empty, and returns its findings.
func lintMesh(t *testing.T, files map[string]string, stdin string, mesh config.Mesh) []*rules.Finding {
	t.Helper()
	return ruletest.LintTree(t, files, stdin, mesh, MeshNotStrict)
}

func TestMeshNotStrictFix(t *testing.T) {
	closed := config.DefaultMesh()
	closed.ClosedWorld = true
	custom := config.DefaultMesh()
	custom.RootNamespace = "istio-config"
	invalid := closed
	invalid.RootNamespace = "Istio_Config"
	for _, tt := range []struct {
		name  string
		files map[string]string
		stdin string
		mesh  *config.Mesh
		// path is the file the fix creates, "" for no fix.
		path string
	}{{
		name:  "next to the Namespace object",
		files: map[string]string{"mesh/ns.yaml": rootNamespace, "mesh/a/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: istio-system}\n", "shop/app.yaml": meshedPod},
		path:  "mesh/mesh-mtls-strict.yaml",
	}, {
		name:  "next to the root namespace's first object",
		files: map[string]string{"cfg/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n", "shop/app.yaml": meshedPod},
		path:  "cfg/mesh-mtls-strict.yaml",
	}, {
		name:  "configured root namespace",
		files: map[string]string{"root/ns.yaml": strings.ReplaceAll(rootNamespace, "istio-system", "istio-config"), "shop/app.yaml": meshedPod},
		mesh:  &custom,
		path:  "root/mesh-mtls-strict.yaml",
	}, {
		name:  "closed world, one directory",
		files: map[string]string{"all/app.yaml": meshedPod, "all/more.yaml": strings.ReplaceAll(meshedPod, "web", "api")},
		mesh:  &closed,
		path:  "all/mesh-mtls-strict.yaml",
	}, {
		name:  "closed world, several directories",
		files: map[string]string{"a/app.yaml": meshedPod, "b/app.yaml": strings.ReplaceAll(meshedPod, "web", "api")},
		mesh:  &closed,
	}, {
		name:  "invalid root namespace",
		files: map[string]string{"all/app.yaml": meshedPod},
		mesh:  &invalid,
	}, {
		name:  "standard input",
		stdin: rootNamespace + "---\n" + meshedPod,
	}, {
		// Istio's own components have no sidecar and call no application
		// port: they do not make STRICT unsafe.
		name: "istiod, ztunnel and the CNI agent",
		files: map[string]string{"mesh/ns.yaml": rootNamespace, "shop/app.yaml": meshedPod,
			"mesh/istio.yaml": istioComponents("istio-system", "istio-system")},
		path: "mesh/mesh-mtls-strict.yaml",
	}, {
		// The same labels outside the namespaces Istio installs them in
		// are someone else's workloads.
		name: "istiod's labels in another namespace",
		files: map[string]string{"mesh/ns.yaml": rootNamespace, "shop/app.yaml": meshedPod,
			"mesh/istio.yaml": istioComponents("shop", "shop")},
	}, {
		name: "a workload without a sidecar",
		files: map[string]string{"mesh/ns.yaml": rootNamespace, "shop/app.yaml": meshedPod + "---\n" +
			"apiVersion: v1\nkind: Pod\nmetadata: {name: legacy, namespace: legacy}\nspec: {containers: [{name: c, image: c:1}]}\n"},
	}, {
		name: "a DestinationRule sends plaintext",
		files: map[string]string{"mesh/ns.yaml": rootNamespace, "shop/app.yaml": meshedPod + `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: other}
spec: {host: web.shop.svc.cluster.local, trafficPolicy: {tls: {mode: SIMPLE}}}
`},
	}, {
		// It would be replaced by the new one.
		name: "a PeerAuthentication default with a selector",
		files: map[string]string{"mesh/ns.yaml": rootNamespace + `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {selector: {matchLabels: {app: istiod}}, mtls: {mode: STRICT}}
`, "shop/app.yaml": meshedPod},
	}, {
		// MR301 fixes it.
		name: "a PERMISSIVE mesh-wide policy",
		files: map[string]string{"mesh/ns.yaml": rootNamespace + `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: mesh, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
`, "shop/app.yaml": meshedPod},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			mesh := config.DefaultMesh()
			if tt.mesh != nil {
				mesh = *tt.mesh
			}
			fs := lintMesh(t, tt.files, tt.stdin, mesh)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1: %v", len(fs), fs)
			}
			var path, content string
			if fx := fs[0].Fixes; len(fx) > 0 {
				if len(fx) != 1 || len(fx[0].NewFiles) != 1 || len(fx[0].Edits) > 0 {
					t.Fatalf("fix %+v", fx)
				}
				path, content = fx[0].NewFiles[0].Path, fx[0].NewFiles[0].Content
			}
			if path != filepath.FromSlash(tt.path) {
				t.Fatalf("fix creates %q, want %q", path, tt.path)
			}
			if path != "" && !strings.Contains(content, "  namespace: "+mesh.RootNamespace+"\nspec:\n  mtls:\n    mode: STRICT\n") {
				t.Errorf("content:\n%s", content)
			}
		})
	}
}
