package validation

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// specNode parses src as a spec.
func specNode(t *testing.T, src string) node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	n := deref(doc.Content[0])
	return node{n: n, root: n}
}

const walkSpec = `
http:
- match:
  - headers: {x-a: {exact: a}}
  route:
  - destination: {host: r, port: {number: 80}}
  corsPolicy: {allowHeaders: [x-b, 1]}
tcp: []
`

// TestWhere checks the paths of present and absent nodes, absent ones
// below absent ones included: an absent node keeps its keys apart, and
// joins those past its slots.
func TestWhere(t *testing.T) {
	s := specNode(t, walkSpec)
	r := s.get("http").item(0)
	dest := r.get("route").item(0).get("destination")
	for _, c := range []struct {
		x    node
		want string
	}{
		{dest.get("port").get("number"), "http[0].route[0].destination.port.number"},
		{dest.get("host").get("x").get("y"), "http[0].route[0].destination.host.x.y"},
		{r.get("fault").get("delay").get("fixedDelay"), "http[0].fault.delay.fixedDelay"},
		{r.get("a").get("b").get("c").get("d"), "http[0].a.b.c.d"},
		{r.get("a").get("b").get("c").get("d").get("e").get("f"), "http[0].a.b.c.d.e.f"},
		{s.get("tcp").get("x"), "tcp.x"},
		{s.get("a"), "a"},
		{node{}.get("a").get("b").get("c").get("d").get("e"), "a.b.c.d.e"},
	} {
		if got := c.x.where(); got != c.want {
			t.Errorf("where() = %q, want %q", got, c.want)
		}
	}
}

