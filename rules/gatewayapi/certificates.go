package gatewayapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// now is the time certificates are checked against; tests may fix it.
var now = time.Now

// CertificateRefInvalid reports listener certificateRefs that name a
// missing Secret, a kind the implementation cannot load, or a Secret whose
// certificate cannot be served, and the same of the CA certificates of a
// Gateway's client certificate validation and of the client certificate
// it presents to backends.
var CertificateRefInvalid = &rules.Rule{
	ID:      "MR614",
	Name:    "gatewayapi-certificate-ref-invalid",
	Summary: "certificate, CA certificate or client certificate reference of a Gateway API Gateway names a missing Secret, an unsupported kind, or a Secret without a usable certificate",
	Doc: `A listener that terminates TLS (protocol ` + "`HTTPS`" + `, or ` + "`TLS`" + ` with ` + "`tls.mode: Terminate`" + `, the
default) serves the certificates of its ` + "`tls.certificateRefs`" + `. The API calls a reference invalid
when it names a nonexistent object, an unsupported kind, or an object whose data is malformed:
the listener then reports ` + "`ResolvedRefs: False`" + ` with reason ` + "`InvalidCertificateRef`" + `, and cannot
complete a TLS handshake with that certificate (Istio drops the reference, and does not
program the listener when no reference is left).

- A reference without ` + "`group`" + ` and ` + "`kind`" + ` is a core Secret, in the Gateway's namespace unless
  ` + "`namespace`" + ` says otherwise. A Secret that does not exist is reported only when the input holds
  another Secret of that namespace, or with the closed-world setting: certificates are often
  created by cert-manager or a secret store rather than kept with the manifests.
- A core Secret is the only kind the API requires. Other kinds are implementation-specific, so
  they are reported only for Gateways whose GatewayClass is Istio's (controller ` + "`istio.io/...`" + `;
  the classes istiod creates, such as ` + "`istio`" + `, count), as Istio loads Secrets alone. A group
  typo (` + "`group: core`" + `) is the usual cause.
- More than one reference is implementation-specific too. Istio serves two at most (an RSA and
  an ECDSA certificate): a listener of its Gateways with more loads none of them.
- A Secret must hold ` + "`tls.crt`" + ` and ` + "`tls.key`" + ` (or ` + "`cert`" + ` and ` + "`key`" + `) a certificate that parses, and the
  private key that goes with it (Istio loads the pair with tls.X509KeyPair). meshlint never prints the Secret's data.

A certificate that has expired, or is not valid yet, is reported as a warning with its own
message, not as ` + "`InvalidCertificateRef`" + `: Istio accepts the reference (it checks that the pair
parses, not its dates, so ` + "`ResolvedRefs`" + ` stays True and the Gateway looks healthy) and Envoy
serves the certificate; clients that verify certificates then refuse every handshake. Renew
the certificate.

The Gateway's client certificate validation (` + "`spec.tls.frontend`" + `: its ` + "`default`" + `, or the ` + "`perPort`" + `
entry of a listener's port) names the CA certificates client certificates must chain to, in
` + "`caCertificateRefs`" + `. An invalid one makes the listeners that terminate TLS on those ports report
` + "`ResolvedRefs: False`" + ` (` + "`InvalidCACertificateRef`" + `, or ` + "`InvalidCACertificateKind`" + ` for a kind the
implementation does not read) and, with no valid CA certificate left, ` + "`Accepted: False`" + `
(` + "`NoValidCACertificate`" + `); Istio does not serve them. These references have no default kind.

- A core Secret is checked as a certificate Secret is: it must exist (same conditions as
  above) and hold a PEM certificate that parses under ` + "`cacert`" + ` or ` + "`ca.crt`" + ` (the first that is
  not empty), as Istio reads it. Its dates are not checked.
- A core ConfigMap, the API's core kind, is checked the same way: it must exist (reported when
  the input holds another ConfigMap of that namespace, or with the closed-world setting) and
  hold a PEM certificate that parses under ` + "`cacert`" + ` or ` + "`ca.crt`" + ` of its ` + "`data`" + ` (Istio does not
  read ` + "`binaryData`" + `).
- Other kinds are reported for Gateways of Istio's classes, which read ConfigMaps and Secrets
  only, and so is a validation with more than one reference: Istio takes one.
- A validation that applies to no listener terminating TLS is not read, so not checked.

The validation applies to the listeners of the ListenerSets the Gateway accepts too: the API
applies it to every listener that serves HTTPS on the port, and a Gateway has the merged list of
its own listeners and its ListenerSets' (GEP-91 made it per port because a connection may be
reused by every listener of its port). Istio builds a ListenerSet's listeners with the Gateway's
` + "`spec.tls`" + `. So a Gateway with no HTTPS listener of its own is checked for its ListenerSets',
which the message names. The findings are at the Gateway, which holds the references.

Istio, however, reads the reference for a ListenerSet's listeners as if the ListenerSet had
written it, which the API does not say: without ` + "`namespace`" + ` it names an object of the
ListenerSet's namespace, and into another namespace it needs a ReferenceGrant that admits
ListenerSets of the ListenerSet's namespace (grants to the Gateway do not count). For Gateways of
Istio's classes, when that reading differs from the Gateway's, it is checked too: the object
Istio looks for in the ListenerSet's namespace is checked as above, and a missing grant makes the
ListenerSet's listeners report ` + "`RefNotPermitted`" + ` and not serve. Give the reference a
` + "`namespace`" + ` and a ReferenceGrant to ListenerSets, or keep the ListenerSets that terminate TLS on a
validated port in the Gateway's namespace.

The Gateway's ` + "`spec.tls.backend.clientCertificateRef`" + ` names the certificate and key it presents to
backends that ask for a client certificate. An invalid one makes the Gateway report
` + "`ResolvedRefs: False`" + ` with reason ` + "`InvalidClientCertificateRef`" + `; the Gateway stays accepted. It is checked
as a listener's certificateRef is: a missing Secret (same conditions as above), a kind other
than a core Secret for Gateways of Istio's classes, and a key pair that does not load are
errors; a certificate whose dates alone are wrong is a warning, since Istio accepts it.

The listeners of the ListenerSets a Gateway accepts are checked the same way, at their
ListenerSet: a reference without ` + "`namespace`" + ` points into the ListenerSet's namespace.

A reference into another namespace that no ReferenceGrant permits is reported by
gatewayapi-reference-not-granted instead (its reason is ` + "`RefNotPermitted`" + `), and references of
a listener in ` + "`Passthrough`" + ` mode are not read by anyone, so not checked. Nor are those of a
listener of Istio's classes with the TLS option ` + "`gateway.istio.io/tls-terminate-mode`" + ` set to
` + "`ISTIO_SIMPLE`" + ` or ` + "`ISTIO_MUTUAL`" + `: Istio serves the gateway's own workload certificate there, and
reads neither the listener's ` + "`certificateRefs`" + ` nor the client certificate validation for it.`,
	Bad: `apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: infra}
type: kubernetes.io/tls
stringData: {tls.crt: "not a certificate", tls.key: "not a key"}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: shop-cert}]
  - name: https-admin
    hostname: admin.example.com
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: admin-cert}]
`,
	Good: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls:
      # The Secrets are managed elsewhere (the input holds no Secret of
      # namespace infra), so the rule does not judge them.
      certificateRefs: [{name: shop-cert}]
  - name: https-admin
    hostname: admin.example.com
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: admin-cert}]
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.ListenerSet, kinds.GatewayClass, kinds.ReferenceGrant, kinds.Secret, kinds.ConfigMap},
	Deps:     rules.DepCLS | rules.DepGWAPI | rules.DepREF | rules.DepPRES | rules.DepTime,
	Run:      runCertificateRefInvalid,
}

