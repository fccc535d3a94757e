package validation

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// ServiceEntryInvalid reports ServiceEntries that Istio's webhook rejects.
var ServiceEntryInvalid = &rules.Rule{
	ID:      "MR013",
	Name:    "serviceentry-invalid",
	Summary: "a ServiceEntry combines resolution, hosts, addresses, ports and endpoints in a way Istio rejects",
	Doc: `Istio's webhook rejects a ServiceEntry when:

- it sets both ` + "`workloadSelector`" + ` and ` + "`endpoints`" + `, or a ` + "`workloadSelector`" + ` label with an empty
  key or a ` + "`*`" + ` in its key or value (labels match exactly);
- an address is a CIDR block while ` + "`resolution`" + ` is neither NONE nor STATIC;
- two ports share a name or a number, a port's name is not a DNS-1123 label, or its protocol is
  unknown;
- ` + "`resolution: NONE`" + ` comes with endpoints (NONE forwards to the address the client asked for);
- ` + "`resolution: DNS`" + ` or ` + "`DNS_ROUND_ROBIN`" + ` has no endpoints and a wildcard host: Envoy would have to
  resolve ` + "`*.example.com`" + `; use ` + "`resolution: NONE`" + ` (or ` + "`DYNAMIC_DNS`" + `) for wildcards;
- ` + "`DNS_ROUND_ROBIN`" + ` has more than one endpoint;
- a STATIC endpoint has no address (and no ` + "`network`" + `), or one that is not an IP address or a
  ` + "`unix://`" + ` path to an absolute file (or an ` + "`@`" + `abstract socket); a ` + "`unix://`" + ` endpoint sets
  ` + "`ports`" + `, or its entry does not have exactly one port;
- a DNS or DNS_ROUND_ROBIN endpoint address is neither an IP address nor a fully qualified domain
  name (a ` + "`unix://`" + ` path, a name with an underscore or a wildcard);
- an endpoint of a STATIC, DNS or DNS_ROUND_ROBIN entry has a label whose key is not a label name
  or whose value is neither empty nor made of letters, digits, ` + "`-`" + `, ` + "`_`" + ` and ` + "`.`" + ` (as
  MR020 checks a WorkloadEntry's);
- an endpoint names a port that the ServiceEntry does not declare (with resolution STATIC or DNS,
  even when the entry declares no ports at all);
- ` + "`resolution: DYNAMIC_DNS`" + ` has a host that is not a wildcard, addresses, endpoints, a port whose
  protocol is not HTTP, TLS, GRPC or HTTP2, or ` + "`location: MESH_INTERNAL`" + ` on an entry that uses a
  waypoint (label ` + "`istio.io/use-waypoint`" + `);
- the resolution is not NONE, there are several hosts, and a port is neither HTTP-family nor TLS:
  plain TCP gives the proxy no way (Host header or SNI) to tell the hosts apart.

Fix the entry as the message says; splitting a multi-host TCP entry into one entry per host is
the usual fix for the last case.`,
	Bad:      cloudAPIs("DNS"),
	Good:     cloudAPIs("NONE"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.ServiceEntry},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runServiceEntryInvalid,
}

