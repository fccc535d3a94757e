package gatewayapi

import (
	"fmt"
	"slices"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// ReferenceNotGranted reports cross-namespace backendRefs (of routes with a
// Gateway parent), certificateRefs, client certificate validation
// caCertificateRefs and backend client certificates that no
// ReferenceGrant permits.
var ReferenceNotGranted = &rules.Rule{
	ID:      "MR604",
	Name:    "gatewayapi-reference-not-granted",
	Summary: "cross-namespace reference of a Gateway API object has no ReferenceGrant",
	Doc: `In the Gateway API, an object may refer to an object of another namespace only when the owner
of that namespace allows it with a ReferenceGrant: a grant in the target namespace whose ` + "`from`" + `
lists the referring kind and namespace, and whose ` + "`to`" + ` lists the target's group and kind (and its
name, or no name for every object of the kind). Without one, the reference is refused
(` + "`ResolvedRefs: False`" + `, reason ` + "`RefNotPermitted`" + `):

- a route's backendRef (or RequestMirror backend) into another namespace is invalid, and its
  share of requests gets HTTP 500 (nothing is mirrored). Istio refuses a GRPCRoute's mirror as
  part of its rule: the whole GRPCRoute is rejected on its Gateways, none of its rules served;
- a Gateway listener's ` + "`tls.certificateRefs`" + ` entry into another namespace is not loaded, and the
  listener cannot terminate TLS. A listener in ` + "`Passthrough`" + ` mode terminates no TLS, and its
  references are not read. The listener of a ListenerSet needs a grant whose ` + "`from`" + ` names
  ListenerSets of its namespace: a grant to its Gateway is not inherited. On Istio's classes, a
  listener with the TLS option ` + "`gateway.istio.io/tls-terminate-mode: ISTIO_SIMPLE`" + ` (or
  ` + "`ISTIO_MUTUAL`" + `) serves the gateway's workload certificate, and its references are not read;
- a ` + "`caCertificateRefs`" + ` entry of the Gateway's client certificate validation
  (` + "`spec.tls.frontend`" + `, its ` + "`default`" + ` or a ` + "`perPort`" + ` entry) into another namespace is refused for the
  listeners that terminate TLS on its ports. With no valid CA certificate left they are not
  accepted (` + "`NoValidCACertificate`" + `), and Istio does not serve them. A validation that applies to
  no such listener is not checked;
- the Gateway's ` + "`spec.tls.backend.clientCertificateRef`" + `, the client certificate it presents to
  backends, into another namespace is refused: the Gateway reports ` + "`ResolvedRefs: False`" + `.

Add a ReferenceGrant in the target namespace, for example
` + "`from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]`" + ` and
` + "`to: [{group: \"\", kind: Service}]`" + `. Note that ` + "`group`" + ` is required in both lists: ` + "`\"\"`" + ` is the
core group of Services and Secrets.

A route attaching to a Gateway of another namespace needs no ReferenceGrant: the listener's
` + "`allowedRoutes`" + ` decides, see MR605. A mesh route, whose parentRefs are all Services (or Istio
ServiceEntries), needs none at all (GEP-1294): neither for a parent Service of another namespace
(a "consumer" route) nor for its backendRefs, since it only routes the traffic its callers send
anyway. Istio checks grants only when it builds a route for its Gateway parents. A route with
both a Service parent and a Gateway parent is built for each: an ungranted backend is refused
for the Gateways (the finding says so) and still reached from the mesh. A route without
parentRefs attaches nowhere and is not checked.

ReferenceGrants are often managed with the target namespace's own manifests. The rule therefore
reports a reference only when the input holds objects of the target namespace (besides its
Namespace object), or with the closed-world setting.`,
	Bad: grantExample(""),
	Good: grantExample(`apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: shop-routes
  namespace: billing
spec:
  from:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}
  to:
  - {group: "", kind: Service, name: payments}
---
`),
	Severity: rules.Error,
	Inputs:   inputs(kinds.K8sGateway, kinds.ListenerSet, kinds.ReferenceGrant, kinds.GatewayClass),
	Related:  []string{"KIA1402"},
	Deps:     rules.DepGWAPI | rules.DepREF | rules.DepPRES | rules.DepCLS,
	Run:      runReferenceNotGranted,
}

// grantExample is HTTPRoute shop/checkout, whose backend is Service
// billing/payments, and grant, the ReferenceGrant of billing, if any: the
// examples of MR604.
func grantExample(grant string) string {
	return `apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: billing
spec:
  selector: {app: payments}
  ports:
  - {name: http, port: 8080}
---
` + grant + `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: checkout
  namespace: shop
spec:
  parentRefs:
  - {name: public, namespace: infra}
  rules:
  - backendRefs:
    - name: payments
      namespace: billing
      port: 8080
`
}

func runReferenceNotGranted(p *rules.Pass) error {
	g := p.Graph
	for _, r := range g.GatewayRoutes {
		if !r.NeedsGrants() {
			continue // a mesh route
		}
		effect := "the backend is invalid"
		if slices.ContainsFunc(r.Parents, (*graph.ParentRef).IsMesh) {
			effect = "the backend is invalid for the route's Gateway parents (its mesh parents need no grant)"
		}
		for _, b := range allBackends(r) {
			if b.CrossNamespace && b.Grant == nil && b.Name != "" {
				e := effect
				if m := grpcMirrorFailure(r, "", true); b.Mirror && m != "" {
					e = m
				}
				reportNotGranted(p, r.Obj, &b.ObjectRef, backendWhat(b), string(r.Kind()), e)
			}
		}
	}
	for _, gw := range g.K8sGateways {
		for _, l := range gw.Merged {
			if !l.TerminatesTLS() || l.IstioBuiltinCertificate() {
				// Passthrough forwards the client's TLS untouched: buildTLS
				// reads certificateRefs in Terminate mode only. Neither does
				// it read those of the builtin certificate modes.
				continue
			}
			for _, c := range l.CertificateRefs {
				if c.CrossNamespace && c.Grant == nil && c.Name != "" {
					// A ListenerSet needs grants of its own: those to its
					// Gateway are not inherited.
					what := fmt.Sprintf("certificateRef %s of listener %s", refText(c), l.Name)
					reportNotGranted(p, l.Owner(), c, what, string(l.Owner().Kind), "the listener cannot load the certificate")
				}
			}
		}
		for _, fv := range gw.FrontendValidations {
			if len(fv.Listeners) == 0 {
				continue // no listener reads it
			}
			for _, c := range fv.CACertificateRefs {
				if c.CrossNamespace && c.Grant == nil && c.Name != "" {
					what := fmt.Sprintf("caCertificateRef %s of %s", refText(c), frontendText(fv))
					effect := listenersNamed(fv.Listeners) + " cannot validate client certificates with it"
					reportNotGranted(p, gw.Obj, c, what, "Gateway", effect)
				}
			}
		}
		checkClientCertificateGrant(p, gw)
	}
	return nil
}

// checkClientCertificateGrant reports a Gateway's
// spec.tls.backend.clientCertificateRef into another namespace that no
// ReferenceGrant permits.
func checkClientCertificateGrant(p *rules.Pass, gw *graph.K8sGateway) {
	c := gw.ClientCertificateRef
	if c != nil && c.CrossNamespace && c.Grant == nil && c.Name != "" {
		what := "spec.tls.backend.clientCertificateRef " + refText(c)
		reportNotGranted(p, gw.Obj, c, what, "Gateway", "the Gateway cannot present the client certificate to backends")
	}
}

func reportNotGranted(p *rules.Pass, o *manifest.Object, ref *graph.ObjectRef, what, fromKind, effect string) {
	g := p.Graph
	if !g.Mesh.ClosedWorld && !g.Describes(ref.Namespace) {
		return
	}
	in := namesIn(g.ReferenceGrants, ref.Namespace)
	grants := fmt.Sprintf("namespace %s has no ReferenceGrant that lets", ref.Namespace)
	if len(in) > 0 {
		grants = fmt.Sprintf("none of the ReferenceGrants of namespace %s (%s) lets", ref.Namespace, names(in))
	}
	loc := ref.NamespaceLoc
	if loc.IsZero() {
		loc = ref.NameLoc
	}
	p.Reportf(o, loc, "%s is in another namespace, and %s %ss of namespace %s refer to it: %s (RefNotPermitted)",
		what, grants, fromKind, o.Namespace, effect)
}
