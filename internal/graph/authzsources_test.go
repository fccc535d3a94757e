package graph

import (
	"fmt"
	"slices"
	"testing"
)

// serviceAccounts entries are exact sources, as istiod reads them
// (serviceAccountRegex): "<ns>/<sa>", or "<sa>" in the policy's
// namespace.
func TestAuthzSourcesServiceAccounts(t *testing.T) {
	g := graphFrom(t, docs(pod("shop", "api", map[string]string{"app": "api"}), `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
  - from:
    - source: {serviceAccounts: [web/frontend, batch]}
    - source: {namespaces: [ops]}`))
	var got []string
	for src := range g.AuthzSources() {
		got = append(got, fmt.Sprintf("%s %s %s/%s", src.Kind, src.Value.V, src.Namespace, src.ServiceAccount))
	}
	want := []string{"serviceAccount web/frontend web/frontend", "serviceAccount batch shop/batch", "namespace ops ops/"}
	if !slices.Equal(got, want) {
		t.Errorf("sources %q, want %q", got, want)
	}
}

// Only ALLOW (the default action) and DENY policies have sources: AUDIT
// policies do not affect whether requests are allowed (the API's
// AuthorizationPolicy doc), and CUSTOM ones delegate the decision.
func TestAuthzSourcesActions(t *testing.T) {
	policy := func(name, action string) string {
		return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ` + name + `, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ` + action + `
  rules: [{from: [{source: {namespaces: [` + name + `]}}]}]`
	}
	g := graphFrom(t, docs(pod("shop", "api", map[string]string{"app": "api"}),
		policy("allow", "ALLOW"), policy("deny", "DENY"), policy("audit", "AUDIT"), policy("custom", "CUSTOM"), policy("default", `""`)))
	var got []string
	for src := range g.AuthzSources() {
		got = append(got, src.Policy.Name()+" "+src.Value.V)
	}
	want := []string{"allow allow", "deny deny", "default default"}
	if !slices.Equal(got, want) {
		t.Errorf("sources %q, want %q", got, want)
	}
}
