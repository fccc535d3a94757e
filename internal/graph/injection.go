package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
)

// Injection is what Istio's sidecar injector does with the pods of a
// workload, as meshlint decides it from the input's injector webhooks or
// from labels: see Graph.Injection.
type Injection struct {
	// Injected is true when the injector adds its proxy to the pods.
	Injected bool
	// Known is false when the decision rests on labels of a namespace
	// that the input does not declare (and the input is not
	// closed-world): a Namespace object elsewhere may decide otherwise.
	Known bool
	// Reason says what decides it, for messages: "namespace shop is
	// labelled istio-injection=disabled".
	Reason string
}

// Injection applies the injector's rules to the pods of w, as hasSidecar
// does, but without counting an istio-proxy container of the pod spec as a
// sidecar: such a container is what the injector fills in (Istio's gateway
// injection template takes a container "istio-proxy" with image "auto").
//
// When the input holds injector webhook configurations
// (WebhookConfiguration.Injector), the decision reads their webhooks, as
// the API server does: a pod is sent to the injector when some injector
// webhook's namespaceSelector matches the labels of its namespace (which
// always carries kubernetes.io/metadata.name) and its objectSelector the
// labels of the pod. That covers the chart's auto. webhook
// (sidecarInjectorWebhook.enableNamespacesByDefault), revisions, tags and
// custom selectors.
//
// Otherwise the decision reads labels as the webhooks of Istio's chart
// select pods: they call the injector for pods of a namespace labelled
// istio-injection=enabled, unless the pod is labelled
// sidecar.istio.io/inject=false; when the namespace has no istio-injection
// label, for pods of a namespace or pod labelled istio.io/rev (any
// revision or tag), unless labelled sidecar.istio.io/inject=false; and
// otherwise for pods labelled sidecar.istio.io/inject=true.
//
// Either way, the injector then skips host-network pods, the namespaces
// kube-system and kube-public, and pods whose sidecar.istio.io/inject
// label (or, without it, annotation) is set to something other than true,
// y, yes or on.
//
// When the namespace's labels are unknown (not declared, not
// closed-world), the decision is Known when it is the same for every
// namespace label set tried: no injection label, istio-injection=enabled
// or disabled, istio.io/rev=default, and with injector webhooks the labels
// that satisfy, or violate, a requirement of their namespace selectors.
func (g *Graph) Injection(w *Workload) Injection {
	ns := g.Namespaces[w.Namespace()]
	var nsLabels map[string]string
	if ns != nil {
		nsLabels = ns.Labels
	}
	d := g.injects(w, nsLabels)
	known := g.Mesh.ClosedWorld || ns != nil && ns.Declared()
	if !known {
		// The labels a namespace of another source may have.
		known = true
		for _, l := range g.namespaceLabelCandidates(w.Namespace()) {
			if g.injects(w, l).injected != d.injected {
				known = false
				break
			}
		}
	}
	return Injection{Injected: d.injected, Known: known, Reason: d.text(w, nsLabels)}
}

// namespaceLabelCandidates returns label sets that a namespace name the
// input does not declare may have, to tell whether an injection decision
// depends on them.
func (g *Graph) namespaceLabelCandidates(name string) []map[string]string {
	out := []map[string]string{{"istio-injection": "enabled"}, {"istio-injection": "disabled"}, {"istio.io/rev": "default"}}
	if len(g.injectors) > 0 {
		out = append(out, map[string]string{})
		for _, h := range g.injectors {
			out = append(out, selectorCandidates(h.h.NamespaceSelector)...)
		}
	}
	for _, l := range out {
		l[NamespaceNameLabel] = name
	}
	return out
}

// selectorCandidates returns label sets for a selector: one that satisfies
// it when its requirements agree (matchLabels, a value of each In, any
// value for Exists), and for each requirement one that violates it.
func selectorCandidates(s *spec.LabelSelector) []map[string]string {
	if s == nil {
		return nil
	}
	match := map[string]string{}
	var out []map[string]string
	for k, v := range s.MatchLabels {
		match[k] = v
		out = append(out, map[string]string{k: v + "-other"})
	}
	for _, e := range s.MatchExpressions {
		k := e.Key.V
		switch e.Operator.V {
		case "In":
			if len(e.Values) > 0 {
				match[k] = e.Values[0]
			}
			out = append(out, map[string]string{k: "other"})
		case "Exists":
			match[k] = "true"
		case "NotIn":
			if len(e.Values) > 0 {
				out = append(out, map[string]string{k: e.Values[0]})
			}
		case "DoesNotExist":
			out = append(out, map[string]string{k: "true"})
		}
	}
	return append(out, match)
}

