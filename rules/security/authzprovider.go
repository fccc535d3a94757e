package security

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// AuthzCustomProviderUnknown reports CUSTOM AuthorizationPolicies whose
// provider the mesh does not define as an external authorizer.
var AuthzCustomProviderUnknown = &rules.Rule{
	ID:      "MR315",
	Name:    "authz-custom-provider-unknown",
	Summary: "custom authorization policy names a provider the mesh does not define as an external authorizer",
	Doc: `An AuthorizationPolicy with ` + "`action: CUSTOM`" + ` delegates its decision to the extension provider
` + "`provider.name`" + ` names, which must be an ` + "`envoyExtAuthzHttp`" + ` or ` + "`envoyExtAuthzGrpc`" + ` entry of MeshConfig
` + "`extensionProviders`" + `, with the very same name. When there is none, istiod cannot build the
external authorization filter and programs a deny rule in its place
(` + "`-deny-due-to-bad-CUSTOM-action`" + `, pilot's authz builder): every request the policy's rules match is
refused with 403, whoever sends it.

Name the provider as the MeshConfig does, or add it to ` + "`extensionProviders`" + `. The rule knows the
mesh's providers only from the MeshConfig given with ` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in
.meshlint.yaml), and is quiet without one.`,
	Bad: `# fixture: providers=ext-authz:envoy_ext_authz_grpc
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: shop}
spec:
  selector: {matchLabels: {app: productpage}}
  action: CUSTOM
  provider: {name: ext-authz-grpc}
  rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
`,
	Good: `# fixture: providers=ext-authz:envoy_ext_authz_grpc
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: shop}
spec:
  selector: {matchLabels: {app: productpage}}
  action: CUSTOM
  provider: {name: ext-authz}
  rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy},
	Deps:     rules.DepNone,
	Run:      runAuthzCustomProviderUnknown,
}

func runAuthzCustomProviderUnknown(p *rules.Pass) error {
	m := p.Graph.Mesh
	if !m.ProvidersKnown {
		return nil
	}
	var authorizers []string
	for _, name := range m.ProviderNames() {
		if pr, _ := m.Provider(name, false); isExtAuthz(pr.Type) {
			authorizers = append(authorizers, fmt.Sprintf("%q", name))
		}
	}
	has := "the mesh defines none"
	if len(authorizers) > 0 {
		has = "the mesh has " + strings.Join(authorizers, ", ")
	}
	for _, ap := range p.Graph.AuthorizationPolicies {
		pv := ap.Spec.Provider
		if ap.Spec.Action.V != "CUSTOM" || pv == nil || pv.Name.V == "" {
			continue // MR010 reports a CUSTOM policy without a provider name
		}
		name := pv.Name.V
		pr, ok := m.Provider(name, false)
		switch {
		case !ok:
			p.Reportf(ap.Obj, pv.Name.Loc, "provider %q of CUSTOM AuthorizationPolicy %s/%s is not an extension provider of the mesh (%s): istiod programs a deny in its place, and every request the policy matches is refused",
				name, ap.Namespace(), ap.Name(), has)
		case !isExtAuthz(pr.Type):
			p.Reportf(ap.Obj, pv.Name.Loc, "provider %q of CUSTOM AuthorizationPolicy %s/%s is a provider of type %s, not an external authorizer (envoyExtAuthzHttp or envoyExtAuthzGrpc; %s): istiod programs a deny in its place, and every request the policy matches is refused",
				name, ap.Namespace(), ap.Name(), pr.TypeName(), has)
		}
	}
	return nil
}

func isExtAuthz(t string) bool {
	return t == "envoy_ext_authz_http" || t == "envoy_ext_authz_grpc"
}
