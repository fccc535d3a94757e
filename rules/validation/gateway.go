package validation

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// GatewayServerInvalid reports Gateway servers that Istio's webhook rejects.
var GatewayServerInvalid = &rules.Rule{
	ID:      "MR012",
	Name:    "gateway-server-invalid",
	Summary: "a Gateway or one of its servers is invalid: name, ports, protocol or TLS settings",
	Doc: `Istio's webhook rejects a Gateway when:

- its name is not a DNS-1123 label (no dots: Envoy names routes after it);
- it has no servers, or a server has no hosts;
- two servers share a port name (port names must be unique across the Gateway's servers);
- a port's protocol is unknown, or it sets ` + "`targetPort`" + ` (which has no effect on Gateways);
- ` + "`bind`" + ` is neither an IP address nor a ` + "`unix://`" + ` path; a ` + "`unix://`" + ` bind is not followed by an
  absolute path or an abstract ` + "`@name`" + `, or its port number is not 0;
- an HTTPS or TLS server has no ` + "`tls`" + ` settings; a plain HTTP server (HTTP, HTTP2, GRPC...) has
  ` + "`tls`" + ` settings in a mode other than a passthrough one (` + "`tls: {httpsRedirect: true}`" + ` is fine), or
  certificate files (` + "`serverCertificate`" + `, ` + "`privateKey`" + `, ` + "`caCertificates`" + `); a server of another
  protocol has ` + "`tls`" + ` at all;
- ` + "`ISTIO_MUTUAL`" + ` sets certificates or a ` + "`credentialName`" + `; ` + "`SIMPLE`" + `, ` + "`MUTUAL`" + ` or
  ` + "`OPTIONAL_MUTUAL`" + ` has neither a ` + "`credentialName`" + ` nor a server certificate and private key, or (mutual
  modes) no CA certificates; a ` + "`tlsCertificates`" + ` entry lacks its certificate or key;
- tls sets more than one certificate source (` + "`credentialName`" + `, ` + "`credentialNames`" + `,
  ` + "`serverCertificate`" + ` with ` + "`privateKey`" + `, ` + "`tlsCertificates`" + `), even in a passthrough mode;
- ` + "`caCrl`" + ` is set with a ` + "`credentialName`" + ` (the CRL belongs in the secret) or in mode ` + "`SIMPLE`" + `.

A ` + "`credentialName`" + ` or certificates with a passthrough mode are accepted with a warning and ignored,
as is a ` + "`credentialName`" + ` or ` + "`tlsCertificates`" + ` on a plain HTTP server: see MR016. Fix the server as
the message says.`,
	Bad:      publicGateway(httpsPort, "shop.example.com", ""),
	Good:     publicGateway(httpsPort, "shop.example.com", "{mode: SIMPLE, credentialName: shop-cert}"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Gateway},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runGatewayServerInvalid,
}

const gwRejects = "Istio rejects the Gateway"

func runGatewayServerInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.Gateway) {
		if !isDNS1123Label(o.Name) {
			p.Reportf(o, o.NameLoc, "Gateway name %q is not a DNS-1123 label (no dots): %s", o.Name, gwRejects)
		}
		s := specOf(o)
		servers := s.get("servers")
		if servers.isSeq() && servers.len() == 0 || !servers.ok() && s.isMap() {
			p.Reportf(o, s.keyLoc("servers"), "Gateway has no servers: %s", gwRejects)
		}
		portNames := map[string]node{}
		for srv := range servers.items() {
			if !srv.isMap() {
				continue
			}
			if hs := srv.get("hosts"); hs.isSeq() && hs.len() == 0 {
				p.Reportf(o, srv.keyLoc("hosts"), "%s has no hosts: %s", srv.where(), gwRejects)
			}
			port := srv.get("port")
			proto, _ := port.get("protocol").str()
			if name, ok := port.get("name").str(); ok {
				if first, dup := portNames[name]; dup {
					p.Reportf(o, port.get("name").loc(), "port name %q is already used by %s: port names must be unique across a Gateway's servers; %s", name, first.where(), gwRejects)
				} else {
					portNames[name] = srv
				}
			}
			if x := port.get("protocol"); x.ok() && proto != "" && !protocols[strings.ToUpper(proto)] {
				p.Reportf(o, x.loc(), "%s: protocol %q is not one Istio knows (HTTP, HTTPS, GRPC, HTTP2, TLS, TCP, MONGO, REDIS, MYSQL…); %s", x.where(), proto, gwRejects)
			}
			if x := port.get("targetPort"); x.ok() {
				p.Reportf(o, port.keyLoc("targetPort"), "%s: targetPort has no effect on a Gateway; %s", port.where(), gwRejects)
			}
			if x := srv.get("bind"); x.ok() {
				checkServerBind(p, o, x, port)
			}
			checkServerTLS(p, o, srv, strings.ToUpper(proto))
		}
	}
	return nil
}

