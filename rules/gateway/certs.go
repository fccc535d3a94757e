package gateway

import (
	"strings"

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
certificate (the same ` + "`credentialName`" + ` or entry of ` + "`credentialNames`" + `, or the same ` + "`serverCertificate`" + ` and ` + "`privateKey`" + `
files), browsers that speak HTTP/2 reuse one connection for every host the certificate covers.
A request for a host of the second Gateway then arrives on the filter chain of the first, whose
routes do not know it, and gets 404 (Envoy cannot tell the servers apart once the connection
is established).

Only servers that terminate TLS (modes ` + "`SIMPLE`" + `, ` + "`MUTUAL`" + ` and ` + "`OPTIONAL_MUTUAL`" + `) present a
certificate: Istio ignores the certificates that a passthrough server, or an HTTP server that
only redirects, names (MR016).

Only servers on the same port (and bind address) are compared: browsers reuse a connection
only for the address and port it was opened to (istioctl analyze, IST0138, ignores the port).

Put the hosts that share a certificate into one server of one Gateway, or give each server its
own certificate. Two Gateways share pods when the input holds a pod both select, or, when it
holds none of their pods, when one selector's labels include the other's. With
` + "`mesh.scope-gateway-to-namespace`" + ` (istiod's ` + "`PILOT_SCOPE_GATEWAY_TO_NAMESPACE`" + `), a gateway pod
takes the Gateways of its own namespace only, so Gateways of two namespaces never share one.`,
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
	Deps:     rules.DepGW,
	Run:      runGatewayDuplicateCertificate,
}

// certRef is a certificate a server serves, named as it is written.
type certRef struct {
	id  string
	loc spec.Loc
}

// certRefs lists the certificates server s presents. Only the servers
// that terminate TLS present one: Istio ignores the certificates of a
// passthrough server (an unset mode is PASSTHROUGH), and of an HTTP server
// whose tls only redirects.
func certRefs(s *spec.Server) []certRef {
	if s.TLS == nil || kindOf(s) != tlsServer {
		return nil
	}
	switch strings.ToUpper(s.TLS.Mode.V) {
	case "SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL":
	default:
		return nil
	}
	var out []certRef
	for _, cn := range s.TLS.Credentials() {
		out = append(out, certRef{"credentialName " + cn.V, cn.Loc})
	}
	if len(out) == 0 && s.TLS.ServerCert.V != "" && s.TLS.PrivateKey.V != "" {
		out = append(out, certRef{"serverCertificate " + s.TLS.ServerCert.V, s.TLS.ServerCert.Loc})
	}
	return out
}

func runGatewayDuplicateCertificate(p *rules.Pass) error {
	g := p.Graph
	// Two definitions of one Gateway are one Gateway, which MR017
	// reports: each is compared with the others once, with the
	// definition of each other Gateway it goes with (its layout's).
	others := rules.Distinct(p, g.Gateways)
	copies := rules.CopiesOf(p, g.Gateways)
	for _, a := range g.Gateways {
		for i := range a.Spec.Servers {
			sa := &a.Spec.Servers[i]
			if sa.Port == nil {
				continue
			}
			for _, ca := range certRefs(sa) {
				reportSharedCert(p, others, copies, a, sa, ca)
			}
		}
	}
	return nil
}

// reportSharedCert reports the certificate ca of server sa of Gateway a
// once for each other Gateway of gws on the same pods with a server on the
// same address and port that serves it too.
func reportSharedCert(p *rules.Pass, gws []*graph.Gateway, copies rules.Copies[*graph.Gateway], a *graph.Gateway, sa *spec.Server, ca certRef) {
	for _, b := range gws {
		b = copies.For(a.Obj, b)
		if graph.SameObject(a.Obj, b.Obj) || !p.Graph.SharePods(a, b) {
			continue
		}
	servers:
		for j := range b.Spec.Servers {
			sb := &b.Spec.Servers[j]
			if sb.Port == nil || sb.Port.Number.V != sa.Port.Number.V || sb.Bind.V != sa.Bind.V {
				continue // clients coalesce connections of the same address and port only
			}
			for _, cb := range certRefs(sb) {
				if cb.id == ca.id {
					p.Reportf(a.Obj, ca.loc, "%s is also served by Gateway %s/%s on the same pods and port %d: HTTP/2 clients reuse connections across the certificate's hosts and get 404",
						ca.id, b.Namespace(), b.Name(), sa.Port.Number.V).
						Relate(b.Obj, cb.loc, "the same certificate")
					break servers
				}
			}
		}
	}
}