func runCertificateRefInvalid(p *rules.Pass) error {
	g := p.Graph
	for _, gw := range g.K8sGateways {
		istio := strings.HasPrefix(gw.Controller(), "istio.io/")
		for _, l := range gw.Merged {
			if !l.TerminatesTLS() || l.IstioBuiltinCertificate() {
				continue // Istio reads no certificateRefs of the latter
			}
			if istio && len(l.CertificateRefs) > 2 {
				// buildTLS: Istio takes an RSA and an ECDSA certificate at
				// most, and with more it loads none.
				p.Reportf(l.Owner(), l.CertificateRefs[2].Loc, "listener %s has %d certificateRefs, and Istio serves at most 2: it loads none of them, and the listener has no certificate to serve (InvalidCertificateRef)",
					l.Name, len(l.CertificateRefs))
			}
			for j, c := range l.CertificateRefs {
				if c.Name == "" || c.CrossNamespace && c.Grant == nil {
					continue // no name is a schema error; not granted is MR604's
				}
				what := "certificateRef " + refText(c) + " of listener " + l.Name
				if c.GroupKind != gkSecret {
					if istio {
						sr := &l.Spec.TLS.CertificateRefs[j]
						loc := wrongRefLoc(sr.Group.Loc, sr.Kind.Loc, c.NameLoc, c.Kind == kinds.Secret)
						p.Reportf(l.Owner(), loc, "%s is not a core Secret, the only kind Istio loads certificates from: the reference is invalid (InvalidCertificateRef)", what)
					}
					continue
				}
				s := g.FindSecret(c.Namespace, c.Name)
				if s == nil {
					if g.Mesh.ClosedWorld || g.HasKind(kinds.Secret, c.Namespace) {
						p.Reportf(l.Owner(), c.NameLoc, "%s names no Secret: the listener cannot load the certificate (InvalidCertificateRef)", what)
					}
					continue
				}
				why := s.CheckTLSCredential(now())
				if why == "" {
					continue
				}
				if cert := s.ServedCertificate(); cert != nil && s.CheckTLSCredential(cert.NotBefore) == "" {
					// Only the dates are wrong. Istio loads the pair
					// (buildSecretReference checks that the Secret parses,
					// not when it is valid) and Envoy serves it: the
					// status is fine, the clients are not.
					f := p.Reportf(l.Owner(), c.NameLoc, "%s: %s; the listener still serves it (Istio accepts the reference: ResolvedRefs stays True), and clients that verify certificates refuse the handshake", what, why).
						Relate(s.Obj, s.Obj.NameLoc, "the Secret")
					f.AtMost(rules.Warning)
					continue
				}
				p.Reportf(l.Owner(), c.NameLoc, "%s cannot be served: %s (InvalidCertificateRef)", what, why).
					Relate(s.Obj, s.Obj.NameLoc, "the Secret")
			}
		}
		for _, fv := range gw.FrontendValidations {
			checkCACertificateRefs(p, gw, fv, istio)
		}
		checkClientCertificateRef(p, gw, istio)
	}
	return nil
}

