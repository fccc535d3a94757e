package graph

import (
	"strings"
	"testing"
)

// TestAdminPolicyRefusal holds the graph to what the API server accepts
// of the admin network policy kinds, by their CRDs' schemas and CEL rules
// (schema/netpolapi): a policy it refuses is among RefusedAdminPolicies
// only, with the first reason, pointed at the text at (the object's name
// when at is ""), and one it accepts is not among them.
func TestAdminPolicyRefusal(t *testing.T) {
	const (
		anp  = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: p}\nspec:\n"
		banp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n"
		cnp  = "apiVersion: policy.networking.k8s.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: p}\nspec:\n  tier: Admin\n"
	)
	for _, tc := range []struct {
		name, src, why string
		at             string // the text the refusal points at
	}{
		{"anp accepted", anp + `  priority: 0
  subject: {pods: {namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: Exists}]}}}
  ingress: [{name: a, action: Pass, from: [{namespaces: {}}, {pods: {namespaceSelector: {}, podSelector: {}}}], ports: [{portNumber: {port: 80}}, {namedPort: http}, {portRange: {start: 90, end: 80}}]}]
  egress: [{action: Deny, to: [{nodes: {}}, {networks: [10.0.0.1/8, "fd00::/8"]}], ports: [{portNumber: {port: 1, protocol: tcp}}]}, {action: Allow, to: [{namespaces: {}}], ports: [{namedPort: dns}]}]
`, "", ""},
		{"anp priority", anp + "  priority: 1001\n  subject: {namespaces: {}}\n", "priority 1001 is outside 0-1000", "1001"},
		{"anp no priority", anp + "  subject: {namespaces: {}}\n", "priority is required", ""},
		{"anp empty subject", anp + "  priority: 1\n  subject: {}\n", "subject sets none of its fields, where exactly one of namespaces and pods is required", "{}"},
		{"anp two subjects", anp + "  priority: 1\n  subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}\n", "subject sets namespaces and pods, where exactly one of namespaces and pods is required", "{namespaces"},
		{"anp pods without namespaces", anp + "  priority: 1\n  subject: {pods: {podSelector: {}}}\n", "subject.pods.namespaceSelector is required", "{podSelector"},
		{"anp empty peer", anp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{}]}]\n", "ingress[0].from[0] sets none of its fields, where exactly one of namespaces and pods is required", "{}]}]"},
		{"anp two peers", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{namespaces: {}, networks: [10.0.0.0/8]}]}]\n", "egress[0].to[0] sets namespaces and networks, where exactly one of namespaces, pods, nodes and networks is required", "{namespaces: {}, networks"},
		{"anp ingress networks", anp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{networks: [10.0.0.0/8]}]}]\n", "ingress[0].from[0] sets none of its fields, where exactly one of namespaces and pods is required", "{networks"},
		{"anp no peers", anp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny}]\n", "ingress[0].from needs at least one peer", "{action"},
		{"anp no action", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{to: [{namespaces: {}}]}]\n", "egress[0].action is required", "{to"},
		{"anp accept", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Accept, to: [{namespaces: {}}]}]\n", `egress[0].action "Accept" is not one of Allow, Deny, Pass`, "Accept"},
		{"anp long name", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{name: " + strings.Repeat("x", 101) + ", action: Deny, to: [{namespaces: {}}]}]\n", "egress[0].name is 101 characters long, more than the 100 allowed", "xxx"},
		{"anp expression", anp + "  priority: 1\n  subject: {namespaces: {matchExpressions: [{key: a}]}}\n", "subject.namespaces.matchExpressions[0].operator is required", "{key"},
		{"anp mapped cidr", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{networks: [10.0.0.0/8, \"::ffff:10.0.0.0/104\"]}]}]\n", `egress[0].to[0].networks[1] "::ffff:10.0.0.0/104" is neither IPv4 nor IPv6 (an IPv4 address embedded in IPv6 is refused)`, `"::ffff`},
		{"anp duplicate cidr", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{networks: [10.0.0.0/8, 10.0.0.0/8]}]}]\n", `egress[0].to[0].networks[1] "10.0.0.0/8" repeats item 0 of a set`, "10.0.0.0/8]"},
		{"anp named port to networks", anp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{namespaces: {}}, {nodes: {}}], ports: [{namedPort: http}]}]\n", "egress[0] names a port, and its peer to[1] sets nodes, which has no named ports", "{nodes"},
		{"anp port", anp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 0}}]}]\n", "ingress[0].ports[0].portNumber.port 0 is outside 1-65535", "0}}]}]"},
		{"anp port twice", anp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], ports: [{namedPort: a, portNumber: {port: 80}}]}]\n", "ingress[0].ports[0] sets 2 of portNumber, namedPort and portRange, where exactly one is required", "{namedPort"},
		{"anp range end", anp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], ports: [{portRange: {start: 80}}]}]\n", "ingress[0].ports[0].portRange.end is required", "{portRange"},

		{"banp accepted", banp + "  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n", "", ""},
		{"banp named", strings.Replace(banp, "name: default", "name: baseline", 1) + "  subject: {namespaces: {}}\n", `metadata.name "baseline" is not "default", the only name the API allows a BaselineAdminNetworkPolicy`, "baseline}"},
		{"banp pass", banp + "  subject: {namespaces: {}}\n  ingress: [{action: Pass, from: [{namespaces: {}}]}]\n", `ingress[0].action "Pass" is not one of Allow, Deny`, "Pass"},
		{"banp no subject", banp + "  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n", "subject is required", ""},

		{"cnp accepted", cnp + `  priority: 1000
  subject: {pods: {podSelector: {}}}
  ingress: [{action: Accept, from: [{pods: {podSelector: {}}}], protocols: [{tcp: {destinationPort: {number: 80}}}, {udp: {destinationPort: {range: {start: 1, end: 2}}}}, {destinationNamedPort: http}]}]
  egress: [{action: Pass, to: [{domainNames: [example.com, "*.example.com."]}, {networks: [10.0.0.0/8, "fd00::/8"]}], protocols: [{sctp: {destinationPort: {number: 9}}}]}]
`, "", ""},
		{"cnp tier", strings.Replace(cnp, "Admin", "admin", 1) + "  priority: 1\n  subject: {namespaces: {}}\n", `tier "admin" is neither Admin nor Baseline`, "admin"},
		{"cnp no tier", strings.Replace(cnp, "  tier: Admin\n", "", 1) + "  priority: 1\n  subject: {namespaces: {}}\n", "tier is required", ""},
		{"cnp allow", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Allow, from: [{namespaces: {}}]}]\n", `ingress[0].action "Allow" is not one of Accept, Deny, Pass`, "Allow"},
		{"cnp unmasked cidr", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{networks: [10.0.0.1/8]}]}]\n", `egress[0].to[0].networks[0] "10.0.0.1/8" is no CIDR with its host bits zero`, "10.0.0.1/8"},
		{"cnp domain", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{domainNames: [\"*\"]}]}]\n", `egress[0].to[0].domainNames[0] "*" is no domain name`, `"*"`},
		{"cnp every tcp port", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {}}]}]\n", "ingress[0].protocols[0].tcp sets no destinationPort", "{tcp"},
		{"cnp one-port range", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 80, end: 80}}}}]}]\n", "ingress[0].protocols[0].tcp.destinationPort.range 80-80 does not end after it starts", "80, end"},
		{"cnp two protocols", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 1}}, destinationNamedPort: a}]}]\n", "ingress[0].protocols[0] sets 2 of tcp, udp, sctp and destinationNamedPort, where exactly one is required", "{tcp"},
		{"cnp named port to domains", cnp + "  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{domainNames: [example.com]}], protocols: [{destinationNamedPort: http}]}]\n", "egress[0] names a port, and its peer to[0] sets domainNames, which has no named ports", "{domainNames"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, tc.src)
			admitted := len(g.AdminNetworkPolicies) + len(g.BaselineAdminNetworkPolicies) + len(g.ClusterNetworkPolicies)
			if tc.why == "" {
				if admitted != 1 || len(g.RefusedAdminPolicies) != 0 {
					t.Fatalf("%d policies, %d refused (%v); want the policy accepted", admitted, len(g.RefusedAdminPolicies), g.RefusedAdminPolicies)
				}
				return
			}
			if admitted != 0 || len(g.RefusedAdminPolicies) != 1 {
				t.Fatalf("%d policies, %d refused; want the policy refused", admitted, len(g.RefusedAdminPolicies))
			}
			r := g.RefusedAdminPolicies[0]
			want := r.Obj.NameLoc
			if tc.at != "" {
				i := strings.Index(tc.src, tc.at)
				if i < 0 {
					t.Fatalf("%q is not in the source", tc.at)
				}
				want.Line = int32(strings.Count(tc.src[:i], "\n") + 1)
				want.Col = int32(i - strings.LastIndex(tc.src[:i], "\n"))
			}
			if r.Why != tc.why || r.At.Line != want.Line || r.At.Col != want.Col {
				t.Errorf("refusal %q at %d:%d, want %q at %d:%d", r.Why, r.At.Line, r.At.Col, tc.why, want.Line, want.Col)
			}
		})
	}
}
