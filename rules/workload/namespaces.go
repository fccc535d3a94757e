package workload

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// NamespaceInjectionLabels reports namespaces with several data plane
// labels.
var NamespaceInjectionLabels = &rules.Rule{
	ID:      "MR717",
	Name:    "namespace-multiple-injection-labels",
	Summary: "namespace carries several of istio-injection, istio.io/rev and istio.io/dataplane-mode",
	Doc: `` + "`istio-injection`" + ` selects the default revision's injector, ` + "`istio.io/rev`" + ` a revision's, and
` + "`istio.io/dataplane-mode: ambient`" + ` ambient mode. With several, which one wins depends on the
webhooks installed: ` + "`istio-injection`" + ` takes precedence over ` + "`istio.io/rev`" + `, so a revision
upgrade done by changing ` + "`istio.io/rev`" + ` silently does nothing, and a namespace both injected
and ambient gets sidecars that ambient then skips.

Keep one of the labels. ` + "`istio-injection: disabled`" + ` next to a revision label is counted only
as the opt-out it is.`,
	Bad: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled, istio.io/rev: canary}
`,
	Good: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/rev: canary}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Namespace},
	Related:  []string{"IST0123"},
	Deps:     rules.DepNone,
	Run:      runNamespaceInjectionLabels,
}

func runNamespaceInjectionLabels(p *rules.Pass) error {
	g := p.Graph
	for _, name := range g.NamespaceNames() {
		ns := g.Namespaces[name]
		if !ns.Declared() || name == "istio-system" || name == g.Mesh.RootNamespace {
			continue
		}
		var set []string
		inj, hasInj := ns.Labels["istio-injection"]
		if hasInj {
			set = append(set, "istio-injection="+inj)
		}
		if !hasInj || inj == "enabled" {
			for _, k := range []string{"istio.io/rev", "istio.io/dataplane-mode"} {
				if v, ok := ns.Labels[k]; ok {
					set = append(set, k+"="+v)
				}
			}
		}
		if len(set) < 2 {
			continue
		}
		sort.Strings(set)
		p.Reportf(ns.Obj, ns.Obj.NameLoc, "namespace %s has several data plane labels (%s): which one applies depends on the installed webhooks", name, strings.Join(set, ", "))
	}
	return nil
}

// NamespaceNotInjected reports namespaces without any data plane label.
var NamespaceNotInjected = &rules.Rule{
	ID:      "MR718",
	Name:    "namespace-not-injected",
	Summary: "namespace enables neither sidecar injection nor ambient mode",
	Doc: `Without ` + "`istio-injection: enabled`" + `, ` + "`istio.io/rev`" + ` or ` + "`istio.io/dataplane-mode: ambient`" + `, the
pods of a namespace join the mesh only if each opts in (label ` + "`sidecar.istio.io/inject: \"true\"`" + `).
Pods that do not get no mTLS, and mesh policies do not apply to them.

Label the namespace, or set ` + "`istio-injection: disabled`" + ` to record that it is deliberately
outside the mesh. Only Namespace objects of the input are checked; Istio's namespace and the
Kubernetes system namespaces are skipped, and so are namespaces whose pods in the input all get
a proxy anyway: workloads that opt in one by one, gateways with an explicit ` + "`istio-proxy`" + `
container, and the pods Istio deploys for Gateway API Gateways of an ` + "`istio`" + ` class, when the
namespace holds nothing else. When the injector injects the namespace's pods anyway (the
chart's ` + "`enableNamespacesByDefault`" + `, which the input's injector webhooks show, or without them
the values of the injector's ConfigMap), MR730 reports it instead, as istioctl analyze reports
IST0148. When the input holds neither and the injector injects every namespace, turn the rule
off.

When the input holds injector webhooks, a namespace labelled ` + "`istio-injection: enabled`" + ` or
` + "`istio.io/rev`" + ` that none of them selects (a revision or tag that is not installed) is reported
too: the API server calls only the webhooks that select a pod, so its pods get no sidecar.
Without webhooks in the input, any revision label counts as injecting.`,
	Bad:      plainShop,
	Good:     injectedShop,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.Namespace, kinds.MutatingWebhookConfiguration, kinds.ConfigMap},
	Related:  []string{"IST0102"},
	Deps:     rules.DepINJ,
	Run:      runNamespaceNotInjected,
}

func runNamespaceNotInjected(p *rules.Pass) error {
	g := p.Graph
	for _, name := range g.NamespaceNames() {
		ns := g.Namespaces[name]
		if !ns.Declared() || skipInjectionCheck(g, name) {
			continue
		}
		inj, hasInj := ns.Labels["istio-injection"]
		rev, hasRev := ns.Labels["istio.io/rev"]
		ws := g.WorkloadsIn(name)
		// Istio's own gateway pods are proxies: a namespace of gateways
		// alone has nothing outside the mesh.
		gatewaysOnly := len(ws) == 0 && len(g.GatewayAPIPodLabels(name)) > 0
		if g.AmbientNamespace(name) || allOptedIn(ws) || gatewaysOnly {
			continue
		}
		if hasInj || hasRev {
			// The label asks for injection, but the API server calls
			// only the webhooks that select the pod: with the input's
			// webhooks, a revision none serves injects nothing.
			label := "istio-injection=" + inj
			if !hasInj {
				label = "istio.io/rev=" + rev
			}
			if (!hasInj || inj == "enabled") && g.InjectorWebhooksMiss(name) {
				p.Reportf(ns.Obj, ns.Obj.NameLoc, "namespace %s is labelled %s, but no injector webhook of the input selects it: its pods get no sidecar; label it for a revision or tag that the webhooks serve", name, label)
			}
			continue
		}
		if _, ok := g.DefaultInjection(name); ok {
			continue // injected by default: MR730
		}
		p.Reportf(ns.Obj, ns.Obj.NameLoc, "namespace %s enables neither sidecar injection nor ambient mode: its pods are outside the mesh unless each opts in", name)
	}
	return nil
}

// allOptedIn reports whether a namespace has workloads and every one of them
// gets a sidecar on its own (an opt-in label or an explicit istio-proxy
// container, as gateways installed by Istio's chart have): then the missing
// namespace label leaves nothing outside the mesh.
func allOptedIn(ws []*graph.Workload) bool {
	for _, w := range ws {
		if !w.Sidecar {
			return false
		}
	}
	return len(ws) > 0
}
