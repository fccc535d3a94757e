package gateway

import (
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// now is the time certificates are checked against; tests may fix it.
var now = time.Now

// GatewayCredentialInvalid reports credentialName Secrets that are missing,
// that Istio cannot serve, or whose certificate is out of date.
var GatewayCredentialInvalid = &rules.Rule{
	ID:      "MR213",
	Name:    "gateway-credential-invalid",
	Summary: "gateway server credentialName names a Secret that is missing, holds no usable certificate, or holds an expired one",
	Doc: `A Gateway server with ` + "`tls.credentialName`" + ` serves the certificate of that Secret, read from
the namespace of the gateway pods (not the Gateway's), or from namespace ` + "`ns`" + ` for
` + "`ns/name`" + `. Istio needs ` + "`tls.crt`" + ` and ` + "`tls.key`" + ` (or ` + "`cert`" + ` and ` + "`key`" + `), a certificate that parses, and
for ` + "`MUTUAL`" + ` mode a CA certificate (key ` + "`ca.crt`" + ` or ` + "`cacert`" + `, or a Secret named
` + "`<name>-cacert`" + `). Otherwise Envoy cannot load the certificate, and TLS handshakes fail for the
server's hosts. Create the Secret in the gateway pods' namespace, or fix its keys.

A certificate that has expired, or is not valid yet, is reported as a warning with its own
message: istiod checks the dates when it sends the Secret to the gateway (pilot's SDS), but
only logs a warning and sends it anyway, and Envoy serves it. Clients that verify
certificates then refuse every handshake. Renew the certificate. (istioctl analyze reports
such a Secret as IST0161.)

Secrets are often created by cert-manager or an external secret store rather than kept with the
manifests, so a missing Secret is only reported when the input holds another Secret of that
namespace, or with the closed-world setting. The rule only judges Gateways whose pods are in
the input (istioctl analyze reports the selector instead). meshlint reads the certificate to
check it, and never prints a Secret's data.`,
	Bad: `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: istio-system}
type: Opaque
stringData: {certificate: "not a certificate"}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
`,
	Good: `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    # The Secret is managed elsewhere (the input holds no Secret of
    # istio-system), so the rule does not judge it.
    tls: {mode: SIMPLE, credentialName: shop-cert}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Gateway, kinds.Secret, kinds.Pod, kinds.Deployment, kinds.DaemonSet, kinds.StatefulSet},
	Related:  []string{"IST0101", "IST0161"},
	Run:      runGatewayCredentialInvalid,
}

func runGatewayCredentialInvalid(p *rules.Pass) error {
	g := p.Graph
	for _, gw := range g.Gateways {
		for _, podNS := range gw.WorkloadNamespaces() {
			for _, s := range gw.Spec.Servers {
				if s.TLS == nil || s.TLS.CredentialName.V == "" {
					continue
				}
				mode := strings.ToUpper(s.TLS.Mode.V)
				if mode == "PASSTHROUGH" || mode == "AUTO_PASSTHROUGH" || mode == "ISTIO_MUTUAL" {
					continue // credentialName is not used
				}
				cn := s.TLS.CredentialName
				ref := graph.ResolveCredential(cn.V, podNS)
				if ref.Skip {
					continue
				}
				sec := g.FindSecret(ref.Namespace, ref.Name)
				if sec == nil {
					if g.Mesh.ClosedWorld || g.HasKind(kinds.Secret, ref.Namespace) {
						p.Reportf(gw.Obj, cn.Loc, "credentialName %q: no Secret %s/%s, which the gateway pods of namespace %s read",
							cn.V, ref.Namespace, ref.Name, podNS)
					}
					continue
				}
				if why := sec.CheckTLSCredential(now()); why != "" {
					if cert := sec.ServedCertificate(); cert == nil || sec.CheckTLSCredential(cert.NotBefore) != "" {
						p.Reportf(gw.Obj, cn.Loc, "credentialName %q: Secret %s/%s cannot be served: %s", cn.V, ref.Namespace, ref.Name, why).
							Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
						continue
					}
					// Only the dates are wrong. pilot's SDS only logs
					// ValidateCertificate's error and pushes the pair,
					// which Envoy loads and serves: the clients fail.
					f := p.Reportf(gw.Obj, cn.Loc, "credentialName %q: Secret %s/%s: %s; the gateway still serves it (istiod only logs a warning), and clients that verify certificates refuse the handshake",
						cn.V, ref.Namespace, ref.Name, why).
						Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
					f.Severity = min(f.Severity, rules.Warning)
				}
				if (mode == "MUTUAL" || mode == "OPTIONAL_MUTUAL") &&
					!sec.Has("ca.crt") && !sec.Has("cacert") && g.FindSecret(ref.Namespace, ref.Name+"-cacert") == nil {
					p.Reportf(gw.Obj, cn.Loc, "credentialName %q: Secret %s/%s cannot be served: MUTUAL mode needs a CA certificate (key ca.crt or cacert, or a Secret %s-cacert)",
						cn.V, ref.Namespace, ref.Name, ref.Name).
						Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
				}
			}
		}
	}
	return nil
}
