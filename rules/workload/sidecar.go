package workload

import (
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

func withPods(ks ...kinds.Kind) []kinds.Kind { return append(ks, kinds.Workloads()...) }

// SidecarSelectorNoWorkload reports Sidecars whose selector picks nothing.
var SidecarSelectorNoWorkload = &rules.Rule{
	ID:      "MR701",
	Name:    "sidecar-selector-no-workload",
	Summary: "sidecar workload selector matches no workload of its namespace",
	Doc: `A Sidecar with ` + "`workloadSelector.labels`" + ` applies to the pods of its namespace that carry all
those labels. When none does, its egress and ingress settings apply nowhere, and the workload
it was written for keeps the namespace default (often: every host of the mesh, and the memory
that costs).

Fix the labels to the pod template labels of the workload. The rule judges a namespace only
when the input holds workloads of it, or with the closed-world setting.`,
	Bad:      reviewsSidecar("review"),
	Good:     reviewsSidecar("reviews"),
	Severity: rules.Error,
	Inputs:   withPods(kinds.Sidecar),
	Related:  []string{"IST0101", "KIA0004"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		reportNoWorkload(p, sidecarPolicies(p.Graph), "the Sidecar applies nowhere")
		return nil
	},
}

// reviewsSidecar is Deployment shop/reviews and a Sidecar whose workload
// selector asks for the label app=app: the examples of MR701.
func reviewsSidecar(app string) string {
	return reviewsDeployment("app: reviews") + `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: reviews, namespace: shop}
spec:
  workloadSelector:
    labels: {app: ` + app + `}
  egress: [{hosts: ["./*"]}]
`
}

// SidecarSelectorConflict reports workloads selected by several Sidecars.
var SidecarSelectorConflict = &rules.Rule{
	ID:      "MR702",
	Name:    "sidecar-selector-conflict",
	Summary: "several sidecars with a workload selector select the same workload",
	Doc: `A proxy uses one Sidecar. When the workload selectors of several Sidecars of a namespace pick the
same pod, Istio uses the oldest and ignores the others for it, so the egress and ingress
settings that apply depend on creation order. A ` + "`workloadSelector`" + ` without labels is a selector too,
which picks every pod of the namespace.

Make the selectors disjoint, or merge the Sidecars. Pods in ambient mode have no sidecar and are
left to MR704.`,
	Bad: reviewsSidecarFor(`"./*"`) + `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: reviews-v1, namespace: shop}
spec:
  workloadSelector: {labels: {version: v1}}
  egress: [{hosts: ["./*", "istio-system/*"]}]
`,
	Good:     reviewsSidecarFor(`"./*", "istio-system/*"`),
	Severity: rules.Error,
	Inputs:   withPods(kinds.Sidecar),
	Related:  []string{"IST0110", "KIA0003"},
	Deps:     rules.DepINJ,
	Run: func(p *rules.Pass) error {
		reportConflicts(p, sidecarPolicies(p.Graph), p.Graph.Ambient, "its proxy uses only the oldest of them", "the proxy of each such workload uses only the oldest Sidecar that selects it", "Sidecars")
		return nil
	},
}

// reviewsSidecarFor is Deployment shop/reviews, version v1, and the
// Sidecar that selects it by app for egress to the hosts (a flow
// sequence's entries): the examples of MR702.
func reviewsSidecarFor(hosts string) string {
	return reviewsDeployment("app: reviews, version: v1") + `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: reviews, namespace: shop}
spec:
  workloadSelector: {labels: {app: reviews}}
  egress: [{hosts: [` + hosts + `]}]
`
}

// defaultSidecar is Sidecar shop/default, the default of namespace shop,
// for egress to the hosts of the namespace: the examples of MR703 and
// MR704.
const defaultSidecar = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ["./*"]}]
`

// SidecarMultipleDefault reports namespaces with several selector-less
// Sidecars.
var SidecarMultipleDefault = &rules.Rule{
	ID:      "MR703",
	Name:    "sidecar-multiple-default",
	Summary: "namespace has several sidecars without a workload selector",
	Doc: `A Sidecar without ` + "`workloadSelector`" + ` is the default of its namespace (of the mesh, in the root
namespace). With several, Istio uses the oldest and ignores the others, so the default depends on
creation order.

A Sidecar whose ` + "`workloadSelector`" + ` has no labels is not a default: Istio tries the Sidecars with a
selector first, and the empty one matches every pod of the namespace, so it always wins over the
default, which then applies to no pod (it is reported). In the root namespace that default still
serves the namespaces without a Sidecar, and is not reported.