// injectWhy is what decided injects' answer.
type injectWhy int

const (
	whyHostNetwork     injectWhy = iota // never injected
	whySystemNamespace                  // kube-system, kube-public: never injected
	whyNamespaceOff                     // istio-injection is set, not to enabled
	whyPodOptOut                        // the pod label sidecar.istio.io/inject=false keeps the webhooks away
	whyNoOptIn                          // no namespace label, and no pod opt-in
	whyValueOff                         // the injector reads a value that is not true
	whyNamespaceOn                      // istio-injection=enabled
	whyRevision                         // istio.io/rev on the namespace or pod
	whyPodOptIn                         // sidecar.istio.io/inject=true on the pod
	whyNoWebhook                        // no injector webhook of the input matches
	whyWebhook                          // an injector webhook of the input matches
)

// injectDecision is injects' answer.
type injectDecision struct {
	injected bool
	why      injectWhy
	// hook is the webhook that sends the pods to the injector, with
	// injector webhooks in the input.
	hook *injectorWebhook
}

// injectorWebhook is a webhook of an injector configuration of the input,
// its selectors compiled.
type injectorWebhook struct {
	cfg *WebhookConfiguration
	h   *spec.Webhook
	ns  labels.Selector
	obj labels.Selector
	// valid is false when a selector is one the API server rejects: the
	// webhook then matches nothing (as istioctl analyze has it).
	valid bool
}

func newInjectorWebhook(c *WebhookConfiguration, h *spec.Webhook) injectorWebhook {
	return injectorWebhook{cfg: c, h: h, ns: Selector(h.NamespaceSelector), obj: Selector(h.ObjectSelector),
		valid: ValidSelector(h.NamespaceSelector) && ValidSelector(h.ObjectSelector)}
}

// matches reports whether the API server sends a pod with labels pod in
// a namespace with labels ns to the webhook.
func (h *injectorWebhook) matches(ns, pod map[string]string) bool {
	return h.valid && h.ns.Matches(ns) && h.obj.Matches(pod)
}

