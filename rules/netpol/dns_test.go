package netpol

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
	"go.yaml.in/yaml/v3"
)

// lintDNS runs MR409 (and MR402 when also402) over files, written to a
// temporary directory, or over stdin when files is empty.
func lintDNS(t *testing.T, files map[string]string, stdin string, also402 bool) []*rules.Finding {
	t.Helper()
	rs := []*rules.Rule{EgressNoDNS}
	if also402 {
		rs = append(rs, NoDefaultDenyEgress)
	}
	return ruletest.LintTree(t, files, stdin, config.DefaultMesh(), rs...)
}

const dnsPod = `apiVersion: v1
kind: Pod
metadata: {name: NAME, namespace: NS, labels: {app: NAME}}
spec: {containers: [{name: c, image: c:1}]}
`

func pod(name, ns string) string {
	return strings.NewReplacer("NAME", name, "NS", ns).Replace(dnsPod) + "---\n"
}

func denyEgress(name, ns, selector string) string {
	return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n  podSelector: " + selector + "\n  policyTypes: [Egress]\n---\n"
}

// dnsFixes returns, by workload name, the content of the file MR409's fix
// creates ("" for none), and the paths of the files.
func dnsFixes(t *testing.T, fs []*rules.Finding) (map[string]string, []string) {
	t.Helper()
	content := map[string]string{}
	var paths []string
	for _, f := range fs {
		if f.Rule != EgressNoDNS {
			continue
		}
		content[f.Object.Name] = ""
		if len(f.Fixes) == 0 {
			continue
		}
		nfs := f.Fixes[0].NewFiles
		if len(nfs) != 1 || len(f.Fixes[0].Edits) > 0 {
			t.Fatalf("%s: fix %+v", f.Object.Name, f.Fixes[0])
		}
		content[f.Object.Name] = nfs[0].Content
		if !slices.Contains(paths, nfs[0].Path) {
			paths = append(paths, nfs[0].Path)
		}
	}
	slices.Sort(paths)
	return content, paths
}

