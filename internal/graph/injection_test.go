package graph

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// chartInjector is the default revision's injector configuration as
// istio/istio's istio-discovery chart (Apache-2.0) renders it with
// sidecarInjectorWebhook.enableNamespacesByDefault: the auto. webhook
// takes the pods of namespaces without any injection label. Without
// autoWebhook, it is the chart's default rendering.
func chartInjector(autoWebhook bool) string {
	s := `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-sidecar-injector
  labels: {istio.io/rev: default}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject, port: 443}}
  namespaceSelector:
    matchExpressions:
    - {key: istio.io/rev, operator: In, values: ["default"]}
    - {key: istio-injection, operator: DoesNotExist}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
- name: rev.object.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject, port: 443}}
  namespaceSelector:
    matchExpressions:
    - {key: istio.io/rev, operator: DoesNotExist}
    - {key: istio-injection, operator: DoesNotExist}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
    - {key: istio.io/rev, operator: In, values: ["default"]}
- name: namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject, port: 443}}
  namespaceSelector:
    matchExpressions:
    - {key: istio-injection, operator: In, values: [enabled]}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
- name: object.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject, port: 443}}
  namespaceSelector:
    matchExpressions:
    - {key: istio-injection, operator: DoesNotExist}
    - {key: istio.io/rev, operator: DoesNotExist}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: In, values: ["true"]}
    - {key: istio.io/rev, operator: DoesNotExist}
`
	if autoWebhook {
		s += `- name: auto.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject, port: 443}}
  namespaceSelector:
    matchExpressions:
    - {key: istio-injection, operator: DoesNotExist}
    - {key: istio.io/rev, operator: DoesNotExist}
    - {key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system","kube-public","kube-node-lease","local-path-storage"]}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: DoesNotExist}
    - {key: istio.io/rev, operator: DoesNotExist}
`
	}
	return s
}

func namespace(name string, labels ...string) string {
	s := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
	if len(labels) > 0 {
		s += "  labels:\n"
		for _, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			s += "    " + k + ": \"" + v + "\"\n"
		}
	}
	return s
}

// TestWebhookInjection checks that the input's injector webhooks decide
// which pods are injected, wherever they are in the input.
func TestWebhookInjection(t *testing.T) {
	type L = map[string]string
	custom := `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector-mesh}
webhooks:
- name: mesh.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  namespaceSelector: {matchLabels: {mesh: "on"}}
  objectSelector: {matchExpressions: [{key: app, operator: Exists}]}
`
	for _, tc := range []struct {
		name     string
		webhooks string // "" for none
		ns       string // "" for a namespace not in the input
		labels   L
		sidecar  bool
	}{
		{"unlabelled namespace, auto webhook", chartInjector(true), namespace("app"), nil, true},
		{"unlabelled namespace, no webhooks", "", namespace("app"), nil, false},
		{"unlabelled namespace, default chart webhooks", chartInjector(false), namespace("app"), nil, false},
		{"undeclared namespace, auto webhook", chartInjector(true), "", nil, true},
		{"namespace disabled, auto webhook", chartInjector(true), namespace("app", "istio-injection=disabled"), nil, false},
		{"namespace enabled", chartInjector(false), namespace("app", "istio-injection=enabled"), nil, true},
		{"namespace of the default revision", chartInjector(false), namespace("app", "istio.io/rev=default"), nil, true},
		{"namespace of a revision without webhooks", chartInjector(true), namespace("app", "istio.io/rev=canary"), nil, false},
		{"pod of a revision without webhooks", chartInjector(true), namespace("app"), L{"istio.io/rev": "canary"}, false},
		{"pod label false, auto webhook", chartInjector(true), namespace("app"), L{"sidecar.istio.io/inject": "false"}, false},
		{"pod annotation false, auto webhook", chartInjector(true), namespace("app"), L{"annotation:sidecar.istio.io/inject": "false"}, false},
		{"pod label true", chartInjector(false), namespace("app"), L{"sidecar.istio.io/inject": "true"}, true},
		{"kube-system, webhook without the exclusion", custom, namespace("kube-system", "mesh=on"), L{"app": "x"}, false},
		{"custom selectors match", custom, namespace("app", "mesh=on"), L{"app": "x"}, true},
		{"custom selectors, pod not matched", custom, namespace("app", "mesh=on"), nil, false},
		{"custom selectors, namespace enabled but not matched", custom, namespace("app", "istio-injection=enabled"), L{"app": "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nsName := "app"
			if strings.Contains(tc.ns, "kube-system") {
				nsName = "kube-system"
			}
			objs := []string{pod(nsName, "p", tc.labels)}
			if tc.ns != "" {
				objs = append(objs, tc.ns)
			}
			if tc.webhooks != "" {
				objs = append(objs, tc.webhooks)
			}
			g := graphFrom(t, docs(objs...))
			w := g.Workloads[0]
			if w.Sidecar != tc.sidecar {
				t.Errorf("Sidecar = %v, want %v", w.Sidecar, tc.sidecar)
			}
			if inj := g.Injection(w); inj.Injected != tc.sidecar {
				t.Errorf("Injection = %+v, want injected %v", inj, tc.sidecar)
			}
		})
	}
}

// TestWebhookInjectionKnown checks Injection's Known for a namespace the
// input does not declare, with injector webhooks.
func TestWebhookInjectionKnown(t *testing.T) {
	for _, tc := range []struct {
		name            string
		labels          map[string]string
		injected, known bool
		reason          string
	}{
		// Injected unless the namespace is labelled istio-injection=disabled.
		{"plain pod", nil, true, false, `injector webhook "auto.sidecar-injector.istio.io" of MutatingWebhookConfiguration istio-sidecar-injector matches namespace app and the pod`},
		// No webhook takes a pod labelled sidecar.istio.io/inject=false.
		{"opted out", map[string]string{"sidecar.istio.io/inject": "false"}, false, true, "no injector webhook of the input matches the pod in namespace app (unlabelled)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(pod("app", "p", tc.labels), chartInjector(true)))
			inj := g.Injection(g.Workloads[0])
			if inj.Injected != tc.injected || inj.Known != tc.known || inj.Reason != tc.reason {
				t.Errorf("Injection = %+v, want injected %v known %v reason %q", inj, tc.injected, tc.known, tc.reason)
			}
		})
	}
}

// TestWebhookInjectionPrepared builds the graph as a cached run does: each
// file prepared on its own, its nodes dropped, what Prepare kept taken
// through the cache's gob encoding. The webhooks, in a file read after
// the workload's, still decide its injection.
func TestWebhookInjectionPrepared(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a-workload.yaml": docs(namespace("app"), pod("app", "p", nil)),
		"b-webhooks.yaml": chartInjector(true),
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mesh := config.DefaultMesh()
	res := manifest.Load([]string{dir}, manifest.Options{DropNodes: true, PerFile: func(f *manifest.File) []*manifest.Error {
		Prepare(f.Objects, mesh, nil)
		for _, o := range f.Objects {
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(preparedOf(o).Record()); err != nil {
				t.Fatal(err)
			}
			var back PreparedRecord
			if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
				t.Fatal(err)
			}
			o.Prepared = back.Prepared()
		}
		return nil
	}})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	g := Build(res.Objects, mesh)
	if len(g.Errors) > 0 || len(g.Workloads) != 1 {
		t.Fatalf("errors %v, %d workloads", g.Errors, len(g.Workloads))
	}
	if !g.Workloads[0].Sidecar {
		t.Errorf("Sidecar = false, want true: the auto. webhook takes the pods of namespace app")
	}
}