// checkClientCertificateRef reports the Gateway's
// spec.tls.backend.clientCertificateRef when it cannot be loaded, as
// validateBackendClientCertificateRef (conversion.go) finds it: a kind
// other than a core Secret, a missing Secret, or a key pair that does not
// load. Istio checks that before the ReferenceGrant; the API says an
// ungranted reference is RefNotPermitted whatever it names, so those are
// left to MR604.
func checkClientCertificateRef(p *rules.Pass, gw *graph.K8sGateway, istio bool) {
	g := p.Graph
	c := gw.ClientCertificateRef
	if c == nil || c.Name == "" || c.CrossNamespace && c.Grant == nil {
		return
	}
	what := "spec.tls.backend.clientCertificateRef " + refText(c)
	if c.GroupKind != gkSecret {
		if istio {
			sr := gw.Spec.TLS.Backend.ClientCertificateRef
			loc := wrongRefLoc(sr.Group.Loc, sr.Kind.Loc, c.NameLoc, c.Kind == kinds.Secret)
			p.Reportf(gw.Obj, loc, "%s is not a core Secret, the only kind Istio loads a client certificate from: the reference is invalid (InvalidClientCertificateRef)", what)
		}
		return
	}
	s := g.FindSecret(c.Namespace, c.Name)
	if s == nil {
		if g.Mesh.ClosedWorld || g.HasKind(kinds.Secret, c.Namespace) {
			p.Reportf(gw.Obj, c.NameLoc, "%s names no Secret: the Gateway cannot present a client certificate to backends (InvalidClientCertificateRef)", what)
		}
		return
	}
	why := s.CheckTLSCredential(now())
	if why == "" {
		return
	}
	if cert := s.ServedCertificate(); cert != nil && s.CheckTLSCredential(cert.NotBefore) == "" {
		// Only the dates are wrong: Istio loads the pair and accepts the
		// reference, but a backend that verifies client certificates
		// refuses it.
		f := p.Reportf(gw.Obj, c.NameLoc, "%s: %s; the reference is accepted (Istio keeps ResolvedRefs True), and backends that verify client certificates refuse the Gateway's", what, why).
			Relate(s.Obj, s.Obj.NameLoc, "the Secret")
		f.AtMost(rules.Warning)
		return
	}
	p.Reportf(gw.Obj, c.NameLoc, "%s cannot be loaded: %s; the Gateway cannot present a client certificate to backends (InvalidClientCertificateRef)", what, why).
		Relate(s.Obj, s.Obj.NameLoc, "the Secret")
}

