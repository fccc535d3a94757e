package workload

import (
	"net/netip"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// WebhookURLIPAddress reports Istio webhooks called at an IP address.
var WebhookURLIPAddress = &rules.Rule{
	ID:      "MR729",
	Name:    "webhook-url-ip-address",
	Summary: "an Istio webhook is called at an IP address rather than a hostname",
	Doc: `With an external control plane, the API server of the remote cluster calls Istio's injector and
validator at the URL of their webhooks: the address of the external control plane's ingress
gateway (` + "`istiodRemote.injectionURL`" + ` and ` + "`base.validationURL`" + ` of the charts). An IP address there
ties the cluster to that address: when the load balancer in front of the gateway is recreated
and its address changes, every call fails, and no pod can be created until each webhook
configuration is rewritten. The serving certificate must also name the IP address. A hostname
can be moved with DNS, and is what the certificate usually names.

Checked for Istio's webhook configurations (` + "`istio-sidecar-injector*`" + `, ` + "`istio-revision-tag-*`" + `,
` + "`istio-validator*`" + `, ` + "`istiod-default-validator`" + `, or configurations labelled with a revision or with a
webhook named ` + "`*istio.io`" + `). istioctl analyze checks the injector and validator configurations
only, not the revision tags'.

Give the external control plane's gateway a DNS name and use it in the URLs.`,
	Bad:      externalInjector("url: https://203.0.113.10:15017/inject/cluster/remote1/net/network1"),
	Good:     externalInjector("url: " + externalIstiodURL),
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.MutatingWebhookConfiguration, kinds.ValidatingWebhookConfiguration},
	Related:  []string{"IST0164"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		for _, c := range p.Graph.WebhookConfigurations() {
			for i := range c.Spec.Webhooks {
				h := &c.Spec.Webhooks[i]
				u, ok := istioWebhookURL(c, h)
				if !ok || !isIP(u.Hostname()) {
					continue
				}
				p.Reportf(c.Obj, h.ClientConfig.URL.Loc, "webhook %s is called at IP address %s (%s), not a hostname: when the address changes, every call fails until the configuration is rewritten", webhookRef(c, h), u.Hostname(), h.ClientConfig.URL.V)
			}
		}
		return nil
	},
}

// isIP reports whether a URL's host is an IP address rather than a name.
func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}
