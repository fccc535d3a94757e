package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// istioBackendKinds are the backendRef kinds Istio routes to (buildDestination
// in pilot/pkg/config/kube/gateway): core Services, its own Hostname,
// multi-cluster ServiceImports (under the default MCS_API_GROUP) and
// inference pools (gvk.InferencePool).
var istioBackendKinds = map[graph.GroupKind]bool{
	{Group: kinds.GroupCore, Kind: kinds.Service}:                 true,
	{Group: "networking.istio.io", Kind: "Hostname"}:              true,
	{Group: "multicluster.x-k8s.io", Kind: "ServiceImport"}:       true,
	{Group: "inference.networking.k8s.io", Kind: "InferencePool"}: true,
}

// BackendKindUnsupported reports backendRefs of routes that Istio serves
// whose kind Istio cannot route to.
var BackendKindUnsupported = &rules.Rule{
	ID:      "MR617",
	Name:    "gatewayapi-backend-kind-unsupported",
	Summary: "backendRef of a Gateway API route that Istio serves names a kind Istio cannot route to, or a Hostname with a namespace",
	Doc: `A backendRef names a core Service unless its ` + "`group`" + ` and ` + "`kind`" + ` say otherwise; other kinds are
implementation-specific. When the implementation does not know the kind, the backend is
invalid: the route reports ` + "`ResolvedRefs: False`" + ` with reason ` + "`InvalidKind`" + `, and the share of
requests the backend should get fails (HTTP 500; connections are refused for TCP and TLS
routes).

Istio routes to core Services, its own ` + "`networking.istio.io`" + ` ` + "`Hostname`" + ` (a ServiceEntry host),
` + "`multicluster.x-k8s.io`" + ` ` + "`ServiceImport`" + ` and inference pools
(` + "`inference.networking.k8s.io`" + ` ` + "`InferencePool`" + `). Anything else, a group typo included
(` + "`group: core`" + ` for the core group, which is written ` + "`\"\"`" + `), is reported, on the routes that
Istio serves: those with a parent Gateway whose GatewayClass is Istio's (controller
` + "`istio.io/...`" + `, or a class istiod creates such as ` + "`istio`" + `), or a mesh parent: a Service, or an
Istio ServiceEntry (group ` + "`networking.istio.io`" + `), which Istio attaches to the mesh alike. Routes whose parents meshlint cannot place are not checked, since other
implementations support other kinds. RequestMirror backends are checked too: Istio drops an
HTTPRoute's mirror of such a kind alone, but rejects a GRPCRoute whose mirror it cannot build,
and serves none of its rules.

A ` + "`Hostname`" + ` names a host as it is visible from the route's namespace, so it takes no
` + "`namespace`" + `, not even the route's own: Istio refuses one that sets it with a hard error
(` + "`InvalidDestination`" + `, "namespace may not be set with Hostname type") and serves none of the
route's rules, on every parent. A mirror that sets it is dropped alone on an HTTPRoute, and
takes the whole route down on a GRPCRoute. Istio does not read a backend of weight 0, so such a
backend is a warning: the route goes down once its weight is raised. Into another namespace,
without a ReferenceGrant, a Gateway parent refuses the backend first (` + "`RefNotPermitted`" + `,
gatewayapi-reference-not-granted); a grant only turns that into the hard error. A GRPCRoute's
mirror takes the route down either way. Remove ` + "`namespace`" + `.`,
	Bad:      backendGroupExample("core"),
	Good:     backendGroupExample(`""`),
	Severity: rules.Error,
	Inputs:   inputs(kinds.K8sGateway, kinds.GatewayClass, kinds.Service),
	Deps:     rules.DepCLS | rules.DepREF,
	Run:      runBackendKindUnsupported,
}

// backendGroupExample is an HTTPRoute whose backend is Service storefront
// written with group group: the examples of MR617.
func backendGroupExample(group string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: storefront, namespace: shop}
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - backendRefs:
    - {group: ` + group + `, kind: Service, name: storefront, port: 8080}