Merge them into one. Ambient namespaces are left to MR704.`,
	Bad: defaultSidecar + `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: egress, namespace: shop}
spec:
  egress: [{hosts: ["istio-system/*"]}]
`,
	Good: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ["./*", "istio-system/*"]}]
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Sidecar, kinds.Namespace},
	Related:  []string{"IST0111", "KIA0002"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		g := p.Graph
		ps := sidecarPolicies(g)
		// Where an empty selector takes every pod, which default is the
		// oldest does not matter: reportShadowedDefaults says why.
		shadowed := map[string]bool{}
		for _, sp := range ps {
			if sp.sel != nil && len(sp.sel) == 0 && sp.obj.Namespace != g.Mesh.RootNamespace {
				shadowed[sp.obj.Namespace] = true
			}
		}
		reportDefaults(p, ps, func(ns string) bool { return shadowed[ns] || g.AmbientNamespace(ns) }, "Istio uses only the oldest")
		reportShadowedDefaults(p, ps, g.AmbientNamespace)
		return nil
	},
}

// SidecarInAmbient reports Sidecars that apply to ambient pods.
var SidecarInAmbient = &rules.Rule{
	ID:      "MR704",
	Name:    "sidecar-in-ambient",
	Summary: "sidecar resource applies to ambient pods, which have no sidecar proxy",
	Doc: `A Sidecar resource configures sidecar proxies. Pods in ambient mode (the namespace or the pod
labelled ` + "`istio.io/dataplane-mode: ambient`" + `, without sidecar injection) have none: ztunnel and
waypoints ignore Sidecar resources, so its settings do nothing there.

Remove the Sidecar, or configure the ambient data plane instead (waypoints, and the
` + "`exportTo`" + ` of the services).`,
	Bad: ambientShop + defaultSidecar,
	Good: `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
` + defaultSidecar,
	Severity: rules.Warning,
	Inputs:   withPods(kinds.Sidecar, kinds.Namespace),
	Related:  []string{"IST0167"},
	Deps:     rules.DepINJ,
	Run:      runSidecarInAmbient,
}

func runSidecarInAmbient(p *rules.Pass) error {
	g := p.Graph
	for _, sp := range sidecarPolicies(g) {
		ns := sp.obj.Namespace
		if len(sp.sel) == 0 {
			// Namespace-wide: the namespace stands for pods the input
			// may not show.
			if n := g.Namespaces[ns]; g.AmbientNamespace(ns) && !injectionLabels(g, n) {
				what, at := "has no selector", sp.obj.NameLoc
				if sp.sel != nil {
					what, at = "has an empty workloadSelector", sp.at()
				}
				p.Reportf(sp.obj, at, "%s %s and namespace %s is in ambient mode: it applies to no proxy, since ztunnel and waypoints ignore Sidecars; remove it", sp.obj.Ref(), what, ns)
			}
			continue
		}
		for _, w := range g.SelectWorkloads(ns, sp.sel) {
			if g.Ambient(w) {
				p.Reportf(sp.obj, sp.at(), "%s selects %s %s/%s, which is in ambient mode and has no sidecar: ztunnel and waypoints ignore the Sidecar; remove it", sp.obj.Ref(), w.KindName(), w.Namespace(), w.Name())
				break
			}
		}
	}
	return nil
}

// injectionLabels reports whether namespace n asks for sidecar injection
// by label and, when the input holds injector webhooks, one of them takes
// it: a revision no webhook serves injects nothing. Without them, Istio's
// chart's webhooks decide, and each of them requires istio-injection to
// be absent or enabled (mutatingwebhook.yaml, revision-tags-mwc.yaml):
// istio-injection=disabled keeps an istio.io/rev label from injecting.
func injectionLabels(g *graph.Graph, n *graph.Namespace) bool {
	if n == nil {
		return false
	}
	inj, hasInj := n.Labels["istio-injection"]
	_, rev := n.Labels["istio.io/rev"]
	if inj != "enabled" && !rev || g.InjectorWebhooksMiss(n.Name) {
		return false
	}
	return !hasInj || inj == "enabled" || hasInjectorWebhooks(g)
}

// hasInjectorWebhooks reports whether the input holds webhooks of an
// injector configuration, which then decide in place of the chart's.
func hasInjectorWebhooks(g *graph.Graph) bool {
	return slices.ContainsFunc(g.WebhookConfigurations(), func(w *graph.WebhookConfiguration) bool {
		return w.Injector() && len(w.Spec.Webhooks) > 0
	})
}
