package gateway

import (
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// GatewayCertificateHostMismatch reports hosts of a TLS server that the
// certificate it serves does not name.
var GatewayCertificateHostMismatch = &rules.Rule{
	ID:      "MR216",
	Name:    "gateway-certificate-host-mismatch",
	Summary: "a gateway server's certificate does not name a host the server serves",
	Doc: `A Gateway server that terminates TLS (` + "`SIMPLE`" + `, ` + "`MUTUAL`" + `, ` + "`OPTIONAL_MUTUAL`" + `) presents the
certificate of its ` + "`credentialName`" + ` (or of each ` + "`credentialNames`" + ` Secret) to every client of its
hosts. A client that verifies certificates, as browsers and most HTTP libraries do, refuses the
handshake when the certificate does not name the host it asked for. Neither Istio nor Envoy
compares the two: the configuration is accepted and the host fails at the first request.

A host is named when a DNS subject alternative name of the certificate matches it, exactly or
through a wildcard in its leftmost label (` + "`*.example.com`" + ` names ` + "`shop.example.com`" + `, not
` + "`example.com`" + ` or ` + "`a.b.example.com`" + `). Clients ignore the common name. A wildcard host of the
server (` + "`*.example.com`" + `) is named only by the same wildcard: a certificate for some of its
names leaves the others out. The host ` + "`*`" + ` is not checked.

Only certificates the input holds are checked: a Secret that is missing, cannot be served or
is not in the gateway pods' namespace is MR213's. Issue the certificate for the server's
hosts, or move the hosts it does not name to a server with a certificate that does.`,
	Bad: certHostsExample(`  # A certificate for shop.example.com only.
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBTDCB86ADAgECAggY65ucwp9l0zAKBggqhkjOPQQDAjAbMRkwFwYDVQQDExBz
    aG9wLmV4YW1wbGUuY29tMCAXDTI1MDEwMTAwMDAwMFoYDzIxMjUwMTAxMDAwMDAw
    WjAbMRkwFwYDVQQDExBzaG9wLmV4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZI
    zj0DAQcDQgAE5dXYGCxeLSR+LWiPZyidJIJXmEKeY167xVtlVnmyTI9SbXBEFsqY
    o3JdNSxdlv8p5Cipz5UGV+tpD2rmzq69oqMfMB0wGwYDVR0RBBQwEoIQc2hvcC5l
    eGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBFAiBh1h6ofSLx0d+qSGFUMvnws80E
    HAJcFbZ1vXHD5Q0UEwIhAJBGOoiRSCSptlO7Yi2I119bKJeVROwVMTlJy1HtoUxJ
    -----END CERTIFICATE-----
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyrucis7x++ssG3YV
    mT0Hd+3l3rK1rdzEgbSQU79psMehRANCAATl1dgYLF4tJH4taI9nKJ0kgleYQp5j
    XrvFW2VWebJMj1JtcEQWypijcl01LF2W/ynkKKnPlQZX62kPaubOrr2i
    -----END PRIVATE KEY-----
`),
	Good: certHostsExample(`  # A certificate for shop.example.com and www.example.com.
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBXjCCAQSgAwIBAgIIGOubovxF8bMwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAxMQ
    c2hvcC5leGFtcGxlLmNvbTAgFw0yNTAxMDEwMDAwMDBaGA8yMTI1MDEwMTAwMDAw
    MFowGzEZMBcGA1UEAxMQc2hvcC5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqG
    SM49AwEHA0IABBUmZSSHYV9KOutfuvIbBkQB1m+RxP7XAMGWnpPdcmLOJsovvsiz
    5aRZ0ywcQtg27lDNaQqOPl8dWmrfrFa4SdejMDAuMCwGA1UdEQQlMCOCEHNob3Au
    ZXhhbXBsZS5jb22CD3d3dy5leGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBFAiBV
    2gQboN2nOSybzf/irrX7SsdY5/FPHcFb1EWLVuMH3wIhAO8vd/jFRGiOKFzBuE4d
    iLlXl+jHUTrCHDwpvttupzj9
    -----END CERTIFICATE-----
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7eVb8St2SY8N9pOx
    iv/7AXWMNQ+U26J0DqoKqTch9dShRANCAAQVJmUkh2FfSjrrX7ryGwZEAdZvkcT+
    1wDBlp6T3XJizibKL77Is+WkWdMsHELYNu5QzWkKjj5fHVpq36xWuEnX
    -----END PRIVATE KEY-----
`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Gateway, kinds.Secret, kinds.Pod, kinds.Deployment, kinds.DaemonSet, kinds.StatefulSet},
	Deps:     rules.DepGW | rules.DepREF,
	Run:      runGatewayCertificateHostMismatch,
}

// certHostsExample is an HTTPS server of Gateway shop/public, on the
// ingress pods, for shop.example.com and www.example.com, and the
// stringData of its Secret, shop-cert: the examples of MR216.
func certHostsExample(data string) string {
	return ingressPods + `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com, www.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: istio-system}
type: kubernetes.io/tls
stringData:
` + data
}

func runGatewayCertificateHostMismatch(p *rules.Pass) error {
	eachCredentialServer(p.Graph, func(gw *graph.Gateway, s *spec.Server, podNS string) {
		for _, cn := range s.TLS.Credentials() {
			checkCertificateHosts(p, gw, s, cn, podNS)
		}
	})
	return nil
}

// checkCertificateHosts reports the hosts of server s that the certificate
// of credential cn, as the gateway pods of namespace podNS read it, does
// not name.
func checkCertificateHosts(p *rules.Pass, gw *graph.Gateway, s *spec.Server, cn spec.Str, podNS string) {
	ref := graph.ResolveCredential(cn.V, podNS)
	if ref.Skip || ref.Name == "" || ref.Foreign {
		return // istiod serves no Secret of another namespace (MR213)
	}
	sec := p.Graph.FindSecret(ref.Namespace, ref.Name)
	if sec == nil {
		return
	}
	cert := sec.ServedCertificate()
	if cert == nil {
		return
	}
	names := graph.CertificateNames(cert)
	for _, h := range s.Hosts {
		host := h.V
		if _, after, ok := strings.Cut(host, "/"); ok {
			host = after // the namespace part says which routes may bind
		}
		if host == "*" || host == "" || graph.CertificateCovers(cert, host) {
			continue
		}
		p.Reportf(gw.Obj, h.Loc, "host %q is not named by the certificate of credentialName %q (Secret %s/%s; DNS names: %s): clients that verify certificates refuse the handshake for it",
			host, cn.V, ref.Namespace, ref.Name, names).
			Relate(gw.Obj, cn.Loc, "the credential").
			Relate(sec.Obj, sec.Obj.NameLoc, "the Secret")
	}
}
