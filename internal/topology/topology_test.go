package topology

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// load builds the topology of the files or folders paths.
func load(t *testing.T, paths ...string) *Topology {
	t.Helper()
	res := manifest.Load(paths, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("load %v: %v", paths, res.Errors[0])
	}
	return Of(graph.Build(res.Objects, config.DefaultMesh()))
}

// describe writes the nodes and edges one a line, as "column kind
// namespace/name[subset] file:line" and "from -> to".
func describe(tp *Topology) []string {
	var out []string
	name := func(n *Node) string {
		s := fmt.Sprintf("%d %s %s/%s", n.Column, n.Kind, n.Namespace, n.Name)
		if n.Subset != "" {
			s += "[" + n.Subset + "]"
		}
		if n.Host != "" {
			s += " host=" + n.Host
		}
		if n.Missing {
			s += " missing"
		}
		return s
	}
	for i := range tp.Nodes {
		n := &tp.Nodes[i]
		pos := ""
		if n.File != "" {
			pos = fmt.Sprintf(" %s:%d", filepath.Base(n.File), n.Loc.Line)
		}
		out = append(out, name(n)+pos)
	}
	for _, e := range tp.Edges {
		out = append(out, name(&tp.Nodes[e.From])+" -> "+name(&tp.Nodes[e.To]))
	}
	return out
}

