package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// ParametersRefInvalid reports a Gateway's spec.infrastructure.parametersRef
// that names a missing ConfigMap, a kind Istio does not read parameters
// from, or a ConfigMap that Istio's deployment controller cannot apply: a
// key it does not patch with, or a value it cannot read as a patch.
var ParametersRefInvalid = &rules.Rule{
	ID:      "MR621",
	Name:    "gatewayapi-parameters-ref-invalid",
	Summary: "infrastructure parametersRef of a Gateway API Gateway names a missing ConfigMap, an unsupported kind, or a ConfigMap Istio cannot apply",
	Doc: `A Gateway's ` + "`spec.infrastructure.parametersRef`" + ` names an object of its own namespace that configures
what the implementation deploys for it. The API says that when the object cannot be found, is of
a kind the implementation does not support, or holds malformed data, the Gateway should be
rejected: ` + "`Accepted: False`" + ` with reason ` + "`InvalidParameters`" + `.

- Istio reads a core ConfigMap only (` + "`group: \"\"`" + `, ` + "`kind: ConfigMap`" + `). Another kind is reported for
  Gateways whose GatewayClass is Istio's (controller ` + "`istio.io/...`" + `; the classes istiod creates,
  such as ` + "`istio`" + `, count): Istio does not accept the Gateway, and its deployment controller does
  not create or update the Gateway's proxy. Other implementations' kinds are theirs to judge.
- A ConfigMap that does not exist is reported only when the input holds another ConfigMap of
  that namespace, or with the closed-world setting: it may be managed apart from the manifests.
  Istio rejects the Gateway as above; the API asks other implementations to do the same.
- Istio applies each key of the ConfigMap's ` + "`data`" + ` as a strategic merge patch over one object it
  deploys: ` + "`deployment`" + `, ` + "`service`" + `, ` + "`serviceAccount`" + `, ` + "`horizontalPodAutoscaler`" + ` and
  ` + "`podDisruptionBudget`" + `. Any other key makes it refuse to render the Gateway's objects, so the
  proxy is neither created nor updated, while the Gateway's status stays ` + "`Accepted`" + `. This is
  reported for the Gateways Istio deploys: those of Istio's classes without ` + "`spec.addresses`" + `, or
  with a single address of type ` + "`IPAddress`" + ` (a Gateway bound to an existing Service by a
  ` + "`Hostname`" + ` address is deployed by hand, and Istio does not read its parameters then). An
  address written twice counts once: the API server refuses the Gateway until the repeat is
  dropped (gatewayapi-crd-validation reports it).
- The value of each of these keys must be YAML whose root is a mapping (or empty): Istio reads it
  with ` + "`sigs.k8s.io/yaml`" + ` into a map before patching, so YAML that does not parse, a list or a
  string, or a mapping key that JSON cannot hold (a list, a mapping, null) makes it render none of
  the Gateway's objects, with the same effect: istiod logs the error, with no event nor status,
  does not retry, as rendering errors are taken as lasting: it renders again when the Gateway,
  the ConfigMap or an object it deploys changes. Such a value is reported on the
  ConfigMap, for each Gateway Istio deploys with it: inside a literal block (` + "`|`" + `) at the
  line and column at fault, at the value when it does not parse (the parser's line numbers are
  not reliable). Whether the patch applies to the object Istio renders (the merge keys of its
  lists, the metadata Istio forbids changing) and whether the result is valid is not checked.

A GatewayClass's own ` + "`parametersRef`" + ` is not read by Istio (it takes class defaults from ConfigMaps
labelled ` + "`gateway.istio.io/defaults-for-class`" + `), so it is not checked. The Gateways of
istio-remote (controller ` + "`istio.io/unmanaged-gateway`" + `) are not deployed nor checked by this
cluster's Istio.`,
	Bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  infrastructure:
    parametersRef:
      group: apps
      kind: Deployment
      name: public-gateway
  listeners:
  - {name: http, port: 80, protocol: HTTP}
`,
	Good: `apiVersion: v1
kind: ConfigMap
metadata: {name: public-gateway, namespace: infra}
data:
  deployment: |
    spec:
      replicas: 2
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  infrastructure:
    parametersRef:
      group: ""
      kind: ConfigMap
      name: public-gateway
  listeners:
  - {name: http, port: 80, protocol: HTTP}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.K8sGateway, kinds.GatewayClass, kinds.ConfigMap},
	Deps:     rules.DepCLS,
	Run:      runParametersRefInvalid,
}

