package workload

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// WebhookClientConfigInvalid reports webhooks whose clientConfig the API
// server rejects.
var WebhookClientConfigInvalid = &rules.Rule{
	ID:      "MR728",
	Name:    "webhook-client-config-invalid",
	Summary: "a webhook sets neither or both of clientConfig.url and clientConfig.service, or a url the API server rejects",
	Doc: `Each webhook of a MutatingWebhookConfiguration or ValidatingWebhookConfiguration says how the
API server calls it: ` + "`clientConfig.service`" + ` (a Service of the cluster) or ` + "`clientConfig.url`" + `, exactly
one of them. The URL must be ` + "`https://host[:port][/path]`" + `: the API server rejects a configuration
whose URL does not parse, has another scheme or no host, or carries user information, a query or
a fragment. A rejected configuration is not applied: the injector or validator it declares is
not called at all, or the cluster keeps its previous version.

Istio's configurations call a URL when the control plane runs outside the cluster (an external
control plane, or a remote cluster of a multicluster mesh): the charts write
` + "`istiodRemote.injectionURL`" + ` into the injector's webhooks and ` + "`base.validationURL`" + ` into the
validator's. A template that renders an empty value leaves ` + "`url:`" + ` null, and the webhook without
any way to be called; istioctl analyze reports that (IST0163) for Istio's configurations, and a
URL that does not parse. meshlint checks every webhook configuration, and the API server's other
URL rules as well.

Set the URL of the external control plane (the address of its ingress gateway, with the
injection path istiod serves, such as ` + "`/inject/cluster/<cluster>/net/<network>`" + `), or name the
Service of the in-cluster istiod instead.`,
	Bad:      externalInjector("url:"),
	Good:     externalInjector("url: " + externalIstiodURL),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.MutatingWebhookConfiguration, kinds.ValidatingWebhookConfiguration},
	Related:  []string{"IST0163"},
	Deps:     rules.DepNone,
	Run:      runWebhookClientConfigInvalid,
}

// externalInjector is the injection webhook of a remote cluster whose
// istiod runs elsewhere, as Istio's chart writes it, with entry the one
// line of its clientConfig ("url:" alone leaves the URL empty): the
// examples of MR728 and MR729.
func externalInjector(entry string) string {
	return `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector-external-istiod}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig:
    ` + entry + `
  namespaceSelector: {matchLabels: {istio.io/rev: default}}
  sideEffects: None
  admissionReviewVersions: [v1]
`
}

// externalIstiodURL is where the external istiod of externalInjector
// injects the remote cluster's pods.
const externalIstiodURL = "https://istiod.external.example.com:15017/inject/cluster/remote1/net/network1"

func runWebhookClientConfigInvalid(p *rules.Pass) error {
	for _, c := range p.Graph.WebhookConfigurations() {
		for i := range c.Spec.Webhooks {
			h := &c.Spec.Webhooks[i]
			cc := h.ClientConfig
			at := cc.Loc
			if at.IsZero() {
				at = h.Name.Loc
			}
			switch {
			case !cc.URL.Set && cc.Service == nil:
				p.Reportf(c.Obj, at, "webhook %s sets neither clientConfig.url nor clientConfig.service: %s", webhookRef(c, h), rejected(c))
			case cc.URL.Set && cc.Service != nil:
				p.Reportf(c.Obj, cc.URL.Loc, "webhook %s sets both clientConfig.url and clientConfig.service, where exactly one is allowed: %s", webhookRef(c, h), rejected(c))
			case cc.URL.Set:
				if problem := webhookURLProblem(cc.URL.V); problem != "" {
					p.Reportf(c.Obj, cc.URL.Loc, "clientConfig.url %q of webhook %s %s: %s", cc.URL.V, webhookRef(c, h), problem, rejected(c))
				}
			}
		}
	}
	return nil
}

// rejected says what follows when the API server rejects configuration c.
func rejected(c *graph.WebhookConfiguration) string {
	return fmt.Sprintf("the API server rejects %s %s, so none of its webhooks is called", c.Obj.Kind, c.Name())
}

// webhookURLProblem returns why the API server rejects u as a webhook URL
// (k8s.io/apiserver's ValidateWebhookURL, HTTPS required), or "".
func webhookURLProblem(u string) string {
	if strings.TrimSpace(u) == "" {
		return "is empty"
	}
	parsed, err := url.Parse(u)
	switch {
	case err != nil:
		return "does not parse (" + strings.TrimPrefix(err.Error(), fmt.Sprintf("parse %q: ", u)) + ")"
	case parsed.Scheme != "https":
		if parsed.Scheme == "" {
			return "has no scheme; only https is allowed"
		}
		return fmt.Sprintf("has scheme %s; only https is allowed", parsed.Scheme)
	case parsed.Host == "":
		return "has no host"
	case parsed.User != nil:
		return "carries user information, which is not allowed"
	case parsed.RawQuery != "":
		return "has a query, which is not allowed"
	case parsed.Fragment != "":
		return "has a fragment, which is not allowed"
	}
	return ""
}

// istioWebhookURL returns the URL webhook h of c is called at and its
// parse, when c is one of Istio's configurations and the URL is one the
// API server accepts.
func istioWebhookURL(c *graph.WebhookConfiguration, h *spec.Webhook) (*url.URL, bool) {
	if !c.Istio() && !c.Injector() || !h.ClientConfig.URL.Set || webhookURLProblem(h.ClientConfig.URL.V) != "" {
		return nil, false
	}
	u, err := url.Parse(h.ClientConfig.URL.V)
	return u, err == nil
}
