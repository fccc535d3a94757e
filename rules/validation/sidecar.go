package validation

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// SidecarInvalid reports Sidecars that Istio's webhook rejects.
var SidecarInvalid = &rules.Rule{
	ID:      "MR014",
	Name:    "sidecar-invalid",
	Summary: "a Sidecar is empty, or its ingress or egress listeners are invalid",
	Doc: `Istio's webhook rejects a Sidecar that:

- has a ` + "`workloadSelector`" + ` label with an empty key, or a ` + "`*`" + ` in a key or a value (the CRD's CEL
  rule refuses the value too): selectors match labels exactly, with no wildcard;
- configures nothing (none of ` + "`ingress`" + `, ` + "`egress`" + `, ` + "`outboundTrafficPolicy`" + `,
  ` + "`inboundConnectionPool`" + `);
- has an egress listener without hosts, more than one egress listener without a port, or a
  port-less (catch-all) egress listener that is not the last one;
- declares the same port number twice among its egress listeners (whatever their ` + "`bind`" + `), the
  same unix domain socket twice, or the same port twice among its ingress listeners;
- sets ` + "`targetPort`" + ` on a port, or has an ingress listener without a port;
- names a port with something other than a DNS-1123 label, or gives it a protocol Istio does not know;
- binds a listener with a port number to anything but an IP address, or gives an egress listener
  port 0 (a unix domain socket listener) without a ` + "`unix://`" + ` bind to an absolute path, or with a
  ` + "`captureMode`" + ` other than DEFAULT or NONE;
- sets an ingress ` + "`defaultEndpoint`" + ` other than ` + "`127.0.0.1:<port>`" + `, ` + "`0.0.0.0:<port>`" + `,
  ` + "`[::1]:<port>`" + `, ` + "`[::]:<port>`" + `, ` + "`:<port>`" + ` or ` + "`unix:///path`" + `;
- sets ingress ` + "`tls`" + ` on a port whose protocol is not HTTPS or TLS, in mode ISTIO_MUTUAL or
  AUTO_PASSTHROUGH, with ` + "`credentialName(s)`" + `, ` + "`tlsCertificates`" + `, ` + "`subjectAltNames`" + ` or
  ` + "`httpsRedirect`" + `, or with the certificate files missing that MR012 requires of a Gateway;
- sets ` + "`outboundTrafficPolicy.egressProxy`" + ` with a mode other than ALLOW_ANY, or with a ` + "`host`" + `
  that is not a fully qualified domain name (no wildcard, no IP address), without a ` + "`port`" + ` or
  its ` + "`number`" + `, or with a ` + "`subset`" + ` that is not a DNS-1123 label (its port's range is MR003's).

The webhook accepts, and meshlint warns about, an ` + "`egressProxy`" + ` host that none of the Sidecar's
egress listeners imports (an exclusion ` + "`~ns/...`" + ` imports nothing, and a listed namespace must be
the one of a ` + "`name.namespace.svc...`" + ` host): Pilot points unknown traffic at a cluster for that
host, which it builds only for imported services, so that traffic fails. A VirtualService that a
listener imports and that routes to the proxy imports it too, which the Sidecar alone does not
show. It warns too when the listeners that import the host all have a port other than the
proxy's (a listener with a port imports a service's port of that number alone), and when the host
ends with a dot, which ` + "`agent.ValidateFQDN`" + ` accepts: Pilot names the cluster after the host as
written (` + "`outbound|<port>|<subset>|<host>.`" + `), and no Kubernetes Service's cluster has the dot.

Host formats of egress listeners (` + "`namespace/dnsName`" + `) are checked by MR006.`,
	Bad:      sidecarEgress + anyPortEgress + postgresEgress,
	Good:     sidecarEgress + postgresEgress + anyPortEgress,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Sidecar},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runSidecarInvalid,
}

// sidecarEgress is Sidecar shop/default up to its egress listeners, which
// the examples of MR014 give in either order: anyPortEgress, for every
// port, and postgresEgress, for PostgreSQL's.
const sidecarEgress = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: shop
spec:
  egress:
