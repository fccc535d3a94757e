package graph

import (
	"fmt"
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
	res := manifest.Load([]string{dir}, cachedPath(t, mesh))
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

// injectorConfigMap is an injector ConfigMap named name in namespace ns,
// its data.config holding config and its data.values values (both in
// literal blocks, as istio/istio's chart renders them).
func injectorConfigMap(ns, name, config, values string) string {
	indent := func(s string) string {
		return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ")
	}
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
		"\ndata:\n  config: |-\n" + indent(config) + "\n  values: |-\n" + indent(values) + "\n"
}

// byDefault is data.values with sidecarInjectorWebhook.enableNamespacesByDefault.
func byDefault(on bool) string {
	return fmt.Sprintf(`{"global": {"hub": "docker.io/istio"}, "sidecarInjectorWebhook": {"enableNamespacesByDefault": %v}}`, on)
}

// TestInjectorConfigMap checks that the injector ConfigMap of the input
// decides what the injector does with the pods sent to it, as
// inject.injectRequired does, and that the ConfigMap is the one of the
// revision (and istiod namespace) that the pods are sent to.
func TestInjectorConfigMap(t *testing.T) {
	type L = map[string]string
	const sel = `neverInjectSelector:
- matchLabels: {app: never}
alwaysInjectSelector:
- matchExpressions:
  - {key: mesh, operator: In, values: ["on"]}
- matchLabels: {app: never}
`
	cm := func(ns, name, config string) string { return injectorConfigMap(ns, name, config, byDefault(false)) }
	enabled, disabled := cm("istio-system", "istio-sidecar-injector", "policy: enabled\n"+sel), cm("istio-system", "istio-sidecar-injector", "policy: disabled\n"+sel)
	// Revision canary's webhooks, without the istio.io/rev label on the
	// configuration: the name of the istiod Service tells the revision.
	canaryWebhooks := strings.NewReplacer("name: istio-sidecar-injector\n", "name: istio-sidecar-injector-canary\n",
		"  labels: {istio.io/rev: default}\n", "", `values: ["default"]`, `values: ["canary"]`, "name: istiod,", "name: istiod-canary,").Replace(chartInjector(false))
	// A webhook of revision canary (its label says so) whose istiod is
	// called at a URL: its ConfigMap is looked up in the root namespace.
	const meshHook = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector-mesh, labels: {istio.io/rev: canary}}
webhooks:
- name: mesh.sidecar-injector.istio.io
  clientConfig: {url: "https://istiod.example.com:15017/inject"}
  namespaceSelector: {matchLabels: {mesh: "on"}}
`
	for _, tc := range []struct {
		name    string
		objs    []string
		ns      string // namespace app's labels, k=v
		labels  L      // the pod's; "annotation:" for annotations
		sidecar bool
		reason  string // part of Injection's Reason when not injected
	}{
		{"policy enabled", []string{enabled}, "istio-injection=enabled", nil, true, ""},
		{"policy disabled", []string{disabled}, "istio-injection=enabled", nil, false, "injector ConfigMap istio-system/istio-sidecar-injector has policy disabled"},
		{"policy disabled, pod label true", []string{disabled}, "istio-injection=enabled", L{"sidecar.istio.io/inject": "true"}, true, ""},
		{"policy disabled, pod annotation true", []string{disabled}, "istio-injection=enabled", L{"annotation:sidecar.istio.io/inject": "true"}, true, ""},
		{"policy disabled, alwaysInjectSelector", []string{disabled}, "istio-injection=enabled", L{"mesh": "on"}, true, ""},
		{"policy disabled, other value than true", []string{disabled}, "istio-injection=enabled", L{"sidecar.istio.io/inject": "yes"}, false, "has policy disabled"},
		{"policy enabled, other value than false", []string{enabled}, "istio-injection=enabled", L{"annotation:sidecar.istio.io/inject": "no"}, true, ""},
		{"policy enabled, neverInjectSelector", []string{enabled}, "istio-injection=enabled", L{"app": "never"}, false, "the pod matches neverInjectSelector[0] of injector ConfigMap istio-system/istio-sidecar-injector"},
		{"neverInjectSelector before alwaysInjectSelector", []string{disabled}, "istio-injection=enabled", L{"app": "never", "mesh": "on"}, false, "neverInjectSelector[0]"},
		{"pod label true before neverInjectSelector", []string{enabled}, "istio-injection=enabled", L{"app": "never", "sidecar.istio.io/inject": "true"}, true, ""},
		{"pod label before annotation", []string{enabled}, "istio-injection=enabled", L{"app": "never", "sidecar.istio.io/inject": "false", "annotation:sidecar.istio.io/inject": "true"}, false, "labelled sidecar.istio.io/inject=false"},
		{"no policy", []string{cm("istio-system", "istio-sidecar-injector", sel)}, "istio-injection=enabled", L{"sidecar.istio.io/inject": "true"}, false, "sets no policy, which turns injection off"},
		{"policy neither enabled nor disabled", []string{cm("istio-system", "istio-sidecar-injector", "policy: Enabled")}, "istio-injection=enabled", nil, false, `has policy "Enabled"`},
		{"empty and invalid selectors are skipped", []string{cm("istio-system", "istio-sidecar-injector", "policy: enabled\nneverInjectSelector:\n- {}\n- matchExpressions: [{key: app, operator: In}]\n")}, "istio-injection=enabled", nil, true, ""},
		{"selector without labels", []string{cm("istio-system", "istio-sidecar-injector", "policy: enabled\nneverInjectSelector:\n- matchExpressions: [{key: app, operator: DoesNotExist}]\n")}, "istio-injection=enabled", nil, false, "neverInjectSelector[0]"},
		// The ConfigMap of the revision the labels select.
		{"revision's ConfigMap", []string{cm("istio-system", "istio-sidecar-injector-canary", "policy: disabled")}, "istio.io/rev=canary", nil, false, "istio-system/istio-sidecar-injector-canary has policy disabled"},
		{"another revision's ConfigMap", []string{cm("istio-system", "istio-sidecar-injector-canary", "policy: disabled")}, "istio-injection=enabled", nil, true, ""},
		{"pod revision's ConfigMap", []string{cm("istio-system", "istio-sidecar-injector-canary", "policy: disabled")}, "", L{"istio.io/rev": "canary"}, false, "has policy disabled"},
		{"ConfigMap in another namespace, no webhooks", []string{cm("istio-control", "istio-sidecar-injector", "policy: disabled")}, "istio-injection=enabled", nil, false, "istio-control/istio-sidecar-injector"},
		{"root namespace's ConfigMap first", []string{cm("istio-control", "istio-sidecar-injector", "policy: disabled"), enabled}, "istio-injection=enabled", nil, true, ""},
		// With webhooks, that of the webhook's revision, in its istiod's
		// namespace.
		{"webhooks and their ConfigMap", []string{chartInjector(false), disabled}, "istio-injection=enabled", nil, false, "has policy disabled"},
		{"webhooks, ConfigMap of another namespace", []string{chartInjector(false), cm("istio-control", "istio-sidecar-injector", "policy: disabled")}, "istio-injection=enabled", nil, true, ""},
		{"revision webhooks and their ConfigMap", []string{canaryWebhooks, cm("istio-system", "istio-sidecar-injector-canary", "policy: disabled"), enabled}, "istio.io/rev=canary", nil, false, "istio-sidecar-injector-canary has policy disabled"},
		{"revision webhooks, the default revision's ConfigMap", []string{canaryWebhooks, disabled}, "istio.io/rev=canary", nil, true, ""},
		{"remote istiod of a revision", []string{meshHook, cm("istio-system", "istio-sidecar-injector-canary", "policy: disabled"), enabled}, "mesh=on", nil, false, "istio-system/istio-sidecar-injector-canary has policy disabled"},
		{"two injectors, the second injects", []string{meshHook, chartInjector(true), cm("istio-system", "istio-sidecar-injector-canary", "policy: disabled"), enabled}, "mesh=on", nil, true, ""},
		// enableNamespacesByDefault: the chart's auto. webhook, when the
		// input has no webhooks.
		{"namespaces by default", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", byDefault(true))}, "", nil, true, ""},
		{"namespaces by default, pod opt-out", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", byDefault(true))}, "", L{"sidecar.istio.io/inject": "false"}, false, "labelled sidecar.istio.io/inject=false"},
		{"namespaces by default, other pod label", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", byDefault(true))}, "", L{"sidecar.istio.io/inject": "yes"}, false, "no sidecar.istio.io/inject=true label"},
		{"namespaces by default, policy disabled", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: disabled", byDefault(true))}, "", nil, false, "has policy disabled"},
		{"namespaces not by default", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", byDefault(false))}, "", nil, false, "no istio-injection=enabled or istio.io/rev label"},
		{"namespaces by default, a revision's", []string{injectorConfigMap("istio-system", "istio-sidecar-injector-canary", "policy: enabled", byDefault(true))}, "", nil, false, "no istio-injection=enabled or istio.io/rev label"},
		{"namespaces by default, but the webhooks decide", []string{chartInjector(false), injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", byDefault(true))}, "", nil, false, "no injector webhook of the input matches"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var nsLabels []string
			if tc.ns != "" {
				nsLabels = strings.Split(tc.ns, ",")
			}
			g := graphFrom(t, docs(append([]string{namespace("app", nsLabels...), pod("app", "p", tc.labels)}, tc.objs...)...))
			w := g.Workloads[0]
			inj := g.Injection(w)
			if w.Sidecar != tc.sidecar || inj.Injected != tc.sidecar || !inj.Known {
				t.Errorf("Sidecar = %v, Injection = %+v; want %v", w.Sidecar, inj, tc.sidecar)
			}
			if !tc.sidecar && !strings.Contains(inj.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", inj.Reason, tc.reason)
			}
		})
	}
}

// TestInjectorConfigMapErrors checks that a malformed injector ConfigMap
// is an input error at its line, and is then left out, as istiod cannot
// load it.
func TestInjectorConfigMapErrors(t *testing.T) {
	const head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio-sidecar-injector\n  namespace: istio-system\n"
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"config not YAML", "data:\n  config: |\n    policy: disabled\n    neverInjectSelector: [\n  values: '{}'\n",
			[]string{"in.yaml:9:5: data.config: not valid YAML: did not find expected node content"}},
		{"policy not a string", "data:\n  config: |-\n    policy: [disabled]\n  values: '{}'\n",
			[]string{"in.yaml:8:13: data.config: wrong type: expected a string, got a list"}},
		{"selector not a list", "data:\n  config: |-\n    policy: disabled\n    alwaysInjectSelector: {app: x}\n  values: '{}'\n",
			[]string{"in.yaml:9:27: data.config: wrong type: cannot unmarshal !!map into []spec.LabelSelector"}},
		{"config a list", "data:\n  config: \"[policy]\"\n  values: '{}'\n",
			[]string{`in.yaml:7:11: data.config: expected a mapping, got a list`}},
		{"config not a string", "data:\n  config:\n    policy: disabled\n  values: '{}'\n",
			[]string{`in.yaml:8:5: data.config: expected a string holding the injector's configuration, got a mapping`}},
		{"values not JSON", "data:\n  config: 'policy: disabled'\n  values: '{\"global\": '\n",
			[]string{"in.yaml:8:11: data.values: not valid YAML:"}},
		{"enableNamespacesByDefault a string", "data:\n  config: 'policy: disabled'\n  values: |-\n    {\n      \"sidecarInjectorWebhook\": {\"enableNamespacesByDefault\": \"true\"}\n    }\n",
			[]string{`in.yaml:10:63: data.values: sidecarInjectorWebhook.enableNamespacesByDefault: expected a boolean (true or false), got "true"`}},
		{"enableNamespacesByDefault a quoted yes", "data:\n  config: 'policy: disabled'\n  values: |-\n    sidecarInjectorWebhook: {enableNamespacesByDefault: \"yes\"}\n",
			[]string{`in.yaml:9:57: data.values: sidecarInjectorWebhook.enableNamespacesByDefault: expected a boolean (true or false), got "yes"`}},
		{"config a plain yes", "data:\n  config: yes\n  values: '{}'\n",
			[]string{`in.yaml:7:11: data.config: expected a string holding the injector's configuration, got yes (Kubernetes reads the unquoted yes as the boolean true)`}},
		{"no data", "",
			[]string{"in.yaml:4:9: sidecar injector ConfigMap istio-system/istio-sidecar-injector has no data.config", "in.yaml:4:9: sidecar injector ConfigMap istio-system/istio-sidecar-injector has no data.values"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, errs := graphWithErrors(t, docs(head+tc.data, namespace("app", "istio-injection=enabled"), pod("app", "p", nil)))
			if len(errs) != len(tc.want) {
				t.Fatalf("errors:\n%s\nwant %d", strings.Join(errs, "\n"), len(tc.want))
			}
			for i, e := range errs {
				if !strings.Contains(e, "/"+tc.want[i]) {
					t.Errorf("error %d = %q, want %q", i, e, tc.want[i])
				}
			}
			if len(g.InjectorConfigs()) != 0 || !g.Workloads[0].Sidecar {
				t.Errorf("the malformed ConfigMap is used: %d configs, Sidecar %v", len(g.InjectorConfigs()), g.Workloads[0].Sidecar)
			}
		})
	}
}

