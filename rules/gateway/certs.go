package gateway

import (
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// GatewayDuplicateCertificate reports TLS servers of different Gateways on
// the same pods that use the same certificate.
var GatewayDuplicateCertificate = &rules.Rule{
	ID:      "MR212",
	Name:    "gateway-duplicate-certificate",
	Summary: "gateways on the same pods serve the same certificate from different servers",
	Doc: `When two Gateways that configure the same gateway pods each have a TLS server with the same
certificate (the same ` + "`credentialName`" + `, or the same ` + "`serverCertificate`" + ` and ` + "`privateKey`" + `
files), browsers that speak HTTP/2 reuse one connection for every host the certificate covers.
A request for a host of the second Gateway then arrives on the filter chain of the first, whose
routes do not know it, and gets 404 (Envoy cannot tell the servers apart once the connection
is established).

Only servers on the same port (and bind address) are compared: browsers reuse a connection
only for the address and port it was opened to (istioctl analyze, IST0138, ignores the port).

Put the hosts that share a certificate into one server of one Gateway, or give each server its
own certificate. Two Gateways share pods when the input holds a pod both select, or, when it
holds none of their pods, when one selector's labels include the other's.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: wildcard-example-com}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: blog, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [blog.example.com]
    tls: {mode: SIMPLE, credentialName: wildcard-example-com}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com, blog.example.com]
    tls: {mode: SIMPLE, credentialName: wildcard-example-com}
`,
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Gateway},
	Related:  []string{"IST0138"},
	Run:      runGatewayDuplicateCertificate,
}

func certID(s *spec.Server) (string, spec.Loc) {
	if s.TLS == nil {
		return "", spec.Loc{}
	}
	if s.TLS.CredentialName.V != "" {
		return "credentialName " + s.TLS.CredentialName.V, s.TLS.CredentialName.Loc
	}
	if s.TLS.ServerCert.V != "" && s.TLS.PrivateKey.V != "" {
		return "serverCertificate " + s.TLS.ServerCert.V, s.TLS.ServerCert.Loc
	}
	return "", spec.Loc{}
}

func runGatewayDuplicateCertificate(p *rules.Pass) error {
	g := p.Graph
	for _, a := range g.Gateways {
		for i := range a.Spec.Servers {
			sa := &a.Spec.Servers[i]
			ida, at := certID(sa)
			if ida == "" || sa.Port == nil {
				continue
			}
			for _, b := range g.Gateways {
				if a == b || !graph.SharePods(a, b) {
					continue
				}
				for j := range b.Spec.Servers {
					sb := &b.Spec.Servers[j]
					if sb.Port == nil || sb.Port.Number.V != sa.Port.Number.V || sb.Bind.V != sa.Bind.V {
						continue // clients coalesce connections of the same address and port only
					}
					if idb, bt := certID(sb); idb == ida {
						p.Reportf(a.Obj, at, "%s is also served by Gateway %s/%s on the same pods and port %d: HTTP/2 clients reuse connections across the certificate's hosts and get 404",
							ida, b.Namespace(), b.Name(), sa.Port.Number.V).
							Relate(b.Obj, bt, "the same certificate")
						break
					}
				}
			}
		}
	}
	return nil
}