`

// anyPortEgress is an egress listener for every port, to the hosts of the
// namespace and of istio-system.
const anyPortEgress = `  - hosts: ["./*", "istio-system/*"]
`

// postgresEgress is an egress listener for PostgreSQL's port, to the
// hosts of namespace db.
const postgresEgress = `  - port: {number: 5432, protocol: TCP, name: pg}
    hosts: ["db/*"]
`

func runSidecarInvalid(p *rules.Pass) error {
	const rejects = "Istio rejects the Sidecar"
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.Sidecar) {
		s := specOf(o)
		checkSelectorLabels(p, o, s.get("workloadSelector").get("labels"), rejects)
		if !s.has("ingress") && !s.has("egress") && !s.has("outboundTrafficPolicy") && !s.has("inboundConnectionPool") {
			p.Reportf(o, o.KindLoc, "Sidecar configures nothing (no ingress, egress, outboundTrafficPolicy or inboundConnectionPool): %s", rejects)
		}
		egress := s.get("egress")
		catchAll := -1
		ports := map[int64]node{}
		socks := map[string]node{}
		for i := range egress.len() {
			eg := egress.item(i)
			if !eg.isMap() {
				continue
			}
			if hs := eg.get("hosts"); hs.len() == 0 {
				p.Reportf(o, eg.loc(), "%s has no hosts: %s", eg.where(), rejects)
			}
			port := eg.get("port")
			if !port.ok() {
				if catchAll >= 0 {
					p.Reportf(o, eg.loc(), "%s: only one egress listener may omit its port (%s already does): %s", eg.where(), egress.item(catchAll).where(), rejects)
				} else if i != egress.len()-1 {
					p.Reportf(o, eg.loc(), "%s omits its port, so it catches all ports: it must be the last egress listener; %s", eg.where(), rejects)
				}
				catchAll = i
				continue
			}
			checkSidecarPort(p, o, port, rejects)
			if port.has("targetPort") {
				p.Reportf(o, port.keyLoc("targetPort"), "%s: targetPort has no effect on a Sidecar egress port; %s", port.where(), rejects)
			}
			n, ok := port.get("number").int()
			if !ok {
				continue
			}
			bind, _ := eg.get("bind").str()
			if n != 0 {
				checkSidecarIPBind(p, o, eg, rejects)
				// Istio keys IP-bound listeners by port alone, whatever
				// their bind (ValidateSidecar's portMap).
				if first, dup := ports[n]; dup {
					p.Reportf(o, port.get("number").loc(), "%s: port %d is already used by %s: egress ports must be unique, even on different bind addresses; %s", eg.where(), n, first.where(), rejects)
				} else {
					ports[n] = eg
				}
				continue
			}
			sock, unix := strings.CutPrefix(bind, "unix://")
			if !unix {
				p.Reportf(o, port.get("number").loc(), "%s: port 0 is only for a listener bound to a unix domain socket (bind: unix:///path); %s", eg.where(), rejects)
				continue
			}
			if err := validateUnixAddress(sock); err != nil {
				p.Reportf(o, eg.get("bind").loc(), "%s %q: %v; %s", eg.get("bind").where(), bind, err, rejects)
			}
			if mode, _ := eg.get("captureMode").str(); mode != "" && mode != "DEFAULT" && mode != "NONE" {
				p.Reportf(o, eg.get("captureMode").loc(), "%s: captureMode %s cannot apply to a unix domain socket listener (use DEFAULT or NONE); %s", eg.where(), mode, rejects)
			}
			if first, dup := socks[bind]; dup {
				p.Reportf(o, eg.get("bind").loc(), "%s: unix domain socket %s is already used by %s: sockets must be unique; %s", eg.where(), bind, first.where(), rejects)
			} else {
				socks[bind] = eg
			}
		}
		inPorts := map[int64]node{}
		for in := range s.get("ingress").items() {
			if !in.isMap() {
				continue
			}
			port := in.get("port")
			if !port.ok() {
				p.Reportf(o, in.loc(), "%s has no port: %s", in.where(), rejects)
				continue
			}
			if port.has("targetPort") {
				p.Reportf(o, port.keyLoc("targetPort"), "%s: targetPort is not allowed on a Sidecar ingress port (use defaultEndpoint); %s", port.where(), rejects)
			}
			checkSidecarPort(p, o, port, rejects)
			checkSidecarIPBind(p, o, in, rejects)
			if n, ok := port.get("number").int(); ok {
				if first, dup := inPorts[n]; dup {
					p.Reportf(o, port.get("number").loc(), "%s: port %d is already used by %s: ingress ports must be unique; %s", in.where(), n, first.where(), rejects)
				} else {
					inPorts[n] = in
				}
			}
			if x := in.get("defaultEndpoint"); x.ok() {
				if ep, ok := x.str(); ok && ep != "" {
					if err := validateDefaultEndpoint(ep); err != nil {
						p.Reportf(o, x.loc(), "%s: %v; %s", x.where(), err, rejects)
					}
				}
			}
			checkSidecarIngressTLS(p, o, in, rejects)
		}
		otp := s.get("outboundTrafficPolicy")
		if mode, _ := otp.get("mode").str(); otp.has("egressProxy") && mode != "ALLOW_ANY" {
			if mode == "" {
				mode = "REGISTRY_ONLY (the default)"
			}
			p.Reportf(o, otp.keyLoc("egressProxy"), "outboundTrafficPolicy.egressProxy needs mode ALLOW_ANY, not %s: %s", mode, rejects)
		}
		if isAllowAny(otp) {
			checkEgressProxy(p, o, otp, rejects)
			checkEgressProxyImported(p, o, s)
		}
	}
	return nil
}

// checkSidecarPort mirrors the port checks of ValidateSidecar: a name, when
// set, is a DNS-1123 label, and a protocol, when set, is one Istio knows
// (an empty one means sniffing).
func checkSidecarPort(p *rules.Pass, o *manifest.Object, port node, rejects string) {
	if x := port.get("name"); x.ok() {
		if name, ok := x.str(); ok && name != "" && !isDNS1123Label(name) {
			p.Reportf(o, x.loc(), "%s: port name %q is not a DNS-1123 label; %s", x.where(), name, rejects)
		}
	}
	if x := port.get("protocol"); x.ok() {
		if proto, ok := x.str(); ok && proto != "" && !protocols[strings.ToUpper(proto)] {
			p.Reportf(o, x.loc(), "%s: protocol %q is not one Istio knows (HTTP, HTTPS, GRPC, HTTP2, TLS, TCP, MONGO, REDIS, MYSQL…); %s", x.where(), proto, rejects)
		}
	}
}

// checkSidecarIPBind checks the bind of a listener with a port number:
// Istio accepts only an IP address there.
func checkSidecarIPBind(p *rules.Pass, o *manifest.Object, l node, rejects string) {
	x := l.get("bind")
	b, ok := x.str()
	if !ok || b == "" {
		return
	}
	if _, err := netip.ParseAddr(b); err != nil {
		p.Reportf(o, x.loc(), "%s %q is not an IP address (a listener with a port number cannot bind a unix domain socket); %s", x.where(), b, rejects)
	}
}

// validateDefaultEndpoint is the defaultEndpoint check of ValidateSidecar:
// the proxy forwards to a local address only.
func validateDefaultEndpoint(ep string) error {
	if sock, ok := strings.CutPrefix(ep, "unix://"); ok {
		return validateUnixAddress(sock)
	}
	const form = "defaultEndpoint must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port>, :<port> or unix:///path"
	addr, port, err := host.SplitHostPort(ep)
	if err != nil {
		return fmt.Errorf("defaultEndpoint %q: %w; %s", ep, err, form)
	}
	switch addr {
	case "", "127.0.0.1", "0.0.0.0", "::1", "::":
	default:
		return fmt.Errorf("defaultEndpoint %q is not a local address: %s", ep, form)
	}
	if n, err := strconv.Atoi(port); err != nil || !validPort(int64(n)) {
		return errors.New("defaultEndpoint " + strconv.Quote(ep) + " has no port in 1-65535")
	}
	return nil
}

// checkSidecarIngressTLS applies ValidateSidecar's checks of an ingress
// listener's tls: the sidecar serves files only, never secrets or the
// mesh's certificates, and then validateTLSOptions as on a Gateway.
func checkSidecarIngressTLS(p *rules.Pass, o *manifest.Object, in node, rejects string) {
	tls := in.get("tls")
	if !tls.isMap() {
		return
	}
	for _, f := range []string{"subjectAltNames", "credentialNames", "tlsCertificates"} {
		if x := tls.get(f); x.isSeq() && x.len() > 0 {
			p.Reportf(o, tls.keyLoc(f), "%s: %s is not supported on a Sidecar ingress listener; %s", tls.where(), f, rejects)
		}
	}
	if nonEmpty(tls, "credentialName") {
		p.Reportf(o, tls.keyLoc("credentialName"), "%s: credentialName is not supported on a Sidecar ingress listener (use serverCertificate and privateKey files); %s", tls.where(), rejects)
	}
	if b, _ := tls.get("httpsRedirect").boolean(); b {
		p.Reportf(o, tls.keyLoc("httpsRedirect"), "%s: httpsRedirect is not supported on a Sidecar ingress listener; %s", tls.where(), rejects)
	}
	mode, _ := tls.get("mode").str()
	if mode == "" {
		mode = "PASSTHROUGH" // the enum's zero value
	}
	if mode == "ISTIO_MUTUAL" || mode == "AUTO_PASSTHROUGH" {
		p.Reportf(o, tls.get("mode").loc(), "%s: tls mode %s is not allowed on a Sidecar ingress listener; %s", tls.where(), mode, rejects)
	}
	if proto, _ := in.get("port").get("protocol").str(); strings.ToUpper(proto) != "HTTPS" && strings.ToUpper(proto) != "TLS" {
		reportAt(p, o, in.get("port").get("protocol"), in.get("port"), "%s: a listener with tls settings needs protocol HTTPS or TLS, not %q; %s", in.where(), proto, rejects)
	}
	if mode == "ISTIO_MUTUAL" {
		return
	}
	checkCertSources(p, o, tls, mode, rejects)
	if mode == "SIMPLE" || mode == "MUTUAL" || mode == "OPTIONAL_MUTUAL" {
		checkServerCerts(p, o, tls, mode, rejects)
	}
}

// isAllowAny reports whether an outbound traffic policy has mode ALLOW_ANY.
func isAllowAny(otp node) bool {
	mode, _ := otp.get("mode").str()
	return mode == "ALLOW_ANY"
}

// checkEgressProxy checks the egressProxy of an ALLOW_ANY outbound traffic
// policy as validateSidecarOutboundTrafficPolicy does: a host that
// agent.ValidateFQDN accepts (a name, without a wildcard), a port with a
// number (validateDestination reads an absent one as 0), a subset that is
// a DNS-1123 label. A missing host is MR001's, the port's range MR003's.
func checkEgressProxy(p *rules.Pass, o *manifest.Object, otp node, rejects string) {
	ep := otp.get("egressProxy")
	if !ep.isMap() {
		return
	}
	if h := ep.get("host"); h.ok() {
		if s, ok := h.str(); ok {
			if err := validateFQDN(s); err != nil {
				p.Reportf(o, h.loc(), "%s: %v: the egress proxy must be named by a fully qualified domain name; %s", h.where(), err, rejects)
			}
		}
	}
	switch port := ep.get("port"); {
	case !port.ok():
		p.Reportf(o, otp.keyLoc("egressProxy"), "%s has no port: %s", ep.where(), rejects)
	case port.isMap() && !port.has("number"):
		p.Reportf(o, ep.keyLoc("port"), "%s has no number, which means port 0: %s", port.where(), rejects)
	}
	if x := ep.get("subset"); x.ok() {
		if s, ok := x.str(); ok && s != "" && !isDNS1123Label(s) {
			p.Reportf(o, x.loc(), "%s: subset name %q is not a DNS-1123 label; %s", x.where(), s, rejects)
		}
	}
}

// checkEgressProxyImported reports an egressProxy host that no egress
// listener imports (sidecar.pb.go, egress_proxy's NOTE 1). Pilot sends
// unknown traffic to the cluster istio_route.GetDestinationCluster names
// for it (httproute.go's ALLOW_ANY virtual host, listener_builder.go
// buildOutboundCatchAllNetworkFiltersOnly), but builds clusters only for
// the services the Sidecar imports (model/sidecar.go
// collectImportedServices), so Envoy finds no such cluster and the traffic
// fails. The webhook accepts it, and a VirtualService that a listener
// imports also imports the services it routes to, which the Sidecar alone
// does not show: hence a warning.
func checkEgressProxyImported(p *rules.Pass, o *manifest.Object, s node) {
	ep := s.get("outboundTrafficPolicy").get("egressProxy")
	h := ep.get("host")
	proxy, ok := h.str()
	if !ok || validateFQDN(proxy) != nil {
		return // a missing or invalid host is reported above or by MR001
	}
	portN, portOK := ep.get("port").get("number").int()
	// GetDestinationCluster (pilot/pkg/networking/core/route/route.go)
	// names the cluster after the host as written, and the clusters of
	// Kubernetes Services never end with a dot: the webhook's
	// ValidateFQDN accepts one that no cluster carries.
	if strings.HasSuffix(proxy, ".") {
		subset, _ := ep.get("subset").str()
		cluster := fmt.Sprintf("outbound|%d|%s|%s", portN, subset, proxy)
		p.Reportf(o, h.loc(), "%s %q ends with a dot: Pilot names the egress proxy's cluster after the host as written (%s), and no service's cluster ends with a dot (unless a ServiceEntry writes its host so), so unknown outbound traffic fails; remove the trailing dot", h.where(), proxy, cluster).AtMost(rules.Warning)
		return
	}
	// A Sidecar without egress listeners imports */*.
	if s.get("egress").len() == 0 {
		return
	}
	// "." is the Sidecar's namespace, unless a Sidecar of the root
	// namespace without a selector is every namespace's default: then it
	// is each proxy's own.
	own := o.Namespace
	if p.Graph != nil && o.Namespace == p.Graph.Mesh.RootNamespace && !s.has("workloadSelector") {
		own = ""
	}
	var listed []string
	// otherPort is the port of a listener that imports the host but, by
	// serviceMatchingListenerPort (pilot/pkg/model/sidecar.go), only the
	// service's port of its own number: no cluster for the proxy's port.
	var otherPort node
	for eg := range s.get("egress").items() {
		lp, hasPort := eg.get("port").get("number").int()
		for x := range eg.get("hosts").strs() {
			imp, _ := x.str()
			listed = append(listed, imp)
			if !host.SidecarImports(imp, own, proxy) {
				continue
			}
			if !eg.has("port") || !hasPort || !portOK || lp == portN {
				return
			}
			if !otherPort.ok() {
				otherPort = eg
			}
		}
	}
	if otherPort.ok() {
		lp, _ := otherPort.get("port").get("number").int()
		p.Reportf(o, h.loc(), "%s %q is imported only by %s, for port %d: a listener with a port imports a service's port of that number alone, so Pilot builds no cluster for the proxy's port %d and unknown outbound traffic fails; import the host in an egress listener without a port, or one for port %d", h.where(), proxy, otherPort.where(), lp, portN, portN).AtMost(rules.Warning)
		return
	}
	p.Reportf(o, h.loc(), "%s %q is not imported by any egress listener (hosts %s): Pilot builds no cluster for it, so unknown outbound traffic fails; add its namespace/host to an egress listener's hosts, unless a VirtualService the listeners import routes to it", h.where(), proxy, strings.Join(listed, ", ")).AtMost(rules.Warning)
}

// validateFQDN is Istio's agent.ValidateFQDN: a name of at most 255
// characters made of DNS-1123 labels, a trailing dot allowed.
func validateFQDN(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("the host is empty")
	case len(s) > 255:
		return fmt.Errorf("host %q is longer than 255 characters", s)
	}
	return validateDNS1123Labels(s)
}
