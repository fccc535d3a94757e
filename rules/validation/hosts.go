package validation

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// InvalidHost reports host names that Istio's webhook rejects.
var InvalidHost = &rules.Rule{
	ID:      "MR006",
	Name:    "invalid-host",
	Summary: "a host name is malformed, has a wildcard outside the leftmost label, or is not allowed where it is written",
	Doc: `Istio validates every host it reads as a DNS name made of DNS-1123 labels (at most 255
characters, a top-level domain that is not all digits), where a wildcard may only be the
leftmost label (` + "`*.example.com`" + `). On top of that:

- a VirtualService bound to the mesh (no ` + "`gateways`" + `, or ` + "`mesh`" + ` listed) cannot use ` + "`*`" + ` as a host,
  and two hosts of one VirtualService must not overlap (` + "`*.shop.com`" + ` and ` + "`a.shop.com`" + `);
- a route destination and a ServiceEntry cannot use ` + "`*`" + `;
- an IP address is a host only for a VirtualService and a Gateway server: route and mirror
  destinations, DestinationRule and ServiceEntry hosts and Sidecar egress hosts must be names
  (a ServiceEntry lists its IP addresses under ` + "`addresses`" + `);
- Gateway server hosts are ` + "`[namespace/]dnsName`" + `, where the namespace is ` + "`*`" + `, ` + "`.`" + ` or a namespace name
  and the name is ` + "`*`" + `, an IP or a fully qualified name: short names such as ` + "`reviews`" + ` are
  rejected;
- Sidecar egress hosts must be ` + "`namespace/dnsName`" + `, the namespace being ` + "`*`" + `, ` + "`.`" + `, ` + "`~`" + ` or a
  namespace name; an exclusion prefixes one of these with ` + "`~`" + ` (` + "`~prod/*`" + `, ` + "`~./db.example.com`" + `).

The API server's schema accepts any string, so the webhook is the first to refuse these. Fix
the name as the message says.`,
	Bad:      publicGateway("{number: 80, name: http, protocol: HTTP}", "storefront", ""),
	Good:     publicGateway("{number: 80, name: http, protocol: HTTP}", "shop.example.com", ""),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Gateway, kinds.Sidecar},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidHost,
}

func runInvalidHost(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Gateway, kinds.Sidecar) {
		s := specOf(o)
		report := func(x node, err error) {
			p.Reportf(o, x.loc(), "%s: %v; Istio rejects the %s", x.where(), err, o.Kind)
		}
		switch o.Kind {
		case kinds.VirtualService:
			mesh := boundToMesh(s)
			hosts := s.get("hosts")
			allValid := true
			for x := range hosts.strs() {
				h, _ := x.str()
				switch {
				case h == "*" && mesh:
					p.Reportf(o, x.loc(), "%s: host * is not allowed for a VirtualService bound to the mesh (no gateways, or mesh listed); Istio rejects the VirtualService", x.where())
					allValid = false
				case h == "*" || isIP(h) || !mesh && strings.HasPrefix(h, "outbound_."):
				default:
					if err := validateWildcardDomain(h); err != nil {
						report(x, err)
						allValid = false
					}
				}
			}
			if allValid {
				for i := range hosts.len() {
					a, ok := hosts.item(i).str()
					if !ok {
						continue
					}
					for j := i + 1; j < hosts.len(); j++ {
						x := hosts.item(j)
						if b, ok := x.str(); ok && host.Matches(a, b) {
							p.Reportf(o, x.loc(), "%s: hosts %q and %q of one VirtualService overlap; Istio rejects the VirtualService", x.where(), a, b)
						}
					}
				}
			}
			for _, kind := range []string{"http", "tcp", "tls"} {
				for r := range s.get(kind).items() {
					for d := range r.get("route").items() {
						checkDestinationHost(p, o, d.get("destination").get("host"))
					}
				}
			}
			for r := range s.get("http").items() {
				checkDestinationHost(p, o, r.get("mirror").get("host"))
				for m := range r.get("mirrors").items() {
					checkDestinationHost(p, o, m.get("destination").get("host"))
				}
			}
		case kinds.DestinationRule:
			if x := s.get("host"); x.ok() {
				// ValidateDestinationRule checks the host with
				// ValidateWildcardDomain alone, which refuses an IP.
				if h, ok := x.str(); ok {
					if isIP(h) {
						report(x, ipHostError("host", h))
					} else if err := validateWildcardDomain(h); err != nil {
						report(x, err)
					}
				}
			}
		case kinds.ServiceEntry:
			for x := range s.get("hosts").strs() {
				h, _ := x.str()
				if h == "*" {
					p.Reportf(o, x.loc(), "%s: host * is not allowed in a ServiceEntry; Istio rejects it", x.where())
				} else if isIP(h) {
					// ValidateWildcardDomain would complain about the
					// labels after the first ("0.0.12" of 10.0.0.12).
					p.Reportf(o, x.loc(), "%s: host %q is an IP address, but ServiceEntry hosts must be names: list the address under addresses and give it a name in hosts; Istio rejects the ServiceEntry", x.where(), h)
				} else if err := validateWildcardDomain(h); err != nil {
					report(x, err)
				}
			}
		case kinds.Gateway:
			for srv := range s.get("servers").items() {
				for x := range srv.get("hosts").strs() {
					h, _ := x.str()
					if err := validateScopedHost(h, true); err != nil {
						report(x, err)
					}
				}
			}
		case kinds.Sidecar:
			for eg := range s.get("egress").items() {
				for x := range eg.get("hosts").strs() {
					h, _ := x.str()
					if err := validateScopedHost(h, false); err != nil {
						report(x, err)
					}
				}
			}
		}
	}
	return nil
}