func TestExamples(t *testing.T) {
	tp := load(t, "../../examples")
	want := []string{
		"0 Gateway istio-ingress/public-gateway ingress.yaml:52",
		"0 Gateway shop/public-gateway missing",
		"1 VirtualService shop/productpage productpage.yaml:39",
		"1 VirtualService shop/ratings ratings.yaml:35",
		"1 VirtualService shop/reviews reviews.yaml:75",
		"2 Service istio-ingress/istio-ingressgateway ingress.yaml:35",
		"2 Service payments/payments payments.yaml:42",
		"2 Service payments/postgres payments.yaml:74",
		"2 Service shop/productpage productpage.yaml:27",
		"2 Service shop/ratings ratings.yaml:23",
		"2 Service shop/reviews reviews.yaml:42",
		"3 DestinationRule shop/[canary] host=ratings.shop.svc.cluster.local missing",
		"3 DestinationRule shop/ratings[v1] ratings.yaml:57",
		"3 DestinationRule shop/reviews[v1] reviews.yaml:62",
		"3 DestinationRule shop/reviews[v2] reviews.yaml:65",
		"3 DestinationRule shop/reviews[v3] reviews.yaml:68",
		// The planted MR201: productpage names a gateway of its own
		// namespace, which does not exist.
		"0 Gateway shop/public-gateway missing -> 1 VirtualService shop/productpage",
		"1 VirtualService shop/productpage -> 2 Service shop/productpage",
		"1 VirtualService shop/ratings -> 2 Service shop/ratings",
		"1 VirtualService shop/reviews -> 2 Service shop/reviews",
		// The planted MR103: subset canary, which no rule defines.
		"2 Service shop/ratings -> 3 DestinationRule shop/[canary] host=ratings.shop.svc.cluster.local missing",
		"2 Service shop/ratings -> 3 DestinationRule shop/ratings[v1]",
		"2 Service shop/reviews -> 3 DestinationRule shop/reviews[v1]",
		"2 Service shop/reviews -> 3 DestinationRule shop/reviews[v2]",
		"2 Service shop/reviews -> 3 DestinationRule shop/reviews[v3]",
	}
	if got := describe(tp); !slices.Equal(got, want) {
		t.Errorf("topology of examples/:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tp.TotalNodes != len(tp.Nodes) || tp.TotalEdges != len(tp.Edges) || tp.Namespaces != 3 || tp.OmittedNamespaces != 0 {
		t.Errorf("counts: %d/%d nodes, %d/%d edges, %d namespaces, %d omitted",
			len(tp.Nodes), tp.TotalNodes, len(tp.Edges), tp.TotalEdges, tp.Namespaces, tp.OmittedNamespaces)
	}
	// Deterministic: another build of the same input gives the same
	// topology, whatever the order of maps.
	for range 3 {
		if again := load(t, "../../examples"); !reflect.DeepEqual(again, tp) {
			t.Fatal("two extractions of examples/ differ")
		}
	}
}

func TestLocator(t *testing.T) {
	tp := load(t, "../../examples")
	dir := "../../examples/shop/"
	obj := func(kind, ns, name string) *manifest.Object {
		o := &manifest.Object{Kind: "DestinationRule", Group: "networking.istio.io", Namespace: ns, Name: name}
		if kind != "DestinationRule" {
			o.Kind = "VirtualService"
		}
		return o
	}
	label := func(is []int) []string {
		var out []string
		for _, i := range is {
			n := &tp.Nodes[i]
			out = append(out, fmt.Sprintf("%s %s/%s[%s]", n.Kind, n.Namespace, n.Name, n.Subset))
		}
		return out
	}
	locate := tp.Locator()
	for _, c := range []struct {
		obj  *manifest.Object
		pos  manifest.Pos
		want []string
	}{
		// MR104 on the name of subset v3.
		{obj("DestinationRule", "shop", "reviews"), manifest.Pos{File: dir + "reviews.yaml", Loc: manifest.Loc{Line: 68, Col: 11}},
			[]string{"DestinationRule shop/reviews[v3]"}},
		// Inside subset v1's labels, before v2.
		{obj("DestinationRule", "shop", "reviews"), manifest.Pos{File: dir + "reviews.yaml", Loc: manifest.Loc{Line: 64, Col: 16}},
			[]string{"DestinationRule shop/reviews[v1]"}},
		// MR303 on the rule's trafficPolicy, above its subsets: the
		// service of its host.
		{obj("DestinationRule", "shop", "ratings"), manifest.Pos{File: dir + "ratings.yaml", Loc: manifest.Loc{Line: 55, Col: 13}},
			[]string{"Service shop/ratings[]"}},
		// After the last subset, less indented than its entries: a key
		// of the rule's spec.
		{obj("DestinationRule", "shop", "reviews"), manifest.Pos{File: dir + "reviews.yaml", Loc: manifest.Loc{Line: 71, Col: 3}},
			[]string{"Service shop/reviews[]"}},
		// A position in another file is in no subset.
		{obj("DestinationRule", "shop", "reviews"), manifest.Pos{File: dir + "other.yaml", Loc: manifest.Loc{Line: 64, Col: 16}},
			[]string{"Service shop/reviews[]"}},
		{obj("VirtualService", "shop", "ratings"), manifest.Pos{File: dir + "ratings.yaml", Loc: manifest.Loc{Line: 44, Col: 17}},
			[]string{"VirtualService shop/ratings[]"}},
		{obj("VirtualService", "shop", "nosuch"), manifest.Pos{}, nil},
		{nil, manifest.Pos{}, nil},
	} {
		if got := label(locate(c.obj, c.pos)); !slices.Equal(got, c.want) {
			t.Errorf("Locate(%v, %v) = %q, want %q", c.obj, c.pos, got, c.want)
		}
	}
}

// TestGatewayAPI checks Gateway API gateways and routes, their backends,
// and the references to what the input does not hold.
func TestGatewayAPI(t *testing.T) {
	dir := t.TempDir()
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}, {name: gone, namespace: infra}]
  rules:
  - backendRefs: [{name: cart, port: 80}, {name: nosuch, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  ports: [{port: 80}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments-api, namespace: shop}
spec:
  hosts: [api.payments.example]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: egress, namespace: shop}
spec:
  hosts: [api.payments.example]
  tls:
  - match: [{sniHosts: [api.payments.example]}]
    route: [{destination: {host: api.payments.example}}]
`
	file := filepath.Join(dir, "gatewayapi.yaml")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := describe(load(t, file))
	want := []string{
		"0 Gateway infra/gone missing",
		"0 Gateway infra/web gatewayapi.yaml:3",
		"1 VirtualService shop/egress gatewayapi.yaml:32",
		"1 HTTPRoute shop/shop gatewayapi.yaml:10",
		"2 Service shop/cart gatewayapi.yaml:18",
		"2 Service shop/nosuch missing",
		"2 ServiceEntry shop/payments-api host=api.payments.example gatewayapi.yaml:24",
		"0 Gateway infra/gone missing -> 1 HTTPRoute shop/shop",
		"0 Gateway infra/web -> 1 HTTPRoute shop/shop",
		"1 VirtualService shop/egress -> 2 ServiceEntry shop/payments-api host=api.payments.example",
		"1 HTTPRoute shop/shop -> 2 Service shop/cart",
		"1 HTTPRoute shop/shop -> 2 Service shop/nosuch missing",
	}
	if !slices.Equal(got, want) {
		t.Errorf("topology:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// chain is a topology of n gateways, each with a route, a service and a
// subset, one namespace each: ns<i>.
func chain(n int) *Topology {
	tp := &Topology{}
	for i := range n {
		ns := fmt.Sprintf("ns%03d", i)
		base := len(tp.Nodes)
		for c := Gateways; c <= Subsets; c++ {
			tp.Nodes = append(tp.Nodes, Node{Column: c, Kind: "K", Namespace: ns, Name: fmt.Sprint(c)})
			if c > Gateways {
				tp.Edges = append(tp.Edges, Edge{From: base + int(c) - 1, To: base + int(c)})
			}
		}
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), n
	return tp
}

func TestLimit(t *testing.T) {
	full := chain(100)
	if got := full.Limit(400, nil); got != full {
		t.Error("Limit cut a topology within the budget")
	}
	// Whole paths from the first gateways; then the preferred ones first,
	// with what leads to them and what they lead to.
	for _, c := range []struct {
		max    int
		prefer func(i int) bool
		want   []string // namespaces kept, in order
	}{
		{8, nil, []string{"ns000", "ns001"}},
		{10, nil, []string{"ns000", "ns001", "ns002"}}, // the third path cut after its service
		// Node 4*50+2 is the service of ns050.
		{8, func(i int) bool { return i == 4*50+2 }, []string{"ns000", "ns050"}},
	} {
		got := full.Limit(c.max, c.prefer)
		if len(got.Nodes) != c.max {
			t.Errorf("Limit(%d): %d nodes", c.max, len(got.Nodes))
		}
		var nss []string
		for _, n := range got.Nodes {
			if len(nss) == 0 || nss[len(nss)-1] != n.Namespace {
				nss = append(nss, n.Namespace)
			}
		}
		if !slices.Equal(nss, c.want) {
			t.Errorf("Limit(%d) kept namespaces %v, want %v", c.max, nss, c.want)
		}
		if got.TotalNodes != 400 || got.TotalEdges != 300 || got.Namespaces != 100 || got.OmittedNamespaces != 100-len(c.want) {
			t.Errorf("Limit(%d): totals %d nodes, %d edges, %d namespaces, %d omitted", c.max,
				got.TotalNodes, got.TotalEdges, got.Namespaces, got.OmittedNamespaces)
		}
		// Edges join kept nodes, renumbered.
		for _, e := range got.Edges {
			if e.From >= len(got.Nodes) || e.To >= len(got.Nodes) || got.Nodes[e.From].Namespace != got.Nodes[e.To].Namespace {
				t.Errorf("Limit(%d): edge %v does not join two nodes of a path", c.max, e)
			}
		}
	}
	// The preferred path is whole: gateway, route, service, subset.
	got := full.Limit(8, func(i int) bool { return i == 4*50+2 })
	var cols []Column
	for _, n := range got.Nodes {
		if n.Namespace == "ns050" {
			cols = append(cols, n.Column)
		}
	}
	if !slices.Equal(cols, []Column{Gateways, Routes, Services, Subsets}) {
		t.Errorf("the preferred path kept columns %v", cols)
	}
	if len(got.Edges) != 6 {
		t.Errorf("%d edges kept, want 6", len(got.Edges))
	}
}

// describeEdges is describe's edges, with their kind when it is not Leads.
func describeEdges(tp *Topology) []string {
	var out []string
	name := func(n *Node) string {
		s := fmt.Sprintf("%s %s/%s", n.Kind, n.Namespace, n.Name)
		if n.Subset != "" {
			s += "[" + n.Subset + "]"
		}
		if n.Host != "" {
			s += " host=" + n.Host
		}
		if n.Missing {
			s += " missing"
		}
		return s
	}
	for _, e := range tp.Edges {
		s := name(&tp.Nodes[e.From]) + " -> " + name(&tp.Nodes[e.To])
		switch e.Kind {
		case Mirror:
			s += " (mirror)"
		case Delegate:
			s += " (delegate)"
		}
		out = append(out, s)
	}
	return out
}

// TestRouteEdges checks the edges that the graph's resolved references do
// not give: no gateway that only match entries name (Istio binds a
// VirtualService through spec.gateways alone), mirrors (Istio's mirror and
// mirrors, Gateway API RequestMirror filters), delegates (found and not),
// wildcard destination hosts, and the subsets of a wildcard DestinationRule,
// also under the service of a destination that names one.
func TestRouteEdges(t *testing.T) {
	dir := t.TempDir()
	src := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/*"]}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 81, name: http, protocol: HTTP}, hosts: ["*/*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [infra/public]
  http:
  - match: [{uri: {prefix: /admin}, gateways: [infra/internal, mesh]}]
    route: [{destination: {host: cart}}]
    mirror: {host: audit}
  - match: [{gateways: [infra/gone]}]
    route: [{destination: {host: cart}}]
    mirrors: [{destination: {host: cart}}, {destination: {host: shadow, subset: v2}}]
  - delegate: {name: api}
  - delegate: {name: nosuch, namespace: other}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  http:
  - route: [{destination: {host: "*.wiki.example"}}]
  - route: [{destination: {host: shadow, subset: v2}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: everything, namespace: shop}
spec:
  host: "*.cluster.local"
  subsets: [{name: v2, labels: {version: v2}}, {name: unused, labels: {version: x}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wiki, namespace: shop}
spec:
  hosts: ["*.wiki.example"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: NONE
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: audit, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: shadow, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  rules:
  - backendRefs: [{name: cart, port: 80}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: audit, port: 80}}}]
`
	file := filepath.Join(dir, "routes.yaml")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	tp := load(t, file)
	got := describeEdges(tp)
	want := []string{
		"Gateway infra/public -> VirtualService shop/front",
		"VirtualService shop/api -> Service shop/shadow",
		"VirtualService shop/api -> ServiceEntry shop/wiki host=*.wiki.example",
		"VirtualService shop/front -> VirtualService other/nosuch missing (delegate)",
		"VirtualService shop/front -> VirtualService shop/api (delegate)",
		"VirtualService shop/front -> Service shop/audit (mirror)",
		"VirtualService shop/front -> Service shop/cart",
		"VirtualService shop/front -> Service shop/cart (mirror)",
		"VirtualService shop/front -> Service shop/shadow (mirror)",
		"HTTPRoute shop/web -> Service shop/audit (mirror)",
		"HTTPRoute shop/web -> Service shop/cart",
		"DestinationRule shop/everything host=*.cluster.local -> DestinationRule shop/everything[unused]",
		"DestinationRule shop/everything host=*.cluster.local -> DestinationRule shop/everything[v2]",
		"Service shop/shadow -> DestinationRule shop/everything[v2]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The wildcard rule stands for the service its subset is drawn under,
	// and no other, where its own node is not drawn.
	var stands []string
	for _, s := range tp.Stands {
		stands = append(stands, fmt.Sprintf("%s %s/%s -> %s", s.Kind, s.Namespace, s.Name, tp.Nodes[s.Node].Name))
	}
	if want := []string{"DestinationRule shop/everything -> shadow"}; !slices.Equal(stands, want) {
		t.Errorf("stands %q, want %q", stands, want)
	}
}

// TestDelegateMergeDrops checks that the http routes of a delegate that
// every root's merge drops (a match outside the root's) are not drawn:
// neither their destinations, nor their mirrors, nor the gateways their
// match entries name; that a route one root of several merges is; and that
// a delegate that nothing in the input names is drawn as written, its root
// being elsewhere (TestDelegateUnserved has the rest).
func TestDelegateMergeDrops(t *testing.T) {
	dir := t.TempDir()
	src := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api-root, namespace: shop}
spec:
  hosts: [api.example.com]
  http:
  - match: [{uri: {prefix: /api}}]
    delegate: {name: leaf}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web-root, namespace: shop}
