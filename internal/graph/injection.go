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
// from labels, and from the injector's ConfigMaps: see Graph.Injection.
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
// The decision has two steps, as in a cluster: the API server sends the
// pod to an injector, then the injector decides (injectRequired).
//
// When the input holds injector webhook configurations
// (WebhookConfiguration.Injector), the first step reads their webhooks, as
// the API server does: a pod is sent to the injector of every injector
// webhook whose namespaceSelector matches the labels of its namespace
// (which always carries kubernetes.io/metadata.name) and whose
// objectSelector matches the labels of the pod. That covers the chart's
// auto. webhook (sidecarInjectorWebhook.enableNamespacesByDefault),
// revisions, tags and custom selectors.
//
// Otherwise it reads labels as the webhooks of Istio's chart select pods:
// they call the injector for pods of a namespace labelled
// istio-injection=enabled, unless the pod is labelled
// sidecar.istio.io/inject=false; when the namespace has no
// istio-injection label, for pods of a namespace or pod labelled
// istio.io/rev (any revision or tag; the namespace's wins), unless
// labelled sidecar.istio.io/inject=false; and otherwise for pods labelled
// sidecar.istio.io/inject=true. When the input holds the default
// revision's injector ConfigMap and its values enable namespaces by
// default, the chart has rendered its auto. webhook too, which calls the
// injector for the pods without sidecar.istio.io/inject or istio.io/rev
// labels of the namespaces without either label.
//
// The injector skips host-network pods and the namespaces kube-system,
// kube-public, kube-node-lease and local-path-storage. It then reads the
// pod's sidecar.istio.io/inject label, or without it the annotation:
// "true" injects, "false" does not, and anything else (unset included)
// leaves the decision to its ConfigMap (InjectorConfig): the first of its
// neverInjectSelector that matches the pod's labels keeps it out, else
// the first of its alwaysInjectSelector that matches injects it, else its
// policy decides (enabled injects, disabled does not). A policy that is
// neither turns injection off for every pod. The ConfigMap is that of the
// revision of the webhook's configuration (its istio.io/rev label, else
// the name of its istiod Service), in the namespace of its istiod Service;
// without webhooks, that of the revision the labels select, in the mesh's
// root namespace or else any. Without a ConfigMap in the input, the
// policy is enabled and there are no selectors, as the chart's defaults
// have it. A pod that several injectors are called for is injected when
// one of them injects it.
//
// When the namespace's labels are unknown (not declared, not
// closed-world), the decision is Known when it is the same for every
// namespace label set tried: no label, istio-injection=enabled or
// disabled, istio.io/rev=default, and with injector webhooks the labels
// that satisfy, or violate, a requirement of their namespace selectors.
func (g *Graph) Injection(w *Workload) Injection {
	ns := g.Namespaces[w.Namespace()]
	var nsLabels map[string]string
	if ns != nil {
		nsLabels = ns.Labels
	}
	pod := workloadPod(w)
	d := g.injects(pod, nsLabels)
	known := g.Mesh.ClosedWorld || ns != nil && ns.Declared()
	if !known {
		// The labels a namespace of another source may have.
		known = true
		for _, l := range g.namespaceLabelCandidates(w.Namespace()) {
			if g.injects(pod, l).injected != d.injected {
				known = false
				break
			}
		}
	}
	return Injection{Injected: d.injected, Known: known, Reason: d.text(w, nsLabels)}
}

// podView is what the webhooks and the injector read of a pod.
type podView struct {
	ns          string
	labels      map[string]string
	annotations map[string]string
	hostNetwork bool
}

// workloadPod returns what the injector reads of the pods of w.
func workloadPod(w *Workload) podView {
	return podView{ns: w.Namespace(), labels: w.Labels, annotations: w.Spec.Metadata.Annotations, hostNetwork: w.Spec.Spec.HostNetwork.V}
}

