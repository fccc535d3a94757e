package routing

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// DRHidesMutualTLS reports DestinationRules without TLS settings that hide
// a wider ISTIO_MUTUAL rule while auto mTLS is off.
var DRHidesMutualTLS = &rules.Rule{
	ID:      "MR171",
	Name:    "dr-hides-mesh-mtls",
	Summary: "destination rule without tls settings hides a wider istio_mutual rule while auto mTLS is off",
	Doc: `Istio picks one DestinationRule per host and client namespace: the one with the most specific
host. It does not merge it with the wider rules it hides, so a rule for ` + "`reviews`" + ` that only sets
a load balancer or subsets replaces the mesh-wide (` + "`*.local`" + `) or namespace-wide
(` + "`*.<ns>.svc.cluster.local`" + `) rule that sets ` + "`tls.mode: ISTIO_MUTUAL`" + `.

With auto mTLS on (MeshConfig ` + "`enableAutoMtls`" + `, the default) that does not matter: a rule
without TLS settings leaves the choice to auto mTLS, which uses Istio mTLS towards sidecars.
With auto mTLS off, clients send plaintext to the host, which a STRICT server refuses and a
PERMISSIVE one accepts without identity (so AuthorizationPolicy principals no longer match).

Add ` + "`trafficPolicy.tls.mode: ISTIO_MUTUAL`" + ` to the narrower rule. Kiali (KIA0204) reports this
whatever the auto mTLS setting; the rule only runs with auto mTLS off, where it changes traffic.`,
	Bad: mtlsOverrideExample(""),
	Good: mtlsOverrideExample(`    tls: {mode: ISTIO_MUTUAL}
`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.DestinationRule},
	Related:  []string{"KIA0204"},
	Deps:     rules.DepROOT,
	Run:      runDRHidesMutualTLS,
}

// mtlsOverrideExample is a DestinationRule for reviews whose traffic
// policy ends with tls, under a mesh-wide ISTIO_MUTUAL one with auto mTLS
// off: the examples of MR171.
func mtlsOverrideExample(tls string) string {
	return `# fixture: auto-mtls=false
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default, namespace: istio-system}
spec:
  host: "*.local"
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
` + tls
}

func runDRHidesMutualTLS(p *rules.Pass) error {
	g := p.Graph
	if g.Mesh.AutoMTLS() {
		return nil
	}
	for _, dr := range g.DestinationRules {
		if dr.Host == "" || dr.Spec.WorkloadSelector != nil || dr.SetsTLS() {
			continue
		}
		wider := g.WiderMutualRules(dr)
		if len(wider) == 0 {
			continue
		}
		w := wider[0]
		p.Reportf(dr.Obj, dr.Spec.Host.Loc, "DestinationRule %s/%s sets no TLS for %q and hides the ISTIO_MUTUAL rule %s/%s (%s): with auto mTLS off, clients in namespace %s send plaintext",
			dr.Namespace(), dr.Name(), dr.Spec.Host.V, w.Namespace(), w.Name(), w.Spec.Host.V, dr.Namespace()).
			Relate(w.Obj, w.Spec.TrafficPolicy.TLS.Mode.Loc, "ISTIO_MUTUAL set here")
	}
	return nil
}
