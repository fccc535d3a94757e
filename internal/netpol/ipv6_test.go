package netpol

import (
	"slices"
	"strings"
	"testing"
)

// ipv6Cases check that the address families are apart: an IPv6 ipBlock or
// network allows or denies IPv6 addresses only, an IPv4 one IPv4 only.
var ipv6Cases = []struct {
	name   string
	yaml   string
	checks []check
}{
	{
		name: "an IPv6 ipBlock matches IPv6 addresses only, with its exceptions",
		yaml: dep("s", "web", "app=web", "") + dep("s", "pod", "app=pod", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: s}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}}]
  egress:
  - to: [{ipBlock: {cidr: "::/0", except: ["fd00::/8"]}}]
    ports: [{port: 443}]
`,
		checks: []check{
			{"ext:2001:db8::1/128", "s/web", all, ""}, {"ext:2001:db8:1::5/128", "s/web", none, ""},
			{"ext:2001:db9::/32", "s/web", none, ""}, {"ext:2001:db8::/32", "s/web", none, ""},
			{"ext:2001:db8:2::/48", "s/web", all, ""},
			// No IPv4 address is in an IPv6 block.
			{"ext:0.0.0.0/0", "s/web", none, ""}, {"ext:32.1.13.184/32", "s/web", none, ""}, {"ext:0.0.0.0/32", "s/web", none, ""},
			{"s/web", "ext:2606:4700::1111/128", "TCP 443", ""}, {"s/web", "ext:fd00::1/128", none, ""},
			{"s/web", "ext:::/0", none, ""}, {"s/web", "ext:1.1.1.1/32", none, ""}, {"s/web", "ext:0.0.0.0/0", none, ""},
			// ipBlocks never match pods.
			{"s/pod", "s/web", none, ""}, {"s/web", "s/pod", none, ""},
			// An unisolated pod talks to every address of both families.
			{"s/pod", "ext:::/0", all, ""}, {"ext:::/0", "s/pod", all, ""},
		},
	},
	{
		name: "an IPv4 ipBlock holds no IPv6 address",
		yaml: dep("s", "web", "app=web", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: s}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
`,
		checks: []check{
			{"s/web", "ext:0.0.0.0/0", all, ""}, {"s/web", "ext:::/0", none, ""}, {"s/web", "ext:::ffff:0:0/96", none, ""},
		},
	},
	{
		name: "admin networks of one family neither allow nor deny the other",
		yaml: dep("v4", "x", "app=x", "") + dep("v6", "y", "app=y", "") + dep("o", "z", "app=z", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-v4}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: v4}}}
  egress:
  - {action: Deny, to: [{networks: ["0.0.0.0/0"]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-v6}
spec:
  priority: 2
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: v6}}}
  egress:
  - {action: Allow, to: [{networks: ["2001:db8::/32"]}]}
  - {action: Deny, to: [{networks: ["::/0"]}]}
`,
		checks: []check{
			// 0.0.0.0/0 holds every pod address too; ::/0 none, pod
			// traffic being taken as IPv4.
			{"v4/x", "ext:8.8.8.8/32", none, ""}, {"v4/x", "o/z", none, ""}, {"v4/x", "ext:2001:db8::1/128", all, ""},
			{"v6/y", "ext:2001:db8::1/128", all, ""}, {"v6/y", "ext:2001:db9::1/128", none, ""}, {"v6/y", "ext:::/0", none, ""},
			{"v6/y", "ext:8.8.8.8/32", all, ""}, {"v6/y", "o/z", all, ""},
		},
	},
}

func TestIPv6Ranges(t *testing.T) {
	r, err := ParseCIDR6("2001:db8::7/32")
	if err != nil || r.String() != "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff" || r.Short() != "2001:db8::/32" {
		t.Errorf("ParseCIDR6: %v %v (%s)", r, err, r.Short())
	}
	if r, err := ParseCIDR6("::/0"); err != nil || r != AllIPv6 || r.Short() != "::/0" {
		t.Errorf("::/0: %v %v", r, err)
	}
	if r, _ := ParseCIDR6("fd00::1/128"); r.Short() != "fd00::1" {
		t.Errorf("single address: %s", r.Short())
	}
	if _, err := ParseCIDR6("10.0.0.0/8"); err == nil {
		t.Error("IPv4 CIDR read as IPv6")
	}
	if _, err := ParseCIDR6("fd00::/129"); err == nil {
		t.Error("bad CIDR accepted")
	}
	mustCIDR6 := func(s string) IPv6Range {
		r, err := ParseCIDR6(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	v4, _, _ := ParseCIDR("10.0.0.0/8")
	blocks := []ipBlock{
		{v6: true, cidr6: mustCIDR6("fd00::/8"), except6: []IPv6Range{mustCIDR6("fd00::/16")}},
		{v6: true, cidr6: mustCIDR6("fd00:1::/32")},
		{cidr: v4},
	}
	var got []string
	for _, r := range partition6(blocks, AllIPv6) {
		got = append(got, r.Short())
	}
	want := []string{
		"::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fd00::/32", "fd00:1::/32", "fd00:2::-fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"fd01::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::/7",
	}
	if !slices.Equal(got, want) {
		t.Errorf("partition6:\n got %s\nwant %s", strings.Join(got, " "), strings.Join(want, " "))
	}
	// The IPv4 block does not cut the IPv6 span, nor the IPv6 ones the
	// IPv4 span.
	if p := partition(blocks, AllIPs); len(p) != 3 {
		t.Errorf("partition: %v", p)
	}
	if blocks[0].containsRange(v4) || blocks[2].containsRange6(AllIPv6) || !blocks[0].containsRange6(mustCIDR6("fd01::/16")) ||
		blocks[0].containsRange6(mustCIDR6("fd00::/12")) {
		t.Error("containsRange across families")
	}
}

func TestIPv6Destinations(t *testing.T) {
	a, _ := analyze(t, dep("s", "web", "app=web", "")+`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: s}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: "2001:db8::/32"}}, {ipBlock: {cidr: 10.0.0.0/8}}]
`)
	var got []string
	for _, r := range a.ExternalDestinations6() {
		got = append(got, r.Short())
	}
	want := []string{"::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32", "2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}
	if !slices.Equal(got, want) {
		t.Errorf("ExternalDestinations6: got %v, want %v", got, want)
	}
	if n := len(a.ExternalDestinations()); n != 3 {
		t.Errorf("ExternalDestinations: %d ranges, want 3", n)
	}
	if n := len(a.ExternalSources6()); n != 1 {
		t.Errorf("ExternalSources6: %d ranges, want 1", n)
	}
	if s := ExternalEndpoint6(AllIPv6).String(); s != "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]" {
		t.Errorf("String: %s", s)
	}
}
