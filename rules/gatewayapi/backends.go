package gatewayapi

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// BackendRefUnresolved reports route backendRefs that name no Service.
var BackendRefUnresolved = &rules.Rule{
	ID:      "MR602",
	Name:    "gatewayapi-backend-ref-unresolved",
	Summary: "backendRef of a Gateway API route names no Service",
	Fix:     "replaces a misspelt backend name with the one Service it most likely means",
	Doc: `A route rule sends its traffic to its ` + "`backendRefs`" + `, split by weight. A backendRef naming a
Service that does not exist is invalid (` + "`ResolvedRefs: False`" + `, reason ` + "`BackendNotFound`" + `): the share of
requests it should receive gets HTTP 500 (connections are refused for TCP and TLS routes), and
when every backend of a rule is invalid, all of its requests fail. RequestMirror filters name a
backend too; a mirror to nowhere silently mirrors nothing. Istio departs from that for GRPCRoutes:
it builds a GRPCRoute's mirror as part of its rule, and a mirror it cannot build takes the whole
GRPCRoute down, none of its rules being served; an HTTPRoute's is dropped alone. Where meshlint
cannot tell whether Istio serves a GRPCRoute (its Gateway is not in the input), the message says
both.

The API's defaults are applied first: a backendRef without ` + "`group`" + ` and ` + "`kind`" + ` is a core
Service, and one without ` + "`namespace`" + ` is in the route's namespace. Backends of other kinds
(a multi-cluster ServiceImport, Istio's Hostname, an inference pool, ...) are not checked here:
they are legitimate and meshlint does not model them; kinds Istio does not know are
gatewayapi-backend-kind-unsupported's.

A backendRef whose name has dots, such as ` + "`reviews.shop.svc.cluster.local`" + `, is a hostname where the
API wants the Service's name (and its namespace in ` + "`namespace`" + `). No Service has such a name, so
it is reported whatever the input holds. Istio makes it a hard error rather than an invalid
backend: the route reports ` + "`ResolvedRefs: False`" + ` with reason ` + "`InvalidDestination`" + `, and none of its
rules are served, not just the backend's share (an HTTPRoute's mirror is dropped alone, a
GRPCRoute's takes the route down as well).

A manifest folder seldom holds every Service of the cluster. The rule reports a missing Service
only when the input holds Services in the target namespace, or a Service of that name in
another namespace (the message then says where); with the closed-world setting, always.

When the name is a close misspelling of exactly one Service of the namespace the backendRef
points into (the same name in another case, or, for names of 6 or more characters, at most 2
edits away), the message asks "did you mean", and ` + "`meshlint --fix`" + ` writes that name, provided
the Service has the backendRef's port and the reference is still permitted: in the route's
namespace, from a mesh route, or by a ReferenceGrant that covers the new name (else
gatewayapi-reference-not-granted would report it). There is no fix for the fields of a Canary
from which Flagger makes its HTTPRoute, nor for a name shared through a YAML anchor or merge key.

Kiali (KIA1402) skips backendRefs without ` + "`kind`" + `, the usual way they are written; meshlint does not.`,
	Bad:      storefrontExample("{name: http, port: 8080}", "store-front", "8080"),
	Good:     storefrontExample("{name: http, port: 8080}", "storefront", "8080"),
	Severity: rules.Error,
	Inputs:   inputs(kinds.Service, kinds.K8sGateway, kinds.GatewayClass),
	Related:  []string{"IST0101", "KIA1402"},
	Deps:     rules.DepREF | rules.DepPRES | rules.DepCLS,
	Run:      runBackendRefUnresolved,
}

func runBackendRefUnresolved(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		for _, b := range allBackends(r) {
			if !b.IsService() || b.Service != nil || b.Name == "" {
				continue
			}
			if strings.Contains(b.Name, ".") {
				reportDottedService(p, r, b)
				continue
			}
			effect := ""
			if b.Mirror {
				effect = grpcMirrorFailure(r, "BackendNotFound", false)
			}
			reportMissingService(p, r, &b.ObjectRef, backendWhat(b), effect, func(s *graph.Service) bool {
				return hasPort(s, b.Port) && grantedAs(p.Graph, r, b, s.Name())
			})
		}
	}
	return nil
}

// reportDottedService reports a Service backendRef whose name has dots: a
// hostname where the Service's name belongs. No Service has such a name
// (it is a DNS label), in any cluster, so the world need not be closed.
func reportDottedService(p *rules.Pass, r *graph.GatewayRoute, b *graph.BackendRef) {
	labels := strings.Split(b.Name, ".")
	fix := fmt.Sprintf("name: %s", labels[0])
	if len(labels) >= 3 && labels[2] == "svc" || len(labels) == 2 {
		// name.namespace, or name.namespace.svc[.cluster domain]
		if labels[1] != b.Namespace {
			fix += ", namespace: " + labels[1]
		}
	} else {
		fix = "the Service's name and namespace, or for a ServiceEntry host Istio's group networking.istio.io, kind Hostname"
	}
	effect := "the backend is invalid"
	switch {
	case b.Mirror:
		effect = "nothing is mirrored"
		if e := grpcMirrorFailure(r, "InvalidDestination", false); e != "" {
			effect = e
		}
	case servedByIstio(r) && b.Weight > 0:
		// buildDestination returns a hard error, not an invalid backend:
		// the translation of the whole route stops.
		effect = "Istio rejects the route and serves none of its rules (ResolvedRefs: False, reason InvalidDestination)"
	}
	p.Reportf(r.Obj, b.NameLoc, "%s is a hostname, not a Service name (Service names have no dots): %s; write %s", backendWhat(b), effect, fix)
}

// hasPort reports whether Service s has port port, when it is set (one
// that is not is gatewayapi-backend-port-unknown's to report, whatever
// the Service).
func hasPort(s *graph.Service, port spec.Int) bool {
	if !port.Set {
		return true
	}
	for _, sp := range s.Spec.Ports {
		if sp.Port.V == port.V {
			return true
		}
	}
	return false
}

// grantedAs reports whether backend b of route r, named name, would need no
// ReferenceGrant it lacks (gatewayapi-reference-not-granted): it is in
// the route's namespace, the route is a mesh route, or a grant covers it.
func grantedAs(g *graph.Graph, r *graph.GatewayRoute, b *graph.BackendRef, name string) bool {
	if !b.CrossNamespace || !r.NeedsGrants() {
		return true
	}
	to := b.ObjectRef
	to.Name = name
	return g.GrantFor(r.GroupKind(), r.Namespace(), &to) != nil
}
