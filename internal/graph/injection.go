package graph

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
)

// Injection is what Istio's sidecar injector does with the pods of a
// workload, as meshlint decides it from labels: see Graph.Injection.
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
// The decision reads labels, not MutatingWebhookConfigurations: the
// webhooks of Istio's chart call the injector for pods of a namespace
// labelled istio-injection=enabled, unless the pod is labelled
// sidecar.istio.io/inject=false; when the namespace has no istio-injection
// label, for pods of a namespace or pod labelled istio.io/rev (any
// revision or tag), unless labelled sidecar.istio.io/inject=false; and
// otherwise for pods labelled sidecar.istio.io/inject=true. The injector
// then skips host-network pods, the namespaces kube-system and
// kube-public, and pods whose sidecar.istio.io/inject label (or, without
// it, annotation) is set to something other than true, y, yes or on.
func (g *Graph) Injection(w *Workload) Injection {
	ns := g.Namespaces[w.Namespace()]
	var nsLabels map[string]string
	if ns != nil {
		nsLabels = ns.Labels
	}
	injected, why := injects(w, nsLabels)
	known := g.Mesh.ClosedWorld || ns != nil && ns.Declared()
	if !known {
		// The labels a namespace of another source may have.
		known = true
		for _, l := range []map[string]string{{"istio-injection": "enabled"}, {"istio-injection": "disabled"}, {"istio.io/rev": "default"}} {
			if other, _ := injects(w, l); other != injected {
				known = false
				break
			}
		}
	}
	return Injection{Injected: injected, Known: known, Reason: why.text(w, nsLabels)}
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
)

// injects applies the injector's rules (see Graph.Injection) to the pods
// of w in a namespace with labels nsLabels.
func injects(w *Workload, nsLabels map[string]string) (bool, injectWhy) {
	if w.Spec.Spec.HostNetwork.V {
		return false, whyHostNetwork
	}
	switch w.Namespace() {
	case "kube-system", "kube-public":
		return false, whySystemNamespace
	}
	inject, hasInject := w.Labels["sidecar.istio.io/inject"]
	// The webhooks of Istio's chart (namespace., object., rev.namespace.
	// and rev.object.sidecar-injector.istio.io) call the injector when:
	nsInjection, hasNSInjection := nsLabels["istio-injection"]
	_, hasNSRev := nsLabels["istio.io/rev"]
	_, hasPodRev := w.Labels["istio.io/rev"]
	var called bool
	why := whyPodOptIn
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
		return false, why
	}
	// The injector then reads the label, or else the annotation.
	v, ok := w.Spec.Metadata.Annotations["sidecar.istio.io/inject"]
	if hasInject {
		v, ok = inject, true
	}
	if !ok || v == "" {
		return true, why
	}
	switch strings.ToLower(v) {
	case "y", "yes", "true", "on":
		return true, why
	}
	return false, whyValueOff
}

// text says, for messages, what decided the injection of w's pods.
func (why injectWhy) text(w *Workload, nsLabels map[string]string) string {
	ns := w.Namespace()
	pods := "the pod template"
	if w.Obj.Kind == kinds.Pod && w.Obj.Group == kinds.GroupCore {
		pods = "the pod"
	}
	switch why {
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
