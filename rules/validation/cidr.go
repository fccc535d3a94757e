package validation

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// InvalidCIDR reports IP addresses and CIDR blocks that Istio rejects.
var InvalidCIDR = &rules.Rule{
	ID:      "MR007",
	Name:    "invalid-cidr",
	Summary: "an IP address or CIDR block does not parse",
	Doc: `ServiceEntry ` + "`addresses`" + `, VirtualService TCP and TLS ` + "`destinationSubnets`" + `, and
AuthorizationPolicy ` + "`ipBlocks`" + `, ` + "`remoteIpBlocks`" + ` (and their ` + "`not`" + ` forms) and the values of the
` + "`source.ip`" + `, ` + "`remote.ip`" + ` and ` + "`destination.ip`" + ` conditions must be IP addresses or CIDR blocks
(` + "`10.0.0.0/8`" + `, ` + "`2001:db8::/32`" + `). The schema types them as plain strings; Istio's webhook rejects a
value that does not parse, such as ` + "`10.0.0.0/33`" + ` or ` + "`10.0.0.0-10.0.0.255`" + `.

Write the block in CIDR notation.`,
	Bad:      officeOnly(`"10.20.0.0/255.255.0.0"`),
	Good:     officeOnly(`"10.20.0.0/16"`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.ServiceEntry, kinds.VirtualService, kinds.AuthorizationPolicy},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidCIDR,
}

// officeOnly is AuthorizationPolicy shop/office-only, which allows the
// sources of ipBlock (a quoted YAML string): the examples of MR007.
func officeOnly(ipBlock string) string {
	return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: office-only
  namespace: shop
spec:
  rules:
  - from:
    - source:
        ipBlocks: [` + ipBlock + `]
`
}

func runInvalidCIDR(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.ServiceEntry, kinds.VirtualService) {
		s := specOf(o)
		if o.Kind == kinds.ServiceEntry {
			checkCIDRs(p, o, s.get("addresses"))
			continue
		}
		for _, kind := range []string{"tcp", "tls"} {
			for r := range s.get(kind).items() {
				for m := range r.get("match").items() {
					checkCIDRs(p, o, m.get("destinationSubnets"))
				}
			}
		}
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.AuthorizationPolicy) {
		for r := range specOf(o).get("rules").items() {
			for f := range r.get("from").items() {
				src := f.get("source")
				for _, k := range []string{"ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"} {
					checkCIDRs(p, o, src.get(k))
				}
			}
			for w := range r.get("when").items() {
				switch k, _ := w.get("key").str(); k {
				case "source.ip", "remote.ip", "destination.ip":
					checkCIDRs(p, o, w.get("values"))
					checkCIDRs(p, o, w.get("notValues"))
				}
			}
		}
	}
	return nil
}

// checkCIDRs checks the strings of list, which must be IP addresses or CIDR
// blocks.
func checkCIDRs(p *rules.Pass, o *manifest.Object, list node) {
	for x := range list.strs() {
		v, _ := x.str()
		if err := validateCIDR(v); err != nil {
			p.Reportf(o, x.loc(), "%s: %v; Istio rejects the %s", x.where(), err, o.Kind)
		}
	}
}
