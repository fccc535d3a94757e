package workload

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// InjectionWebhooksOverlap reports sidecar injection webhooks that match
// the same pods.
var InjectionWebhooksOverlap = &rules.Rule{
	ID:      "MR726",
	Name:    "injection-webhooks-overlap",
	Summary: "two sidecar injection webhooks match the same pods, so a pod is injected twice",
	Doc: `Istio's charts install one MutatingWebhookConfiguration per revision
(` + "`istio-sidecar-injector[-<rev>]`" + `) and one per revision tag (` + "`istio-revision-tag-<tag>`" + `), whose
webhooks are written so that every namespace and pod selects at most one of them: by
` + "`istio-injection: enabled`" + ` (the default revision), by ` + "`istio.io/rev: <rev or tag>`" + ` on the namespace,
or on the pod. When two injection webhooks' namespace and object selectors can both match one
pod (two installations that both claim the default revision, a revision tag named like a
revision, a leftover configuration of an old installation, a hand-edited selector), the API
server calls both injectors for it. Each one injects, the second replacing the first's proxy, so
the revision a pod runs depends on the order in which the API server calls the webhooks, and
pods cannot be created while either injector is down.

Webhook configurations count as Istio's injectors as istioctl analyze tells them: they serve a
revision (an ` + "`istio.io/rev`" + ` label, or ` + "`istio.io/rev`" + ` in a webhook's selectors), or a webhook's
name ends in ` + "`istio.io`" + `. Two webhooks overlap when a set of namespace labels satisfies both
namespace selectors and a set of pod labels both object selectors (an absent selector matches
everything); the message gives such a namespace and pod. istioctl analyze tries a fixed list of
injection labels instead, so meshlint also finds overlaps on other labels. Configurations with
the same name are copies of one object (for example in two overlays), never both in a cluster,
and are not compared.

Keep one webhook per label: remove the configuration of the installation being replaced (a
non-revisioned ` + "`istio-sidecar-injector`" + ` once a revision holds the ` + "`default`" + ` tag, whose webhooks
then serve ` + "`istio-injection: enabled`" + ` and ` + "`istio.io/rev: default`" + `), and give revision tags names
that no revision has (` + "`istioctl tag set`" + ` refuses the others).`,
	Bad: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector}
webhooks:
- name: namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
  namespaceSelector: {matchLabels: {istio-injection: enabled}}
  sideEffects: None
  admissionReviewVersions: [v1]
---
` + defaultTagWebhook,
	Good: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector-1-24, labels: {istio.io/rev: 1-24}}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod-1-24, namespace: istio-system, path: /inject}}
  namespaceSelector:
    matchExpressions:
    - {key: istio.io/rev, operator: In, values: [1-24]}
    - {key: istio-injection, operator: DoesNotExist}
  sideEffects: None
  admissionReviewVersions: [v1]
---
` + defaultTagWebhook,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.MutatingWebhookConfiguration},
	Related:  []string{"IST0139"},
	Deps:     rules.DepNone,
	Run:      runInjectionWebhooksOverlap,
}

// defaultTagWebhook is the webhook configuration of revision tag default,
// pointing at revision 1-24, which injects the namespaces labelled
// istio-injection: enabled: the examples of MR726 give it a second
// injector.
const defaultTagWebhook = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-revision-tag-default, labels: {istio.io/rev: 1-24, istio.io/tag: default}}
webhooks:
- name: namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod-1-24, namespace: istio-system, path: /inject}}
  namespaceSelector: {matchLabels: {istio-injection: enabled}}
  sideEffects: None
  admissionReviewVersions: [v1]