// ValidSelector reports whether the API server accepts a label selector:
// In and NotIn with values, Exists and DoesNotExist without. A webhook
// with another selector matches nothing (as istioctl analyze has it).
func ValidSelector(s *spec.LabelSelector) bool {
	if s == nil {
		return true
	}
	for _, e := range s.MatchExpressions {
		switch e.Operator.V {
		case "In", "NotIn":
			if len(e.Values) == 0 {
				return false
			}
		case "Exists", "DoesNotExist":
			if len(e.Values) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// NamespaceNameLabel is the label every namespace carries, set to its
// name.
const NamespaceNameLabel = "kubernetes.io/metadata.name"

// withNamespaceName returns nsLabels, or when it lacks
// kubernetes.io/metadata.name a copy with it.
func withNamespaceName(nsLabels map[string]string, name string) map[string]string {
	if _, ok := nsLabels[NamespaceNameLabel]; ok {
		return nsLabels
	}
	l := make(map[string]string, len(nsLabels)+1)
	for k, v := range nsLabels {
		l[k] = v
	}
	l[NamespaceNameLabel] = name
	return l
}

// DefaultInjectionWebhook returns the injector webhook of the input that
// sends the pods of namespace name without any label (no
// sidecar.istio.io/inject, no istio.io/rev) to the injector, which injects
// them: the chart's auto. webhook (enableNamespacesByDefault) or a custom
// selector. It returns nil when none does, the input has no injector
// webhooks, or the injector never injects the namespace (kube-system,
// kube-public).
func (g *Graph) DefaultInjectionWebhook(name string) (*WebhookConfiguration, *spec.Webhook) {
	switch name {
	case "kube-system", "kube-public":
		return nil, nil
	}
	var nsLabels map[string]string
	if ns := g.Namespaces[name]; ns != nil {
		nsLabels = ns.Labels
	}
	nsLabels = withNamespaceName(nsLabels, name)
	for i := range g.injectors {
		if h := &g.injectors[i]; h.matches(nsLabels, map[string]string{}) {
			return h.cfg, h.h
		}
	}
	return nil, nil
}

// injects applies the injector's rules (see Graph.Injection) to the pods
// of w in a namespace with labels nsLabels.
func (g *Graph) injects(w *Workload, nsLabels map[string]string) injectDecision {
	if w.Spec.Spec.HostNetwork.V {
		return injectDecision{why: whyHostNetwork}
	}
	switch w.Namespace() {
	case "kube-system", "kube-public":
		return injectDecision{why: whySystemNamespace}
	}
	inject, hasInject := w.Labels["sidecar.istio.io/inject"]
	var called bool
	var hook *injectorWebhook
	why := whyPodOptIn
	if len(g.injectors) > 0 {
		// The input's webhooks call the injector.
		nsLabels = withNamespaceName(nsLabels, w.Namespace())
		why = whyNoWebhook
		for i := range g.injectors {
			if h := &g.injectors[i]; h.matches(nsLabels, w.Labels) {
				called, why, hook = true, whyWebhook, h
				break
			}
		}
		if !called {
			return injectDecision{why: why}
		}
	} else {
		// The webhooks of Istio's chart (namespace., object.,
		// rev.namespace. and rev.object.sidecar-injector.istio.io) call
		// the injector when:
		nsInjection, hasNSInjection := nsLabels["istio-injection"]
		_, hasNSRev := nsLabels["istio.io/rev"]
		_, hasPodRev := w.Labels["istio.io/rev"]
		switch {
		case hasNSInjection:
			called, why = nsInjection == "enabled" && inject != "false", whyNamespaceOn
			if nsInjection != "enabled" {
				why = whyNamespaceOff
			}
		case hasNSRev, hasPodRev:
			called, why = inject != "false", whyRevision
		default:
			called = inject == "true"
			if !called && inject != "false" {
				why = whyNoOptIn
			}
		}
		if !called {
			if why != whyNamespaceOff && why != whyNoOptIn {
				why = whyPodOptOut
			}
			return injectDecision{why: why}
		}
	}
	// The injector then reads the label, or else the annotation.
	v, ok := w.Spec.Metadata.Annotations["sidecar.istio.io/inject"]
	if hasInject {
		v, ok = inject, true
	}
	if !ok || v == "" {
		return injectDecision{injected: true, why: why, hook: hook}
	}
	switch strings.ToLower(v) {
	case "y", "yes", "true", "on":
		return injectDecision{injected: true, why: why, hook: hook}
	}
	return injectDecision{why: whyValueOff, hook: hook}
}

// text says, for messages, what decided the injection of w's pods.
func (d injectDecision) text(w *Workload, nsLabels map[string]string) string {
	ns := w.Namespace()
	pods := "the pod template"
	if w.Obj.Kind == kinds.Pod && w.Obj.Group == kinds.GroupCore {
		pods = "the pod"
	}
	switch d.why {
	case whyWebhook:
		return fmt.Sprintf("injector webhook %q of MutatingWebhookConfiguration %s matches namespace %s and %s", d.hook.h.Name.V, d.hook.cfg.Name(), ns, pods)
	case whyNoWebhook:
		return fmt.Sprintf("no injector webhook of the input matches %s in namespace %s (%s)", pods, ns, describeNamespaceLabels(nsLabels))

	case whyHostNetwork:
		return pods + " uses the host network, which the injector never injects"
	case whySystemNamespace:
		return "the injector never injects namespace " + ns
	case whyNamespaceOff:
		return fmt.Sprintf("namespace %s is labelled istio-injection=%s", ns, nsLabels["istio-injection"])
	case whyPodOptOut:
		return pods + " is labelled sidecar.istio.io/inject=false"
	case whyNoOptIn:
		return fmt.Sprintf("namespace %s has no istio-injection=enabled or istio.io/rev label and %s no sidecar.istio.io/inject=true label", ns, pods)
	case whyValueOff:
		if v, ok := w.Labels["sidecar.istio.io/inject"]; ok {
			return fmt.Sprintf("%s is labelled sidecar.istio.io/inject=%s", pods, v)
		}
		return fmt.Sprintf("%s is annotated sidecar.istio.io/inject: %q", pods, w.Spec.Metadata.Annotations["sidecar.istio.io/inject"])
	case whyNamespaceOn:
		return "namespace " + ns + " is labelled istio-injection=enabled"
	case whyRevision:
		if _, ok := nsLabels["istio.io/rev"]; ok {
			return fmt.Sprintf("namespace %s is labelled istio.io/rev=%s", ns, nsLabels["istio.io/rev"])
		}
		return fmt.Sprintf("%s is labelled istio.io/rev=%s", pods, w.Labels["istio.io/rev"])
	}
	return pods + " is labelled sidecar.istio.io/inject=true"
}

// describeNamespaceLabels describes a namespace's labels but
// kubernetes.io/metadata.name, for messages: "unlabelled", or "labelled
// k=v, k=v".
func describeNamespaceLabels(l map[string]string) string {
	var kv []string
	for k, v := range l {
		if k != NamespaceNameLabel {
			kv = append(kv, k+"="+v)
		}
	}
	if len(kv) == 0 {
		return "unlabelled"
	}
	sort.Strings(kv)
	return "labelled " + strings.Join(kv, ", ")
}
