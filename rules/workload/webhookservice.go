package workload

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// WebhookServiceUnknown reports Istio webhooks that call a Service the
// input does not have, or a port it does not serve.
var WebhookServiceUnknown = &rules.Rule{
	ID:      "MR727",
	Name:    "webhook-service-unknown",
	Summary: "an Istio webhook calls a service that does not exist or does not serve its port",
	Doc: `The API server reaches Istio's sidecar injector and config validation webhooks through the
Service their ` + "`clientConfig.service`" + ` names (` + "`istiod`" + ` or ` + "`istiod-<revision>`" + ` in the control plane's
namespace), on its ` + "`port`" + ` (443 when unset). When that Service does not exist, or serves no such
port, every call fails: with ` + "`failurePolicy: Fail`" + ` (the injector's, and v1's default) no pod the
injector matches can be created, and no Istio object the validator matches can be written; with
` + "`Ignore`" + `, pods start without a sidecar and configuration is stored unvalidated. It happens when
a revision is removed but a webhook configuration or revision tag still points at its istiod,
or when a revision's name is mistyped.

Checked for the injector configurations istioctl analyze checks (mutating configurations that
serve an Istio revision or have a webhook named ` + "`*istio.io`" + `) and for Istio's validating
configurations (` + "`istio-validator*`" + `, ` + "`istiod-default-validator`" + `), which istioctl analyze leaves out.
The Service must be in the input: with the closed-world setting, or when the input holds Services
of its namespace; the port is checked when the Service declares ports. Webhooks called at a URL
(an external control plane) are MR728's and MR729's.

Point the webhook at the Service of a running revision (` + "`istioctl tag set`" + ` rewrites a tag), or
remove the configuration of the revision that is gone.`,
	Bad:      prodTagWebhook("1-23"),
	Good:     prodTagWebhook("1-24"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.MutatingWebhookConfiguration, kinds.ValidatingWebhookConfiguration, kinds.Service},
	Related:  []string{"IST0139"},
	Deps:     rules.DepREF | rules.DepPRES,
	Run:      runWebhookServiceUnknown,
}

// prodTagWebhook is the webhook configuration of revision tag prod,
// pointing at the istiod Service of revision rev, and the Service of
// revision 1-24, the only one the input holds: the examples of MR727.
func prodTagWebhook(rev string) string {
	return `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-revision-tag-prod, labels: {istio.io/rev: ` + rev + `, istio.io/tag: prod}}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig: {service: {name: istiod-` + rev + `, namespace: istio-system, path: /inject, port: 443}}
  namespaceSelector: {matchLabels: {istio.io/rev: prod}}
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: v1
kind: Service
metadata: {name: istiod-1-24, namespace: istio-system}
spec:
  selector: {app: istiod, istio.io/rev: 1-24}
  ports: [{name: https-webhook, port: 443, targetPort: 15017}]
`
}

func runWebhookServiceUnknown(p *rules.Pass) error {
	g := p.Graph
	for _, c := range g.WebhookConfigurations() {
		// Istio's injectors, and its validators (the other half of
		// istioctl's analyzer covers injectors only).
		istioValidator := c.Istio() && !c.Mutating
		if !c.Injector() && !istioValidator {
			continue
		}
		for i := range c.Spec.Webhooks {
			h := &c.Spec.Webhooks[i]
			ref := h.ClientConfig.Service
			if ref == nil || h.ClientConfig.URL.Set || ref.Name.V == "" || ref.Namespace.V == "" {
				continue // MR728's, or MR001's
			}
			ns, name := ref.Namespace.V, ref.Name.V
			svc := findService(g, ns, name)
			if svc == nil {
				if !g.Mesh.ClosedWorld && !g.HasKind(kinds.Service, ns) {
					continue
				}
				p.Reportf(c.Obj, ref.Name.Loc, "webhook %s calls Service %s/%s, which is not in the input: %s", webhookRef(c, h), ns, name, unreachable(c, h))
				continue
			}
			port := int64(443)
			at := ref.Loc
			if ref.Port.Set {
				port, at = ref.Port.V, ref.Port.Loc
			}
			if len(svc.Spec.Ports) == 0 || servesPort(svc, port) {
				continue
			}
			p.Reportf(c.Obj, at, "webhook %s calls Service %s/%s on port %d, which the Service does not serve (its ports: %s): %s", webhookRef(c, h), ns, name, port, servicePorts(svc), unreachable(c, h)).
				Relate(svc.Obj, svc.Obj.NameLoc, "Service %s/%s", ns, name)
		}
	}
	return nil
}

// webhookRef names webhook h of configuration c for messages.
func webhookRef(c *graph.WebhookConfiguration, h *spec.Webhook) string {
	return fmt.Sprintf("%q of %s %s", h.Name.V, c.Obj.Kind, c.Name())
}

// unreachable says what follows when the API server cannot call webhook h.
func unreachable(c *graph.WebhookConfiguration, h *spec.Webhook) string {
	ignore := h.FailurePolicy.V == "Ignore"
	switch {
	case c.Mutating && ignore:
		return "the API server cannot call it, so the pods it matches start without a sidecar (failurePolicy Ignore)"
	case c.Mutating:
		return "the API server cannot call it, so no pod it matches can be created (failurePolicy Fail)"
	case ignore:
		return "the API server cannot call it, so the objects it matches are stored unvalidated (failurePolicy Ignore)"
	}
	return "the API server cannot call it, so no object it matches can be written (failurePolicy Fail)"
}

func findService(g *graph.Graph, ns, name string) *graph.Service {
	for _, s := range g.Services {
		if s.Namespace() == ns && s.Name() == name {
			return s
		}
	}
	return nil
}

func servesPort(s *graph.Service, port int64) bool {
	for _, sp := range s.Spec.Ports {
		if sp.Port.V == port {
			return true
		}
	}
	return false
}

func servicePorts(s *graph.Service) string {
	var ps []int
	for _, sp := range s.Spec.Ports {
		ps = append(ps, int(sp.Port.V))
	}
	sort.Ints(ps)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprint(p)
	}
	return strings.Join(out, ", ")
}