`

// injectionWebhook is one webhook of an injector configuration.
type injectionWebhook struct {
	cfg *graph.WebhookConfiguration
	h   *spec.Webhook
}

func (w injectionWebhook) String() string {
	return fmt.Sprintf("%q of MutatingWebhookConfiguration %s", w.h.Name.V, w.cfg.Name())
}

func runInjectionWebhooksOverlap(p *rules.Pass) error {
	var hooks []injectionWebhook
	for _, c := range p.Graph.WebhookConfigurations() {
		if !c.Injector() {
			continue
		}
		for i := range c.Spec.Webhooks {
			hooks = append(hooks, injectionWebhook{c, &c.Spec.Webhooks[i]})
		}
	}
	for i, a := range hooks {
		var others []injectionWebhook
		var example string
		seen := map[string]bool{}
		for j, b := range hooks {
			// Configurations of one name are copies of one object; a
			// webhook met again in another copy is listed once.
			key := b.cfg.Name() + "\x00" + b.h.Name.V
			if i == j || a.cfg != b.cfg && a.cfg.Name() == b.cfg.Name() || seen[key] {
				continue
			}
			ns, okNS := satisfy([]*spec.LabelSelector{a.h.NamespaceSelector, b.h.NamespaceSelector}, graph.NamespaceNameLabel)
			pod, okPod := satisfy([]*spec.LabelSelector{a.h.ObjectSelector, b.h.ObjectSelector})
			if !okNS || !okPod {
				continue
			}
			if example == "" {
				example = describeLabelled("pod", pod, a.h.ObjectSelector, b.h.ObjectSelector) + " in " +
					describeLabelled("namespace", ns, a.h.NamespaceSelector, b.h.NamespaceSelector)
			}
			seen[key] = true
			others = append(others, b)
		}
		if len(others) == 0 {
			continue
		}
		var names []string
		for _, b := range others {
			if b.cfg == a.cfg {
				names = append(names, fmt.Sprintf("%q of the same configuration", b.h.Name.V))
			} else {
				names = append(names, b.String())
			}
		}
		what, sent := "webhook "+names[0], "both injectors"
		if len(names) > 1 {
			sent = "this one and webhook " + names[0]
			if len(names) > 3 {
				names = append(names[:3], fmt.Sprintf("%d more", len(names)-3))
			}
			what = fmt.Sprintf("%d other injection webhooks (%s)", len(others), strings.Join(names, ", "))
		}
		f := p.Reportf(a.cfg.Obj, a.h.Name.Loc, "injection webhook %s overlaps %s: %s is sent to %s, so it is injected twice and runs the proxy of whichever the API server calls last", a, what, example, sent)
		for _, b := range others {
			f.Relate(b.cfg.Obj, b.h.Name.Loc, "the overlapping webhook %s", b)
		}
	}
	return nil
}

// describeLabelled names an example object with labels l, which the
// selectors match: "a pod labelled k=v", "an unlabelled namespace", or
// "any pod" when no selector constrains anything.
func describeLabelled(what string, l map[string]string, sels ...*spec.LabelSelector) string {
	if len(l) == 0 {
		for _, s := range sels {
			if s != nil && (len(s.MatchLabels) > 0 || len(s.MatchExpressions) > 0) {
				return "an unlabelled " + what
			}
		}
		return "any " + what
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + l[k]
	}
	return "a " + what + " labelled " + strings.Join(keys, ", ")
}

// satisfy returns a set of labels that every selector matches (a nil
// selector matches everything), and false when no set of labels does.
// Keys listed in always are present on every object (a namespace's
// kubernetes.io/metadata.name). The result holds the keys that a selector
// requires to be present, with a value it accepts; keys it merely allows
// are left out.
//
// A selector the API server would reject (In or NotIn without values,
// Exists or DoesNotExist with values, another operator) matches nothing,
// as istioctl analyze's selectorMatches has it.
func satisfy(sels []*spec.LabelSelector, always ...string) (map[string]string, bool) {
	type constraint struct {
		present, absent bool
		// allowed is nil for any value.
		allowed  map[string]bool
		excluded map[string]bool
	}
	cs := map[string]*constraint{}
	get := func(k string) *constraint {
		c := cs[k]
		if c == nil {
			c = &constraint{excluded: map[string]bool{}}
			cs[k] = c
		}
		return c
	}
	allow := func(c *constraint, vs []string) {
		next := map[string]bool{}
		for _, v := range vs {
			if c.allowed == nil || c.allowed[v] {
				next[v] = true
			}
		}
		c.allowed = next
	}
	for _, s := range sels {
		if !graph.ValidSelector(s) {
			return nil, false
		}
		if s == nil {
			continue
		}
		for k, v := range s.MatchLabels {
			c := get(k)
			c.present = true
			allow(c, []string{v})
		}
		for _, e := range s.MatchExpressions {
			c := get(e.Key.V)
			switch e.Operator.V {
			case "In":
				c.present = true
				allow(c, e.Values)
			case "NotIn":
				for _, v := range e.Values {
					c.excluded[v] = true
				}
			case "Exists":
				c.present = true
			case "DoesNotExist":
				c.absent = true
			}
		}
	}
	out := map[string]string{}
	for k, c := range cs {
		implied := false
		for _, a := range always {
			implied = implied || a == k
		}
		if c.absent {
			if c.present || implied {
				return nil, false
			}
			continue
		}
		if c.allowed != nil {
			var vs []string
			for v := range c.allowed {
				if !c.excluded[v] {
					vs = append(vs, v)
				}
			}
			if len(vs) == 0 {
				return nil, false
			}
			sort.Strings(vs)
			out[k] = vs[0]
			continue
		}
		if c.present && !implied {
			out[k] = valueNotIn(c.excluded)
		}
		// Otherwise the key may be absent, or (implied) carry a value
		// that no NotIn excludes: there are always such values.
	}
	return out, true
}

// valueNotIn returns a label value outside excluded.
func valueNotIn(excluded map[string]bool) string {
	for _, v := range []string{"true", "enabled"} {
		if !excluded[v] {
			return v
		}
	}
	for i := 0; ; i++ {
		if v := "v" + strconv.Itoa(i); !excluded[v] {
			return v
		}
	}
}