// checkServerTLS applies the webhook's TLS checks to a server.
func checkServerTLS(p *rules.Pass, o *manifest.Object, srv node, proto string) {
	tls := srv.get("tls")
	isTLS := proto == "HTTPS" || proto == "TLS"
	if !tls.ok() {
		if isTLS {
			p.Reportf(o, srv.get("port").get("protocol").loc(), "%s: an %s server needs tls settings; %s", srv.where(), proto, gwRejects)
		}
		return
	}
	mode, _ := tls.get("mode").str()
	if mode == "" {
		mode = "PASSTHROUGH" // the enum's zero value
	}
	certs := certFields(tls)
	if mode != "ISTIO_MUTUAL" {
		// validateTLSOptions runs these whatever the port's protocol, even
		// in the passthrough modes that ignore the certificates.
		checkCertSources(p, o, tls, mode, gwRejects)
	}
	if !isTLS && proto != "" {
		// validateServer lets a plain HTTP server have tls settings in a
		// passthrough mode, for httpsRedirect, and refuses only certificate
		// files there: a credentialName or tlsCertificates is accepted
		// with a warning (MR016).
		switch files := certFiles(tls); {
		case !isHTTPProtocol(proto):
			p.Reportf(o, srv.keyLoc("tls"), "%s: a %s server cannot have tls settings; %s", srv.where(), proto, gwRejects)
		case mode != "PASSTHROUGH" && mode != "AUTO_PASSTHROUGH":
			p.Reportf(o, srv.keyLoc("tls"), "%s: a plain-text %s server cannot have tls settings other than httpsRedirect (tls mode %s); use protocol HTTPS; %s", srv.where(), proto, mode, gwRejects)
		case len(files) > 0:
			p.Reportf(o, tls.keyLoc(files[0]), "%s: a plain-text %s server cannot have %s; use protocol HTTPS; %s", tls.where(), proto, strings.Join(files, ", "), gwRejects)
		}
		return
	}
	switch mode {
	case "ISTIO_MUTUAL":
		if len(certs) > 0 {
			p.Reportf(o, tls.keyLoc(certs[0]), "%s: tls mode ISTIO_MUTUAL uses the mesh's certificates and cannot set %s; %s", tls.where(), strings.Join(certs, ", "), gwRejects)
		}
	case "SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL":
		checkServerCerts(p, o, tls, mode, gwRejects)
	}
}

// checkServerCerts applies validateTLSOptions' requirements of the SIMPLE
// and mutual modes: a certificate and key, and a client CA bundle for the
// mutual ones, unless the credentials come from a secret.
func checkServerCerts(p *rules.Pass, o *manifest.Object, tls node, mode, rejects string) {
	if tls.has("credentialName") || tls.has("credentialNames") {
		return
	}
	if tls.has("tlsCertificates") {
		checkTLSCertificates(p, o, tls, mode, rejects)
		return
	}
	var missing []string
	for _, f := range []string{"serverCertificate", "privateKey"} {
		if !tls.has(f) {
			missing = append(missing, f)
		}
	}
	if mode != "SIMPLE" && !tls.has("caCertificates") {
		missing = append(missing, "caCertificates")
	}
	if len(missing) > 0 {
		p.Reportf(o, tls.get("mode").loc(), "%s: tls mode %s without credentialName needs %s; %s", tls.where(), mode, strings.Join(missing, " and "), rejects)
	}
}

