package graph

import (
	"testing"

	"github.com/meshlint/meshlint/internal/config"
)

func TestParsePrincipal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Principal
		ok   bool
	}{
		{"cluster.local/ns/shop/sa/web", Principal{"cluster.local", "shop", "web"}, true},
		{"td/ns/shop/sa/web", Principal{"td", "shop", "web"}, true},
		{"cluster.local/ns/shop/sa/*", Principal{}, false},
		{"*", Principal{}, false},
		{"cluster.local/ns/shop", Principal{}, false},
		{"cluster.local/ns/a/b/sa/web", Principal{}, false},
	} {
		got, ok := ParsePrincipal(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParsePrincipal(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for in, want := range map[string]string{
		"corp/ns/a/sa/b": "corp", "*/ns/a/sa/b": "", "corp*": "", "cluster.local/*": "cluster.local", "web": "",
	} {
		if got := PrincipalTrustDomain(in); got != want {
			t.Errorf("PrincipalTrustDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalTrustDomain(t *testing.T) {
	m := config.DefaultMesh()
	m.TrustDomain = "corp.example"
	m.TrustDomainAliases = []string{"old.example"}
	g := &Graph{Mesh: m}
	// Istio's trust domain bundle reads "cluster.local" as the local trust
	// domain whatever MeshConfig trustDomain is, and an alias as the trust
	// domain itself.
	for td, want := range map[string]bool{"corp.example": true, "cluster.local": true, "old.example": true, "other.example": false} {
		if got := g.LocalTrustDomain(td); got != want {
			t.Errorf("LocalTrustDomain(%q) = %v, want %v", td, got, want)
		}
	}
}

func TestMutualTLSRuleFor(t *testing.T) {
	mutual := "  trafficPolicy:\n    tls: {mode: ISTIO_MUTUAL}"
	g := graphFrom(t, docs(
		dr("istio-system", "mesh", "*.local", "  exportTo: [\".\"]", mutual),
		dr("shop", "ns", "*.shop.svc.cluster.local", mutual),
		dr("ops", "one", "jobs", mutual),
	))
	if got := g.MutualTLSRuleFor(""); got != nil {
		t.Errorf("mesh: got %s/%s, want none (root rule exported to its namespace only)", got.Namespace(), got.Name())
	}
	if got := g.MutualTLSRuleFor("shop"); got == nil || got.Name() != "ns" {
		t.Errorf("shop: got %v, want shop/ns", got)
	}
	if got := g.MutualTLSRuleFor("ops"); got != nil {
		t.Errorf("ops: got %s/%s, want none (a single-host rule)", got.Namespace(), got.Name())
	}
	if got := g.MutualTLSRuleFor("istio-system"); got == nil || got.Name() != "mesh" {
		t.Errorf("istio-system: got %v, want istio-system/mesh", got)
	}
}
