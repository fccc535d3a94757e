package security

import (
	"fmt"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// MutualTLSToPlaintext reports DestinationRules that force Istio mutual TLS
// towards workloads that cannot accept it.
var MutualTLSToPlaintext = &rules.Rule{
	ID:      "MR330",
	Name:    "dr-mtls-towards-plaintext",
	Summary: "client TLS mode ISTIO_MUTUAL towards workloads whose mTLS mode is DISABLE, or that have no sidecar",
	Doc: `A DestinationRule with ` + "`tls.mode: ISTIO_MUTUAL`" + ` makes clients send Istio mutual TLS whatever the
server accepts; auto mTLS no longer falls back to plaintext. A server whose PeerAuthentication
mode is ` + "`DISABLE`" + ` does not terminate mutual TLS, and a workload without a sidecar has nothing to
terminate it with: the application receives TLS bytes and the request fails (503, or a reset).

The rule follows the same precedence as MR303 on both sides: the DestinationRule that Istio
really uses for the host, its subset and port-level settings, the Service's target ports, and
PeerAuthentication precedence for the server. A workload counts as having no sidecar only when
its namespace is described by a Namespace object in the input (injection is decided by
namespace labels) or with the closed-world setting. A workload in ambient mode is not reported:
sidecars of an ambient-enabled istiod send it HBONE to ztunnel in place of Istio mutual TLS.

Kiali checks a narrower form (KIA0505, KIA0506: a mesh- or namespace-wide DISABLE
PeerAuthentication while a mesh- or namespace-wide DestinationRule says ISTIO_MUTUAL), looking
only at wildcard DestinationRules and selector-less policies. Kiali's KIA0205 and KIA0206 (an
ISTIO_MUTUAL DestinationRule without a PeerAuthentication that enables mTLS) are not reported:
without a PeerAuthentication the server is PERMISSIVE, Istio's default, and accepts mutual TLS.

Fix it by removing the ` + "`tls`" + ` block (auto mTLS then picks what the server accepts), by making the
server PERMISSIVE or STRICT, or by injecting the sidecar.`,
	Bad: mtlsPlaintextExample(`    tls: {mode: ISTIO_MUTUAL}
`),
	Good: mtlsPlaintextExample(`    connectionPool:
      tcp: {maxConnections: 100}
`),
	Severity: rules.Error,
	Inputs: []kinds.Kind{kinds.DestinationRule, kinds.PeerAuthentication, kinds.Service, kinds.Namespace,
		kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.Pod},
	Related: []string{"KIA0505", "KIA0506"},
	Deps:    rules.DepNS | rules.DepINJ | rules.DepROOT | rules.DepHOST | rules.DepTGT | rules.DepDR | rules.DepOrder,
	Run:     runMutualTLSToPlaintext,
}

// mtlsPlaintextExample is a Service, legacy/billing, whose workload has a
// sidecar but mTLS mode DISABLE, and a DestinationRule for it with the
// given trafficPolicy fields: the examples of MR330.
func mtlsPlaintextExample(policy string) string {
	return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: legacy
spec:
  mtls: {mode: DISABLE}
---
apiVersion: v1
kind: Service
metadata:
  name: billing
  namespace: legacy
spec:
  selector: {app: billing}
  ports:
  - {name: http, port: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: billing
  namespace: legacy
spec:
  selector:
    matchLabels: {app: billing}
  template:
    metadata:
      labels: {app: billing, sidecar.istio.io/inject: "true"}
    spec:
      containers:
      - name: billing
        image: billing:1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: billing
  namespace: legacy
spec:
  host: billing
  trafficPolicy:
` + policy
}

func runMutualTLSToPlaintext(p *rules.Pass) error {
	g := p.Graph
	istioMutual := func(s tlsSite) bool { return s.tls.Mode.Set && s.tls.Mode.V == "ISTIO_MUTUAL" }
	eachSiteServices(p, istioMutual, func(dr *graph.DestinationRule, site tlsSite, svcs []*graph.Service) {
		for _, s := range svcs {
			if w, m, port, why := plaintextServer(g, site, s); w != nil {
				to := s.Host
				if port != 0 {
					to += fmt.Sprintf(" port %d", port)
				}
				f := p.Reportf(dr.Obj, site.loc(), "%stls mode ISTIO_MUTUAL to %s, but %s %s/%s %s: the request fails (503 or reset); remove the tls block to let auto mTLS choose",
					site.where(), to, w.Obj.Kind, w.Namespace(), w.Name(), why)
				if m.Policy != nil {
					f.Relate(m.Policy.Obj, m.Loc, "DISABLE set by PeerAuthentication %s/%s", m.Policy.Namespace(), m.Policy.Name())
				}
				return
			}
		}
	})
	return nil
}

// plaintextServer finds a workload of s, governed by site, that cannot
// accept Istio mutual TLS.
func plaintextServer(g *graph.Graph, site tlsSite, s *graph.Service) (*graph.Workload, graph.MTLS, int64, string) {
	for sp, w := range site.servers(s) {
		if !w.Sidecar {
			if g.Ambient(w) {
				// A client that can send HBONE (every sidecar of an
				// ambient-enabled istiod: PILOT_ENABLE_SENDING_HBONE) tunnels
				// to ztunnel instead of ISTIO_MUTUAL (cluster_tls.go,
				// applyHBONETransportSocketMatches).
				continue
			}
			if ns := g.Namespaces[w.Namespace()]; g.Mesh.ClosedWorld || ns != nil && ns.Declared() {
				return w, graph.MTLS{}, sp.Port.V, "has no sidecar to terminate mutual TLS"
			}
			continue
		}
		if _, m := serverMTLS(g, sp, w); m.Mode == "DISABLE" {
			return w, m, sp.Port.V, "accepts plaintext only (mTLS mode DISABLE)"
		}
	}
	return nil, graph.MTLS{}, 0, ""
}
