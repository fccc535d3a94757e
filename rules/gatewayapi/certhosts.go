package gatewayapi

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// CertificateHostMismatch reports listeners whose hostname the certificate
// they serve does not name.
var CertificateHostMismatch = &rules.Rule{
	ID:      "MR622",
	Name:    "gatewayapi-certificate-host-mismatch",
	Summary: "a Gateway API listener's certificate does not name the listener's hostname",
	Doc: `A listener that terminates TLS presents the certificates of its ` + "`tls.certificateRefs`" + ` to every
client of its ` + "`hostname`" + `. A client that verifies certificates, as browsers and most HTTP libraries
do, refuses the handshake when the certificate does not name the host it asked for. Neither the
Gateway API nor Istio compares the two: the listener is Accepted and Programmed, and the host
fails at the first request.

A hostname is named when a DNS subject alternative name of the certificate matches it, exactly
or through a wildcard in its leftmost label (` + "`*.example.com`" + ` names ` + "`shop.example.com`" + `, not
` + "`example.com`" + ` or ` + "`a.b.example.com`" + `). Clients ignore the common name. A wildcard hostname
(` + "`*.example.com`" + `) is named only by the same wildcard. A listener without a hostname accepts
every host and is not checked, and neither is one of Istio's classes with the TLS option
` + "`gateway.istio.io/tls-terminate-mode: ISTIO_SIMPLE`" + ` (or ` + "`ISTIO_MUTUAL`" + `), which serves the gateway's
workload certificate rather than its ` + "`certificateRefs`" + `. Listeners of ListenerSets are checked as
the Gateway's own.

Only certificates the input holds are checked: a reference that is missing, not permitted or
not usable is MR614's or MR604's. Issue the certificate for the listener's hostname, or give the
listener a certificate that names it. Istio Gateways' servers are MR216's.`,
	Bad: certHostsExample(`  # A certificate for shop.example.com only.
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBTDCB86ADAgECAggY651CjA6aBzAKBggqhkjOPQQDAjAbMRkwFwYDVQQDExBz
    aG9wLmV4YW1wbGUuY29tMCAXDTI1MDEwMTAwMDAwMFoYDzIxMjUwMTAxMDAwMDAw
    WjAbMRkwFwYDVQQDExBzaG9wLmV4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZI
    zj0DAQcDQgAEBGf58n39TV/5RQofv1rryK8uG4LAzvo/qdOuAzzL5TqhNBcxa7XR
    iBcWdbAXBgv3tDmn4FUiKbvchWn7/Xgn66MfMB0wGwYDVR0RBBQwEoIQc2hvcC5l
    eGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBFAiBpvqD5PsI7f1T+ewHrmEtGVm04
    LhP9gliToX8+oY6bSQIhAOZciGK+NCAeGbPSkbLE3PydqlFIYEK8WSiAh5fZEQWk
    -----END CERTIFICATE-----
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgG30c/lIeM7jQfOsg
    rYCpJAPW2z2eJV3Z8XjLEyXwVBShRANCAAQEZ/nyff1NX/lFCh+/WuvIry4bgsDO
    +j+p064DPMvlOqE0FzFrtdGIFxZ1sBcGC/e0OafgVSIpu9yFafv9eCfr
    -----END PRIVATE KEY-----
`),
	Good: certHostsExample(`  # A certificate for shop.example.com and www.example.com.
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBXjCCAQSgAwIBAgIIGOudQo7c8VgwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAxMQ
    c2hvcC5leGFtcGxlLmNvbTAgFw0yNTAxMDEwMDAwMDBaGA8yMTI1MDEwMTAwMDAw
    MFowGzEZMBcGA1UEAxMQc2hvcC5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqG
    SM49AwEHA0IABGLDu/nizynHjPVMcouNWdBoylDf2ZBL4cHw41w8JWTyroEKyBXt
    vcIsS1Oa/i1x7MBtygenTN96wbqshR2rBe2jMDAuMCwGA1UdEQQlMCOCEHNob3Au
    ZXhhbXBsZS5jb22CD3d3dy5leGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBFAiEA
    /d4/kGcgudITLvoxR7sLsgVIuA4zydCn4Uy/tlc9AcECIAbMF4rqymznFuVXs7Dh
    5NgiAMnGqJ2EheXMGASqI25g
    -----END CERTIFICATE-----
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZUBA27Qak2TPrLt/
    fj5AawURRRdIO38a+WEy8c1P4zOhRANCAARiw7v54s8px4z1THKLjVnQaMpQ39mQ
    S+HB8ONcPCVk8q6BCsgV7b3CLEtTmv4tcezAbcoHp0zfesG6rIUdqwXt
    -----END PRIVATE KEY-----
`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.ListenerSet, kinds.ReferenceGrant, kinds.Secret, kinds.GatewayClass},
	Deps:     rules.DepGWAPI | rules.DepREF | rules.DepCLS,
	Run:      runCertificateHostMismatch,
}

// certHostsExample is two HTTPS listeners of Gateway infra/public, for
// shop.example.com and www.example.com, and the stringData of the Secret
// both present, shop-cert: the examples of MR622.
func certHostsExample(data string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: https-shop
    hostname: shop.example.com
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: shop-cert}]
  - name: https-www
    hostname: www.example.com
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: shop-cert}]
---
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: infra}
type: kubernetes.io/tls
stringData:
` + data
}

func runCertificateHostMismatch(p *rules.Pass) error {
	g := p.Graph
	for _, gw := range g.K8sGateways {
		for _, l := range gw.Merged {
			if !l.TerminatesTLS() || l.Hostname == "" || l.IstioBuiltinCertificate() {
				continue // Istio serves its own certificate for the last
			}
			for _, c := range l.CertificateRefs {
				if c.GroupKind != gkSecret || c.Name == "" || c.CrossNamespace && c.Grant == nil {
					continue
				}
				s := g.FindSecret(c.Namespace, c.Name)
				if s == nil {
					continue
				}
				cert := s.ServedCertificate()
				if cert == nil || graph.CertificateCovers(cert, l.Hostname) {
					continue
				}
				names := graph.CertificateNames(cert)
				p.Reportf(l.Owner(), l.Spec.Hostname.Loc, "hostname %q of listener %s is not named by the certificate of certificateRef %s (DNS names: %s): clients that verify certificates refuse the handshake for it",
					l.Hostname, l.Name, refText(c), names).
					Relate(l.Owner(), c.NameLoc, "the certificate reference").
					Relate(s.Obj, s.Obj.NameLoc, "the Secret")
			}
		}
	}
	return nil
}