// boundToMesh reports whether a VirtualService applies to the mesh's
// sidecars: it lists no gateways, or lists mesh among them.
func boundToMesh(vs node) bool {
	gateways := false
	for g := range vs.get("gateways").strs() {
		if v, _ := g.str(); v == "mesh" {
			return true
		}
		gateways = true
	}
	return !gateways
}

// checkDestinationHost checks the host of a route or mirror destination.
func checkDestinationHost(p *rules.Pass, o *manifest.Object, x node) {
	h, ok := x.str()
	if !ok {
		return
	}
	// validateDestination has no exception for an IP, unlike the hosts of
	// a VirtualService: the destination must name a service.
	if isIP(h) {
		p.Reportf(o, x.loc(), "%s: %v; Istio rejects the VirtualService", x.where(), ipHostError("destination host", h))
		return
	}
	if h == "*" {
		p.Reportf(o, x.loc(), "%s: destination host * is not allowed; Istio rejects the VirtualService", x.where())
		return
	}
	if err := validateWildcardDomain(h); err != nil {
		p.Reportf(o, x.loc(), "%s: %v; Istio rejects the VirtualService", x.where(), err)
	}
}

// ipHostError explains an IP address where Istio wants a host name: what
// names the host, or nothing for the host itself.
func ipHostError(what, ip string) error {
	if what != "" {
		what += " "
	}
	return fmt.Errorf("%s%q is an IP address, which Istio does not accept here: write a host name, such as that of a ServiceEntry with this address", what, ip)
}

// validateScopedHost checks a Gateway server host ([ns/]dnsName) or a
// Sidecar egress host (ns/dnsName), as Istio's
// ValidateNamespaceSlashWildcardHostname does.
func validateScopedHost(s string, gateway bool) error {
	ns, name, ok := strings.Cut(s, "/")
	if !ok {
		if !gateway {
			return fmt.Errorf("host %q must have the form namespace/dnsName, such as ./%s or */%s", s, s, s)
		}
		ns, name = "*", s
	}
	if ns == "" || name == "" {
		return fmt.Errorf("host %q: the namespace and the name cannot be empty", s)
	}
	written := ns
	if !gateway {
		// A Sidecar excludes hosts with an entry whose namespace starts
		// with ~ ("~prod/*"); a bare ~ stands for every namespace there.
		if rest, excluded := strings.CutPrefix(ns, "~"); excluded {
			if rest == "" {
				rest = "*"
			}
			ns = rest
		}
	}
	if ns != "*" && ns != "." && !isDNS1123Label(ns) {
		if gateway {
			return fmt.Errorf("host %q: namespace %q is not *, . or a namespace name", s, written)
		}
		return fmt.Errorf("host %q: namespace %q is not *, . or a namespace name, with or without the ~ of an exclusion", s, written)
	}
	if isIP(name) {
		// validateSidecarOrGatewayHostnamePart excuses an IP for a
		// Gateway only.
		if gateway {
			return nil
		}
		return fmt.Errorf("host %q: %w", s, ipHostError("", name))
	}
	if name == "*" {
		return nil
	}
	if !strings.Contains(name, ".") {
		return fmt.Errorf("host %q: short names are not allowed, write the fully qualified name (such as %s.<namespace>.svc.cluster.local)", s, name)
	}
	if first, _, _ := strings.Cut(name, "."); strings.Contains(first, "*") && first != "*" {
		return fmt.Errorf("host %q: a partial wildcard is not allowed, the wildcard must be a whole label (*.%s)", s, name[len(first)+1:])
	}
	return validateWildcardDomain(name)
}
