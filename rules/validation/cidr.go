package validation

import (
	"github.com/meshlint/meshlint/internal/kinds"
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
	Bad: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: office-only
  namespace: shop
spec:
  rules:
  - from:
    - source:
        ipBlocks: ["10.20.0.0/255.255.0.0"]
`,
	Good: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: office-only
  namespace: shop
spec:
  rules:
  - from:
    - source:
        ipBlocks: ["10.20.0.0/16"]
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.ServiceEntry, kinds.VirtualService, kinds.AuthorizationPolicy},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runInvalidCIDR,
}

func runInvalidCIDR(p *rules.Pass) error {
	for _, o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.ServiceEntry, kinds.VirtualService) {
		s := specOf(o)
		var xs []node
		if o.Kind == kinds.ServiceEntry {
			xs = s.get("addresses").strs()
		} else {
			for _, kind := range []string{"tcp", "tls"} {
				for _, r := range s.get(kind).items() {
					for _, m := range r.get("match").items() {
						xs = append(xs, m.get("destinationSubnets").strs()...)
					}
				}
			}
		}
		for _, x := range xs {
			v, _ := x.str()
			if err := validateCIDR(v); err != nil {
				p.Reportf(o, x.loc(), "%s: %v; Istio rejects the %s", x.where(), err, o.Kind)
			}
		}
	}
	for _, o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.AuthorizationPolicy) {
		var xs []node
		for _, r := range specOf(o).get("rules").items() {
			for _, f := range r.get("from").items() {
				src := f.get("source")
				for _, k := range []string{"ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"} {
					xs = append(xs, src.get(k).strs()...)
				}
			}
			for _, w := range r.get("when").items() {
				switch k, _ := w.get("key").str(); k {
				case "source.ip", "remote.ip", "destination.ip":
					xs = append(xs, w.get("values").strs()...)
					xs = append(xs, w.get("notValues").strs()...)
				}
			}
		}
		for _, x := range xs {
			v, _ := x.str()
			if err := validateCIDR(v); err != nil {
				p.Reportf(o, x.loc(), "%s: %v; Istio rejects the AuthorizationPolicy", x.where(), err)
			}
		}
	}
	return nil
}
