package gateway

import (
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
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
the namespace of the gateway pods (not the Gateway's); ` + "`credentialNames`" + ` lists one or two such
Secrets (an RSA and an ECDSA certificate). The ` + "`ns/name`" + ` form only works for that namespace:
istiod gives a gateway no Secret of another namespace, whatever the RBAC. Istio needs ` + "`tls.crt`" + `
and ` + "`tls.key`" + ` (or ` + "`cert`" + ` and ` + "`key`" + `), a certificate that parses and the private key that goes with
it. For ` + "`MUTUAL`" + ` and ` + "`OPTIONAL_MUTUAL`" + ` modes it also needs a CA certificate (key ` + "`cacert`" + ` or
` + "`ca.crt`" + `): from ` + "`caCertCredentialName`" + ` when set, else from a Secret named ` + "`<name>-cacert`" + ` when
it exists, else from the first Secret itself. ` + "`caCertCredentialName`" + ` is ` + "`configmap://ns/name`" + ` for a
ConfigMap, or a Secret whose name must end in ` + "`-cacert`" + `: istiod reads the CA of Secret
` + "`client-ca`" + ` for ` + "`client-ca-cacert`" + ` (or of Secret ` + "`client-ca-cacert`" + ` when it exists), but reads
a name without the suffix as a certificate and key, and the server then has no CA. Otherwise
Envoy cannot load the certificate, and TLS handshakes fail for the server's hosts. Create the
Secret in the gateway pods' namespace, or fix its keys.

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
	Bad: credentialExample(`apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: istio-system}
type: Opaque
stringData: {certificate: "not a certificate"}
---
`, ""),
	Good: credentialExample("", `    # The Secret is managed elsewhere (the input holds no Secret of
    # istio-system), so the rule does not judge it.
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Gateway, kinds.Secret, kinds.ConfigMap, kinds.Pod, kinds.Deployment, kinds.DaemonSet, kinds.StatefulSet},
	Related:  []string{"IST0101", "IST0161"},
	Deps:     rules.DepGW | rules.DepREF | rules.DepPRES | rules.DepTime,
	Run:      runGatewayCredentialInvalid,
}

// credentialExample is an HTTPS server of Gateway shop/public, on the
// ingress pods, that serves Secret shop-cert: secret is that Secret, or ""
// when the input does not hold it, and note comments the server's tls.
// The examples of MR213.
func credentialExample(secret, note string) string {
	return ingressPods + secret + `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
` + note + `    tls: {mode: SIMPLE, credentialName: shop-cert}
`
}

func runGatewayCredentialInvalid(p *rules.Pass) error {
	eachCredentialServer(p.Graph, func(gw *graph.Gateway, s *spec.Server, podNS string) {
		creds := s.TLS.Credentials()
		for _, cn := range creds {
			checkServedCredential(p, gw, cn, podNS)
		}
		if mode := strings.ToUpper(s.TLS.Mode.V); (mode == "MUTUAL" || mode == "OPTIONAL_MUTUAL") && len(creds) > 0 {
			checkCACredential(p, gw, s.TLS, creds[0], podNS)
		}
	})
	return nil
}

// eachCredentialServer calls fn for each server of a Gateway that serves
// certificates from Secrets, once for each namespace of the gateway pods,
// which read the Secrets from their own: the servers whose TLS mode is
// SIMPLE, MUTUAL or OPTIONAL_MUTUAL. The other modes take no credential
// (an unset mode is PASSTHROUGH).
func eachCredentialServer(g *graph.Graph, fn func(gw *graph.Gateway, s *spec.Server, podNS string)) {
	for _, gw := range g.Gateways {
		for _, podNS := range gw.WorkloadNamespaces() {
			for i := range gw.Spec.Servers {
				s := &gw.Spec.Servers[i]
				if s.TLS == nil {
					continue
				}
				switch strings.ToUpper(s.TLS.Mode.V) {
				case "SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL":
					fn(gw, s, podNS)
				}
			}
		}
	}
}

// checkServedCredential reports a Secret of credentialName(s) that the
// gateway pods of namespace podNS cannot serve.
func checkServedCredential(p *rules.Pass, gw *graph.Gateway, cn spec.Str, podNS string) {
	g := p.Graph
	ref := graph.ResolveCredential(cn.V, podNS)
	if ref.Skip || ref.Name == "" {
		return
	}
	if ref.Foreign {
		p.Reportf(gw.Obj, cn.Loc, "credentialName %q: Secret %s/%s is not in namespace %s of the gateway pods, and istiod only gives a gateway the Secrets of its own namespace: the server has no certificate",
			cn.V, ref.Namespace, ref.Name, podNS)
		return
	}
	sec := g.FindSecret(ref.Namespace, ref.Name)
	if sec == nil {
		if g.Mesh.ClosedWorld || g.HasKind(kinds.Secret, ref.Namespace) {
			p.Reportf(gw.Obj, cn.Loc, "credentialName %q: no Secret %s/%s, which the gateway pods of namespace %s read",
				cn.V, ref.Namespace, ref.Name, podNS)
		}
		return
	}
	why := sec.CheckTLSCredential(now())
	if why == "" {
		return
	}
	if cert := sec.ServedCertificate(); cert == nil || sec.CheckTLSCredential(cert.NotBefore) != "" {
		p.Reportf(gw.Obj, cn.Loc, "credentialName %q: Secret %s/%s cannot be served: %s", cn.V, ref.Namespace, ref.Name, why).
			Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
		return
	}
	// Only the dates are wrong. pilot's SDS only logs ValidateCertificate's
	// error and pushes the pair, which Envoy loads and serves: the clients
	// fail.
	f := p.Reportf(gw.Obj, cn.Loc, "credentialName %q: Secret %s/%s: %s; the gateway still serves it (istiod only logs a warning), and clients that verify certificates refuse the handshake",
		cn.V, ref.Namespace, ref.Name, why).
		Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
	f.AtMost(rules.Warning)
}

// caSuffix ends the names of the SDS resources istiod serves as CA
// certificates only (SdsCaSuffix).
const caSuffix = "-cacert"

// caSecret finds the Secret istiod reads the CA certificate of SDS
// resource name (which ends in -cacert) from, as GetCaCert does: the
// Secret of that name, else the one without the suffix. It returns nil
// when the input holds neither.
func caSecret(g *graph.Graph, ns, name string) *graph.Secret {
	if sec := g.FindSecret(ns, name); sec != nil {
		return sec
	}
	return g.FindSecret(ns, strings.TrimSuffix(name, caSuffix))
}

// checkCACredential reports a MUTUAL server whose CA certificate the
// gateway cannot read. Istio takes it from caCertCredentialName when set,
// else from resource <first>-cacert: the Secret of that name when it
// exists, else the first served Secret itself, whose cacert or ca.crt key
// it reads (ApplyCredentialSDSToServerCommonTLSContext, GetCaCert).
func checkCACredential(p *rules.Pass, gw *graph.Gateway, tls *spec.ServerTLS, first spec.Str, podNS string) {
	g := p.Graph
	if ca := tls.CaCertCredentialName; ca.V != "" {
		checkCACertCredentialName(p, gw, ca, podNS)
		return
	}
	ref := graph.ResolveCredential(first.V, podNS)
	if ref.Skip || ref.Name == "" || ref.Foreign {
		return // a foreign Secret is reported as such
	}
	sec := g.FindSecret(ref.Namespace, ref.Name)
	if sec == nil || sec.ServedCertificate() == nil {
		return // a Secret that is missing or cannot be served is reported as such
	}
	if own := g.FindSecret(ref.Namespace, ref.Name+caSuffix); own != nil {
		if _, why := own.CAKey(); why != "" {
			p.Reportf(gw.Obj, first.Loc, "credentialName %q: Secret %s/%s%s, which Istio reads the CA certificate of MUTUAL mode from instead of %s, holds none: %s",
				first.V, ref.Namespace, ref.Name, caSuffix, ref.Name, why).
				Relate(own.Obj, own.Obj.NameLoc, "the CA Secret")
		}
		return
	}
	if _, why := sec.CAKey(); why == "" {
		return
	}
	p.Reportf(gw.Obj, first.Loc, "credentialName %q: Secret %s/%s cannot be served: MUTUAL mode needs a CA certificate (key ca.crt or cacert, or a Secret %s-cacert, or caCertCredentialName)",
		first.V, ref.Namespace, ref.Name, ref.Name).
		Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
}

// checkCACertCredentialName reports a caCertCredentialName that names no
// Secret or ConfigMap of the input, or one without a CA certificate. Its
// forms (credentials.ToResourceName, ParseResourceName): "configmap://ns/name"
// for a ConfigMap, else a Secret named as credentialName names one, which
// istiod serves as a CA only when its name ends in -cacert (SecretGen.generate
// reads any other as a certificate and key).
func checkCACertCredentialName(p *rules.Pass, gw *graph.Gateway, ca spec.Str, podNS string) {
	g := p.Graph
	if rest, ok := strings.CutPrefix(ca.V, "configmap://"); ok {
		ns, name, found := strings.Cut(rest, "/")
		if !found || ns == "" || name == "" {
			p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: a configmap:// reference needs a namespace and a name (configmap://namespace/name); istiod cannot parse it, and MUTUAL mode has no CA certificate to verify clients with", ca.V)
			return
		}
		name = strings.TrimSuffix(name, caSuffix) // GetConfigMapCaCert
		cm := g.FindConfigMap(ns, name)
		if cm == nil {
			if g.Mesh.ClosedWorld || g.HasKind(kinds.ConfigMap, ns) {
				p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: no ConfigMap %s/%s: MUTUAL mode has no CA certificate to verify clients with", ca.V, ns, name)
			}
			return
		}
		if why := cm.CheckCABundle(); why != "" {
			p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: ConfigMap %s/%s holds no CA certificate: %s", ca.V, ns, name, why).
				Relate(cm.Obj, cm.Obj.NameLoc, "the ConfigMap")
		}
		return
	}
	ref := graph.ResolveCredential(ca.V, podNS)
	if ref.Skip || ref.Name == "" {
		return
	}
	if ref.Foreign {
		p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: Secret %s/%s is not in namespace %s of the gateway pods, and istiod only gives a gateway the Secrets of its own namespace: MUTUAL mode has no CA certificate to verify clients with",
			ca.V, ref.Namespace, ref.Name, podNS)
		return
	}
	if !strings.HasSuffix(ref.Name, caSuffix) {
		p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: istiod serves a Secret as a CA certificate only when the name ends in %s, and reads Secret %s/%s as a certificate and private key instead: MUTUAL mode has no CA certificate to verify clients with; write %q, which reads the CA of Secret %s",
			ca.V, caSuffix, ref.Namespace, ref.Name, ca.V+caSuffix, ref.Name)
		return
	}
	sec := caSecret(g, ref.Namespace, ref.Name)
	if sec == nil {
		if g.Mesh.ClosedWorld || g.HasKind(kinds.Secret, ref.Namespace) {
			p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: no Secret %s/%s or %s/%s: MUTUAL mode has no CA certificate to verify clients with",
				ca.V, ref.Namespace, ref.Name, ref.Namespace, strings.TrimSuffix(ref.Name, caSuffix))
		}
		return
	}
	if _, why := sec.CAKey(); why != "" {
		p.Reportf(gw.Obj, ca.Loc, "caCertCredentialName %q: Secret %s/%s holds no CA certificate (key ca.crt or cacert): %s", ca.V, ref.Namespace, sec.Name(), why).
			Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
	}
}
