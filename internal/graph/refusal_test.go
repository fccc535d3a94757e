package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
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
		// Beyond the schema's enums (MR027's): a policy is refused whole,
		// not analysed with the bad peer or port left out.
		{"empty peer", "ingress: [{from: [{podSelector: {app: web}}, {}]}]", "ingress[0].from[1] names no peer: it needs a podSelector, a namespaceSelector or an ipBlock", "{}]"},
		{"ipBlock beside a selector", "egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, namespaceSelector: {}}]}]", "egress[0].to[0] has an ipBlock beside a selector; an ipBlock must be the peer's only field", "{ipBlock"},
		{"except outside", "egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}}]}]", `egress[0].to[0].ipBlock.except[0] "11.0.0.0/8" is not a strict subset of cidr "10.0.0.0/8"`, "11.0.0.0/8"},
		{"endPort below port", "ingress: [{ports: [{port: 90, endPort: 80}]}]", "ingress[0].ports[0].endPort 80 is below port 90", "80}"},
		{"unknown operator", "ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: Equals, values: [web]}]}}]}]", `ingress[0].from[0].podSelector.matchExpressions[0].operator "Equals" is not In, NotIn, Exists or DoesNotExist`, "Equals"},
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

// TestNetworkPolicyRefusalByRelease: StrictIPCIDRValidation, on by default
// since Kubernetes 1.36, refuses ipBlock CIDRs that older releases read
// leniently; the graph follows the release of config.Mesh (1.37 by
// default), so that a policy is analysed exactly when the cluster holds it.
func TestNetworkPolicyRefusalByRelease(t *testing.T) {
	const zeros = "egress: [{to: [{ipBlock: {cidr: 010.0.0.0/08, except: [010.1.0.0/16]}}]}]"
	const hostBits = "ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/16]}}]}]"
	for _, tc := range []struct {
		name, spec string
		minor      int // 0: the default release
		why        string
	}{
		{"leading zeros on 1.35", zeros, 35, ""},
		{"host bits on 1.35", hostBits, 35, ""},
		{"leading zeros", zeros, 0, `egress[0].to[0].ipBlock.cidr "010.0.0.0/08" must not have leading 0s in IP or prefix length: write "10.0.0.0/8" (refused since Kubernetes 1.36: StrictIPCIDRValidation)`},
		{"host bits on 1.36", hostBits, 36, `ingress[0].from[0].ipBlock.except[0] "169.254.169.254/16" must not have bits set beyond the prefix length: write "169.254.0.0/16", or "169.254.169.254/32" for the one address (refused since Kubernetes 1.36: StrictIPCIDRValidation)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mesh := config.DefaultMesh()
			mesh.KubernetesMinor = tc.minor
			p := filepath.Join(t.TempDir(), "in.yaml")
			src := "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\nspec:\n  podSelector: {}\n  " + tc.spec + "\n"
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			res := manifest.Load([]string{p}, manifest.Options{})
			g := Build(res.Objects, mesh)
			switch {
			case tc.why == "" && (len(g.NetworkPolicies) != 1 || len(g.RefusedNetworkPolicies) != 0):
				t.Errorf("%d policies, %d refused; want the policy accepted", len(g.NetworkPolicies), len(g.RefusedNetworkPolicies))
			case tc.why != "" && (len(g.NetworkPolicies) != 0 || len(g.RefusedNetworkPolicies) != 1):
				t.Errorf("%d policies, %d refused; want the policy refused", len(g.NetworkPolicies), len(g.RefusedNetworkPolicies))
			case tc.why != "" && g.RefusedNetworkPolicies[0].Why != tc.why:
				t.Errorf("refusal %q, want %q", g.RefusedNetworkPolicies[0].Why, tc.why)
			}
		})
	}
}
