package workload

import (
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// autoInjector is the chart's injector configuration with
// sidecarInjectorWebhook.enableNamespacesByDefault, cut to its auto.
// webhook.
const autoInjector = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-sidecar-injector
  labels: {istio.io/rev: default}
webhooks:
- name: auto.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  namespaceSelector:
    matchExpressions:
    - {key: istio-injection, operator: DoesNotExist}
    - {key: istio.io/rev, operator: DoesNotExist}
    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, kube-public, kube-node-lease, local-path-storage]}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: DoesNotExist}
    - {key: istio.io/rev, operator: DoesNotExist}
  sideEffects: None
  admissionReviewVersions: [v1]
`

// NamespaceInjectedByDefault reports namespaces without injection labels
// whose pods the injector webhooks inject anyway.
var NamespaceInjectedByDefault = &rules.Rule{
	ID:      "MR730",
	Name:    "namespace-injected-by-default",
	Summary: "namespace has no injection label, but the injector webhooks inject its pods by default",
	Doc: `Installed with ` + "`sidecarInjectorWebhook.enableNamespacesByDefault`" + `, Istio's chart adds a webhook
(` + "`auto.sidecar-injector.istio.io`" + `) that sends the pods of every namespace without an
` + "`istio-injection`" + ` or ` + "`istio.io/rev`" + ` label (except Kubernetes' system namespaces) to the injector. A namespace without
any injection label then gets sidecars, although nothing on it says so: whoever reads the
namespace, or moves it to a cluster installed without the option, expects the opposite.

Reported for the Namespace objects of the input without ` + "`istio-injection`" + ` or ` + "`istio.io/rev`" + `
labels, and not in ambient mode, whose pods (without ` + "`sidecar.istio.io/inject`" + ` or ` + "`istio.io/rev`" + `
labels) the injector injects. When the input holds the injector webhook configurations, they
decide which pods are sent to the injector: the chart's ` + "`auto.`" + ` webhook, or any other webhook
whose selectors take them. When it holds none, the injector's ConfigMap of the default revision
(` + "`istio-sidecar-injector`" + `) tells: its ` + "`data.values`" + ` hold the chart's values, and with
` + "`sidecarInjectorWebhook.enableNamespacesByDefault: true`" + ` the chart rendered the ` + "`auto.`" + ` webhook,
as istioctl analyze reads it for IST0148. Either way the injector must then inject the pods:
the policy of its ConfigMap, when the input holds it, must be ` + "`enabled`" + ` and no
` + "`neverInjectSelector`" + ` may match a pod without labels. Istio's namespace and the Kubernetes
system namespaces are skipped.

Label the namespace ` + "`istio-injection: enabled`" + ` (or with its revision) to record the choice, or
` + "`istio-injection: disabled`" + ` to keep it out of the mesh.`,
	Bad:      autoInjector + "---\n" + plainShop,
	Good:     autoInjector + "---\n" + injectedShop,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.Namespace, kinds.MutatingWebhookConfiguration, kinds.ConfigMap},
	Related:  []string{"IST0148"},
	Deps:     rules.DepINJ,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		for _, name := range g.NamespaceNames() {
			ns := g.Namespaces[name]
			if !ns.Declared() || skipInjectionCheck(g, name) {
				continue
			}
			_, inj := ns.Labels["istio-injection"]
			_, rev := ns.Labels["istio.io/rev"]
			if inj || rev || g.AmbientNamespace(name) {
				continue
			}
			d, ok := g.DefaultInjection(name)
			switch {
			case !ok:
			case d.Webhook != nil:
				p.Reportf(ns.Obj, ns.Obj.NameLoc, "namespace %s has no istio-injection or istio.io/rev label, but injector webhook %s injects its pods by default", name, webhookRef(d.Config, d.Webhook)).
					Relate(d.Config.Obj, d.Webhook.Name.Loc, "the webhook that injects namespace %s", name)
			default:
				cm := d.ConfigMap
				p.Reportf(ns.Obj, ns.Obj.NameLoc, "namespace %s has no istio-injection or istio.io/rev label, but injector ConfigMap %s/%s enables namespaces by default (sidecarInjectorWebhook.enableNamespacesByDefault), so the chart's auto. webhook injects its pods", name, cm.Namespace(), cm.Name()).
					Relate(cm.Obj, cm.NamespacesByDefault().Loc, "the value that injects namespace %s", name)
			}
		}
		return nil
	},
}

// skipInjectionCheck reports whether the injection of namespace name is
// left unchecked: Istio's own and Kubernetes' system namespaces.
func skipInjectionCheck(g *graph.Graph, name string) bool {
	return name == g.Mesh.RootNamespace || name == "istio-system" || strings.HasPrefix(name, "kube-") || name == "local-path-storage"
}
