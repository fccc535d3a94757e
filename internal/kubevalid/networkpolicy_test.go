package kubevalid

import (
	"cmp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/spec"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// decodeNP decodes a NetworkPolicy spec written in YAML.
func decodeNP(t *testing.T, src string) *spec.NetworkPolicy {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	np := &spec.NetworkPolicy{}
	if errs := spec.Decode("np.yaml", doc.Content[0], np); len(errs) > 0 {
		t.Fatalf("decode: %v", errs[0])
	}
	return np
}

// TestNetworkPolicy holds NetworkPolicy to what ValidateNetworkPolicySpec
// refuses: each case's spec has one problem (or none), said as want, at
// the field of path, whose text in the spec begins with at. MR027's
// fixtures check the messages of the rest.
func TestNetworkPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, spec, want, path, at string
		schema, labelKey           bool
		// minor is the Kubernetes release 1.minor; 0 is 1.37.
		minor int
	}{
		{name: "valid", spec: `podSelector: {matchLabels: {app: web}}
policyTypes: [Ingress, Egress]
ingress: [{from: [{podSelector: {}, namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [a]}]}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 80, endPort: 90}, {port: http}, {protocol: UDP}]}]
egress: [{}]`},
		// StrictIPCIDRValidation, on by default since 1.36.
		{name: "legacy cidr before 1.36", minor: 35, spec: `egress: [{to: [{ipBlock: {cidr: 010.0.0.0/08, except: [10.1.2.3/16]}}, {ipBlock: {cidr: "2001:db8:00001::/48"}}]}]`},
		{name: "leading zeros", spec: "egress: [{to: [{ipBlock: {cidr: 010.0.0.0/8}}]}]", want: `egress[0].to[0].ipBlock.cidr "010.0.0.0/8" must not have leading 0s in IP or prefix length: write "10.0.0.0/8" (refused since Kubernetes 1.36: StrictIPCIDRValidation)`, path: "egress[0].to[0].ipBlock.cidr", at: "010"},
		{name: "leading zero in the length", minor: 36, spec: "egress: [{to: [{ipBlock: {cidr: 10.0.0.0/08}}]}]", want: `egress[0].to[0].ipBlock.cidr "10.0.0.0/08" must not have leading 0s in IP or prefix length: write "10.0.0.0/8"`, path: "egress[0].to[0].ipBlock.cidr", at: "10.0"},
		{name: "long IPv6 group", spec: `egress: [{to: [{ipBlock: {cidr: "2001:db8:00001::/48"}}]}]`, want: `egress[0].to[0].ipBlock.cidr "2001:db8:00001::/48" must not have leading 0s in IP or prefix length: write "2001:db8:1::/48"`, path: "egress[0].to[0].ipBlock.cidr", at: `"2001`},
		{name: "host bits", spec: "ingress: [{from: [{ipBlock: {cidr: 192.168.1.10/24}}]}]", want: `ingress[0].from[0].ipBlock.cidr "192.168.1.10/24" must not have bits set beyond the prefix length: write "192.168.1.0/24", or "192.168.1.10/32" for the one address (refused since Kubernetes 1.36: StrictIPCIDRValidation)`, path: "ingress[0].from[0].ipBlock.cidr", at: "192"},
		{name: "host bits in except", spec: "egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.2.3/16]}}]}]", want: `egress[0].to[0].ipBlock.except[0] "10.1.2.3/16" must not have bits set beyond the prefix length: write "10.1.0.0/16", or "10.1.2.3/32" for the one address`, path: "egress[0].to[0].ipBlock.except[0]", at: "10.1.2.3"},
		{name: "IPv4-mapped", spec: `egress: [{to: [{ipBlock: {cidr: "::ffff:10.0.0.0/104"}}]}]`, want: `egress[0].to[0].ipBlock.cidr "::ffff:10.0.0.0/104" must not have an IPv4-mapped IPv6 address: write "10.0.0.0/8"`, path: "egress[0].to[0].ipBlock.cidr", at: `"::ffff`},
		{name: "repeated type", spec: "policyTypes: [Ingress, Ingress]"},
		{name: "three types", spec: "policyTypes: [Ingress, Egress, Egress]", want: "policyTypes lists 3 types; a NetworkPolicy may list at most two (Ingress and Egress)", path: "policyTypes", at: "Ingress, Egress, Egress"},
		{name: "lower-case type", spec: "policyTypes: [egress]", want: `policyTypes[0] "egress" is neither Ingress nor Egress`, path: "policyTypes[0]", at: "egress", schema: true},
		{name: "empty protocol", spec: `ingress: [{ports: [{protocol: ""}]}]`, want: `ingress[0].ports[0] protocol "" is not TCP, UDP or SCTP`, path: "ingress[0].ports[0].protocol", at: `""`, schema: true},
		{name: "port 0", spec: "egress: [{ports: [{port: 0}]}]", want: "egress[0].ports[0].port 0 is not in 1-65535", path: "egress[0].ports[0].port", at: "0}"},
		{name: "port name", spec: "egress: [{ports: [{port: HTTP_1}]}]", want: `egress[0].ports[0].port "HTTP_1" is not a port number nor an IANA service name`, path: "egress[0].ports[0].port", at: "HTTP_1"},
		{name: "endPort alone", spec: "egress: [{ports: [{endPort: 90}]}]", want: "egress[0].ports[0].endPort is set without a port", path: "egress[0].ports[0].endPort", at: "90"},
		{name: "endPort named", spec: "egress: [{ports: [{port: http, endPort: 90}]}]", want: "egress[0].ports[0].endPort is set beside a named port", path: "egress[0].ports[0].endPort", at: "90"},
		{name: "endPort below", spec: "egress: [{ports: [{port: 90, endPort: 89}]}]", want: "egress[0].ports[0].endPort 89 is below port 90", path: "egress[0].ports[0].endPort", at: "89"},
		{name: "endPort high", spec: "egress: [{ports: [{port: 90, endPort: 65536}]}]", want: "egress[0].ports[0].endPort 65536 is not in 1-65535", path: "egress[0].ports[0].endPort", at: "65536"},
		{name: "empty peer", spec: "ingress: [{from: [{podSelector: {}}, {}]}]", want: "ingress[0].from[1] names no peer", path: "ingress[0].from[1]", at: "{}]}]"},
		{name: "null selector", spec: "ingress: [{from: [{namespaceSelector: null}]}]", want: "ingress[0].from[0] names no peer", path: "ingress[0].from[0]", at: "{namespaceSelector: null}"},
		{name: "ipBlock and selector", spec: "egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]", want: "egress[0].to[0] has an ipBlock beside a selector", path: "egress[0].to[0]", at: "{ipBlock"},
		{name: "no cidr", spec: "egress: [{to: [{ipBlock: {except: [10.0.0.0/16]}}]}]", want: "egress[0].to[0].ipBlock.cidr is required", path: "egress[0].to[0].ipBlock.cidr", at: "{except", schema: true},
		{name: "bad cidr", spec: "egress: [{to: [{ipBlock: {cidr: 10.0.0.0}}]}]", want: `egress[0].to[0].ipBlock.cidr "10.0.0.0" is not a CIDR block`, path: "egress[0].to[0].ipBlock.cidr", at: "10.0.0.0}"},
		{name: "bad except", spec: "egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]", want: `egress[0].to[0].ipBlock.except[0] "10.0.0.0/8" is not a strict subset of cidr "10.0.0.0/8"`, path: "egress[0].to[0].ipBlock.except[0]", at: "10.0.0.0/8]"},
		{name: "label key", spec: `podSelector: {matchLabels: {"a/b/c": x}}`, want: `podSelector.matchLabels: key "a/b/c" is not a qualified name`, path: "podSelector.matchLabels.a/b/c", at: "{matchLabels", labelKey: true},
		{name: "label value", spec: `ingress: [{from: [{namespaceSelector: {matchLabels: {team: "a b"}}}]}]`, want: `ingress[0].from[0].namespaceSelector.matchLabels: value "a b" of "team" is not a label value`, path: "ingress[0].from[0].namespaceSelector.matchLabels.team", at: "{matchLabels"},
		{name: "no key", spec: "podSelector: {matchExpressions: [{operator: Exists}]}", want: "podSelector.matchExpressions[0].key is required", path: "podSelector.matchExpressions[0].key", at: "{operator", schema: true},
		{name: "bad key", spec: "podSelector: {matchExpressions: [{key: -a, operator: Exists}]}", want: `podSelector.matchExpressions[0].key "-a" is not a qualified name`, path: "podSelector.matchExpressions[0].key", at: "-a"},
		{name: "no operator", spec: "podSelector: {matchExpressions: [{key: a}]}", want: "podSelector.matchExpressions[0].operator is required", path: "podSelector.matchExpressions[0].operator", at: "{key", schema: true},
		{name: "bad operator", spec: "podSelector: {matchExpressions: [{key: a, operator: Gt, values: ['1']}]}", want: `podSelector.matchExpressions[0].operator "Gt" is not In, NotIn, Exists or DoesNotExist`, path: "podSelector.matchExpressions[0].operator", at: "Gt"},
		{name: "In without values", spec: "podSelector: {matchExpressions: [{key: a, operator: In}]}", want: "podSelector.matchExpressions[0]: operator In needs values", path: "podSelector.matchExpressions[0].values", at: "{key"},
		{name: "Exists with values", spec: "podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}", want: "podSelector.matchExpressions[0]: operator Exists takes no values", path: "podSelector.matchExpressions[0].values", at: "{key"},
		{name: "bad value", spec: "podSelector: {matchExpressions: [{key: a, operator: NotIn, values: [x, -y]}]}", want: `podSelector.matchExpressions[0].values[1] "-y" is not a label value`, path: "podSelector.matchExpressions[0].values[1]", at: "{key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NetworkPolicy(decodeNP(t, tc.spec), GatesFor(cmp.Or(tc.minor, 37)))
			if tc.want == "" {
				if len(got) > 0 {
					t.Fatalf("refused: %s", got[0].Why)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d problems %v, want one", len(got), got)
			}
			p := got[0]
			line, col := 1, 1
			if i := strings.Index(tc.spec, tc.at); i >= 0 {
				line = 1 + strings.Count(tc.spec[:i], "\n")
				col = i - strings.LastIndex(tc.spec[:i], "\n")
			}
			var path []string
			for _, s := range p.Path {
				if s.Index >= 0 {
					path[len(path)-1] += "[" + string(rune('0'+s.Index)) + "]"
				} else {
					path = append(path, s.Key)
				}
			}
			if !strings.HasPrefix(p.Why, tc.want) || strings.Join(path, ".") != tc.path || p.Schema != tc.schema || p.LabelKey != tc.labelKey || int(p.At.Line) != line || int(p.At.Col) != col {
				t.Errorf("got %q at %s (%d:%d), schema %v, label key %v;\nwant %q at %s (%d:%d), schema %v, label key %v",
					p.Why, strings.Join(path, "."), p.At.Line, p.At.Col, p.Schema, p.LabelKey, tc.want, tc.path, line, col, tc.schema, tc.labelKey)
			}
		})
	}
}

// TestNetworkPolicyOrder: the problems come in the order of the YAML,
// whatever the order of the checks, so that the graph's refusal names
// the first a reader meets.
func TestNetworkPolicyOrder(t *testing.T) {
	got := NetworkPolicy(decodeNP(t, `podSelector: {}
ingress:
- from: [{}]
  ports: [{port: 0}]
policyTypes: [ingress]
`), GatesFor(37))
	var whys []string
	for _, p := range got {
		whys = append(whys, p.Why)
	}
	want := []string{"ingress[0].from[0] names no peer", "ingress[0].ports[0].port 0", `policyTypes[0] "ingress"`}
	if len(whys) != len(want) {
		t.Fatalf("got %q", whys)
	}
	for i := range want {
		if !strings.HasPrefix(whys[i], want[i]) {
			t.Errorf("problem %d is %q, want %q", i, whys[i], want[i])
		}
	}
}
