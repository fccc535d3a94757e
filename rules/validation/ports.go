package validation

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// PortOutOfRange reports port numbers outside 1..65535.
var PortOutOfRange = &rules.Rule{
	ID:      "MR003",
	Name:    "port-out-of-range",
	Summary: "a port number is outside 1-65535",
	Doc: `Istio's CRD schemas declare port numbers as unsigned 32-bit integers, so the API server's schema
accepts ` + "`port: 80800`" + `; the validation webhook then rejects the object, as does
` + "`istioctl analyze`" + ` (IST0106). meshlint checks every port Istio validates: VirtualService match
ports, destination, mirror and redirect ports; DestinationRule port-level settings and tunnel
target ports; Gateway server ports; ServiceEntry ports, target ports and endpoint ports; Sidecar
ingress and egress ports and the ` + "`outboundTrafficPolicy.egressProxy`" + ` port (with mode ALLOW_ANY,
the only one where Istio reads it); PeerAuthentication ` + "`portLevelMtls`" + ` keys; WorkloadEntry ports;
WorkloadGroup readiness probe ` + "`httpGet`" + ` and ` + "`tcpSocket`" + ` ports; and AuthorizationPolicy
` + "`ports`" + `/` + "`notPorts`" + ` (which also accept 0, and must be numbers).

Port 0 is allowed where Istio gives it a meaning: a Gateway server or Sidecar egress listener
bound to a Unix domain socket (` + "`bind: unix://...`" + `), and where Istio reads it as unset: a
VirtualService match port (any port), a redirect port (the request's port) and a ServiceEntry
` + "`targetPort`" + ` (the port's own number). The ServiceEntry CRD's CEL rule still rejects a
` + "`targetPort: 0`" + ` written out (MR001 reports it): leave the field out instead.

Fix the number; a typo with one digit too many is the usual cause.`,
	Bad:      paymentsTargetPort("84433"),
	Good:     paymentsTargetPort("8443"),
	Severity: rules.Error,
	Inputs: []kinds.Kind{kinds.VirtualService, kinds.DestinationRule, kinds.Gateway, kinds.ServiceEntry,
		kinds.Sidecar, kinds.WorkloadEntry, kinds.WorkloadGroup, kinds.PeerAuthentication, kinds.AuthorizationPolicy},
	Related: []string{"IST0106"},
	Local:   true,
	Run:     runPortOutOfRange,
}