// TestWalkDoesNotAllocate checks that walking a spec, through absent
// fields too, allocates nothing: the local rules walk every object while
// its file is loaded, and their garbage cost collections on large trees.
func TestWalkDoesNotAllocate(t *testing.T) {
	s := specNode(t, walkSpec)
	var n int
	allocs := testing.AllocsPerRun(100, func() {
		for r := range s.get("http").items() {
			for m := range r.get("match").items() {
				for e := range m.get("headers").entries() {
					n += len(e.key)
				}
			}
			for d := range r.get("route").items() {
				if _, ok := d.get("destination").get("port").get("number").int(); ok {
					n++
				}
			}
			tcp := r.get("connectionPool").get("tcp")
			if tcp.get("tcpKeepalive").get("time").ok() || r.get("headers").get("request").hasEntries() {
				n++
			}
			for x := range r.get("corsPolicy").get("allowHeaders").strs() {
				v, _ := x.str()
				n += len(v)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("a walk allocates %v times, want 0", allocs)
	}
	if n == 0 {
		t.Error("the walk saw nothing")
	}
}

// TestEntriesWithMerges checks that entries yields what yamlpath.Entries
// does, merge keys or not, and that hasEntries counts merged entries.
func TestEntriesWithMerges(t *testing.T) {
	s := specNode(t, `
base: &base {x: 1, y: 2}
none: &none {}
plain: {b: 1, a: 2}
merged: {<<: *base, y: 3, z: 4}
onlyEmpty: {<<: *none}
onlyMerged: {<<: [*none, *base]}
anchored: {&merge <<: *base, q: 1}
aliasKey: {*merge : *base, w: 2}
`)
	for _, k := range []string{"plain", "merged", "onlyEmpty", "onlyMerged", "anchored", "aliasKey", "absent"} {
		x := s.get(k)
		var got, want []string
		for e := range x.entries() {
			got = append(got, fmt.Sprintf("%s@%d:%d", e.key, e.keyLoc.Line, e.keyLoc.Col))
		}
		for k := range yamlpath.Entries(x.n) {
			want = append(want, fmt.Sprintf("%s@%d:%d", k.Value, k.Line, k.Column))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: entries %v, want %v", k, got, want)
		}
		if x.hasEntries() != (len(want) > 0) {
			t.Errorf("%s: hasEntries() = %v with %d entries", k, x.hasEntries(), len(want))
		}
	}
	// A loop that stops early stops the walk, merged entries too.
	for _, k := range []string{"plain", "merged"} {
		n := 0
		for range s.get(k).entries() {
			n++
			break
		}
		if n != 1 {
			t.Errorf("%s: a loop that breaks saw %d entries", k, n)
		}
	}
}

// words are inputs to the helpers that skip a call whose error would be
// allocated: they must answer as the call does.
var words = []string{
	"", "+", "-", "0", "7", "00012", "+12", "-12", "1_000", "0x10", "1e3",
	"99999999999999999999", "-9223372036854775808", " 1", "1 ", "5xx", "٣",
	"1.2.3.4", "01.2.3.4", "1.2.3", "1.2.3.4.5", "::1", "::ffff:1.2.3.4",
	"fe80::1%eth0", "1.2.3.4%eth0", "%eth0", "example.com", "*.example.com",
	".", "..", "a.", "a..", "a.b", "a.123", "a.+1", "a.-1", "a.1_0", "a_b.c",
	"-a.b", "a.b.", ".a", "reviews.shop.svc.cluster.local", "a.99999999999999999999",
}

func TestAtoi(t *testing.T) {
	for _, w := range words {
		n, ok := atoi(w)
		wantN, err := strconv.Atoi(w)
		if ok != (err == nil) || ok && n != wantN {
			t.Errorf("atoi(%q) = %d, %v; strconv.Atoi: %d, %v", w, n, ok, wantN, err)
		}
	}
}

func TestIsIP(t *testing.T) {
	for _, w := range words {
		_, err := netip.ParseAddr(w)
		if got := isIP(w); got != (err == nil) {
			t.Errorf("isIP(%q) = %v; netip.ParseAddr: %v", w, got, err)
		}
	}
}

// TestValidateDNS1123Labels checks the function against the form Istio
// writes it in, which splits the domain.
func TestValidateDNS1123Labels(t *testing.T) {
	istio := func(domain string) error {
		parts := strings.Split(domain, ".")
		tld := parts[len(parts)-1]
		if _, err := strconv.Atoi(tld); err == nil {
			return fmt.Errorf("domain name %q is invalid: top-level domain %q cannot be all-numeric", domain, tld)
		}
		for i, l := range parts {
			if i == len(parts)-1 && l == "" {
				return nil
			}
			if !isDNS1123Label(l) {
				return fmt.Errorf("domain name %q is invalid: label %q is not a DNS-1123 label", domain, l)
			}
		}
		return nil
	}
	for _, w := range words {
		if got, want := fmt.Sprint(validateDNS1123Labels(w)), fmt.Sprint(istio(w)); got != want {
			t.Errorf("validateDNS1123Labels(%q) = %s, want %s", w, got, want)
		}
	}
}

// TestFieldsMatchGet holds node.fields and field, which look keys up
// without yamlpath.Lookup, to what yamlpath finds: the written key before
// a merged one, the first merge source before the next, aliases resolved,
// the first of a key written twice, and an absent key's path.
func TestFieldsMatchGet(t *testing.T) {
	s := specNode(t, `
base: &b {tls: {mode: SIMPLE}, tunnel: {protocol: POST}}
other: &o {tunnel: {protocol: CONNECT}, portLevelSettings: []}
alias: &a {http: {}}
plain: {tls: {mode: MUTUAL}, connectionPool: *a, tls: 3}
merged:
  <<: [*b, *o]
  tls: {mode: DISABLE}
  outlierDetection: ~
scalar: 5
`)
	keys := []string{"tls", "tunnel", "portLevelSettings", "connectionPool", "outlierDetection", "loadBalancer"}
	for _, name := range []string{"plain", "merged", "scalar", "missing"} {
		x := s.get(name)
		out := make([]*yaml.Node, len(keys))
		x.fields(keys, out)
		for i, k := range keys {
			want, got := x.get(k), x.at(k, out[i])
			if x.isMap() {
				_, v := yamlpath.Lookup(x.n, k)
				if want.n != v {
					t.Errorf("%s: get(%s) = %v, yamlpath finds %v", name, k, want.n, v)
				}
			}
			if got.n != want.n || got.where() != want.where() {
				t.Errorf("%s: fields[%s] = %v at %q, get finds %v at %q", name, k, got.n, got.where(), want.n, want.where())
			}
		}
	}
	if got, _ := s.get("merged").get("tls").get("mode").str(); got != "DISABLE" {
		t.Errorf("merged tls mode = %q, want the written DISABLE", got)
	}
	if got, _ := s.get("merged").get("tunnel").get("protocol").str(); got != "POST" {
		t.Errorf("merged tunnel protocol = %q, want the first source's POST", got)
	}
}