// istioOverlays are the data keys Istio's deployment controller applies.
var istioOverlays = graph.GatewayOverlays

func runParametersRefInvalid(p *rules.Pass) error {
	g := p.Graph
	for _, gw := range g.K8sGateways {
		c := gw.ParametersRef
		controller := gw.Controller()
		if c == nil || c.Name == "" || controller == unmanagedController {
			continue // no name is a schema error
		}
		istio := strings.HasPrefix(controller, "istio.io/")
		deployed := istio && gw.DeploysProxy()
		what := "spec.infrastructure.parametersRef " + refText(c)
		if c.GroupKind != gkConfigMap {
			if !istio {
				continue // other kinds are implementation-specific
			}
			pr := gw.Spec.Infrastructure.ParametersRef
			loc := wrongRefLoc(pr.Group.Loc, pr.Kind.Loc, c.NameLoc, c.Kind == kinds.ConfigMap)
			p.Reportf(gw.Obj, loc, "%s is not a core ConfigMap, the only kind Istio reads parameters from: Istio does not accept the Gateway (InvalidParameters)%s", what, notDeployed(deployed))
			continue
		}
		cm := g.FindConfigMapFor(gw.Obj, c.Namespace, c.Name)
		if cm == nil {
			if !g.Mesh.ClosedWorld && !g.HasKind(kinds.ConfigMap, c.Namespace) {
				continue
			}
			effect := "the implementation should not accept the Gateway (InvalidParameters)"
			if istio {
				effect = "Istio does not accept the Gateway (InvalidParameters)" + notDeployed(deployed)
			}
			p.Reportf(gw.Obj, c.NameLoc, "%s names no ConfigMap: %s", what, effect)
			continue
		}
		if !deployed {
			continue // Istio reads the data only to deploy the Gateway
		}
		var unknown []string
		for _, k := range cm.Keys() {
			if _, ok := slices.BinarySearch(istioOverlays, k); !ok {
				unknown = append(unknown, fmt.Sprintf("%q", k))
			}
		}
		if len(unknown) > 0 {
			p.Reportf(gw.Obj, c.NameLoc, "%s has data %s %s, not among the objects Istio patches (%s): Istio neither creates nor updates the Gateway's proxy, although its status says it is accepted",
				what, wording.Plural(len(unknown), "key", "keys"), strings.Join(unknown, ", "), strings.Join(istioOverlays, ", ")).
				Relate(cm.Obj, cm.Obj.NameLoc, "the ConfigMap")
		}
		for _, f := range cm.OverlayFaults() {
			p.Reportf(cm.Obj, f.Loc, "data key %q of ConfigMap %s/%s, the parameters of Gateway %s/%s, is not a patch Istio can read: %s; Istio neither creates nor updates the Gateway's proxy, although its status says it is accepted",
				f.Key, c.Namespace, c.Name, gw.Obj.Namespace, gw.Obj.Name, f.Msg).
				Relate(gw.Obj, c.NameLoc, "the Gateway")
		}
	}
	return nil
}

// unmanagedController is istio-remote's controller: a Gateway of another
// network, which this cluster's Istio neither deploys nor validates.
const unmanagedController = "istio.io/unmanaged-gateway"

// notDeployed completes a message for a Gateway Istio deploys: its
// deployment controller does not render the Gateway's objects either.
func notDeployed(deployed bool) string {
	if deployed {
		return ", and its deployment controller neither creates nor updates the Gateway's proxy"
	}
	return ""
}