` + publicHTTPGateway
}

func runBackendKindUnsupported(p *rules.Pass) error {
	for _, r := range p.Graph.GatewayRoutes {
		if !servedByIstio(r) {
			continue
		}
		for _, b := range allBackends(r) {
			if b.GroupKind == gkHostname && b.Spec.Namespace.Set {
				reportHostnameNamespace(p, r, b)
				continue
			}
			if b.Name == "" || istioBackendKinds[b.GroupKind] {
				continue
			}
			loc := wrongRefLoc(b.Spec.Group.Loc, b.Spec.Kind.Loc, b.NameLoc, istioKnowsKind(b.Kind))
			effect := "the backend is invalid (InvalidKind)"
			if m := grpcMirrorFailure(r, "InvalidKind", false); b.Mirror && m != "" {
				effect = m
			}
			msg := fmt.Sprintf("%s names kind %s, which Istio cannot route to: %s", backendWhat(b), b.GroupKind, effect)
			if b.Group == "core" || strings.EqualFold(b.Group, "v1") {
				msg += `; the core group is written group: ""`
			}
			p.Reportf(r.Obj, loc, "%s", msg)
		}
	}
	return nil
}

// gkHostname is Istio's Hostname backend kind: a host of its registry.
var gkHostname = graph.GroupKind{Group: kinds.GroupIstioNetworking, Kind: "Hostname"}

// reportHostnameNamespace reports Hostname backend b of route r, which
// sets namespace: buildDestination (conversion.go) refuses it with a hard
// error, one that is no invalid backend, so the conversion of the rule
// fails and Istio serves none of the route (computeRoute keeps no route
// of a conversion that hard-failed), for each kind of parent. An
// HTTPRoute's mirror error is kept apart (mirrorBackendErr) and drops the
// mirror alone; a GRPCRoute returns it as the rule's error. Zero-weight
// backends are never built (buildHTTPDestination and the others skip
// them). For a Gateway parent the ReferenceGrant is checked first, and an
// ungranted backend is an invalid backend only, but a GRPCRoute's mirror
// fails the rule either way.
func reportHostnameNamespace(p *rules.Pass, r *graph.GatewayRoute, b *graph.BackendRef) {
	effect := "Istio rejects the route and serves none of its rules (ResolvedRefs: False, reason InvalidDestination)"
	weightless := false
	switch {
	case b.Mirror && r.Kind() == kinds.HTTPRoute:
		effect = "Istio drops the mirror (ResolvedRefs: False, reason InvalidDestination)"
	case !b.Mirror && b.Weight == 0:
		effect = "Istio skips the backend while its weight is 0, and rejects the whole route (InvalidDestination) once it is raised"
		weightless = true
	case b.Mirror && b.CrossNamespace && b.Grant == nil && r.NeedsGrants():
		// A GRPCRoute's: refused or not, the mirror fails the rule.
		effect = "Istio rejects the route and serves none of its rules (ResolvedRefs: False, reason InvalidDestination, or RefNotPermitted on its Gateway parents, which no ReferenceGrant lets refer to it): " + grpcMirrorLoss
	case b.CrossNamespace && b.Grant == nil && !slices.ContainsFunc(r.Parents, (*graph.ParentRef).IsMesh):
		effect = "with no ReferenceGrant the backend is refused (RefNotPermitted), and a grant would make Istio reject the whole route (InvalidDestination)"
	case b.CrossNamespace && b.Grant == nil && r.NeedsGrants():
		// Built once for the mesh parents, once for the Gateways.
		effect = "Istio rejects the route for its mesh parents and serves none of its rules there (InvalidDestination); for its Gateway parents, with no ReferenceGrant, it refuses the backend (RefNotPermitted)"
	}
	f := p.Reportf(r.Obj, b.Spec.Namespace.Loc, "%s sets namespace %s, which a Hostname backend may not set (a Hostname is looked up from the route's namespace): %s; remove namespace",
		backendWhat(b), b.Namespace, effect)
	if weightless {
		f.AtMost(rules.Warning)
	}
}

// istioKnowsKind reports whether Istio routes to kind k in some group.
func istioKnowsKind(k kinds.Kind) bool {
	for gk := range istioBackendKinds {
		if gk.Kind == k {
			return true
		}
	}
	return false
}

// servedByIstio reports whether Istio serves route r: a parent is a mesh
// parent (a Service, or a ServiceEntry, which Istio attaches to the mesh
// alike: extractParentReferenceInfo), or a Gateway of one of Istio's
// classes.
func servedByIstio(r *graph.GatewayRoute) bool { return istioParent(r.Parents) }

// istioParent reports whether Istio serves one of parents, as servedByIstio.
func istioParent(parents []*graph.ParentRef) bool {
	for _, pr := range parents {
		if pr.IsMesh() || pr.Gateway != nil && strings.HasPrefix(pr.Gateway.Controller(), "istio.io/") {
			return true
		}
	}
	return false
}

// mayBeIstioParent reports whether Istio serves one of parents or may: one
// is a Gateway (or a ListenerSet) that meshlint cannot place, being absent
// from the input or of a GatewayClass it does not know.
func mayBeIstioParent(parents []*graph.ParentRef) bool {
	if istioParent(parents) {
		return true
	}
	for _, pr := range parents {
		if (pr.IsGateway() || pr.IsListenerSet()) && (pr.Gateway == nil || pr.Gateway.Controller() == "") {
			return true
		}
	}
	return false
}
