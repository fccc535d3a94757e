package workload

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// ImageAutoWithoutInjection reports istio-proxy containers with image
// "auto" in pods that the sidecar injector does not inject.
var ImageAutoWithoutInjection = &rules.Rule{
	ID:      "MR724",
	Name:    "image-auto-without-injection",
	Summary: "the istio-proxy container has image \"auto\" but the pods are not injected, so they never start",
	Doc: `A gateway deployed by hand (or by Istio's gateway chart) declares a container ` + "`istio-proxy`" + ` with
` + "`image: auto`" + ` and lets the sidecar injector fill it in, usually with the ` + "`gateway`" + ` template
(annotation ` + "`inject.istio.io/templates: gateway`" + `): the injector replaces the image with the proxy's
own. When the pods are not injected, nothing replaces it: the kubelet tries to pull an image
called ` + "`auto`" + `, which does not exist, and the pods never start (` + "`ErrImagePull`" + `).

When the input holds the injector's MutatingWebhookConfigurations, meshlint decides which pods are
sent to the injector from their webhooks, as the API server does: a pod is sent when a webhook's
namespace and object selectors match its namespace's and its own labels (the chart's
` + "`enableNamespacesByDefault`" + `, revisions and custom selectors included). Otherwise it decides
from labels, as the webhooks of Istio's chart do: pods are sent in a namespace labelled
` + "`istio-injection=enabled`" + ` unless the pod is labelled ` + "`sidecar.istio.io/inject=false`" + `; where the
namespace has no ` + "`istio-injection`" + ` label, when the namespace or the pod is labelled ` + "`istio.io/rev`" + `
(any revision or tag) and the pod not ` + "`sidecar.istio.io/inject=false`" + `; and otherwise when the pod
is labelled ` + "`sidecar.istio.io/inject=true`" + `, or when the default revision's injector ConfigMap
enables namespaces by default (its chart then rendered the ` + "`auto.`" + ` webhook). The injector then skips
pods on the host network and the namespaces kube-system, kube-public, kube-node-lease and
local-path-storage, and reads the pod's ` + "`sidecar.istio.io/inject`" + ` label (or, without it,
annotation): ` + "`\"true\"`" + ` injects, ` + "`\"false\"`" + ` does not, and any other value leaves the decision to the
injector's ConfigMap (` + "`istio-sidecar-injector`" + `, or ` + "`istio-sidecar-injector-<revision>`" + `, in istiod's
namespace) when the input holds it: a matching ` + "`neverInjectSelector`" + ` keeps the pod out, else a
matching ` + "`alwaysInjectSelector`" + ` injects it, else its ` + "`policy`" + ` decides (` + "`enabled`" + ` injects,
` + "`disabled`" + ` does not, anything else turns injection off). Without the ConfigMap the policy is
` + "`enabled`" + `. When the input does not declare the workload's namespace, the rule reports only what no
namespace label could change (an opt-out label the webhooks exclude, the host network), unless
` + "`--closed-world`" + ` says the namespace has no labels.

Label the pod template ` + "`sidecar.istio.io/inject: \"true\"`" + ` (or ` + "`istio.io/rev`" + ` with your revision), as
Istio's gateway chart does, or the namespace ` + "`istio-injection: enabled`" + `. Deployments, Pods and every
other workload (StatefulSets, DaemonSets, Jobs, Argo Rollouts, and the custom resources of
other operators with a pod template at ` + "`spec.template`" + `) are checked. istioctl analyze reports a
Deployment (IST0146, a warning) when it matches no Istio webhook of the cluster, and every running
Pod with ` + "`image: auto`" + ` (IST0147), since a created pod that still has it was not injected; a Pod
manifest has not been created yet, so meshlint decides for it as for a Deployment. If the input
holds neither the injector's webhooks nor its ConfigMap and your injector injects every namespace by
default (` + "`enableNamespacesByDefault`" + `), add one of them to the input or disable the rule.`,
	Bad:      injectedGateway("istio: ingressgateway"),
	Good:     injectedGateway(`istio: ingressgateway, sidecar.istio.io/inject: "true"`),
	Severity: rules.Error,
	Inputs:   append([]kinds.Kind{kinds.Namespace, kinds.MutatingWebhookConfiguration, kinds.ConfigMap}, kinds.Workloads()...),
	Related:  []string{"IST0146", "IST0147"},
	Deps:     rules.DepINJ,
	Run:      runImageAutoWithoutInjection,
}

// injectedGateway is Namespace istio-ingress and the Deployment of a
// gateway that asks for Istio's gateway injection template (image: auto),
// whose pods carry the labels (a flow mapping's entries): the examples of
// MR724.
func injectedGateway(labels string) string {
	return `apiVersion: v1
kind: Namespace
metadata: {name: istio-ingress}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata:
      annotations: {inject.istio.io/templates: gateway}
      labels: {` + labels + `}
    spec:
      containers:
      - name: istio-proxy
        image: auto
`
}

func runImageAutoWithoutInjection(p *rules.Pass) error {
	g := p.Graph
	for _, w := range g.Workloads {
		if graph.Origin(w.Obj) != w.Obj {
			// Flagger's primary or an experiment step's pods: the pod
			// spec is the target's or the Rollout's, reported there.
			continue
		}
		cs := w.Spec.Spec.Containers
		for i := range cs {
			c := &cs[i]
			if c.Name.V != "istio-proxy" || c.Image.V != "auto" {
				continue
			}
			inj := g.Injection(w)
			if inj.Injected || !inj.Known {
				break
			}
			outcome := "the pods are not injected, cannot pull image \"auto\" and never start"
			if w.Obj.Kind == kinds.Pod && w.Obj.Group == kinds.GroupCore {
				outcome = "the pod is not injected, cannot pull image \"auto\" and never starts"
			}
			p.Reportf(w.Obj, c.Image.Loc, "container istio-proxy of %s %s/%s has image \"auto\", which only the sidecar injector replaces, but %s: %s",
				w.KindName(), w.Namespace(), w.Name(), inj.Reason, outcome)
		}
	}
	return nil
}