// checkServerBind mirrors validateServerBind: a unix:// bind needs an
// absolute socket path (or an abstract @name) and port number 0, since
// the listener has no port.
func checkServerBind(p *rules.Pass, o *manifest.Object, x, port node) {
	b, ok := x.str()
	if !ok {
		return
	}
	sock, unix := strings.CutPrefix(b, "unix://")
	if !unix {
		if _, err := netip.ParseAddr(b); err != nil {
			p.Reportf(o, x.loc(), "%s %q is neither an IP address nor a unix:// path; %s", x.where(), b, gwRejects)
		}
		return
	}
	if err := validateUnixAddress(sock); err != nil {
		p.Reportf(o, x.loc(), "%s %q: %v; %s", x.where(), b, err, gwRejects)
	}
	if n, ok := port.get("number").int(); ok && n != 0 {
		p.Reportf(o, port.get("number").loc(), "%s: a server bound to a unix domain socket (%s) must have port number 0, not %d; %s", port.where(), b, n, gwRejects)
	}
}

// validateUnixAddress is Istio's ValidateUnixAddress: Envoy resolves a
// relative socket path against its working directory, so Istio refuses it.
func validateUnixAddress(addr string) error {
	switch {
	case addr == "":
		return errors.New("the unix socket path is empty")
	case strings.HasPrefix(addr, "@"):
		return nil // an abstract socket
	case !path.IsAbs(addr) || strings.HasSuffix(addr, "/"):
		return fmt.Errorf("%s is not an absolute path to a file", addr)
	}
	return nil
}

// checkCertSources applies validateTLSOptions' checks that hold in every
// mode but ISTIO_MUTUAL: one certificate source only, and no caCrl where
// Istio cannot use it.
func checkCertSources(p *rules.Pass, o *manifest.Object, tls node, mode, rejects string) {
	var sources []string
	if nonEmpty(tls, "serverCertificate") && nonEmpty(tls, "privateKey") {
		sources = append(sources, "serverCertificate/privateKey")
	}
	if nonEmpty(tls, "credentialName") {
		sources = append(sources, "credentialName")
	}
	for _, f := range []string{"credentialNames", "tlsCertificates"} {
		if tls.get(f).isSeq() && tls.get(f).len() > 0 {
			sources = append(sources, f)
		}
	}
	if len(sources) > 1 {
		reportAt(p, o, tls.get("mode"), tls, "%s sets %s: only one certificate source may be set; %s", tls.where(), strings.Join(sources, " and "), rejects)
	}
	if !nonEmpty(tls, "caCrl") {
		return
	}
	if nonEmpty(tls, "credentialName") {
		p.Reportf(o, tls.keyLoc("caCrl"), "%s: caCrl cannot be used with credentialName (put the CRL in the credential's secret, key ca.crl); %s", tls.where(), rejects)
	}
	if mode == "SIMPLE" {
		p.Reportf(o, tls.keyLoc("caCrl"), "%s: caCrl cannot be used with tls mode SIMPLE, which does not verify client certificates; %s", tls.where(), rejects)
	}
}

// checkTLSCertificates checks a SIMPLE or mutual server whose certificates
// come from tlsCertificates: validateTLSOptions verifies each entry, and
// still wants the client CA bundle of the mutual modes.
func checkTLSCertificates(p *rules.Pass, o *manifest.Object, tls node, mode, rejects string) {
	if mode != "SIMPLE" && !nonEmpty(tls, "caCertificates") {
		p.Reportf(o, tls.get("mode").loc(), "%s: tls mode %s with tlsCertificates needs caCertificates to verify clients; %s", tls.where(), mode, rejects)
	}
	for c := range tls.get("tlsCertificates").items() {
		var missing []string
		for _, f := range []string{"serverCertificate", "privateKey"} {
			if !nonEmpty(c, f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			p.Reportf(o, c.loc(), "%s needs %s; %s", c.where(), strings.Join(missing, " and "), rejects)
		}
	}
}

// nonEmpty tells whether a string field is set: Istio reads "" as unset.
func nonEmpty(x node, key string) bool {
	s, ok := x.get(key).str()
	return ok && s != ""
}

// certFields lists the certificate settings of a server's tls.
func certFields(tls node) []string {
	var out []string
	for _, f := range []string{"credentialName", "credentialNames", "serverCertificate", "privateKey", "caCertificates", "tlsCertificates"} {
		if tls.has(f) {
			out = append(out, f)
		}
	}
	return out
}

// certFiles lists the certificate files of a server's tls, which Istio
// refuses on a plain HTTP server.
func certFiles(tls node) []string {
	var out []string
	for _, f := range []string{"serverCertificate", "privateKey", "caCertificates"} {
		if tls.has(f) {
			out = append(out, f)
		}
	}
	return out
}