func TestEgressNoDNSFix(t *testing.T) {
	for _, tt := range []struct {
		name    string
		files   map[string]string
		also402 bool
		// want maps each reported workload to a line its fix's file must
		// hold, or "" for no fix.
		want  map[string]string
		paths []string
	}{{
		name:  "whole namespace",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + pod("b", "shop") + denyEgress("deny", "shop", "{}")},
		want:  map[string]string{"a": "  podSelector: {}\n", "b": "  podSelector: {}\n"},
		paths: []string{"shop/allow-dns-egress.yaml"},
	}, {
		// The namespace-wide policy wins over a selector one listed first
		// that selects both workloads as well.
		name: "namespace-wide preferred",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + pod("b", "shop") +
			denyEgress("some", "shop", "{matchExpressions: [{key: app, operator: Exists}]}") + denyEgress("deny", "shop", "{}")},
		want:  map[string]string{"a": "  podSelector: {}\n", "b": "  podSelector: {}\n"},
		paths: []string{"shop/allow-dns-egress.yaml"},
	}, {
		name: "some pods",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + pod("b", "shop") +
			denyEgress("default-deny-egress", "shop", "{matchExpressions: [{key: app, operator: Exists}]}")},
		want:  map[string]string{"a": "    - {key: app, operator: Exists}\n", "b": "    - {key: app, operator: Exists}\n"},
		paths: []string{"shop/allow-dns-egress.yaml"},
	}, {
		// default-deny-egress selects a only; both and again select both
		// workloads, and the first of them is the one copied.
		name: "first covering policy",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + pod("b", "shop") +
			denyEgress("default-deny-egress", "shop", "{matchLabels: {app: a}}") +
			denyEgress("both", "shop", "{matchExpressions: [{key: app, operator: In, values: [a, b]}]}") +
			denyEgress("again", "shop", "{matchExpressions: [{key: app, operator: NotIn, values: [c]}]}")},
		want:  map[string]string{"a": "values: [a, b]}", "b": "values: [a, b]}"},
		paths: []string{"shop/allow-dns-egress.yaml"},
	}, {
		name: "no one policy selects them all",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + pod("b", "shop") +
			denyEgress("default-deny-egress", "shop", "{matchLabels: {app: a}}") + denyEgress("b", "shop", "{matchLabels: {app: b}}")},
		want: map[string]string{"a": "", "b": ""},
	}, {
		name:  "allow-dns-egress exists",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + denyEgress("deny", "shop", "{}") + denyEgress("allow-dns-egress", "shop", "{}")},
		want:  map[string]string{"a": ""},
	}, {
		name:  "invalid namespace name",
		files: map[string]string{"shop/app.yaml": pod("a", "Shop") + denyEgress("deny", "Shop", "{}")},
		want:  map[string]string{"a": ""},
	}, {
		// MR402's fix writes an allow-dns-egress for every pod: it is the
		// one, whether MR402 runs or not, as the rules cannot know.
		name:    "MR402 fixes the namespace",
		files:   map[string]string{"shop/app.yaml": pod("a", "shop") + denyEgress("a", "shop", "{matchLabels: {app: a}}")},
		also402: true,
		want:    map[string]string{"a": ""},
	}, {
		// MR402 withholds its fix when it cannot write an allow for a
		// declared flow (here: the unlabelled pod u is the source an
		// AuthorizationPolicy admits); then MR409 offers its own.
		name: "MR402 withholds its fix",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + denyEgress("a", "shop", "{matchLabels: {app: a}}") + `apiVersion: v1
kind: Pod
metadata: {name: u, namespace: shop}
spec: {serviceAccountName: u, containers: [{name: c, image: c:1}]}
---
`, "web/api.yaml": `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: web, labels: {app: api}}
spec: {containers: [{name: c, image: c:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: web}
spec:
  selector: {matchLabels: {app: api}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/u]}}]}]
`},
		also402: true,
		want:    map[string]string{"a": "matchLabels: {app: a}"},
		paths:   []string{"shop/allow-dns-egress.yaml"},
	}, {
		// The BaselineAdminNetworkPolicy denies all egress of shop's pods
		// that no NetworkPolicy isolates: MR402 is quiet, so MR409 offers
		// its own fix.
		name: "MR402 quiet under a baseline deny",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + denyEgress("a", "shop", "{matchLabels: {app: a}}") + `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress: [{name: deny-all, action: Deny, to: [{networks: [0.0.0.0/0]}]}]
`},
		also402: true,
		want:    map[string]string{"a": "matchLabels: {app: a}"},
		paths:   []string{"shop/allow-dns-egress.yaml"},
	}, {
		name:  "MR402 fixes the namespace, not run",
		files: map[string]string{"shop/app.yaml": pod("a", "shop") + denyEgress("a", "shop", "{matchLabels: {app: a}}")},
		want:  map[string]string{"a": ""},
	}, {
		// kube-system is no namespace of MR402's.
		name:  "system namespace",
		files: map[string]string{"sys/app.yaml": pod("a", "kube-system") + denyEgress("a", "kube-system", "{matchLabels: {app: a}}")},
		want:  map[string]string{"a": "matchLabels: {app: a}"},
		paths: []string{"sys/allow-dns-egress.yaml"},
	}, {
		name: "shared directory",
		files: map[string]string{
			"all/shop.yaml": pod("a", "shop") + denyEgress("deny", "shop", "{}"),
			"all/web.yaml":  pod("b", "web") + denyEgress("deny", "web", "{}"),
		},
		want:  map[string]string{"a": "  namespace: shop\n", "b": "  namespace: web\n"},
		paths: []string{"all/allow-dns-egress-shop.yaml", "all/allow-dns-egress-web.yaml"},
	}, {
		name: "next to the Namespace object",
		files: map[string]string{
			"ns/shop.yaml":  "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
			"app/shop.yaml": pod("a", "shop") + denyEgress("deny", "shop", "{}"),
		},
		want:  map[string]string{"a": "  namespace: shop\n"},
		paths: []string{"ns/allow-dns-egress.yaml"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			got, paths := dnsFixes(t, lintDNS(t, tt.files, "", tt.also402))
			if len(got) != len(tt.want) {
				t.Fatalf("reported %v, want %v", got, tt.want)
			}
			for w, line := range tt.want {
				c, ok := got[w]
				switch {
				case !ok:
					t.Errorf("%s not reported", w)
				case line == "" && c != "":
					t.Errorf("%s: unexpected fix\n%s", w, c)
				case !strings.Contains(c, line):
					t.Errorf("%s: fix lacks %q:\n%s", w, line, c)
				}
			}
			if !slices.Equal(paths, tt.paths) {
				t.Errorf("files %q, want %q", paths, tt.paths)
			}
		})
	}
}

func TestEgressNoDNSFixStdin(t *testing.T) {
	got, _ := dnsFixes(t, lintDNS(t, nil, pod("a", "shop")+denyEgress("deny", "shop", "{}"), false))
	if c, ok := got["a"]; !ok || c != "" {
		t.Errorf("stdin: reported %v, fix %q", ok, c)
	}
}