// TestNamespaceInjection checks Namespace.Injection: whether the pods of
// the namespace without injection labels of their own are injected.
func TestNamespaceInjection(t *testing.T) {
	for _, tc := range []struct {
		name string
		objs []string
		ns   []string
		want bool
	}{
		{"labels alone, enabled", nil, []string{"istio-injection=enabled"}, true},
		{"labels alone, revision", nil, []string{"istio.io/rev=canary"}, true},
		{"labels alone, none", nil, nil, false},
		{"labels alone, disabled", nil, []string{"istio-injection=disabled", "istio.io/rev=canary"}, false},
		{"auto webhook", []string{chartInjector(true)}, nil, true},
		{"webhooks without the revision", []string{chartInjector(false)}, []string{"istio.io/rev=canary"}, false},
		{"ConfigMap policy disabled", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: disabled", "{}")}, []string{"istio-injection=enabled"}, false},
		{"ConfigMap namespaces by default", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", byDefault(true))}, []string{"istio.io/dataplane-mode=ambient"}, true},
		// istiod reads the values with sigs.k8s.io/yaml: YAML 1.1, where
		// a plain on is true.
		{"ConfigMap namespaces by default, on", []string{injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: enabled", "sidecarInjectorWebhook: {enableNamespacesByDefault: on}")}, []string{"istio.io/dataplane-mode=ambient"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(append([]string{namespace("app", tc.ns...)}, tc.objs...)...))
			if got := g.Namespaces["app"].Injection; got != tc.want {
				t.Errorf("Injection = %v, want %v", got, tc.want)
			}
		})
	}
	g := graphFrom(t, namespace("kube-node-lease", "istio-injection=enabled"))
	if g.Namespaces["kube-node-lease"].Injection {
		t.Errorf("Injection of kube-node-lease = true: the injector ignores it")
	}
}

// TestImageAutoSidecar checks that an istio-proxy container with image
// auto is a sidecar only when the pod is injected, and any other
// istio-proxy container always.
func TestImageAutoSidecar(t *testing.T) {
	const auto, own = "  - name: istio-proxy\n    image: auto\n", "  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.28.0\n"
	for _, tc := range []struct {
		name      string
		ns        []string
		container string
		want      bool
	}{
		{"image auto, not injected", nil, auto, false},
		{"image auto, injected", []string{"istio-injection=enabled"}, auto, true},
		{"image auto, namespace disabled", []string{"istio-injection=disabled"}, auto, false},
		{"own image, not injected", nil, own, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(namespace("app", tc.ns...), pod("app", "gw", nil, tc.container)))
			if got := g.Workloads[0].Sidecar; got != tc.want {
				t.Errorf("Sidecar = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGenericWorkloadInjection checks that the labels an operator gives
// the pods of a generic workload (Knative's) are seen by the injector
// webhooks' object selectors.
func TestGenericWorkloadInjection(t *testing.T) {
	const hook = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector-knative, labels: {istio.io/rev: default}}
webhooks:
- name: knative.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  objectSelector: {matchExpressions: [{key: serving.knative.dev/service, operator: Exists}]}
`
	const ksvc = `apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: app}
spec:
  template:
    spec:
      containers: [{name: app, image: app}]
`
	g := graphFrom(t, docs(hook, namespace("app"), ksvc))
	if len(g.Workloads) != 1 || !g.Workloads[0].Sidecar {
		t.Fatalf("workloads %d, want the Knative Service's pods injected by the webhook on their serving.knative.dev/service label", len(g.Workloads))
	}
}

// TestInjectorConfigMapPrepared builds the graph as a cached run does
// (see TestWebhookInjectionPrepared): the ConfigMap, in a file read after
// the workload's, decides its injection as without the cache.
func TestInjectorConfigMapPrepared(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a-workload.yaml":  docs(namespace("app", "istio-injection=enabled"), pod("app", "p", nil), pod("app", "q", map[string]string{"mesh": "on"})),
		"b-configmap.yaml": injectorConfigMap("istio-system", "istio-sidecar-injector", "policy: disabled\nalwaysInjectSelector: [{matchLabels: {mesh: \"on\"}}]", byDefault(true)),
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mesh := config.DefaultMesh()
	res := manifest.Load([]string{dir}, cachedPath(t, mesh))
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	g := Build(res.Objects, mesh)
	if len(g.Errors) > 0 || len(g.Workloads) != 2 || len(g.InjectorConfigs()) != 1 {
		t.Fatalf("errors %v, %d workloads, %d injector configs", g.Errors, len(g.Workloads), len(g.InjectorConfigs()))
	}
	for _, w := range g.Workloads {
		if want := w.Name() == "q"; w.Sidecar != want {
			t.Errorf("%s: Sidecar = %v, want %v (policy disabled, alwaysInjectSelector mesh=on)", w.Name(), w.Sidecar, want)
		}
	}
	c := g.InjectorConfigs()[0]
	if by, pol := c.NamespacesByDefault(), c.Policy(); !by.V || by.Loc.Line != 11 || pol.V != "disabled" || pol.Loc != (manifest.Loc{Line: 8, Col: 13, EndCol: 21}) {
		t.Errorf("NamespacesByDefault %+v, Policy %+v: want true at line 11, disabled at 8:13", by, pol)
	}
}