// namespaceLabelCandidates returns label sets that a namespace name the
// input does not declare may have, to tell whether an injection decision
// depends on them.
func (g *Graph) namespaceLabelCandidates(name string) []map[string]string {
	out := []map[string]string{{}, {"istio-injection": "enabled"}, {"istio-injection": "disabled"}, {"istio.io/rev": "default"}}
	for _, h := range g.injectors {
		out = append(out, selectorCandidates(h.h.NamespaceSelector)...)
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
	whySystemNamespace                  // kube-system and the like: never injected
	whyNamespaceOff                     // istio-injection is set, not to enabled
	whyPodOptOut                        // the pod label sidecar.istio.io/inject=false keeps the webhooks away
	whyNoOptIn                          // no namespace label, and no pod opt-in
	whyValueOff                         // the injector reads sidecar.istio.io/inject=false
	whyNeverSelector                    // the pod matches a neverInjectSelector of the ConfigMap
	whyPolicyDisabled                   // the ConfigMap's policy is disabled, and the pod does not ask for injection
	whyPolicyOff                        // the ConfigMap's policy is neither enabled nor disabled
	whyNamespaceOn                      // istio-injection=enabled
	whyRevision                         // istio.io/rev on the namespace or pod
	whyPodOptIn                         // sidecar.istio.io/inject=true on the pod
	whyAutoConfigMap                    // the chart's auto. webhook, which the ConfigMap's values imply
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
	// cfg is the injector's ConfigMap, when the input has it.
	cfg *InjectorConfig
	// selector is the index of the neverInjectSelector that matched.
	selector int
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
	// rev is the revision of the istiod it calls, and istiodNS its
	// namespace ("" when unknown): see revisionOf.
	rev, istiodNS string
}

func newInjectorWebhook(c *WebhookConfiguration, h *spec.Webhook) injectorWebhook {
	rev, ns := revisionOf(c, h)
	return injectorWebhook{cfg: c, h: h, ns: Selector(h.NamespaceSelector), obj: Selector(h.ObjectSelector),
		valid: ValidSelector(h.NamespaceSelector) && ValidSelector(h.ObjectSelector), rev: rev, istiodNS: ns}
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

// ignoredNamespace reports whether the injector never injects the pods of
// namespace ns (inject.IgnoredNamespaces).
func ignoredNamespace(ns string) bool {
	switch ns {
	case "kube-system", "kube-public", "kube-node-lease", "local-path-storage":
		return true
	}
	return false
}

// DefaultInjector is what injects the pods of a namespace that carry no
// injection label or annotation of their own: see Graph.DefaultInjection.
type DefaultInjector struct {
	// Config and Webhook are the injector webhook that sends the pods to
	// the injector, when the input has injector webhooks.
	Config  *WebhookConfiguration
	Webhook *spec.Webhook
	// ConfigMap is the injector's ConfigMap, when the input has it.
	// Without Webhook, its values' enableNamespacesByDefault stands for
	// the chart's auto. webhook.
	ConfigMap *InjectorConfig
}

// DefaultInjection returns what sends the pods of namespace name without
// any label or annotation (no sidecar.istio.io/inject, no istio.io/rev) to
// the injector, which injects them: an injector webhook of the input (the
// chart's auto. webhook, or one whose selectors take them), or, when the
// input has no injector webhooks, the default revision's ConfigMap whose
// values enable namespaces by default. ok is false when nothing does, or
// the injector does not inject them (an ignored namespace, a
// neverInjectSelector, a policy other than enabled). The decision reads
// the namespace's labels: callers check that it has no injection label.
func (g *Graph) DefaultInjection(name string) (d DefaultInjector, ok bool) {
	var nsLabels map[string]string
	if ns := g.Namespaces[name]; ns != nil {
		nsLabels = ns.Labels
	}
	dec := g.injects(podView{ns: name}, nsLabels)
	switch {
	case !dec.injected:
		return DefaultInjector{}, false
	case dec.hook != nil:
		return DefaultInjector{Config: dec.hook.cfg, Webhook: dec.hook.h, ConfigMap: dec.cfg}, true
	case dec.why == whyAutoConfigMap:
		return DefaultInjector{ConfigMap: dec.cfg}, true
	}
	return DefaultInjector{}, false
}

// InjectorWebhooksMiss reports whether the input holds injector webhooks
// and none of them takes a pod without labels of namespace name: then a
// namespace label that asks for injection (istio-injection=enabled, or
// istio.io/rev with a revision or tag the webhooks do not serve) injects
// nothing, since the API server calls only the webhooks that select the
// pod. Without injector webhooks in the input it is false: any revision
// may be installed.
func (g *Graph) InjectorWebhooksMiss(name string) bool {
	if len(g.injectors) == 0 {
		return false
	}
	var nsLabels map[string]string
	if ns := g.Namespaces[name]; ns != nil {
		nsLabels = ns.Labels
	}
	nsLabels = withNamespaceName(nsLabels, name)
	for i := range g.injectors {
		if g.injectors[i].matches(nsLabels, nil) {
			return false
		}
	}
	return true
}

// setNamespaceInjection sets the Injection of the namespaces known so far
// (the declared ones): whether the injector injects their pods that carry
// no injection label or annotation.
func (g *Graph) setNamespaceInjection() {
	for _, ns := range g.Namespaces {
		ns.Injection = g.injects(podView{ns: ns.Name}, ns.Labels).injected
	}
}

// injectorCall is a call of the injector for a pod: why the pod is sent to
// it, by which webhook of the input (nil without), and the injector's
// ConfigMap (nil when the input does not have it).
type injectorCall struct {
	why  injectWhy
	hook *injectorWebhook
	cfg  *InjectorConfig
}

// autoInjector returns the default revision's injector ConfigMap when its
// values enable namespaces by default and the input has no injector
// webhooks: the chart that rendered it rendered the auto. webhook too.
func (g *Graph) autoInjector() *InjectorConfig {
	if len(g.injectors) > 0 {
		return nil
	}
	if c := g.injectorConfig("default", ""); c != nil && c.s.ByDefault.V {
		return c
	}
	return nil
}

// injects applies the webhooks' and the injector's rules (see
// Graph.Injection) to pod p in a namespace with labels nsLabels.
func (g *Graph) injects(p podView, nsLabels map[string]string) injectDecision {
	if p.hostNetwork {
		return injectDecision{why: whyHostNetwork}
	}
	if ignoredNamespace(p.ns) {
		return injectDecision{why: whySystemNamespace}
	}
	// Pods are many and their calls few: room for them on the stack.
	var buf [4]injectorCall
	calls, why := g.injectorCalls(p, nsLabels, buf[:0])
	if len(calls) == 0 {
		return injectDecision{why: why}
	}
	var first injectDecision
	for i, c := range calls {
		d := c.cfg.required(p, c.why)
		d.hook, d.cfg = c.hook, c.cfg
		if d.injected {
			return d
		}
		if i == 0 {
			first = d
		}
	}
	return first
}

// injectorCalls returns the calls of the injector for pod p, appended to
// calls, or why there are none.
func (g *Graph) injectorCalls(p podView, nsLabels map[string]string, calls []injectorCall) ([]injectorCall, injectWhy) {
	inject, hasInject := p.labels["sidecar.istio.io/inject"]
	if len(g.injectors) > 0 {
		// The input's webhooks call the injector.
		nsLabels = withNamespaceName(nsLabels, p.ns)
		for i := range g.injectors {
			if h := &g.injectors[i]; h.matches(nsLabels, p.labels) {
				calls = append(calls, injectorCall{why: whyWebhook, hook: h, cfg: g.injectorConfig(h.rev, h.istiodNS)})
			}
		}
		return calls, whyNoWebhook
	}
	// The webhooks of Istio's chart (namespace., object., rev.namespace.,
	// rev.object. and auto.sidecar-injector.istio.io) call the injector
	// when:
	nsInjection, hasNSInjection := nsLabels["istio-injection"]
	nsRev, hasNSRev := nsLabels["istio.io/rev"]
	podRev, hasPodRev := p.labels["istio.io/rev"]
	switch {
	case hasNSInjection:
		// Whatever istio.io/rev says: the rev. webhooks need
		// istio-injection unset, and namespace. (the default
		// revision's, or the default tag's) needs it enabled alone.
		if nsInjection != "enabled" {
			return nil, whyNamespaceOff
		}
		if inject == "false" {
			return nil, whyPodOptOut
		}
		return append(calls, injectorCall{why: whyNamespaceOn, cfg: g.injectorConfig("default", "")}), 0
	case hasNSRev, hasPodRev:
		if inject == "false" {
			return nil, whyPodOptOut
		}
		rev := podRev
		if hasNSRev {
			rev = nsRev
		}
		return append(calls, injectorCall{why: whyRevision, cfg: g.injectorConfig(rev, "")}), 0
	case inject == "true":
		return append(calls, injectorCall{why: whyPodOptIn, cfg: g.injectorConfig("default", "")}), 0
	case !hasInject:
		if c := g.autoInjector(); c != nil {
			return append(calls, injectorCall{why: whyAutoConfigMap, cfg: c}), 0
		}
		return nil, whyNoOptIn
	case inject == "false":
		return nil, whyPodOptOut
	}
	return nil, whyNoOptIn
}

// required applies the injector's own checks (inject.injectRequired) to
// pod p, which a webhook sent it for reason why. c is nil without a
// ConfigMap in the input: policy enabled, no selectors.
func (c *InjectorConfig) required(p podView, why injectWhy) injectDecision {
	policy := "enabled"
	if c != nil {
		policy = c.s.Policy.V
	}
	if policy != "enabled" && policy != "disabled" {
		return injectDecision{why: whyPolicyOff}
	}
	// The label is the newer API: when both are there, it wins. Only
	// "true" and "false" count; the injector takes any other value as
	// unset.
	v := p.annotations["sidecar.istio.io/inject"]
	if l, ok := p.labels["sidecar.istio.io/inject"]; ok {
		v = l
	}
	switch v {
	case "true":
		return injectDecision{injected: true, why: why}
	case "false":
		return injectDecision{why: whyValueOff}
	}
	if c != nil {
		for i := range c.s.Never {
			if injectorSelectorMatches(&c.s.Never[i], p.labels) {
				return injectDecision{why: whyNeverSelector, selector: i}
			}
		}
		for i := range c.s.Always {
			if injectorSelectorMatches(&c.s.Always[i], p.labels) {
				return injectDecision{injected: true, why: why}
			}
		}
	}
	if policy == "disabled" {
		return injectDecision{why: whyPolicyDisabled}
	}
	return injectDecision{injected: true, why: why}
}

// injectorSelectorMatches reports whether a neverInjectSelector or
// alwaysInjectSelector entry selects a pod with labels l. The injector
// skips the entries it cannot convert to a selector and those that are
// empty (which would select every pod).
func injectorSelectorMatches(s *spec.LabelSelector, l map[string]string) bool {
	if !ValidSelector(s) {
		return false
	}
	sel := Selector(s)
	return !sel.Empty() && sel.Matches(l)
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
	case whyAutoConfigMap:
		return fmt.Sprintf("injector ConfigMap %s/%s enables namespaces by default and namespace %s has no istio-injection or istio.io/rev label", d.cfg.Namespace(), d.cfg.Name(), ns)

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
	case whyNeverSelector:
		return fmt.Sprintf("%s matches neverInjectSelector[%d] of injector ConfigMap %s/%s", pods, d.selector, d.cfg.Namespace(), d.cfg.Name())
	case whyPolicyDisabled:
		return fmt.Sprintf("injector ConfigMap %s/%s has policy disabled, and %s neither sets sidecar.istio.io/inject to \"true\" nor matches an alwaysInjectSelector", d.cfg.Namespace(), d.cfg.Name(), pods)
	case whyPolicyOff:
		if !d.cfg.s.Policy.Set {
			return fmt.Sprintf("injector ConfigMap %s/%s sets no policy, which turns injection off", d.cfg.Namespace(), d.cfg.Name())
		}
		return fmt.Sprintf("injector ConfigMap %s/%s has policy %q, neither enabled nor disabled, which turns injection off", d.cfg.Namespace(), d.cfg.Name(), d.cfg.s.Policy.V)
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