spec:
  hosts: [web.example.com]
  http:
  - match: [{uri: {prefix: /web}}]
    delegate: {name: leaf}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /api/v1}}]
    route: [{destination: {host: v1}}]
  - match: [{uri: {prefix: /web/static}}]
    route: [{destination: {host: static}}]
  - match: [{uri: {prefix: /old}, gateways: [infra/internal]}]
    route: [{destination: {host: old}}]
    mirror: {host: audit}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orphan, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /old}}]
    route: [{destination: {host: old}}]
`
	for _, name := range []string{"v1", "static", "old", "audit"} {
		src += fmt.Sprintf("---\napiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: shop}\nspec: {ports: [{port: 80}]}\n", name)
	}
	file := filepath.Join(dir, "delegates.yaml")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := describeEdges(load(t, file))
	want := []string{
		"VirtualService shop/api-root -> VirtualService shop/leaf (delegate)",
		"VirtualService shop/leaf -> Service shop/static",
		"VirtualService shop/leaf -> Service shop/v1",
		"VirtualService shop/orphan -> Service shop/old",
		"VirtualService shop/web-root -> VirtualService shop/leaf (delegate)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// services writes a Service of each namespace/name.
func services(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		ns, name, _ := strings.Cut(n, "/")
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec: {ports: [{port: 80}]}\n", name, ns)
	}
	return b.String()
}

// loadSource builds the topology of src, of the closed world or not.
func loadSource(t *testing.T, src string, closed bool) *Topology {
	t.Helper()
	file := filepath.Join(t.TempDir(), "input.yaml")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{file}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("load: %v", res.Errors[0])
	}
	mesh := config.DefaultMesh()
	mesh.ClosedWorld = closed
	return Of(graph.Build(res.Objects, mesh))
}

// unservedNodes lists the route nodes that serve nothing, as
// "namespace/name: why".
func unservedNodes(tp *Topology) []string {
	var out []string
	for i := range tp.Nodes {
		if n := &tp.Nodes[i]; n.Unserved != "" {
			out = append(out, n.Namespace+"/"+n.Name+": "+n.Unserved)
		}
	}
	return out
}

// TestDelegateUnserved checks that a delegate no root merges is drawn
// without edges, and marked unserved with why, where the input shows it
// serves nothing: named only by another delegate (Istio supports one
// level), by a root it is not exported to, or by a root that validation
// rejects; merged, with every route dropped (its match conflicts with the
// root's, or names only gateways the root is not bound to); and, in a
// closed world, named by nothing. A VirtualService that validation rejects (a delegate with
// gateways, tcp routes or a delegate route of its own, a root route that
// also routes) serves nothing either, though a root merges it. A route
// delegating to a VirtualService with hosts (which Istio does not take as
// a delegate) is not drawn.
func TestDelegateUnserved(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front, namespace: shop}
spec:
  hosts: [shop.example.com]
  http:
  - match: [{uri: {prefix: /a}}]
    delegate: {name: hidden, namespace: team}
  - match: [{uri: {prefix: /b}}]
    delegate: {name: leaf}
  - match: [{uri: {prefix: /c}}]
    delegate: {name: hosted}
  - match: [{uri: {prefix: /d}}]
    delegate: {name: middle}
  - match: [{uri: {prefix: /e}}]
    delegate: {name: tcpleaf}
  - match: [{uri: {prefix: /f}}]
    delegate: {name: gwleaf}
  - match: [{uri: {prefix: /g}}]
    delegate: {name: conflicted}
  - match: [{uri: {prefix: /h}}]
    delegate: {name: offgw}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bad, namespace: shop}
spec:
  hosts: [bad.example.com]
  http:
  - delegate: {name: onlybad}
    route: [{destination: {host: bad-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: hidden, namespace: team}
spec:
  exportTo: [.]
  http:
  - route: [{destination: {host: hidden-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http:
  - route: [{destination: {host: leaf-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: middle, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /d/deeper}}]
    delegate: {name: deeper}
  - route: [{destination: {host: middle-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: deeper, namespace: shop}
spec:
  http:
  - route: [{destination: {host: deeper-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: tcpleaf, namespace: shop}
spec:
  http:
  - route: [{destination: {host: leaf-svc}}]
  tcp:
  - route: [{destination: {host: tcp-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: gwleaf, namespace: shop}
spec:
  gateways: [infra/public]
  http:
  - route: [{destination: {host: leaf-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: conflicted, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /other}}]
    route: [{destination: {host: leaf-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: offgw, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /h}, gateways: [infra/internal]}]
    route: [{destination: {host: leaf-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: onlybad, namespace: shop}
spec:
  http:
  - route: [{destination: {host: leaf-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: hosted, namespace: shop}
spec:
  hosts: [hosted.example.com]
  http:
  - route: [{destination: {host: hosted-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orphan, namespace: shop}
spec:
  http:
  - route: [{destination: {host: orphan-svc}}]
` + services("team/hidden-svc", "shop/leaf-svc", "shop/tcp-svc", "shop/deeper-svc", "shop/middle-svc", "shop/hosted-svc", "shop/orphan-svc", "shop/bad-svc")
	for _, closed := range []bool{false, true} {
		tp := loadSource(t, src, closed)
		want := []string{
			"VirtualService shop/front -> VirtualService shop/conflicted (delegate)",
			"VirtualService shop/front -> VirtualService shop/gwleaf (delegate)",
			"VirtualService shop/front -> VirtualService shop/leaf (delegate)",
			"VirtualService shop/front -> VirtualService shop/middle (delegate)",
			"VirtualService shop/front -> VirtualService shop/offgw (delegate)",
			"VirtualService shop/front -> VirtualService shop/tcpleaf (delegate)",
			"VirtualService shop/front -> VirtualService team/hidden (delegate)",
			"VirtualService shop/hosted -> Service shop/hosted-svc",
			"VirtualService shop/leaf -> Service shop/leaf-svc",
		}
		if !closed {
			// Its root is taken to be outside the input.
			want = append(want, "VirtualService shop/orphan -> Service shop/orphan-svc")
		}
		if got := describeEdges(tp); !slices.Equal(got, want) {
			t.Errorf("closed world %t: edges:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		want = []string{
			"shop/bad: Istio's validation rejects it: http[0] delegates and also routes or redirects itself",
			"shop/conflicted: the routes of the input that delegate to it keep none of its http routes: their match entries conflict with those of the route that delegates",
			"shop/deeper: no route merges it: VirtualService shop/middle, which delegates to it, is a delegate itself, and Istio supports one level of delegation",
			"shop/gwleaf: Istio's validation rejects it: a delegate VirtualService (one without hosts) cannot set gateways",
			"shop/middle: Istio's validation rejects it: http[0] delegates again, but a delegate VirtualService (one without hosts) cannot",
			"shop/offgw: the routes of the input that delegate to it keep none of its http routes: their match entries name only gateways that the VirtualService that delegates is not bound to",
			"shop/onlybad: no route merges it: VirtualService shop/bad, which delegates to it, is rejected by validation",
		}
		if closed {
			want = append(want, "shop/orphan: no VirtualService of the input delegates to it, and closed-world says the input holds every object")
		}
		want = append(want,
			"shop/tcpleaf: Istio's validation rejects it: a delegate VirtualService (one without hosts) cannot set tcp",
			"team/hidden: no route merges it: its exportTo does not include namespace shop of VirtualService shop/front, which delegates to it")
		if got := unservedNodes(tp); !slices.Equal(got, want) {
			t.Errorf("closed world %t: unserved:\n%s\nwant:\n%s", closed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The delegates that serve nothing are still drawn, so that the
		// findings about them are marked; the delegate's own delegation
		// adds no missing node.
		var routes []string
		for i := range tp.Nodes {
			if n := &tp.Nodes[i]; n.Column == Routes {
				routes = append(routes, n.Namespace+"/"+n.Name)
			}
		}
		if want := []string{"shop/bad", "shop/conflicted", "shop/deeper", "shop/front", "shop/gwleaf", "shop/hosted", "shop/leaf", "shop/middle", "shop/offgw", "shop/onlybad", "shop/orphan", "shop/tcpleaf", "team/hidden"}; !slices.Equal(routes, want) {
			t.Errorf("closed world %t: routes %q, want %q", closed, routes, want)
		}
	}
}

// TestAnsweringRoutes checks that the routes that answer requests
// themselves, with a redirect or a directResponse, draw no destinations
// and no mirrors: TranslateRoute builds neither for them. The
// directResponse of a route that delegates is copied into the delegate's
// routes without their own (mergeHTTPRoute), so a delegate route forwards
// only through a root route without one; a route that sets a
// directResponse and a route is rejected by validation, and serves
// nothing. A Gateway API rule with a RequestRedirect filter redirects,
// whatever its backendRefs.
func TestAnsweringRoutes(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: closed, namespace: shop}
spec:
  hosts: [closed.example.com]
  http:
  - directResponse: {status: 503}
    mirror: {host: audit}
    delegate: {name: answered}
  - match: [{uri: {prefix: /both}}]
    directResponse: {status: 503}
    delegate: {name: both}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: open, namespace: shop}
spec:
  hosts: [open.example.com]
  http:
  - match: [{uri: {prefix: /both}}]
    mirror: {host: audit}
    delegate: {name: both}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: answered, namespace: shop}
