package security

import (
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules/ruletest"
)

// Fixtures cannot give MR352 a MeshConfig: this reads trustDomainAliases
// from one, as --mesh-config does, and checks that a principal of an alias
// is the mesh's own (Istio's trust domain bundle rewrites it for the trust
// domain and every alias).
func TestAuthzPrincipalTrustDomainAliases(t *testing.T) {
	s, err := config.ParseMeshConfig("mesh.yaml", []byte("trustDomain: corp.example\ntrustDomainAliases: [old.example]\n"))
	if err != nil {
		t.Fatal(err)
	}
	mesh := config.DefaultMesh()
	s.Apply(&mesh)
	files := map[string]string{"policy.yaml": `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: shop}
spec:
  rules:
  - from:
    - source:
        principals: [corp.example/ns/shop/sa/web, old.example/ns/shop/sa/web, cluster.local/ns/shop/sa/web, other.example/ns/shop/sa/web]
`}
	var got []string
	for _, f := range ruletest.LintTree(t, files, "", mesh, AuthzPrincipalUnknown) {
		got = append(got, f.Message)
	}
	want := `rules[0].from[0].source.principals: principal "other.example/ns/shop/sa/web" has trust domain "other.example", not the mesh's (corp.example, or its trustDomainAliases ["old.example"]): it matches only callers of a federated mesh or a trustDomainAliases entry`
	if len(got) != 1 || got[0] != want {
		t.Errorf("findings:\n%q\nwant only:\n%q", got, want)
	}
}
