package security

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// JWTClaimRouteWithoutRA reports routes on JWT claims at gateways that
// validate no JWT.
var JWTClaimRouteWithoutRA = &rules.Rule{
	ID:      "MR313",
	Name:    "jwt-claim-route-without-requestauthn",
	Summary: "route matches JWT claims at a gateway that no RequestAuthentication makes validate tokens",
	Doc: `A VirtualService header match on ` + "`@request.auth.claims.<name>`" + ` reads the claims of the request's
validated JWT. The gateway proxy only validates tokens, and so only knows claims, when a
RequestAuthentication applies to its pods: one in the root namespace or in the gateway pods'
namespace, without selector or with a selector the pods match. One attached by ` + "`targetRef(s)`" + `
applies only to the pods of the Gateway API Gateway it names, in its own namespace (pods
labelled ` + "`gateway.networking.k8s.io/gateway-name`" + `), and to no other pod of the namespace. Without
one, claim matches never match and the route is dead (withoutHeaders on a claim always matches).

Add a RequestAuthentication for the gateway pods. The rule judges gateways whose pods are in
the input; without them, only with the closed-world setting, taking the Gateway's selector
and namespace for its pods'.`,
	Bad: jwtClaimExample(""),
	Good: jwtClaimExample(`apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: ingress-jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules:
  - issuer: https://auth.example.com
    jwksUri: https://auth.example.com/.well-known/jwks.json
---
`),
	Severity: rules.Error,
	Inputs: []kinds.Kind{kinds.VirtualService, kinds.RequestAuthentication, kinds.Gateway, kinds.Pod,
		kinds.Deployment, kinds.DaemonSet, kinds.StatefulSet},
	Related: []string{"IST0149"},
	Deps:    rules.DepROOT | rules.DepGW | rules.DepREF,
	Run:     runJWTClaimRouteWithoutRA,
}

// jwtClaimExample is a VirtualService that routes on a JWT claim at the
// ingress pods, with authn, the RequestAuthentication of those pods, if
// any: the examples of MR313.
func jwtClaimExample(authn string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
` + authn + `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - match:
    - headers:
        "@request.auth.claims.groups": {exact: beta}
    route:
    - destination: {host: web, subset: beta}
  - route:
    - destination: {host: web}
`
}

const claimPrefix = "@request.auth.claims"

func usesClaims(m spec.HTTPMatch) bool {
	for _, hs := range []map[string]spec.StringMatch{m.Headers, m.WithoutHeaders} {
		for k := range hs {
			if strings.HasPrefix(k, claimPrefix) {
				return true
			}
		}
	}
	return false
}

func runJWTClaimRouteWithoutRA(p *rules.Pass) error {
	g := p.Graph
	for _, vs := range g.VirtualServices {
		for i, r := range vs.Spec.HTTP {
			for j, m := range r.Match {
				if !usesClaims(m) {
					continue
				}
				for _, ref := range vs.Gateways {
					if ref.Gateway == nil {
						continue
					}
					if missing := gatewayPodsWithoutRA(g, ref.Gateway); missing != "" {
						p.Reportf(vs.Obj, m.Loc, "http[%d].match[%d] matches JWT claims at Gateway %s/%s, but no RequestAuthentication applies to %s: the match never sees a claim",
							i, j, ref.Gateway.Namespace(), ref.Gateway.Name(), missing)
					}
				}
			}
		}
	}
	return nil
}

// gatewayPodsWithoutRA names the gateway pods no RequestAuthentication
// applies to, or returns "".
func gatewayPodsWithoutRA(g *graph.Graph, gw *graph.Gateway) string {
	var missing []string
	if len(gw.Workloads) > 0 {
		for _, w := range graph.Distinct(gw.Workloads) { // each workload once, whatever its copies
			if !raApplies(g, w.Namespace(), w.Labels) {
				missing = append(missing, fmt.Sprintf("%s %s/%s", w.Obj.Kind, w.Namespace(), w.Name()))
			}
		}
	} else if g.Mesh.ClosedWorld && !raApplies(g, gw.Namespace(), gw.Spec.Selector) {
		missing = append(missing, fmt.Sprintf("the pods with labels %s", labels.String(gw.Spec.Selector)))
	}
	sort.Strings(missing)
	return strings.Join(missing, ", ")
}

// raApplies reports whether a RequestAuthentication applies to the pods
// of namespace ns with podLabels, as istiod's ShouldAttachPolicy decides:
// one of ns or of the root namespace without targetRef(s) applies by its
// selector (to the pods of a Gateway API Gateway too, while
// ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY keeps its default); one with
// targetRef(s) applies only to the pods of a Gateway API Gateway of its own
// namespace that it names, never to other pods.
func raApplies(g *graph.Graph, ns string, podLabels map[string]string) bool {
	gatewayName, gatewayPods := podLabels["gateway.networking.k8s.io/gateway-name"]
	for _, ra := range g.RequestAuthentications {
		if ra.Namespace() != ns && ra.Namespace() != g.Mesh.RootNamespace {
			continue
		}
		scope := graph.PolicyScope(ra.Spec.Selector, ra.Spec.TargetRef, ra.Spec.TargetRefs)
		if !scope.HasTargetRefs() {
			if scope.Selector == nil || labels.SubsetOf(scope.Selector.MatchLabels, podLabels) {
				return true
			}
			continue
		}
		if !gatewayPods || ra.Namespace() != ns {
			continue
		}
		for _, r := range scope.TargetRefs {
			if r.Group.V == kinds.GroupGatewayAPI && r.Kind.V == "Gateway" && r.Name.V == gatewayName &&
				(r.Namespace.V == "" || r.Namespace.V == ns) {
				return true
			}
		}
	}
	return false
}