// paymentsTargetPort is ServiceEntry shop/payments, whose TLS port 4433
// forwards to targetPort: the examples of MR003.
func paymentsTargetPort(targetPort string) string {
	return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: payments
  namespace: shop
spec:
  hosts: [payments.example.com]
  ports:
  - {number: 4433, name: tls, protocol: TLS, targetPort: ` + targetPort + `}
  resolution: DNS
`
}

func runPortOutOfRange(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService, kinds.DestinationRule, kinds.Gateway, kinds.ServiceEntry, kinds.Sidecar, kinds.WorkloadEntry, kinds.WorkloadGroup) {
		s := specOf(o)
		switch o.Kind {
		case kinds.VirtualService:
			for _, kind := range []string{"http", "tcp", "tls"} {
				for r := range s.get(kind).items() {
					// The webhook skips a match port of 0, the proto's
					// "unset" (validateHTTPRouteMatchRequest, validateTCPMatch,
					// validateTLSMatch).
					for m := range r.get("match").items() {
						checkPort(p, o, m.get("port"), true)
					}
					for d := range r.get("route").items() {
						checkPort(p, o, d.get("destination").get("port").get("number"), false)
					}
				}
			}
			for r := range s.get("http").items() {
				checkPort(p, o, r.get("mirror").get("port").get("number"), false)
				for m := range r.get("mirrors").items() {
					checkPort(p, o, m.get("destination").get("port").get("number"), false)
				}
				// validateHTTPRedirect checks the port only when it is > 0.
				checkPort(p, o, r.get("redirect").get("port"), true)
			}
		case kinds.DestinationRule:
			for tp := range trafficPolicies(s) {
				checkPort(p, o, tp.get("port").get("number"), false)
				checkPort(p, o, tp.get("tunnel").get("targetPort"), false)
			}
		case kinds.Gateway:
			for srv := range s.get("servers").items() {
				bind, _ := srv.get("bind").str()
				checkPort(p, o, srv.get("port").get("number"), strings.HasPrefix(bind, "unix://"))
			}
		case kinds.ServiceEntry:
			for port := range s.get("ports").items() {
				checkPort(p, o, port.get("number"), false)
				// A targetPort of 0 means the port's number (ValidateServiceEntry skips it).
				checkPort(p, o, port.get("targetPort"), true)
			}
			for ep := range s.get("endpoints").items() {
				for e := range ep.get("ports").entries() {
					checkPort(p, o, e.val, false)
				}
			}
		case kinds.WorkloadEntry:
			for e := range s.get("ports").entries() {
				checkPort(p, o, e.val, false)
			}
		case kinds.WorkloadGroup:
			// validateReadinessProbe (agent.ValidatePort). It has no
			// case for a grpc probe, and the template is not checked:
			// only the CRD's CEL rules see their ports, MR001's.
			probe := s.get("probe")
			for _, m := range []string{"httpGet", "tcpSocket"} {
				checkPort(p, o, probe.get(m).get("port"), false)
			}
		case kinds.Sidecar:
			for in := range s.get("ingress").items() {
				checkPort(p, o, in.get("port").get("number"), false)
			}
			for eg := range s.get("egress").items() {
				bind, _ := eg.get("bind").str()
				checkPort(p, o, eg.get("port").get("number"), strings.HasPrefix(bind, "unix://"))
			}
			// validateSidecarOutboundTrafficPolicy stops at an egressProxy
			// beside another mode, which is MR014's.
			if otp := s.get("outboundTrafficPolicy"); isAllowAny(otp) {
				checkPort(p, o, otp.get("egressProxy").get("port").get("number"), false)
			}
		}
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.PeerAuthentication, kinds.AuthorizationPolicy) {
		s := specOf(o)
		if o.Kind == kinds.PeerAuthentication {
			for e := range s.get("portLevelMtls").entries() {
				n, err := strconv.ParseInt(e.key, 10, 64)
				if err != nil || !validPort(n) {
					p.Reportf(o, e.keyLoc, "portLevelMtls key %q is not a port number in 1-65535: Istio rejects the PeerAuthentication", e.key)
				}
			}
			continue
		}
		for r := range s.get("rules").items() {
			for to := range r.get("to").items() {
				checkOperationPorts(p, o, to.get("operation"))
			}
		}
	}
	return nil
}

// checkOperationPorts checks the ports of an AuthorizationPolicy rule's
// operation.
func checkOperationPorts(p *rules.Pass, o *manifest.Object, op node) {
	for _, f := range []string{"ports", "notPorts"} {
		for v := range op.get(f).items() {
			t, ok := v.scalar()
			if !ok {
				continue
			}
			n, err := strconv.ParseInt(t, 10, 64)
			if err != nil || n < 0 || n > 65535 {
				p.Reportf(o, v.loc(), "%s %q is not a port number in 0-65535: Istio rejects the AuthorizationPolicy", v.where(), t)
			}
		}
	}
}

// checkPort reports a port number outside 1..65535 (0 allowed when zeroOK).
func checkPort(p *rules.Pass, o *manifest.Object, x node, zeroOK bool) {
	n, ok := x.int()
	if !ok || validPort(n) || zeroOK && n == 0 {
		return
	}
	p.Reportf(o, x.loc(), "%s %d is out of range 1-65535: Istio rejects the %s", x.where(), n, o.Kind)
}
