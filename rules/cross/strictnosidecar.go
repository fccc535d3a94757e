package cross

import (
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// systemNamespaces are never injected and managed by the distribution.
var systemNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true}

// StrictWithoutSidecar reports workloads without a proxy that a
// PeerAuthentication sets to STRICT mTLS.
var StrictWithoutSidecar = &rules.Rule{
	ID:      "MR503",
	Name:    "strict-mtls-workload-without-sidecar",
	Summary: "strict mTLS applies to a workload without sidecar, which neither enforces nor satisfies it",
	Doc: `PeerAuthentication is enforced by the workload's proxy. A pod that opts out of injection
(` + "`sidecar.istio.io/inject: \"false\"`" + `, or a namespace without injection) has no proxy, so
in a STRICT namespace two things go wrong at once:

- the policy does not protect it: its application port accepts plaintext from any pod, and
  Istio clients, seeing no proxy, send it plaintext (auto mTLS); only NetworkPolicies guard it;
- it cannot present a mesh certificate: its plaintext calls to the STRICT workloads of the
  mesh are refused (connection reset), which is what the STRICT policy was written to do.

The rule reports each workload whose effective mode (workload, namespace or mesh-wide
PeerAuthentication) is STRICT and that has neither a sidecar nor ambient mode (where ztunnel
enforces mTLS). Host-network pods, kube-system, kube-public, kube-node-lease and the root
namespace are skipped, and so is a namespace labelled ` + "`istio-injection: disabled`" + ` when the STRICT
mode is the mesh-wide one: the label records that the namespace is deliberately outside the
mesh (a monitoring stack that scrapes the sidecars' metrics port, for example). Fix it by injecting the workload, or by giving it a PERMISSIVE or
DISABLE PeerAuthentication of its own that states the exception, and allow its clients with
NetworkPolicies.`,
	Bad:      strictLegacy(`app: legacy, sidecar.istio.io/inject: "false"`),
	Good:     injectedShop + strictLegacy("app: legacy"),
	Severity: rules.Warning,
	Inputs:   inputs(kinds.PeerAuthentication, kinds.Namespace),
	Deps:     rules.DepINJ | rules.DepROOT,
	Run:      runStrictWithoutSidecar,
}

// strictLegacy is the STRICT PeerAuthentication of namespace shop and
// Deployment shop/legacy, whose pods carry the labels (a flow mapping's
// entries): the examples of MR503.
func strictLegacy(labels string) string {
	return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: shop}
spec:
  selector: {matchLabels: {app: legacy}}
  template:
    metadata:
      labels: {` + labels + `}
    spec: {containers: [{name: legacy, image: legacy:1}]}
`
}

func runStrictWithoutSidecar(p *rules.Pass) error {
	g := p.Graph
	for _, w := range g.Workloads {
		ns := w.Namespace()
		if w.Sidecar || g.Ambient(w) || w.Spec.Spec.HostNetwork.V || systemNamespaces[ns] || ns == g.Mesh.RootNamespace {
			continue
		}
		m := g.EffectiveMTLS(w, 0)
		if m.Mode != "STRICT" || m.Policy == nil {
			continue
		}
		// A namespace labelled istio-injection: disabled records that it
		// is outside the mesh (as MR718 advises); the mesh-wide policy is
		// not meant for it. A namespace or workload policy still is.
		if n := g.Namespaces[ns]; m.Policy.MeshWide && n != nil && n.Labels["istio-injection"] == "disabled" {
			continue
		}
		scope := "namespace " + ns
		switch {
		case m.Policy.MeshWide:
			scope = "the whole mesh"
		case m.Policy.HasSelector():
			scope = "it"
		}
		f := p.Reportf(w.Obj, w.Obj.NameLoc, "workload %s has no Istio sidecar, but PeerAuthentication %s/%s sets STRICT mTLS for %s: without a proxy the policy is not enforced, so it accepts plaintext from any pod, and its own plaintext calls to STRICT workloads of the mesh are refused",
			name(w), m.Policy.Namespace(), m.Policy.Name(), scope)
		f.Relate(m.Policy.Obj, m.Loc, "STRICT set here")
	}
	return nil
}
