package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// BackendPortUnknown reports Service backendRefs without a port, or with a
// port the Service does not expose.
var BackendPortUnknown = &rules.Rule{
	ID:      "MR603",
	Name:    "gatewayapi-backend-port-unknown",
	Summary: "backendRef of a Gateway API route has no port, or a port its Service does not expose",
	Doc: `A backendRef to a Service must say which Service port to send to: the ` + "`port`" + ` field is the
Service's ` + "`port`" + ` (not its ` + "`targetPort`" + `, nor a container port). The API server rejects a route whose
Service backendRef has no port ("Must have port for Service reference"). A port the Service does
not expose makes the backend invalid: its share of requests gets HTTP 500 (connections are
refused for TCP and TLS routes).

The rule checks backendRefs and RequestMirror backends of kind Service (the default when
` + "`group`" + ` and ` + "`kind`" + ` are left out); the port of a Service that is not in the input cannot be
checked, but a missing port always is. Write the Service port number, as listed in the Service's
` + "`spec.ports`" + `.

The API server requires the port of Service references only, but Istio needs one for the other
kinds it routes to as well, an inference pool excepted: a ` + "`networking.istio.io`" + ` ` + "`Hostname`" + ` or a
` + "`multicluster.x-k8s.io`" + ` ` + "`ServiceImport`" + ` backend without port is a hard error
(` + "`ResolvedRefs: False`" + `, reason ` + "`InvalidDestination`" + `), and Istio serves none of the route's rules; an
HTTPRoute's mirror without port is dropped alone, while a GRPCRoute's takes the whole route down
too (Istio builds a GRPCRoute's mirror as part of its rule). These are reported on the routes Istio serves (see
gatewayapi-backend-kind-unsupported), for backends of a weight above 0, which alone Istio builds.`,
	Bad:      storefrontExample("{name: http, port: 80, targetPort: 8080}", "storefront", "8080"),
	Good:     storefrontExample("{name: http, port: 80, targetPort: 8080}", "storefront", "80"),
	Severity: rules.Error,
	Inputs:   inputs(kinds.Service, kinds.K8sGateway, kinds.GatewayClass),
	Deps:     rules.DepCLS | rules.DepREF,
	Run:      runBackendPortUnknown,
}

func runBackendPortUnknown(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for _, b := range allBackends(r) {
			if b.Name == "" {
				continue
			}
			if !b.IsService() {
				checkIstioBackendPort(p, r, b)
				continue
			}
			if !b.Port.Set {
				p.Reportf(r.Obj, b.NameLoc, "%s has no port: a Service backendRef needs the Service port, and the API server rejects the %s without it", backendWhat(b), r.Kind())
				continue
			}
			s := b.Service
			if s == nil {
				continue
			}
			var ports []string
			found := false
			for _, sp := range s.Spec.Ports {
				ports = append(ports, fmt.Sprint(sp.Port.V))
				if sp.Port.V == b.Port.V {
					found = true
				}
			}
			if found {
				continue
			}
			msg := fmt.Sprintf("port %d of %s is not a port of the Service, whose ports are %s", b.Port.V, backendWhat(b), strings.Join(ports, ", "))
			for _, sp := range s.Spec.Ports {
				if !sp.TargetPort.IsStr && sp.TargetPort.Int == b.Port.V {
					msg += fmt.Sprintf(" (%d is the targetPort of port %d: a backendRef names the Service port)", b.Port.V, sp.Port.V)
					break
				}
			}
			p.Reportf(r.Obj, b.Port.Loc, "%s", msg).Relate(s.Obj, s.Obj.NameLoc, "Service %s/%s", s.Namespace(), s.Name())
		}
	}
	return nil
}

// istioPortKinds are the backend kinds besides Service that Istio routes
// to with the backendRef's port, which it then requires; an inference pool
// gives its own.
var istioPortKinds = map[graph.GroupKind]bool{
	{Group: "networking.istio.io", Kind: "Hostname"}:        true,
	{Group: "multicluster.x-k8s.io", Kind: "ServiceImport"}: true,
}

// checkIstioBackendPort reports a backend of a route Istio serves, of a
// kind other than Service that Istio needs a port for, without port. The
// API server takes it (it requires the port of Service references only),
// but Istio's buildDestination fails with InvalidDestination: a hard error
// that stops the translation of the whole route, or, for a mirror, drops
// the mirror. Backends of weight 0 are not built.
func checkIstioBackendPort(p *rules.Pass, r *graph.GatewayRoute, b *graph.BackendRef) {
	if b.Port.Set || !istioPortKinds[b.GroupKind] || !b.Mirror && b.Weight == 0 || !servedByIstio(r) {
		return
	}
	effect := fmt.Sprintf("rejects the %s: none of its rules is served", r.Kind())
	if b.Mirror && r.Kind() != kinds.GRPCRoute {
		effect = "drops the mirror"
	}
	msg := fmt.Sprintf("%s has no port: Istio needs one for every backend kind but inference pools, and %s (ResolvedRefs: False, reason InvalidDestination)", backendWhat(b), effect)
	if b.Mirror && r.Kind() == kinds.GRPCRoute {
		msg += "; " + grpcMirrorLoss
	}
	p.Reportf(r.Obj, b.NameLoc, "%s", msg)
}
