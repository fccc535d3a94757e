package security

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// StrictWithoutMutualDR reports STRICT mesh or namespace PeerAuthentication
// while auto mTLS is off and no DestinationRule makes clients use mTLS.
var StrictWithoutMutualDR = &rules.Rule{
	ID:      "MR353",
	Name:    "strict-mtls-without-mutual-dr",
	Summary: "strict mTLS with auto mTLS off and no istio_mutual destination rule for the scope",
	Doc: `With MeshConfig ` + "`enableAutoMtls: false`" + `, a client proxy uses Istio mTLS towards a host only when a
DestinationRule says so (` + "`tls.mode: ISTIO_MUTUAL`" + `); otherwise it sends plaintext. A STRICT
PeerAuthentication for the mesh (selector-less, root namespace) or for a namespace then makes
every server of that scope refuse the plaintext the clients send: calls fail with connection
resets.

Add a selector-less DestinationRule with ` + "`ISTIO_MUTUAL`" + ` covering the scope: host ` + "`*.local`" + ` in the
root namespace for the mesh, or ` + "`*.<ns>.svc.cluster.local`" + ` in the namespace (a mesh-wide one
also covers a namespace), or turn auto mTLS back on. The rule does nothing with auto mTLS on,
where clients pick mTLS by themselves.

This is Kiali's KIA0401 (mesh) and KIA0501 (namespace). More specific DestinationRules without
TLS settings that hide the wide one are reported by MR171.`,
	Bad: `# fixture: auto-mtls=false
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
`,
	Good: `# fixture: auto-mtls=false
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mtls, namespace: shop}
spec:
  host: "*.shop.svc.cluster.local"
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.PeerAuthentication, kinds.DestinationRule},
	Related:  []string{"KIA0401", "KIA0501"},
	Deps:     rules.DepROOT,
	Run:      runStrictWithoutMutualDR,
}

func runStrictWithoutMutualDR(p *rules.Pass) error {
	g := p.Graph
	if g.Mesh.AutoMTLS() {
		return nil
	}
	for _, pa := range g.PeerAuthentications {
		if pa.HasSelector() || pa.Spec.MTLS == nil || pa.Spec.MTLS.Mode.V != "STRICT" {
			continue
		}
		if pa.MeshWide {
			if g.MutualTLSRuleFor("") == nil {
				p.Reportf(pa.Obj, pa.Spec.MTLS.Mode.Loc, "mesh-wide STRICT mTLS with auto mTLS off, but no DestinationRule in %s sets ISTIO_MUTUAL for %q: clients send plaintext, which the servers refuse",
					g.Mesh.RootNamespace, "*.local")
			}
			continue
		}
		if g.MutualTLSRuleFor(pa.Namespace()) == nil {
			p.Reportf(pa.Obj, pa.Spec.MTLS.Mode.Loc, "namespace %s is STRICT with auto mTLS off, but no DestinationRule sets ISTIO_MUTUAL for %q or mesh-wide: clients send plaintext, which the servers refuse",
				pa.Namespace(), g.NamespaceHosts(pa.Namespace()))
		}
	}
	return nil
}