spec:
  http:
  - route: [{destination: {host: answered-svc}}]
    mirrors: [{destination: {host: audit}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: both, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /both/moved}}]
    redirect: {uri: /elsewhere}
    mirror: {host: audit}
  - route: [{destination: {host: both-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: direct, namespace: shop}
spec:
  hosts: [direct.example.com]
  http:
  - match: [{uri: {prefix: /gone}}]
    directResponse: {status: 410}
    mirror: {host: audit}
  - route: [{destination: {host: direct-svc}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: twice, namespace: shop}
spec:
  hosts: [twice.example.com]
  http:
  - directResponse: {status: 503}
    route: [{destination: {host: twice-svc}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: moved, namespace: shop}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: audit, port: 80}}
    - type: RequestRedirect
      requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}}
    backendRefs: [{name: answered-svc, port: 80}]
  - backendRefs: [{name: direct-svc, port: 80}]
` + services("shop/audit", "shop/answered-svc", "shop/both-svc", "shop/direct-svc", "shop/twice-svc")
	tp := loadSource(t, src, false)
	want := []string{
		"VirtualService shop/both -> Service shop/both-svc",
		"VirtualService shop/closed -> VirtualService shop/answered (delegate)",
		"VirtualService shop/closed -> VirtualService shop/both (delegate)",
		"VirtualService shop/direct -> Service shop/direct-svc",
		"HTTPRoute shop/moved -> Service shop/direct-svc",
		"VirtualService shop/open -> VirtualService shop/both (delegate)",
		"VirtualService shop/open -> Service shop/audit (mirror)",
	}
	if got := describeEdges(tp); !slices.Equal(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	want = []string{"shop/twice: Istio's validation rejects it: http[0] sets both route and directResponse: a route does one of them"}
	if got := unservedNodes(tp); !slices.Equal(got, want) {
		t.Errorf("unserved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDelegateGateways checks the gateways drawn for a delegate: those its
// kept routes' match entries name that the roots are bound to, and no
// other. Istio builds a merged route only on the gateways of the root's
// spec.gateways, so a route whose merged entries name only others serves
// nothing; and a short gateway name resolves in the delegate's namespace.
// (A delegate's own spec.gateways, which validation refuses, leave it
// unserved: TestDelegateUnserved.)
func TestDelegateGateways(t *testing.T) {
	src := ""
	for _, name := range []string{"public", "internal", "partner"} {
		src += fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: %s, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/*"]}]
---
`, name)
	}
	src += `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [infra/public, infra/partner]
  http:
  - match: [{uri: {prefix: /api}}]
    delegate: {name: api}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: inside, namespace: shop}
spec:
  hosts: [api.shop.svc.cluster.local]
  http:
  - delegate: {name: api}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  http:
  - match: [{uri: {prefix: /api/v1}, gateways: [infra/public]}]
    route: [{destination: {host: v1}}]
  - match: [{uri: {prefix: /api/internal}, gateways: [infra/internal]}]
    route: [{destination: {host: internal}}]
  - match: [{uri: {prefix: /api/short}, gateways: [public]}]
    route: [{destination: {host: short}}]
  - match: [{uri: {prefix: /api/mesh}, gateways: [mesh]}]
    route: [{destination: {host: meshonly}}]
` + services("shop/api", "shop/v1", "shop/internal", "shop/short", "shop/meshonly")
	got := describeEdges(loadSource(t, src, false))
	want := []string{
		"Gateway infra/partner -> VirtualService shop/front",
		"Gateway infra/public -> VirtualService shop/api",
		"Gateway infra/public -> VirtualService shop/front",
		"VirtualService shop/api -> Service shop/meshonly",
		"VirtualService shop/api -> Service shop/v1",
		"VirtualService shop/front -> VirtualService shop/api (delegate)",
		"VirtualService shop/inside -> VirtualService shop/api (delegate)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestWildcardRules checks that a DestinationRule with a wildcard host and
// subsets is drawn once, as a node of the services column with all its
// subsets under it, whether or not a destination names them; that a rule
// whose host matches nothing, or that has no subsets, is not drawn, as a
// rule whose host does not resolve is not; and where the findings about
// such a rule are marked.
func TestWildcardRules(t *testing.T) {
	dir := t.TempDir()
	src := `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: shop-wide, namespace: shop}
spec:
  host: "*.shop.svc.cluster.local"
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: external, namespace: shop}
spec:
  host: "*.example.com"
  subsets: [{name: eu, labels: {region: eu}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: nowhere, namespace: shop}
spec:
  host: "*.nowhere.example"
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mtls, namespace: shop}
spec:
  host: "*.shop.svc.cluster.local"
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http:
  - route: [{destination: {host: cart, subset: v1}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: pay, namespace: shop}
spec:
  hosts: [pay.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`
	for _, svc := range []string{"shop/cart", "shop/audit", "other/cart"} {
		ns, name, _ := strings.Cut(svc, "/")
		src += fmt.Sprintf("---\napiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec: {ports: [{port: 80}]}\n", name, ns)
	}
	file := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	tp := load(t, file)
	want := []string{
		"1 VirtualService shop/cart rules.yaml:36",
		"2 Service other/cart rules.yaml:70",
		"2 ServiceEntry shop/api host=api.example.com rules.yaml:44",
		"2 Service shop/audit rules.yaml:65",
		"2 Service shop/cart rules.yaml:60",
		"2 DestinationRule shop/external host=*.example.com rules.yaml:15",
		"2 ServiceEntry shop/pay host=pay.example.com rules.yaml:52",
		"2 DestinationRule shop/shop-wide host=*.shop.svc.cluster.local rules.yaml:3",
		"3 DestinationRule shop/external[eu] rules.yaml:18",
		"3 DestinationRule shop/shop-wide[v1] rules.yaml:8",
		"3 DestinationRule shop/shop-wide[v2] rules.yaml:10",
		"1 VirtualService shop/cart -> 2 Service shop/cart",
		"2 Service shop/cart -> 3 DestinationRule shop/shop-wide[v1]",
		"2 DestinationRule shop/external host=*.example.com -> 3 DestinationRule shop/external[eu]",
		"2 DestinationRule shop/shop-wide host=*.shop.svc.cluster.local -> 3 DestinationRule shop/shop-wide[v1]",
		"2 DestinationRule shop/shop-wide host=*.shop.svc.cluster.local -> 3 DestinationRule shop/shop-wide[v2]",
	}
	if got := describe(tp); !slices.Equal(got, want) {
		t.Errorf("topology:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	matches := map[string]int{}
	for _, n := range tp.Nodes {
		if n.Matches > 0 {
			matches[n.Name] = n.Matches
		}
	}
	if want := map[string]int{"shop-wide": 2, "external": 2}; !reflect.DeepEqual(matches, want) {
		t.Errorf("the wildcard rules match %v, want %v", matches, want)
	}

	// A finding in a subset's entry marks the subset; one elsewhere in
	// the rule, the rule's node; one about a rule that is not drawn,
	// nothing.
	locate := tp.Locator()
	rule := func(name string) *manifest.Object {
		return &manifest.Object{Group: "networking.istio.io", Kind: "DestinationRule", Namespace: "shop", Name: name}
	}
	at := func(line, col int32) manifest.Pos {
		return manifest.Pos{File: file, Loc: manifest.Loc{Line: line, Col: col}}
	}
	for _, c := range []struct {
		obj  *manifest.Object
		pos  manifest.Pos
		want []string
	}{
		{rule("shop-wide"), at(11, 13), []string{"3 DestinationRule shop/shop-wide[v2] rules.yaml:10"}},
		{rule("shop-wide"), at(6, 18), []string{"2 DestinationRule shop/shop-wide host=*.shop.svc.cluster.local rules.yaml:3"}},
		{rule("mtls"), at(30, 18), nil},
		{rule("nowhere"), at(27, 5), nil},
	} {
		var got []string
		for _, i := range locate(c.obj, c.pos) {
			got = append(got, describe(&Topology{Nodes: tp.Nodes[i : i+1]})[0])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Locate(%s, %d:%d) = %q, want %q", c.obj.Name, c.pos.Line, c.pos.Col, got, c.want)
		}
	}
}

// TestWildcardRuleLimit checks that a rule whose wildcard host matches
// every service of a large mesh adds one node and its subsets, not an edge
// to them from each service, and that a limited drawing that keeps a
// subset with a finding first keeps its rule with it, not every service.
func TestWildcardRuleLimit(t *testing.T) {
	const n = 500
	var b strings.Builder
	b.WriteString(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: mesh}
spec:
  host: "*.cluster.local"
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
`)
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%03d, namespace: ns%03d}\nspec: {ports: [{port: 80}]}\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tp := load(t, file)
	if len(tp.Nodes) != n+3 || len(tp.Edges) != 2 {
		t.Fatalf("%d nodes and %d edges, want %d and 2", len(tp.Nodes), len(tp.Edges), n+3)
	}
	v2 := slices.IndexFunc(tp.Nodes, func(n Node) bool { return n.Subset == "v2" })
	got := tp.Limit(300, func(i int) bool { return i == v2 })
	if len(got.Nodes) != 300 {
		t.Errorf("Limit(300) kept %d nodes", len(got.Nodes))
	}
	var kept []string
	for _, n := range got.Nodes {
		if n.Name == "all" {
			kept = append(kept, n.Subset)
		}
	}
	if !slices.Equal(kept, []string{"", "v2"}) {
		t.Errorf("Limit(300) kept the rule's nodes %q, want the rule and subset v2", kept)
	}
}

// idleEdges lists the edges of tp, an idle one with why.
func idleEdges(tp *Topology) []string {
	var out []string
	for i, s := range describeEdges(tp) {
		if why := tp.Edges[i].Idle; why != "" {
			s += " idle: " + why
		}
		out = append(out, s)
	}
	return out
}

// TestIdleEdges checks that a destination that gets no traffic by its
// weight is an idle edge, with why: a VirtualService destination of weight
// 0, written or not, beside others (http and tcp), a Gateway API backendRef
// of weight 0, alone or not; and that a lone destination of weight 0, a
// weighted one, and a service that another route entry sends to alone
// are not.
func TestIdleEdges(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {x-canary: {exact: "1"}}}]
    route:
    - destination: {host: canary}
      weight: 0
    - destination: {host: reviews}
      weight: 100
  - route:
    - destination: {host: reviews}
      weight: 100
    - destination: {host: unweighted}
    - destination: {host: dark}
      weight: 0
  - match: [{uri: {prefix: /canary}}]
    route:
    - destination: {host: canary}
  tcp:
  - route:
    - destination: {host: lone}
      weight: 0
  - route:
    - destination: {host: tcp-live}
      weight: 1
    - destination: {host: tcp-idle}
      weight: 0
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  rules:
  - backendRefs:
    - {name: web, port: 80, weight: 90}
    - {name: web-canary, port: 80, weight: 0}
    - {name: web-default, port: 80}
  - backendRefs:
    - {name: web-dark, port: 80, weight: 0}
` + services("shop/reviews", "shop/canary", "shop/unweighted", "shop/dark", "shop/lone", "shop/tcp-live", "shop/tcp-idle",
		"shop/web", "shop/web-canary", "shop/web-default", "shop/web-dark")
	got := idleEdges(loadSource(t, src, false))
	want := []string{
		"VirtualService shop/reviews -> Service shop/canary",
		"VirtualService shop/reviews -> Service shop/dark idle: weight 0 beside other destinations: no traffic",
		"VirtualService shop/reviews -> Service shop/lone",
		"VirtualService shop/reviews -> Service shop/reviews",
		"VirtualService shop/reviews -> Service shop/tcp-idle idle: weight 0 beside other destinations: no traffic",
		"VirtualService shop/reviews -> Service shop/tcp-live",
		"VirtualService shop/reviews -> Service shop/unweighted idle: no weight beside other destinations, which Istio reads as 0: no traffic",
		"HTTPRoute shop/web -> Service shop/web",
		"HTTPRoute shop/web -> Service shop/web-canary idle: weight 0: no traffic",
		"HTTPRoute shop/web -> Service shop/web-dark idle: weight 0: no traffic",
		"HTTPRoute shop/web -> Service shop/web-default",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestUnusedRootMirrors checks that a root's mirror is drawn only where a
// route its merge keeps that forwards takes it: not when each such route
// sets its own mirror (or mirrors, for the root's mirrors), nor when none
// forwards; still when one route lacks its own, and when the delegate is
// not in the input. mirror and mirrors are copied separately.
func TestUnusedRootMirrors(t *testing.T) {
	root := func(name, mirrorField, delegate string) string {
		return fmt.Sprintf(`---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: %s, namespace: shop}
spec:
  hosts: [%s.example.com]
  http:
  - %s
    delegate: {name: %s}
`, name, name, mirrorField, delegate)
	}
	delegate := func(name, routes string) string {
		return fmt.Sprintf(`---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: %s, namespace: shop}
spec:
  http:
%s`, name, routes)
	}
	src := root("replaced", "mirror: {host: root-audit}", "own-mirror") +
		delegate("own-mirror", `  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: app}}]
    mirror: {host: own-audit}
  - match: [{uri: {prefix: /b}}]
    redirect: {uri: /a}
`) +
		root("taken", "mirror: {host: root-audit}", "one-without") +
		delegate("one-without", `  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: app}}]
    mirror: {host: own-audit}
  - route: [{destination: {host: app}}]
`) +
		root("separate", "mirrors: [{destination: {host: root-audit}}]", "mirror-only") +
		delegate("mirror-only", `  - route: [{destination: {host: app}}]
    mirror: {host: own-audit}
`) +
		root("plural", "mirrors: [{destination: {host: root-audit}}]", "own-mirrors") +
		delegate("own-mirrors", `  - route: [{destination: {host: app}}]
    mirrors: [{destination: {host: own-audit}}]
`) +
		root("answered", "mirror: {host: root-audit}", "redirects") +
		delegate("redirects", `  - redirect: {uri: /elsewhere}
`) +
		root("elsewhere", "mirror: {host: root-audit}", "not-in-input") +
		services("shop/app", "shop/root-audit", "shop/own-audit")
	var got []string
	for _, e := range describeEdges(loadSource(t, src, false)) {
		if strings.HasSuffix(e, "(mirror)") {
			got = append(got, e)
		}
	}
	want := []string{
		"VirtualService shop/elsewhere -> Service shop/root-audit (mirror)",
		"VirtualService shop/mirror-only -> Service shop/own-audit (mirror)",
		"VirtualService shop/one-without -> Service shop/own-audit (mirror)",
		"VirtualService shop/own-mirror -> Service shop/own-audit (mirror)",
		"VirtualService shop/own-mirrors -> Service shop/own-audit (mirror)",
		"VirtualService shop/separate -> Service shop/root-audit (mirror)",
		"VirtualService shop/taken -> Service shop/root-audit (mirror)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mirror edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMirrorPercent checks that a mirror Istio builds for no request is an
// idle edge, with why (route.go's MirrorPercent and MirrorPercentByPolicy:
// "If zero percent is provided explicitly, we should not mirror"):
// mirrorPercentage 0 or without value, read before mirrorPercent; a
// mirrorPercent of 0; a mirrors entry of percentage 0, to which the
// route's mirrorPercentage does not apply; and through a delegate's merge,
// a percentage the root gives a delegate route's mirror, or a delegate
// route gives the root's. A mirror another route entry takes with a
// percentage, a fraction of a percent and no percentage at all are live.
func TestMirrorPercent(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shadow, namespace: shop}
spec:
  hosts: [shadow]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: app}}]
    mirror: {host: zero}
    mirrorPercentage: {value: 0}
  - match: [{uri: {prefix: /b}}]
    route: [{destination: {host: app}}]
    mirror: {host: zero-int}
    mirrorPercent: 0
  - match: [{uri: {prefix: /c}}]
    route: [{destination: {host: app}}]
    mirror: {host: no-value}
    mirrorPercentage: {}
  - match: [{uri: {prefix: /d}}]
    route: [{destination: {host: app}}]
    mirror: {host: read-first}
    mirrorPercentage: {value: 0}
    mirrorPercent: 50
    mirrors:
    - destination: {host: entry-default}
    - destination: {host: entry-zero}
      percentage: {value: 0}
  - match: [{uri: {prefix: /e}}]
    route: [{destination: {host: app}}]
    mirror: {host: small}
    mirrorPercentage: {value: 0.5}
  - match: [{uri: {prefix: /f}}]
    route: [{destination: {host: app}}]
    mirror: {host: zero}
    mirrorPercent: 10
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front, namespace: shop}
spec:
  hosts: [front.example.com]
  http:
  - match: [{uri: {prefix: /off}}]
    mirrorPercentage: {value: 0}
    delegate: {name: takes-root-percent}
  - mirror: {host: root-audit}
    mirrorPercentage: {value: 50}
    delegate: {name: sets-zero}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: takes-root-percent, namespace: shop}
spec:
  http:
  - route: [{destination: {host: app}}]
    mirror: {host: own-audit}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: sets-zero, namespace: shop}
spec:
  http:
  - route: [{destination: {host: app}}]
    mirrorPercentage: {value: 0}
` + services("shop/app", "shop/zero", "shop/zero-int", "shop/no-value", "shop/read-first", "shop/entry-default", "shop/entry-zero",
		"shop/small", "shop/root-audit", "shop/own-audit")
	var got []string
	for _, e := range idleEdges(loadSource(t, src, false)) {
		if strings.Contains(e, "(mirror)") {
			got = append(got, e)
		}
	}
	want := []string{
		"VirtualService shop/front -> Service shop/root-audit (mirror) idle: mirrorPercentage 0 (the delegate route's that takes the mirror): mirrors no request",
		"VirtualService shop/shadow -> Service shop/entry-default (mirror)",
		"VirtualService shop/shadow -> Service shop/entry-zero (mirror) idle: percentage 0: mirrors no request",
		"VirtualService shop/shadow -> Service shop/no-value (mirror) idle: mirrorPercentage without value, which Istio reads as 0: mirrors no request",
		"VirtualService shop/shadow -> Service shop/read-first (mirror) idle: mirrorPercentage 0: mirrors no request",
		"VirtualService shop/shadow -> Service shop/small (mirror)",
		"VirtualService shop/shadow -> Service shop/zero (mirror)",
		"VirtualService shop/shadow -> Service shop/zero-int (mirror) idle: mirrorPercent 0: mirrors no request",
		"VirtualService shop/takes-root-percent -> Service shop/own-audit (mirror) idle: mirrorPercentage 0 (the root route's, which the merge copies into the delegate's): mirrors no request",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mirror edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRequestMirrorPercent checks that a Gateway API RequestMirror edge is
// idle when the filter's percent or fraction makes 0 percent
// (createMirrorFilter, MirrorPercentByPolicy): fraction read before
// percent, its denominator 100 by default; and not for a share above 0,
// without either, or for a denominator of 0 (the API refuses it). The Ref
// of the mirror carries the same reason, and a mirror the same rule also
// makes to the service at a share keeps its edge plain.
func TestRequestMirrorPercent(t *testing.T) {
	src := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{kind: Service, group: "", name: app}]
  rules:
  - backendRefs: [{name: app, port: 80}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: pct-zero, port: 80}, percent: 0}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: pct-half, port: 80}, percent: 50}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: all, port: 80}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: frac-zero, port: 80}, fraction: {numerator: 0}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: frac-den, port: 80}, fraction: {numerator: 0, denominator: 1000}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: frac-small, port: 80}, fraction: {numerator: 1, denominator: 1000}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: frac-first, port: 80}, fraction: {numerator: 0}, percent: 50}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: frac-bad, port: 80}, fraction: {numerator: 0, denominator: 0}}}
  - backendRefs: [{name: app, port: 80}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: twice, port: 80}, percent: 0}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: twice, port: 80}, percent: 5}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: rpc, namespace: shop}
spec:
  parentRefs: [{kind: Service, group: "", name: app}]
  rules:
  - backendRefs: [{name: app, port: 80}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: grpc-zero, port: 80}, percent: 0}}
` + services("shop/app", "shop/pct-zero", "shop/pct-half", "shop/all", "shop/frac-zero", "shop/frac-den", "shop/frac-small",
		"shop/frac-first", "shop/frac-bad", "shop/twice", "shop/grpc-zero")
	tp := loadSource(t, src, false)
	var got []string
	for _, e := range idleEdges(tp) {
		if strings.Contains(e, "(mirror)") {
			got = append(got, e)
		}
	}
	want := []string{
		"GRPCRoute shop/rpc -> Service shop/grpc-zero (mirror) idle: percent 0: mirrors no request",
		"HTTPRoute shop/web -> Service shop/all (mirror)",
		"HTTPRoute shop/web -> Service shop/frac-bad (mirror)",
		"HTTPRoute shop/web -> Service shop/frac-den (mirror) idle: fraction 0/1000: mirrors no request",
		"HTTPRoute shop/web -> Service shop/frac-first (mirror) idle: fraction 0/100: mirrors no request",
		"HTTPRoute shop/web -> Service shop/frac-small (mirror)",
		"HTTPRoute shop/web -> Service shop/frac-zero (mirror) idle: fraction 0/100: mirrors no request",
		"HTTPRoute shop/web -> Service shop/pct-half (mirror)",
		"HTTPRoute shop/web -> Service shop/pct-zero (mirror) idle: percent 0: mirrors no request",
		"HTTPRoute shop/web -> Service shop/twice (mirror)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mirror edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var refs []string
	for _, r := range tp.Refs {
		if r.Kind == Mirror && r.Idle != "" {
			refs = append(refs, tp.Nodes[r.To].Name+": "+r.Idle)
		}
	}
	slices.Sort(refs)
	wantRefs := []string{
		"frac-den: fraction 0/1000: mirrors no request",
		"frac-first: fraction 0/100: mirrors no request",
		"frac-zero: fraction 0/100: mirrors no request",
		"grpc-zero: percent 0: mirrors no request",
		"pct-zero: percent 0: mirrors no request",
		"twice: percent 0: mirrors no request",
	}
	if !slices.Equal(refs, wantRefs) {
		t.Errorf("idle mirror refs:\n%s\nwant:\n%s", strings.Join(refs, "\n"), strings.Join(wantRefs, "\n"))
	}
}

// TestIdleSubsets checks that the edge from a service to a subset is idle
// when every destination that names the subset gets no traffic (weight 0
// beside others, a mirror of 0 percent), of a DestinationRule with a host
// or a wildcard one, or of none; and not when one destination that names
// it may, nor when none names it.
func TestIdleSubsets(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /a}}]
    route:
    - destination: {host: reviews, subset: v1}
      weight: 100
    - destination: {host: reviews, subset: v2}
      weight: 0
    - destination: {host: reviews, subset: v3}
      weight: 0
    - destination: {host: reviews, subset: nowhere}
      weight: 0
    mirror: {host: reviews, subset: shadow}
    mirrorPercentage: {value: 0}
  - route:
    - destination: {host: reviews, subset: v3}
  - route:
    - destination: {host: ratings, subset: v1}
      weight: 1
    - destination: {host: ratings, subset: v2}
      weight: 0
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: v3, labels: {version: v3}}
  - {name: shadow, labels: {version: shadow}}
  - {name: unnamed, labels: {version: v4}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: shop}