// The kinds a CA certificate reference may name: the API's core
// ConfigMap, and the Secret Istio takes too (buildCaCertificateReference).
var (
	gkSecret    = graph.GroupKind{Group: kinds.GroupCore, Kind: kinds.Secret}
	gkConfigMap = graph.GroupKind{Group: kinds.GroupCore, Kind: kinds.ConfigMap}
)

// checkCACertificateRefs reports the caCertificateRefs of a client
// certificate validation that the listeners it applies to cannot use.
func checkCACertificateRefs(p *rules.Pass, gw *graph.K8sGateway, fv *graph.FrontendValidation, istio bool) {
	if len(fv.Listeners) == 0 {
		return // no listener reads it
	}
	on := listenersNamed(fv.Listeners)
	if istio && len(fv.CACertificateRefs) > 1 {
		c := fv.CACertificateRefs[1]
		p.Reportf(gw.Obj, c.Loc, "%s has %d caCertificateRefs, and Istio takes one only: it does not serve %s (InvalidCACertificateRef)",
			frontendText(fv), len(fv.CACertificateRefs), on)
	}
	for i, c := range fv.CACertificateRefs {
		if c.Name == "" || c.CrossNamespace && c.Grant == nil {
			continue // no name is a schema error; not granted is MR604's
		}
		what := "caCertificateRef " + refText(c) + " of " + frontendText(fv)
		if c.GroupKind == gkConfigMap || c.GroupKind == gkSecret {
			checkCARef(p, gw, c, c, what, on)
			continue
		}
		if !istio {
			continue // other kinds are implementation-specific
		}
		sr := &fv.Spec.CACertificateRefs[i]
		loc := wrongRefLoc(sr.Group.Loc, sr.Kind.Loc, c.NameLoc, c.Kind == kinds.Secret || c.Kind == kinds.ConfigMap)
		p.Reportf(gw.Obj, loc, "%s is neither a core ConfigMap nor a core Secret, the kinds Istio reads CA certificates from: it does not serve %s (InvalidCACertificateKind)", what, on)
	}
	if istio {
		checkListenerSetCARefs(p, gw, fv)
	}
}

// checkCARef reports CA certificate reference c, written at ref, when the
// core ConfigMap or Secret it names does not exist (as far as the input
// tells) or holds no CA certificate Istio can read. what introduces the
// reference and on names the listeners that read it.
func checkCARef(p *rules.Pass, gw *graph.K8sGateway, ref, c *graph.ObjectRef, what, on string) *rules.Finding {
	g := p.Graph
	if c.GroupKind == gkConfigMap {
		cm := g.FindConfigMap(c.Namespace, c.Name)
		if cm == nil {
			if g.Mesh.ClosedWorld || g.HasKind(kinds.ConfigMap, c.Namespace) {
				return p.Reportf(gw.Obj, ref.NameLoc, "%s names no ConfigMap: %s cannot validate client certificates (InvalidCACertificateRef)", what, on)
			}
			return nil
		}
		if why := cm.CheckCABundle(); why != "" {
			return p.Reportf(gw.Obj, ref.NameLoc, "%s holds no usable CA certificate: %s; %s cannot validate client certificates (InvalidCACertificateRef)", what, why, on).
				Relate(cm.Obj, cm.Obj.NameLoc, "the ConfigMap")
		}
		return nil
	}
	s := g.FindSecret(c.Namespace, c.Name)
	if s == nil {
		if g.Mesh.ClosedWorld || g.HasKind(kinds.Secret, c.Namespace) {
			return p.Reportf(gw.Obj, ref.NameLoc, "%s names no Secret: %s cannot validate client certificates (InvalidCACertificateRef)", what, on)
		}
		return nil
	}
	if why := checkCABundle(s); why != "" {
		return p.Reportf(gw.Obj, ref.NameLoc, "%s holds no usable CA certificate: %s; %s cannot validate client certificates (InvalidCACertificateRef)", what, why, on).
			Relate(s.Obj, s.Obj.NameLoc, "the Secret")
	}
	return nil
}

