package graph

import (
	"strings"
	"testing"
)

// TestNetworkPolicyRefusal holds the graph to what the API server accepts
// of a NetworkPolicy: a policy it refuses is not among NetworkPolicies,
// and one it accepts is not among RefusedNetworkPolicies. A protocol
// written as null is left out, as JSON's null leaves the pointer nil.
func TestNetworkPolicyRefusal(t *testing.T) {
	for _, tc := range []struct {
		name, spec, why string
		at              string // the text the refusal points at
	}{
		{"both types", "policyTypes: [Ingress, Egress]", "", ""},
		{"lower-case type", "policyTypes: [Ingress, egress]", `policyTypes[1] "egress" is neither Ingress nor Egress`, "egress]"},
		{"unknown type", "policyTypes: [All]", `policyTypes[0] "All" is neither Ingress nor Egress`, "All"},
		{"protocols", "ingress: [{ports: [{port: 80}, {port: 81, protocol: null}, {protocol: UDP}, {protocol: SCTP}, {port: 82, protocol: TCP}]}]", "", ""},
		{"empty protocol", `ingress: [{ports: [{port: 80, protocol: ""}]}]`, `ingress[0].ports[0] protocol "" is not TCP, UDP or SCTP`, `""`},
		{"lower-case protocol", "egress: [{}, {ports: [{port: 53}, {port: 53, protocol: udp}]}]", `egress[1].ports[1] protocol "udp" is not TCP, UDP or SCTP`, "udp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\nspec:\n  podSelector: {}\n  "+tc.spec+"\n")
			if tc.why == "" {
				if len(g.NetworkPolicies) != 1 || len(g.RefusedNetworkPolicies) != 0 {
					t.Fatalf("%d policies, %d refused; want the policy accepted", len(g.NetworkPolicies), len(g.RefusedNetworkPolicies))
				}
				return
			}
			if len(g.NetworkPolicies) != 0 || len(g.RefusedNetworkPolicies) != 1 {
				t.Fatalf("%d policies, %d refused; want the policy refused", len(g.NetworkPolicies), len(g.RefusedNetworkPolicies))
			}
			r := g.RefusedNetworkPolicies[0]
			col := int32(len("  ") + strings.Index(tc.spec, tc.at) + 1)
			if r.Why != tc.why || r.Name() != "np" || r.At.Line != 6 || r.At.Col != col {
				t.Errorf("refusal %q of %s at %d:%d, want %q at 6:%d", r.Why, r.Name(), r.At.Line, r.At.Col, tc.why, col)
			}
		})
	}
}