// TestSelectorYAML checks that the rendered selector reads back as the
// same selector, whatever its values need in quoting.
func TestSelectorYAML(t *testing.T) {
	for _, s := range []labels.Selector{
		{},
		{MatchLabels: map[string]string{"app": "web"}},
		{MatchLabels: map[string]string{"b": "true", "a": "1", "c": "yes", "example.com/tier": "Off", "d": "", "e": "null", "f": "0x1F", "g": "1e3", "h": "a b", "i": "~"}},
		{Exprs: []labels.Requirement{{Key: "tier", Op: labels.In, Values: []string{"1", "front", "no"}}, {Key: "x", Op: labels.Exists}}},
		{MatchLabels: map[string]string{"app": "web"}, Exprs: []labels.Requirement{{Key: "v", Op: labels.NotIn, Values: []string{"2.0"}}}},
	} {
		text := "podSelector:" + selectorYAML(s) + "\n"
		var doc struct {
			PodSelector struct {
				MatchLabels      map[string]string `yaml:"matchLabels"`
				MatchExpressions []struct {
					Key      string   `yaml:"key"`
					Operator string   `yaml:"operator"`
					Values   []string `yaml:"values"`
				} `yaml:"matchExpressions"`
			} `yaml:"podSelector"`
		}
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		// yaml.v3 reads YAML 1.2; the API server's reader is YAML 1.1, in
		// which yes and Off are booleans: they must be quoted too.
		for _, line := range strings.Split(text, "\n") {
			for _, word := range []string{" yes", " Off", " no]", " true", " null", " ~"} {
				if strings.Contains(line, word) {
					t.Errorf("%q left plain in %s", word, text)
				}
			}
		}
		got := labels.Selector{MatchLabels: doc.PodSelector.MatchLabels}
		for _, e := range doc.PodSelector.MatchExpressions {
			got.Exprs = append(got.Exprs, labels.Requirement{Key: e.Key, Op: labels.Operator(e.Operator), Values: e.Values})
		}
		if len(got.MatchLabels) == 0 {
			got.MatchLabels = nil
		}
		want := s
		if len(want.MatchLabels) == 0 {
			want.MatchLabels = nil
		}
		if !equalSelectors(got, want) {
			t.Errorf("%s read back as %+v, want %+v", text, got, want)
		}
	}
}

func equalSelectors(a, b labels.Selector) bool {
	if len(a.MatchLabels) != len(b.MatchLabels) || len(a.Exprs) != len(b.Exprs) {
		return false
	}
	for k, v := range a.MatchLabels {
		if w, ok := b.MatchLabels[k]; !ok || w != v {
			return false
		}
	}
	for i := range a.Exprs {
		x, y := a.Exprs[i], b.Exprs[i]
		if x.Key != y.Key || x.Op != y.Op || !slices.Equal(x.Values, y.Values) {
			return false
		}
	}
	return true
}

// TestResolverOf holds resolverOf to the kubelet's reading of dnsPolicy
// (k8s.io/api core/v1 DNSPolicy): ClusterFirst means the node's resolver
// on the node's network, ClusterFirstWithHostNet the cluster DNS anyway,
// and dnsConfig's nameservers are kept in order, IPv4-mapped ones as IPv4,
// what does not parse left out.
func TestResolverOf(t *testing.T) {
	str := func(s string) spec.Str { return spec.Str{V: s, Set: s != ""} }
	for _, tc := range []struct {
		policy        string
		host          bool
		servers       []string
		cluster, node bool
		cidrs         []string
	}{
		{policy: "", cluster: true},
		{policy: "ClusterFirst", host: true, node: true},
		{policy: "", host: true, node: true},
		{policy: "ClusterFirstWithHostNet", host: true, cluster: true},
		{policy: "Default", node: true, servers: []string{"10.0.0.53"}, cidrs: []string{"10.0.0.53/32"}},
		{policy: "None", servers: []string{"1.1.1.1", "not-an-ip", "::ffff:8.8.8.8", "fd00::53", "fe80::1%eth0"}, cidrs: []string{"1.1.1.1/32", "8.8.8.8/32", "fd00::53/128"}},
	} {
		ps := spec.PodSpec{DNSPolicy: str(tc.policy), HostNetwork: spec.Bool{V: tc.host, Set: tc.host}}
		if tc.servers != nil {
			ps.DNSConfig = &spec.PodDNSConfig{}
			for _, s := range tc.servers {
				ps.DNSConfig.Nameservers = append(ps.DNSConfig.Nameservers, str(s))
			}
		}
		r := resolverOf(&graph.Workload{Spec: &spec.PodTemplate{Spec: ps}})
		if r.cluster != tc.cluster || r.node != tc.node || !slices.Equal(r.cidrs, tc.cidrs) {
			t.Errorf("dnsPolicy %q, hostNetwork %v, nameservers %v: got cluster %v, node %v, %v; want %v, %v, %v",
				tc.policy, tc.host, tc.servers, r.cluster, r.node, r.cidrs, tc.cluster, tc.node, tc.cidrs)
		}
	}
}
