package graph

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
)

// WebhookConfiguration is an admissionregistration.k8s.io
// MutatingWebhookConfiguration or ValidatingWebhookConfiguration, as
// Istio's charts install them for the sidecar injector and for config
// validation.
type WebhookConfiguration struct {
	Meta
	Spec *spec.WebhookConfiguration
	// Mutating is true for a MutatingWebhookConfiguration.
	Mutating bool
}

// WebhookConfigurations returns the webhook configurations of the input
// (those that decode), mutating and validating, in input order.
func (g *Graph) WebhookConfigurations() []*WebhookConfiguration { return g.webhookConfigs }

// addWebhookConfigurations decodes the webhook configurations once, for
// the rules that read them and for sidecar injection, which the injector
// configurations' webhooks decide, with the injector's ConfigMaps
// (injectorconfig.go): Build calls it before it adds the workloads, once
// it has the declared namespaces, whose Injection it then sets. Objects
// that do not decode are left to MR001.
func (g *Graph) addWebhookConfigurations() {
	g.addInjectorConfigs()
	defer g.setNamespaceInjection()
	for _, o := range g.Objects {
		if o.Group != kinds.GroupAdmissionRegistration {
			continue
		}
		if o.Kind != kinds.MutatingWebhookConfiguration && o.Kind != kinds.ValidatingWebhookConfiguration {
			continue
		}
		w := &WebhookConfiguration{Meta: Meta{Obj: o}, Mutating: o.Kind == kinds.MutatingWebhookConfiguration}
		if decodeInto(g, o, o.Node, &w.Spec) {
			g.webhookConfigs = append(g.webhookConfigs, w)
			if w.Injector() {
				for i := range w.Spec.Webhooks {
					g.injectors = append(g.injectors, newInjectorWebhook(w, &w.Spec.Webhooks[i]))
				}
			}
		}
	}
}

// Revisions returns the Istio revisions a webhook configuration serves,
// sorted: its istio.io/rev label and the values its webhooks' namespace
// and object selectors give istio.io/rev (matchLabels and matchExpressions).
// Istio's charts set them on every injector configuration, a revision
// tag's included (istioctl analyze's extractRevisions).
func (w *WebhookConfiguration) Revisions() []string {
	revs := map[string]bool{}
	if r, ok := w.Obj.Labels[revLabel]; ok {
		revs[r] = true
	}
	for _, h := range w.Spec.Webhooks {
		for _, s := range []*spec.LabelSelector{h.NamespaceSelector, h.ObjectSelector} {
			if s == nil {
				continue
			}
			if r, ok := s.MatchLabels[revLabel]; ok {
				revs[r] = true
			}
			for _, e := range s.MatchExpressions {
				if e.Key.V == revLabel {
					for _, v := range e.Values {
						revs[v] = true
					}
				}
			}
		}
	}
	out := make([]string, 0, len(revs))
	for r := range revs {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

const revLabel = "istio.io/rev"

// Injector reports whether a mutating webhook configuration is Istio's
// sidecar injector, as istioctl analyze tells it (pkg/config/analysis/
// analyzers/webhook): it serves a revision (Revisions), or one of its
// webhooks has a name ending in istio.io.
func (w *WebhookConfiguration) Injector() bool {
	if !w.Mutating {
		return false
	}
	return len(w.Revisions()) > 0 || w.hasIstioWebhook()
}

func (w *WebhookConfiguration) hasIstioWebhook() bool {
	for _, h := range w.Spec.Webhooks {
		if strings.HasSuffix(h.Name.V, "istio.io") {
			return true
		}
	}
	return false
}

// Istio reports whether the configuration is one of Istio's: named as
// Istio's charts name them (istio-sidecar-injector*, istio-revision-tag-*,
// istio-validator*, istiod-default-validator), labelled with a revision,
// or with a webhook whose name ends in istio.io.
func (w *WebhookConfiguration) Istio() bool {
	name := w.Name()
	if w.Mutating {
		if strings.HasPrefix(name, "istio-sidecar-injector") || strings.HasPrefix(name, "istio-revision-tag-") {
			return true
		}
	} else if name == "istiod-default-validator" || strings.HasPrefix(name, "istio-validator") {
		return true
	}
	_, rev := w.Obj.Labels[revLabel]
	return rev || w.hasIstioWebhook()
}
