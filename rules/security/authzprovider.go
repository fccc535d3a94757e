package security

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
)

// AuthzCustomProviderUnknown reports CUSTOM AuthorizationPolicies whose
// provider the mesh does not define as an external authorizer.
var AuthzCustomProviderUnknown = &rules.Rule{
	ID:      "MR315",
	Name:    "authz-custom-provider-unknown",
	Summary: "custom authorization policy names a provider the mesh does not define as an external authorizer, or one of several on a workload",
	Doc: `An AuthorizationPolicy with ` + "`action: CUSTOM`" + ` delegates its decision to the extension provider
` + "`provider.name`" + ` names, which must be an ` + "`envoyExtAuthzHttp`" + ` or ` + "`envoyExtAuthzGrpc`" + ` entry of MeshConfig
` + "`extensionProviders`" + `, with the very same name. When there is none, istiod cannot build the
external authorization filter and programs a deny rule in its place
(` + "`-deny-due-to-bad-CUSTOM-action`" + `, pilot's authz builder): every request the policy's rules match is
refused with 403, whoever sends it.

Name the provider as the MeshConfig does, or add it to ` + "`extensionProviders`" + `. The rule knows the
mesh's providers only from the MeshConfig given with ` + "`--mesh-config`" + ` (or ` + "`mesh-config`" + ` in
.meshlint.yaml), and checks the names only with one.

istiod also programs that deny, for every CUSTOM policy of the workload, when the CUSTOM
policies that apply to one workload with a sidecar name more than one provider (dry-run ones
included), unless istiod runs with ` + "`PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS`" + ` on (it is off by
default). This needs no MeshConfig. Policies attached by ` + "`targetRef(s)`" + ` are not checked, and a
dry-run policy, whose requests are not refused, is not reported. Use one provider per workload
(one external authorizer can route by path itself), or turn the setting on.

A dry-run policy (annotation ` + "`istio.io/dry-run: \"true\"`" + `) whose own provider is wrong is reported
as a warning: istiod refuses its requests only once it is turned on (and Istio's webhook rejects
the annotation on a CUSTOM policy, so it is only admitted where validation is off).`,
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
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy, kinds.Deployment, kinds.Pod},
	Deps:     rules.DepINJ | rules.DepROOT | rules.DepWIDE,
	Run:      runAuthzCustomProviderUnknown,
}

func runAuthzCustomProviderUnknown(p *rules.Pass) error {
	checkCustomProviderNames(p)
	checkCustomProvidersPerWorkload(p)
	return nil
}

// checkCustomProviderNames reports the providers of CUSTOM policies that
// are not external authorizers of the mesh, when a MeshConfig tells them.
func checkCustomProviderNames(p *rules.Pass) {
	m := p.Graph.Mesh
	if !m.ProvidersKnown {
		return
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
		// istiod's deny (getBadCustomDenyRules) takes the provider's rules
		// in force only: a dry-run policy's requests are not refused until
		// it is turned on, but its provider is as wrong. Istio's webhook
		// refuses the annotation on a CUSTOM policy (checkDryRunAnnotation),
		// so such a policy only exists where validation is off.
		effect, dryRun := "istiod programs a deny in its place, and every request the policy matches is refused", ap.DryRun()
		if dryRun {
			effect = "once istio.io/dry-run is removed, istiod programs a deny in its place, and every request the policy matches is refused (dry-run: nothing is refused yet, though Istio's webhook rejects istio.io/dry-run on a CUSTOM policy)"
		}
		var f *rules.Finding
		switch {
		case !ok:
			f = p.Reportf(ap.Obj, pv.Name.Loc, "provider %q of CUSTOM AuthorizationPolicy %s/%s is not an extension provider of the mesh (%s): %s",
				name, ap.Namespace(), ap.Name(), has, effect)
		case !isExtAuthz(pr.Type):
			f = p.Reportf(ap.Obj, pv.Name.Loc, "provider %q of CUSTOM AuthorizationPolicy %s/%s is a provider of type %s, not an external authorizer (envoyExtAuthzHttp or envoyExtAuthzGrpc; %s): %s",
				name, ap.Namespace(), ap.Name(), pr.TypeName(), has, effect)
		}
		if f != nil && dryRun {
			f.AtMost(rules.Warning)
			f.Relate(ap.Obj, ap.DryRunLoc(), "dry-run here")
		}
	}
}