spec:
  host: "*.shop.svc.cluster.local"
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
` + services("shop/reviews", "shop/ratings")
	var got []string
	for _, e := range idleEdges(loadSource(t, src, false)) {
		if strings.HasPrefix(e, "Service ") {
			got = append(got, e)
		}
	}
	want := []string{
		"Service shop/ratings -> DestinationRule shop/all[v1]",
		"Service shop/ratings -> DestinationRule shop/all[v2] idle: every destination that names the subset gets no traffic (weight 0 beside other destinations: no traffic)",
		"Service shop/reviews -> DestinationRule shop/[nowhere] host=reviews.shop.svc.cluster.local missing idle: every destination that names the subset gets no traffic (weight 0 beside other destinations: no traffic)",
		"Service shop/reviews -> DestinationRule shop/reviews[shadow] idle: every destination that names the subset gets no traffic (mirrorPercentage 0: mirrors no request)",
		"Service shop/reviews -> DestinationRule shop/reviews[unnamed]",
		"Service shop/reviews -> DestinationRule shop/reviews[v1]",
		"Service shop/reviews -> DestinationRule shop/reviews[v2] idle: every destination that names the subset gets no traffic (weight 0 beside other destinations: no traffic)",
		"Service shop/reviews -> DestinationRule shop/reviews[v3]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("subset edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
