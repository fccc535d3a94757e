package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// WebhookConfiguration is an admissionregistration.k8s.io
// MutatingWebhookConfiguration or ValidatingWebhookConfiguration, decoded
// from the whole object: its webhooks are not under a spec.
type WebhookConfiguration struct {
	Webhooks []Webhook `yaml:"webhooks"`
}

// Webhook is one webhook of a configuration.
type Webhook struct {
	At                `yaml:"-"`
	Name              Str                 `yaml:"name"`
	ClientConfig      WebhookClientConfig `yaml:"clientConfig"`
	NamespaceSelector *LabelSelector      `yaml:"namespaceSelector"`
	ObjectSelector    *LabelSelector      `yaml:"objectSelector"`
	// FailurePolicy is Fail or Ignore; unset means Fail (v1).
	FailurePolicy Str `yaml:"failurePolicy"`
}

// UnmarshalYAML records the webhook's location.
func (w *Webhook) UnmarshalYAML(n *yaml.Node) error {
	type plain Webhook
	return decodeAt(n, &w.At, (*plain)(w))
}

// WebhookClientConfig says how the API server reaches a webhook: at a URL,
// or through a Service of the cluster.
type WebhookClientConfig struct {
	At      `yaml:"-"`
	URL     Str             `yaml:"url"`
	Service *WebhookService `yaml:"service"`
}

// UnmarshalYAML records the client config's location.
func (c *WebhookClientConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain WebhookClientConfig
	return decodeAt(n, &c.At, (*plain)(c))
}

// WebhookService is the Service a webhook is called through.
type WebhookService struct {
	At        `yaml:"-"`
	Namespace Str `yaml:"namespace"`
	Name      Str `yaml:"name"`
	// Port defaults to 443.
	Port Int `yaml:"port"`
}

// UnmarshalYAML records the service reference's location.
func (s *WebhookService) UnmarshalYAML(n *yaml.Node) error {
	type plain WebhookService
	return decodeAt(n, &s.At, (*plain)(s))
}