// checkListenerSetCARefs reports the CA certificate reference of a
// validation as Istio reads it for the listeners of each ListenerSet that
// take the validation, when that differs from the Gateway's reading:
// Istio resolves it from the ListenerSet (graph.IstioCACertificateRef), so
// a reference without namespace names an object of the ListenerSet's
// namespace, and one into another namespace needs a ReferenceGrant from
// the ListenerSet. Istio reads one reference only (a validation with more
// is reported already), of a kind it takes, and the Gateway's own
// problems with it are reported already.
func checkListenerSetCARefs(p *rules.Pass, gw *graph.K8sGateway, fv *graph.FrontendValidation) {
	if len(fv.CACertificateRefs) != 1 {
		return
	}
	c := fv.CACertificateRefs[0]
	if c.Name == "" || c.CrossNamespace && c.Grant == nil || c.GroupKind != gkConfigMap && c.GroupKind != gkSecret {
		return
	}
	var sets []*graph.ListenerSet
	bySet := map[*graph.ListenerSet][]*graph.Listener{}
	for _, l := range fv.Listeners {
		if l.Set == nil {
			continue
		}
		if bySet[l.Set] == nil {
			sets = append(sets, l.Set)
		}
		bySet[l.Set] = append(bySet[l.Set], l)
	}
	for _, ls := range sets {
		ll := bySet[ls]
		r := p.Graph.IstioCACertificateRef(ll[0], fv, 0)
		on := listenersNamed(ll)
		set := "ListenerSet " + ls.Namespace() + "/" + ls.Name()
		var f *rules.Finding
		switch {
		case r.CrossNamespace && r.Grant == nil:
			f = p.Reportf(gw.Obj, c.NameLoc, "caCertificateRef %s of %s is read by Istio for the listeners of %s as the ListenerSet's reference, and no ReferenceGrant of namespace %s lets ListenerSets of namespace %s refer to %s %s: %s cannot validate client certificates (RefNotPermitted)",
				refText(c), frontendText(fv), set, r.Namespace, ls.Namespace(), r.GroupKind, r.Name, on)
		case r.Namespace != c.Namespace:
			what := fmt.Sprintf("caCertificateRef %q of %s, which Istio resolves in the namespace of %s for its listeners (%s %s/%s),", c.Name, frontendText(fv), set, r.GroupKind, r.Namespace, r.Name)
			f = checkCARef(p, gw, c, r, what, on)
		}
		if f != nil {
			f.Relate(ls.Obj, ls.Obj.NameLoc, "the %s", set)
		}
	}
}

// checkCABundle reports why Istio cannot read a CA certificate from a
// Secret, as ExtractRoot and buildCaCertificateReference do: the first
// non-empty of "cacert" and "ca.crt" must hold at least one PEM
// certificate that parses (x509.CertPool.AppendCertsFromPEM). Dates are
// not checked. It returns "" for a usable Secret and never quotes its data.
func checkCABundle(s *graph.Secret) string {
	var data []byte
	key := ""
	for _, k := range []string{"cacert", "ca.crt"} {
		if v, ok := s.Value(k); ok && len(v) > 0 {
			data, key = v, k
			break
		}
	}
	if key == "" {
		for _, k := range []string{"cacert", "ca.crt"} {
			if s.Has(k) {
				return k + " is empty or not valid base64"
			}
		}
		return fmt.Sprintf("it has neither cacert nor ca.crt (keys: %s)", keyList(s.Keys()))
	}
	if graph.CABundleParses(data) {
		return ""
	}
	return key + " holds no PEM certificate that parses"
}

// keyList lists a Secret's keys for a message.
func keyList(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}