// customConflict is a workload of a CUSTOM policy that another CUSTOM
// policy, of another provider, applies to.
type customConflict struct {
	w     *graph.Workload
	other *graph.AuthorizationPolicy
}

// before orders conflicts by workload, then by the other policy, so that
// the one a message names does not depend on map or input order.
func (c customConflict) before(d customConflict) bool {
	if k := compareWorkloads(c.w, d.w); k != 0 {
		return k < 0
	}
	if k := cmp.Compare(c.other.Namespace(), d.other.Namespace()); k != 0 {
		return k < 0
	}
	if k := cmp.Compare(c.other.Name(), d.other.Name()); k != 0 {
		return k < 0
	}
	return c.other.Spec.Provider.Name.V < d.other.Spec.Provider.Name.V
}

func compareWorkloads(a, b *graph.Workload) int {
	return cmp.Or(cmp.Compare(a.Namespace(), b.Namespace()), cmp.Compare(a.Name(), b.Name()), cmp.Compare(a.Obj.Kind, b.Obj.Kind))
}

// checkCustomProvidersPerWorkload reports the CUSTOM policies of workloads
// that take CUSTOM policies of more than one provider: istiod's authz
// builder (buildHTTP, buildTCP) then replaces the external authorizers of
// the workload with deny rules for the rules of its CUSTOM policies in
// force, unless PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS is on. Dry-run
// policies count as providers, but their own rules are not denied.
func checkCustomProvidersPerWorkload(p *rules.Pass) {
	g := p.Graph
	selected := authorizationWorkloads(p)
	var custom []int
	providers := map[string]bool{}
	for i, ap := range g.AuthorizationPolicies {
		if ap.Spec.Action.V != "CUSTOM" || ap.Spec.Provider == nil || ap.Spec.Provider.Name.V == "" || !selected[i].ok {
			continue
		}
		custom = append(custom, i)
		providers[ap.Spec.Provider.Name.V] = true
	}
	if len(providers) < 2 {
		return
	}
	// Only a sidecar builds the CUSTOM filters of a selector policy:
	// ztunnel has none, and waypoints take targetRef(s) policies only.
	byWorkload := map[*graph.Workload][]*graph.AuthorizationPolicy{}
	for _, i := range custom {
		for _, w := range selected[i].ws {
			if w.Sidecar {
				byWorkload[w] = append(byWorkload[w], g.AuthorizationPolicies[i])
			}
		}
	}
	found := map[*graph.AuthorizationPolicy]customConflict{}
	for w, aps := range byWorkload {
		for _, ap := range aps {
			if ap.DryRun() {
				continue
			}
			for _, o := range aps {
				if o.Spec.Provider.Name.V == ap.Spec.Provider.Name.V {
					continue
				}
				c := customConflict{w, o}
				if old, ok := found[ap]; !ok || c.before(old) {
					found[ap] = c
				}
			}
		}
	}
	for _, i := range custom {
		ap := g.AuthorizationPolicies[i]
		c, ok := found[ap]
		if !ok {
			continue
		}
		o := c.other
		p.Reportf(ap.Obj, ap.Spec.Provider.Name.Loc, "%s %s/%s also takes CUSTOM AuthorizationPolicy %s/%s of provider %q: istiod allows one CUSTOM provider per workload unless PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS is on, and otherwise programs a deny in their place, so every request that AuthorizationPolicy %s/%s matches is refused",
			c.w.Obj.Kind, c.w.Namespace(), c.w.Name(), o.Namespace(), o.Name(), o.Spec.Provider.Name.V, ap.Namespace(), ap.Name())
	}
}

func isExtAuthz(t string) bool {
	return t == "envoy_ext_authz_http" || t == "envoy_ext_authz_grpc"
}
