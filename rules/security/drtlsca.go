package security

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// DRTLSNoCA reports TLS origination without a pinned CA.
var DRTLSNoCA = &rules.Rule{
	ID:      "MR312",
	Name:    "dr-tls-no-ca",
	Summary: "destination rule originates TLS without caCertificates, or with insecureSkipVerify",
	Doc: `A DestinationRule with ` + "`tls.mode`" + ` SIMPLE or MUTUAL makes the client proxy originate TLS. Without
` + "`caCertificates`" + ` (or a ` + "`credentialName`" + ` whose Secret holds the CA, which Istio reads only for
gateways and for rules with a ` + "`workloadSelector`" + `), the server's certificate is checked against the
operating system's CA bundle of the proxy image (Istio 1.20 and later; earlier releases did
not check it at all). A server with a private CA then fails the handshake, and any server with a
certificate from a public CA is trusted. ` + "`insecureSkipVerify: true`" + ` turns the check off
completely.

Set ` + "`caCertificates`" + ` to the CA that signs the server's certificate, or ` + "`credentialName`" + ` on a
gateway. istioctl analyze reports IST0128 (and IST0129 for portLevelSettings) as a warning that
verification is skipped, which is only true before Istio 1.20, so meshlint reports at info
level; it also checks the TLS settings of subsets, which istioctl analyze leaves out.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payments, namespace: shop}
spec:
  host: payments.internal.example.com
  trafficPolicy:
    tls: {mode: SIMPLE}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payments, namespace: shop}
spec:
  host: payments.internal.example.com
  trafficPolicy:
    tls: {mode: SIMPLE, caCertificates: /etc/certs/internal-ca.pem}
`,
	Severity: rules.Info,
	Inputs:   []kinds.Kind{kinds.DestinationRule},
	Related:  []string{"IST0128", "IST0129"},
	Deps:     rules.DepNone,
	Run:      runDRTLSNoCA,
}

func runDRTLSNoCA(p *rules.Pass) error {
	for _, dr := range p.Graph.DestinationRules {
		check := func(where string, tls *spec.ClientTLS) {
			if tls == nil {
				return
			}
			mode := strings.ToUpper(tls.Mode.V)
			if mode != "SIMPLE" && mode != "MUTUAL" {
				return
			}
			at := tls.Mode.Loc
			if tls.InsecureSkipVer.V {
				p.Reportf(dr.Obj, tls.InsecureSkipVer.Loc, "%stls mode %s of DestinationRule %s/%s sets insecureSkipVerify: the server's certificate is not verified at all",
					where, mode, dr.Namespace(), dr.Name())
				return
			}
			if tls.CaCertificates.V != "" || tls.CredentialName.V != "" && dr.Spec.WorkloadSelector != nil {
				return
			}
			p.Reportf(dr.Obj, at, "%stls mode %s of DestinationRule %s/%s has no caCertificates: the server is verified against the proxy's system CA bundle only%s",
				where, mode, dr.Namespace(), dr.Name(), credentialNote(dr, tls))
		}
		visit(dr, check)
	}
	return nil
}

func credentialNote(dr *graph.DestinationRule, tls *spec.ClientTLS) string {
	if tls.CredentialName.V != "" && dr.Spec.WorkloadSelector == nil {
		return " (credentialName is used only by gateways and by rules with a workloadSelector)"
	}
	return ""
}

// visit calls f on every client TLS setting of a DestinationRule.
func visit(dr *graph.DestinationRule, f func(where string, tls *spec.ClientTLS)) {
	policy := func(prefix string, tp *spec.TrafficPolicy) {
		if tp == nil {
			return
		}
		f(prefix, tp.TLS)
		for i, pl := range tp.PortLevelSettings {
			where := fmt.Sprintf("%sportLevelSettings[%d]: ", prefix, i)
			if pl.Port != nil && pl.Port.Number.Set {
				where = fmt.Sprintf("%sport %d: ", prefix, pl.Port.Number.V)
			}
			f(where, pl.TLS)
		}
	}
	policy("", dr.Spec.TrafficPolicy)
	for _, s := range dr.Spec.Subsets {
		if s.TrafficPolicy != nil { // spares the prefix of the many subsets without a policy
			policy(fmt.Sprintf("subset %q: ", s.Name.V), s.TrafficPolicy)
		}
	}
}