// cloudAPIs is ServiceEntry shop/cloud-apis, for a wildcard host, with
// the resolution: the examples of MR013.
func cloudAPIs(resolution string) string {
	return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: cloud-apis
  namespace: shop
spec:
  hosts: ["*.googleapis.com"]
  ports:
  - {number: 443, name: tls, protocol: TLS}
  resolution: ` + resolution + `
`
}

func runServiceEntryInvalid(p *rules.Pass) error {
	const rejects = "Istio rejects the ServiceEntry"
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.ServiceEntry) {
		s := specOf(o)
		res, _ := s.get("resolution").str()
		if res == "" {
			res = "NONE"
		}
		eps := s.get("endpoints")
		// ValidateServiceEntry calls ValidateAlphaWorkloadSelector.
		checkSelectorLabels(p, o, s.get("workloadSelector").get("labels"), rejects)
		if s.has("workloadSelector") && eps.len() > 0 {
			p.Reportf(o, s.keyLoc("endpoints"), "workloadSelector and endpoints cannot both be set: %s", rejects)
		}
		for x := range s.get("addresses").strs() {
			if a, _ := x.str(); strings.Contains(a, "/") && res != "NONE" && res != "STATIC" {
				p.Reportf(o, x.loc(), "address %q is a CIDR block, which needs resolution NONE or STATIC, not %s: %s", a, res, rejects)
			}
		}
		names, numbers := map[string]bool{}, map[int64]bool{}
		portNames := map[string]bool{}
		var nonHTTP node
		for port := range s.get("ports").items() {
			if name, ok := port.get("name").str(); ok {
				if !isDNS1123Label(name) {
					p.Reportf(o, port.get("name").loc(), "%s: port name %q is not a DNS-1123 label (letters, digits and dashes, at most 63): %s", port.where(), name, rejects)
				}
				portNames[name] = true
				if names[name] {
					p.Reportf(o, port.get("name").loc(), "port name %q is used twice: %s", name, rejects)
				}
				names[name] = true
			}
			if n, ok := port.get("number").int(); ok {
				if numbers[n] {
					p.Reportf(o, port.get("number").loc(), "port %d is declared twice: %s", n, rejects)
				}
				numbers[n] = true
			}
			proto, _ := port.get("protocol").str()
			if proto != "" && !protocols[strings.ToUpper(proto)] {
				p.Reportf(o, port.get("protocol").loc(), "protocol %q is not one Istio knows: %s", proto, rejects)
			}
			if !isHTTPProtocol(proto) && !strings.EqualFold(proto, "TLS") && !strings.EqualFold(proto, "HTTPS") && !nonHTTP.ok() {
				nonHTTP = port
			}
		}
		hosts := s.get("hosts")
		switch res {
		case "NONE":
			if eps.len() > 0 {
				p.Reportf(o, s.keyLoc("endpoints"), "resolution NONE cannot have endpoints (it forwards to the address the client asked for): use STATIC or DNS; %s", rejects)
			}
		case "DNS", "DNS_ROUND_ROBIN":
			if eps.len() == 0 {
				for x := range hosts.strs() {
					if h, _ := x.str(); strings.Contains(h, "*") {
						p.Reportf(o, x.loc(), "host %q is a wildcard, which resolution %s cannot resolve without endpoints: use resolution NONE or DYNAMIC_DNS; %s", h, res, rejects)
					}
				}
			}
			if res == "DNS_ROUND_ROBIN" && eps.len() > 1 {
				p.Reportf(o, eps.item(1).loc(), "resolution DNS_ROUND_ROBIN allows at most one endpoint, not %d: %s", eps.len(), rejects)
			}
		case "DYNAMIC_DNS":
			checkDynamicDNS(p, o, s, rejects)
		case "STATIC":
			for ep := range eps.items() {
				checkWorkloadEntrySpec(p, o, ep, endpointCheck{inEntry: true, entryPorts: s.get("ports"), rejects: rejects})
			}
		}
		if res == "DNS" || res == "DNS_ROUND_ROBIN" {
			for ep := range eps.items() {
				// An absent address is "", which is neither.
				x := ep.get("address")
				if a, isStr := x.str(); (isStr || !x.ok()) && !isIP(a) && validateFQDN(a) != nil {
					reportAt(p, o, x, ep, "%s %q is neither an IP address nor a fully qualified domain name, which resolution %s needs; %s", x.where(), a, res, rejects)
				}
				checkWorkloadLabels(p, o, ep, rejects)
			}
		}
		for ep := range eps.items() {
			for e := range ep.get("ports").entries() {
				switch {
				case portNames[e.key]:
				case len(portNames) > 0:
					p.Reportf(o, e.keyLoc, "%s: port name %q is not declared in the ServiceEntry's ports; %s", ep.where(), e.key, rejects)
				case res == "STATIC" || res == "DNS" || res == "DNS_ROUND_ROBIN":
					// validateWorkloadEntry and the DNS case look endpoint
					// ports up in the entry's, even when it declares none.
					p.Reportf(o, e.keyLoc, "%s: port name %q is not declared in the ServiceEntry's ports (it declares none); %s", ep.where(), e.key, rejects)
				}
			}
		}
		if res != "NONE" && hosts.countStrs() > 1 && nonHTTP.ok() {
			proto, _ := nonHTTP.get("protocol").str()
			if proto == "" {
				proto = "unset (TCP)"
			}
			p.Reportf(o, nonHTTP.loc(), "ServiceEntry has %d hosts and resolution %s, but port %s has protocol %s: plain TCP cannot tell the hosts apart; use one ServiceEntry per host, or resolution NONE; %s", hosts.countStrs(), res, nonHTTP.where(), proto, rejects)
		}
	}
	return nil
}

// checkDynamicDNS applies ValidateServiceEntry's DYNAMIC_DNS case: Envoy's
// dynamic forward proxy resolves the name the client asked for, so the
// entry gives wildcard hosts only, no addresses or endpoints, and ports of
// the protocols the proxy can read a name from.
func checkDynamicDNS(p *rules.Pass, o *manifest.Object, s node, rejects string) {
	for x := range s.get("hosts").strs() {
		if h, _ := x.str(); !strings.HasPrefix(h, "*") {
			p.Reportf(o, x.loc(), "host %q is not a wildcard, which resolution DYNAMIC_DNS needs (use DNS for a single name); %s", h, rejects)
		}
	}
	if s.get("addresses").len() > 0 {
		p.Reportf(o, s.keyLoc("addresses"), "resolution DYNAMIC_DNS cannot have addresses (routes come from the hosts only); %s", rejects)
	}
	if s.get("endpoints").len() > 0 {
		p.Reportf(o, s.keyLoc("endpoints"), "resolution DYNAMIC_DNS cannot have endpoints (the destination is resolved from the requested host); %s", rejects)
	}
	for port := range s.get("ports").items() {
		proto, _ := port.get("protocol").str()
		switch strings.ToUpper(proto) {
		case "HTTP", "TLS", "GRPC", "HTTP2":
		default:
			if proto == "" {
				proto = "unset"
			}
			reportAt(p, o, port.get("protocol"), port, "%s: resolution DYNAMIC_DNS supports protocols HTTP, TLS, GRPC and HTTP2 only, not %s; %s", port.where(), proto, rejects)
		}
	}
	if loc, _ := s.get("location").str(); loc == "MESH_INTERNAL" {
		if w, ok := o.Labels["istio.io/use-waypoint"]; ok && w != "" && !strings.EqualFold(w, "none") {
			p.Reportf(o, s.keyLoc("location"), "location MESH_INTERNAL with resolution DYNAMIC_DNS is not supported behind a waypoint (istio.io/use-waypoint: %s); use MESH_EXTERNAL; %s", w, rejects)
		}
	}
}
