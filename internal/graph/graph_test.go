package graph

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// graphFrom writes src to a temp file, loads it through manifest.Load and
// builds the graph, failing on any load or decode error.
func graphFrom(t *testing.T, src string) *Graph {
	t.Helper()
	g, errs := graphWithErrors(t, src)
	if len(errs) > 0 {
		t.Fatalf("errors:\n%s", strings.Join(errs, "\n"))
	}
	return g
}

func graphWithErrors(t *testing.T, src string) (*Graph, []string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	g := Build(res.Objects, config.DefaultMesh())
	var errs []string
	for _, e := range res.Errors {
		errs = append(errs, e.Error())
	}
	for _, e := range g.Errors {
		errs = append(errs, e.Error())
	}
	return g, errs
}

func docs(ds ...string) string { return strings.Join(ds, "\n---\n") }

func svc(ns, name string, selector ...string) string {
	s := "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n  ports:\n  - port: 80\n"
	if len(selector) > 0 {
		s += "  selector:\n"
		for _, kv := range selector {
			k, v, _ := strings.Cut(kv, "=")
			s += "    " + k + ": " + v + "\n"
		}
	}
	return s
}

func dr(ns, name, host string, extra ...string) string {
	return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
		"\nspec:\n  host: \"" + host + "\"\n" + strings.Join(extra, "\n")
}

func refs[T interface{ Object() *manifest.Object }](xs []T) string {
	var out []string
	for _, x := range xs {
		out = append(out, x.Object().Namespace+"/"+x.Object().Name)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestHosts(t *testing.T) {
	g := graphFrom(t, docs(
		`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: [reviews, reviews.other, reviews.other.svc.cluster.local, "*.example.com", "*", api.example.com]`,
		dr("shop", "short", "reviews"),
		dr("shop", "dotted", "reviews.other"),
		dr("shop", "fqdn", "ratings.other.svc.cluster.local"),
		dr("shop", "wild", "*.other.svc.cluster.local"),
		svc("shop", "reviews"),
	))
	want := []string{"reviews.shop.svc.cluster.local", "reviews.other", "reviews.other.svc.cluster.local", "*.example.com", "*", "api.example.com"}
	if got := g.VirtualServices[0].Hosts; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("VS hosts = %v, want %v", got, want)
	}
	for _, d := range g.DestinationRules {
		want := map[string]string{
			"short": "reviews.shop.svc.cluster.local", "dotted": "reviews.other",
			"fqdn": "ratings.other.svc.cluster.local", "wild": "*.other.svc.cluster.local",
		}[d.Name()]
		if d.Host != want {
			t.Errorf("DR %s host = %q, want %q", d.Name(), d.Host, want)
		}
	}
	if s := g.Services[0]; s.Host != "reviews.shop.svc.cluster.local" {
		t.Errorf("service host = %q", s.Host)
	}

	// A custom cluster domain expands short names with it.
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(docs(svc("shop", "reviews"), dr("shop", "short", "reviews"))), 0o644); err != nil {
		t.Fatal(err)
	}
	g = Build(manifest.Load([]string{p}, manifest.Options{}).Objects, config.Mesh{ClusterDomain: "corp.local"})
	if g.Services[0].Host != "reviews.shop.svc.corp.local" || g.DestinationRules[0].Host != "reviews.shop.svc.corp.local" {
		t.Errorf("hosts with corp.local: %q %q", g.Services[0].Host, g.DestinationRules[0].Host)
	}
	if g.Mesh.RootNamespace != "istio-system" {
		t.Errorf("root namespace defaulted to %q", g.Mesh.RootNamespace)
	}
}

func TestDestinationRulesFor(t *testing.T) {
	const reviews = "reviews.shop.svc.cluster.local"
	for _, tc := range []struct {
		name   string
		objs   []string
		host   string
		client string
		want   string
	}{
		{
			name: "service namespace rule, short host",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews")},
			host: reviews, client: "web", want: "shop/r",
		},
		{
			name: "service namespace rule, FQDN host",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", reviews)},
			host: reviews, client: "web", want: "shop/r",
		},
		{
			name: "third namespace rule exported everywhere is not used",
			objs: []string{svc("shop", "reviews"), dr("other", "r", reviews, "  exportTo: [\"*\"]")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "third namespace rule is used by its own namespace",
			objs: []string{svc("shop", "reviews"), dr("other", "r", reviews)},
			host: reviews, client: "other", want: "other/r",
		},
		{
			name: "short host in the client namespace names another service",
			objs: []string{svc("shop", "reviews"), dr("web", "r", "reviews")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "service namespace rule exported to . is private",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews", "  exportTo: [.]")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "private rule serves its own namespace",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews", "  exportTo: [.]")},
			host: reviews, client: "shop", want: "shop/r",
		},
		{
			name: "rule exported to the client namespace by name",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews", "  exportTo: [web]")},
			host: reviews, client: "web", want: "shop/r",
		},
		{
			name: "rule exported to another namespace by name",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews", "  exportTo: [api]")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "client namespace rule wins over the service namespace",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("web", "mine", reviews)},
			host: reviews, client: "web", want: "web/mine",
		},
		{
			name: "client namespace rule exported elsewhere only is not used by its namespace",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("web", "mine", reviews, "  exportTo: [api]")},
			host: reviews, client: "web", want: "shop/r",
		},
		{
			name: "service namespace wins over the root namespace",
			objs: []string{svc("shop", "reviews"), dr("shop", "r", "reviews"), dr("istio-system", "root", reviews)},
			host: reviews, client: "web", want: "shop/r",
		},
		{
			name: "root namespace is the fallback",
			objs: []string{svc("shop", "reviews"), dr("istio-system", "root", reviews)},
			host: reviews, client: "web", want: "istio-system/root",
		},
		{
			name: "root namespace wildcard is the fallback",
			objs: []string{svc("shop", "reviews"), dr("istio-system", "root", "*.local")},
			host: reviews, client: "web", want: "istio-system/root",
		},
		{
			name: "private root namespace rule is not a fallback",
			objs: []string{svc("shop", "reviews"), dr("istio-system", "root", "*.local", "  exportTo: [.]")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "exact host beats a wildcard",
			objs: []string{svc("shop", "reviews"), dr("shop", "wild", "*.shop.svc.cluster.local"), dr("shop", "exact", "reviews")},
			host: reviews, client: "web", want: "shop/exact",
		},
		{
			name: "longer wildcard beats a shorter one",
			objs: []string{svc("shop", "reviews"), dr("shop", "short", "*.cluster.local"), dr("shop", "long", "*.shop.svc.cluster.local")},
			host: reviews, client: "web", want: "shop/long",
		},
		{
			name: "a client namespace wildcard beats an exact rule of the service namespace",
			objs: []string{svc("shop", "reviews"), dr("shop", "exact", "reviews"), dr("web", "wild", "*.local")},
			host: reviews, client: "web", want: "web/wild",
		},
		{
			name: "rules for the same host are merged",
			objs: []string{svc("shop", "reviews"), dr("shop", "a", "reviews"), dr("shop", "b", reviews), dr("shop", "w", "*.local")},
			host: reviews, client: "web", want: "shop/a,shop/b",
		},
		{
			name: "rules with a workload selector are left out",
			objs: []string{svc("shop", "reviews"), dr("shop", "sel", "reviews", "  workloadSelector:\n    labels: {app: web}")},
			host: reviews, client: "web", want: "",
		},
		{
			// Istio picks the most specific exported host first and only
			// then checks that it is exported to the client.
			name: "most specific exported rule not exported to the client hides a wildcard",
			objs: []string{svc("shop", "reviews"), dr("shop", "exact", "reviews", "  exportTo: [api]"), dr("shop", "wild", "*.local")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "wildcard does not match the bare domain",
			objs: []string{svc("shop", "reviews"), dr("shop", "w", "*.reviews.shop.svc.cluster.local")},
			host: reviews, client: "web", want: "",
		},
		{
			name: "service entry host takes the entry's namespace",
			objs: []string{se("ext", "api", "[api.example.com]", ""), dr("ext", "r", "api.example.com")},
			host: "api.example.com", client: "web", want: "ext/r",
		},
		{
			name: "wildcard service entry",
			objs: []string{se("ext", "api", "[\"*.example.com\"]", ""), dr("ext", "r", "*.example.com")},
			host: "a.example.com", client: "web", want: "ext/r",
		},
		{
			name: "client in the root namespace",
			objs: []string{svc("shop", "reviews"), dr("istio-system", "root", reviews, "  exportTo: [.]")},
			host: reviews, client: "istio-system", want: "istio-system/root",
		},
		{
			name: "wildcard lookup takes only wildcard rules that contain it",
			objs: []string{dr("shop", "exact", "a.example.com"), dr("shop", "wild", "*.example.com")},
			host: "*.example.com", client: "shop", want: "shop/wild",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(tc.objs...))
			if got := refs(g.DestinationRulesFor(tc.host, tc.client)); got != tc.want {
				t.Errorf("DestinationRulesFor(%s, %s) = %q, want %q", tc.host, tc.client, got, tc.want)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	g := graphFrom(t, docs(svc("shop", "reviews"),
		dr("shop", "a", "reviews", "  subsets:\n  - name: v1\n    labels: {version: v1}"),
		dr("shop", "b", "reviews", "  subsets:\n  - name: v2\n    labels: {version: v2}")))
	drs := g.DestinationRulesFor("reviews.shop.svc.cluster.local", "web")
	if d, s := Subset(drs, "v2"); d == nil || d.Name() != "b" || s.Labels["version"] != "v2" || s.Loc.Line == 0 {
		t.Errorf("Subset(v2) = %v %+v", d, s)
	}
	if d, s := Subset(drs, "v3"); d != nil || s != nil {
		t.Errorf("Subset(v3) = %v %v", d, s)
	}
}

func se(ns, name, hosts, exportTo string) string {
	s := "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
		"\nspec:\n  hosts: " + hosts + "\n  ports:\n  - {number: 443, name: https, protocol: TLS}\n  resolution: DNS\n"
	if exportTo != "" {
		s += "  exportTo: " + exportTo + "\n"
	}
	return s
}

func TestGatewayRefs(t *testing.T) {
	g := graphFrom(t, docs(
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: shop}\nspec:\n  selector: {istio: ingressgateway}",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: edge, namespace: istio-system}\nspec:\n  selector: {istio: ingressgateway}",
		`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: [reviews]
  gateways:
  - public
  - istio-system/edge
  - ./public
  - mesh
  - edge.istio-system
  - edge.istio-system.svc.cluster.local
  - missing
  - other/public
  - edge`,
	))
	for i, want := range []struct {
		ns, name     string
		mesh, legacy bool
		found        bool
	}{
		{"shop", "public", false, false, true},
		{"istio-system", "edge", false, false, true},
		{"shop", "public", false, false, true},
		{"", "", true, false, false},
		{"istio-system", "edge", false, true, true},
		{"istio-system", "edge", false, true, true},
		{"shop", "missing", false, false, false},
		{"other", "public", false, false, false},
		{"shop", "edge", false, false, false},
	} {
		got := g.VirtualServices[0].Gateways[i]
		if got.Namespace != want.ns || got.Name != want.name || got.Mesh != want.mesh || got.Legacy != want.legacy || (got.Gateway != nil) != want.found {
			t.Errorf("gateways[%d] %q = %+v, want %+v", i, got.Written.V, got, want)
		}
		if got.Gateway != nil && (got.Gateway.Namespace() != want.ns || got.Gateway.Name() != want.name) {
			t.Errorf("gateways[%d] resolved to %s/%s", i, got.Gateway.Namespace(), got.Gateway.Name())
		}
		if int(got.Written.Loc.Line) != 19+i {
			t.Errorf("gateways[%d] written at line %d", i, got.Written.Loc.Line)
		}
	}
	if g.FindGateway("shop", "public") == nil || g.FindGateway("shop", "edge") != nil {
		t.Errorf("FindGateway")
	}
}

func TestLookupHost(t *testing.T) {
	g := graphFrom(t, docs(
		svc("shop", "reviews"),
		strings.Replace(svc("shop", "private"), "  namespace: shop\n", "  namespace: shop\n  annotations:\n    networking.istio.io/exportTo: \".\"\n", 1),
		strings.Replace(svc("shop", "listed"), "  namespace: shop\n", "  namespace: shop\n  annotations:\n    networking.istio.io/exportTo: \"web, api\"\n", 1),
		strings.Replace(svc("shop", "hidden"), "  namespace: shop\n", "  namespace: shop\n  annotations:\n    networking.istio.io/exportTo: \"~\"\n", 1),
		se("ext", "public", "[api.example.com]", ""),
		se("ext", "private", "[db.example.com]", "[.]"),
		se("ext", "wild", "[\"*.wild.com\"]", "[web]"),
	))
	for _, tc := range []struct {
		host, from string
		want       string
	}{
		{"reviews.shop.svc.cluster.local", "web", "svc shop/reviews"},
		{"REVIEWS.shop.svc.cluster.local", "web", "svc shop/reviews"},
		{"private.shop.svc.cluster.local", "shop", "svc shop/private"},
		{"private.shop.svc.cluster.local", "web", ""},
		{"listed.shop.svc.cluster.local", "web", "svc shop/listed"},
		{"listed.shop.svc.cluster.local", "api", "svc shop/listed"},
		{"listed.shop.svc.cluster.local", "shop", ""},
		{"hidden.shop.svc.cluster.local", "shop", ""},
		{"reviews.other.svc.cluster.local", "web", ""},
		{"api.example.com", "web", "se ext/public"},
		{"db.example.com", "web", ""},
		{"db.example.com", "ext", "se ext/private"},
		{"a.wild.com", "web", "se ext/wild"},
		{"a.b.wild.com", "web", "se ext/wild"},
		{"wild.com", "web", ""},
		{"a.wild.com", "api", ""},
		{"*.shop.svc.cluster.local", "web", "svc shop/listed,svc shop/reviews"},
		{"*.example.com", "web", "se ext/public"},
	} {
		var got []string
		for _, h := range g.LookupHost(tc.host, tc.from) {
			if h.Service != nil {
				got = append(got, "svc "+h.Namespace()+"/"+h.Service.Name())
			} else {
				got = append(got, "se "+h.Namespace()+"/"+h.Entry.Name())
			}
		}
		sort.Strings(got)
		if strings.Join(got, ",") != tc.want {
			t.Errorf("LookupHost(%s, %s) = %v, want %s", tc.host, tc.from, got, tc.want)
		}
	}
	if ts := g.LookupHost("reviews.shop.svc.cluster.local", "web"); len(ts) != 1 || len(ts[0].Ports()) != 1 || ts[0].Ports()[0] != 80 {
		t.Errorf("service ports = %v", ts)
	}
	if ts := g.LookupHost("api.example.com", "web"); len(ts) != 1 || ts[0].Ports()[0] != 443 {
		t.Errorf("entry ports = %v", ts)
	}
	for host, want := range map[string]string{
		"reviews.shop.svc.cluster.local": "shop",
		"api.example.com":                "ext",
		"x.wild.com":                     "ext",
		"absent.team.svc.cluster.local":  "team",
		"a.b.team.svc.cluster.local":     "",
		"example.org":                    "",
	} {
		if got := g.ServiceNamespace(host); got != want {
			t.Errorf("ServiceNamespace(%s) = %q, want %q", host, got, want)
		}
	}
}

func TestVisible(t *testing.T) {
	for _, tc := range []struct {
		exportTo  []string
		own, from string
		want      bool
	}{
		{nil, "a", "b", true},
		{[]string{"*"}, "a", "b", true},
		{[]string{"."}, "a", "a", true},
		{[]string{"."}, "a", "b", false},
		{[]string{"b"}, "a", "b", true},
		{[]string{"b"}, "a", "a", false},
		{[]string{"~"}, "a", "a", false},
		{[]string{".", "c"}, "a", "c", true},
	} {
		if got := Visible(tc.exportTo, tc.own, tc.from); got != tc.want {
			t.Errorf("Visible(%v, %s, %s) = %v", tc.exportTo, tc.own, tc.from, got)
		}
	}
}

func pa(ns, name, body string) string {
	return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n" + body
}

func pod(ns, name string, labels map[string]string, extra ...string) string {
	s := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n"
	var ls, as []string
	for k, v := range labels {
		if a, ok := strings.CutPrefix(k, "annotation:"); ok {
			as = append(as, "    "+a+": \""+v+"\"")
		} else {
			ls = append(ls, "    "+k+": \""+v+"\"")
		}
	}
	sort.Strings(ls)
	sort.Strings(as)
	if len(ls) > 0 {
		s += "  labels:\n" + strings.Join(ls, "\n") + "\n"
	}
	if len(as) > 0 {
		s += "  annotations:\n" + strings.Join(as, "\n") + "\n"
	}
	s += "spec:\n  containers:\n  - name: app\n    image: app\n" + strings.Join(extra, "\n")
	return s
}

func TestEffectiveMTLS(t *testing.T) {
	web := pod("shop", "web", map[string]string{"app": "web"})
	for _, tc := range []struct {
		name   string
		objs   []string
		port   int64
		mode   string
		policy string
		line   int32
	}{
		{name: "default", objs: nil, mode: "PERMISSIVE"},
		{name: "mesh-wide STRICT", objs: []string{pa("istio-system", "mesh", "  mtls: {mode: STRICT}")}, mode: "STRICT", policy: "istio-system/mesh", line: 20},
		{name: "mesh-wide with an empty selector", objs: []string{pa("istio-system", "mesh", "  selector: {}\n  mtls: {mode: STRICT}")}, mode: "STRICT", policy: "istio-system/mesh"},
		{
			name: "namespace PERMISSIVE overrides the mesh",
			objs: []string{pa("istio-system", "mesh", "  mtls: {mode: STRICT}"), pa("shop", "ns", "  mtls:\n    mode: PERMISSIVE")},
			mode: "PERMISSIVE", policy: "shop/ns", line: 29,
		},
		{
			name: "workload DISABLE overrides the namespace",
			objs: []string{
				pa("istio-system", "mesh", "  mtls: {mode: STRICT}"), pa("shop", "ns", "  mtls: {mode: PERMISSIVE}"),
				pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: DISABLE}"),
			},
			mode: "DISABLE", policy: "shop/wl",
		},
		{
			name: "workload selector that does not match",
			objs: []string{pa("shop", "ns", "  mtls: {mode: STRICT}"), pa("shop", "wl", "  selector:\n    matchLabels: {app: api}\n  mtls: {mode: DISABLE}")},
			mode: "STRICT", policy: "shop/ns",
		},
		{
			name: "namespace policy of another namespace",
			objs: []string{pa("other", "ns", "  mtls: {mode: STRICT}")},
			mode: "PERMISSIVE",
		},
		{
			name: "namespace UNSET inherits the mesh",
			objs: []string{pa("istio-system", "mesh", "  mtls: {mode: STRICT}"), pa("shop", "ns", "  mtls: {mode: UNSET}")},
			mode: "STRICT", policy: "istio-system/mesh",
		},
		{
			name: "namespace without mtls inherits the mesh",
			objs: []string{pa("istio-system", "mesh", "  mtls: {mode: DISABLE}"), pa("shop", "ns", "  selector: null")},
			mode: "DISABLE", policy: "istio-system/mesh",
		},
		{
			name: "workload UNSET inherits the namespace",
			objs: []string{pa("shop", "ns", "  mtls: {mode: STRICT}"), pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: UNSET}")},
			mode: "STRICT", policy: "shop/ns",
		},
		{
			name: "portLevelMtls for the port",
			objs: []string{pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    8080: {mode: DISABLE}")},
			port: 8080, mode: "DISABLE", policy: "shop/wl", line: 24,
		},
		{
			name: "portLevelMtls for another port",
			objs: []string{pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    8080: {mode: DISABLE}")},
			port: 9090, mode: "STRICT", policy: "shop/wl",
		},
		{
			name: "portLevelMtls ignored for the workload as a whole",
			objs: []string{pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    8080: {mode: DISABLE}")},
			port: 0, mode: "STRICT", policy: "shop/wl",
		},
		{
			name: "portLevelMtls UNSET inherits the workload",
			objs: []string{pa("shop", "ns", "  mtls: {mode: PERMISSIVE}"), pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    8080: {mode: UNSET}")},
			port: 8080, mode: "STRICT", policy: "shop/wl",
		},
		{
			name: "portLevelMtls only: other ports inherit the namespace",
			objs: []string{pa("shop", "ns", "  mtls: {mode: STRICT}"), pa("shop", "wl", "  selector:\n    matchLabels: {app: web}\n  portLevelMtls:\n    8080: {mode: PERMISSIVE}")},
			port: 9090, mode: "STRICT", policy: "shop/ns",
		},
		{
			name: "portLevelMtls in a namespace-wide policy is ignored",
			objs: []string{pa("shop", "ns", "  mtls: {mode: STRICT}\n  portLevelMtls:\n    8080: {mode: DISABLE}")},
			port: 8080, mode: "STRICT", policy: "shop/ns",
		},
		{
			name: "a selector policy in the root namespace is not mesh-wide",
			objs: []string{pa("istio-system", "sel", "  selector:\n    matchLabels: {app: web}\n  mtls: {mode: STRICT}")},
			mode: "PERMISSIVE",
		},
		{
			name: "two namespace policies: name order",
			objs: []string{pa("shop", "b", "  mtls: {mode: DISABLE}"), pa("shop", "a", "  mtls: {mode: STRICT}")},
			mode: "STRICT", policy: "shop/a",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(t, docs(append([]string{web}, tc.objs...)...))
			got := g.EffectiveMTLS(g.Workloads[0], tc.port)
			policy := ""
			if got.Policy != nil {
				policy = got.Policy.Namespace() + "/" + got.Policy.Name()
			}
			if got.Mode != tc.mode || policy != tc.policy {
				t.Errorf("EffectiveMTLS = %s from %q, want %s from %q", got.Mode, policy, tc.mode, tc.policy)
			}
			if tc.line != 0 && got.Loc.Line != tc.line {
				t.Errorf("mode at line %d, want %d", got.Loc.Line, tc.line)
			}
		})
	}
}

func TestRootNamespaceWorkloadMTLS(t *testing.T) {
	// Istio reads selector policies of the root namespace for nobody, not
	// even for the root namespace's own workloads.
	g := graphFrom(t, docs(
		pod("istio-system", "gw", map[string]string{"app": "gw"}),
		pa("istio-system", "mesh", "  mtls: {mode: STRICT}"),
		pa("istio-system", "sel", "  selector:\n    matchLabels: {app: gw}\n  mtls: {mode: DISABLE}"),
	))
	if got := g.EffectiveMTLS(g.Workloads[0], 0); got.Mode != "STRICT" {
		t.Errorf("root namespace workload: %s", got.Mode)
	}
	for _, p := range g.PeerAuthentications {
		if want := p.Name() == "mesh"; p.MeshWide != want {
			t.Errorf("%s MeshWide = %v", p.Name(), p.MeshWide)
		}
	}
}

func TestServiceWorkloads(t *testing.T) {
	g := graphFrom(t, docs(
		svc("shop", "web", "app=web"),
		svc("shop", "all"),
		svc("shop", "two", "app=web", "tier=front"),
		`apiVersion: apps/v1
kind: Deployment
metadata:
  name: by-template
  namespace: shop
  labels: {app: not-this}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers: [{name: app, image: app}]`,
		`apiVersion: apps/v1
kind: Deployment
metadata:
  name: by-metadata
  namespace: shop
  labels: {app: web}
spec:
  template:
    metadata:
      labels: {app: other}
    spec:
      containers: [{name: app, image: app}]`,
		pod("other", "elsewhere", map[string]string{"app": "web", "tier": "front"}),
		pod("shop", "bare", map[string]string{"app": "web"}),
		`apiVersion: batch/v1
kind: CronJob
metadata: {name: cron, namespace: shop}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: web}
        spec:
          containers: [{name: app, image: app}]`,
		`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: unlabelled, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: app}]`,
	))
	want := map[string]string{
		"web": "shop/bare,shop/by-template,shop/cron",
		"all": "",
		"two": "shop/by-template",
	}
	for _, s := range g.Services {
		if got := refs(s.Workloads); got != want[s.Name()] {
			t.Errorf("service %s selects %q, want %q", s.Name(), got, want[s.Name()])
		}
	}
	for _, w := range g.Workloads {
		if w.Labels == nil {
			t.Errorf("%s has nil labels", w.Name())
		}
		if w.ServiceAccount != "default" {
			t.Errorf("%s service account %q", w.Name(), w.ServiceAccount)
		}
	}
	if got := refs(g.WorkloadsIn("shop")); got != "shop/bare,shop/by-metadata,shop/by-template,shop/cron,shop/unlabelled" {
		t.Errorf("WorkloadsIn(shop) = %s", got)
	}
}

func netpol(ns, name, body string) string {
	return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n" + body
}

func TestNetworkPolicies(t *testing.T) {
	g := graphFrom(t, docs(
		pod("shop", "web", map[string]string{"app": "web"}),
		pod("shop", "db", map[string]string{"app": "db", "tier": "data"}),
		pod("other", "web", map[string]string{"app": "web"}),
		netpol("shop", "ingress-only", "  podSelector: {}\n  ingress:\n  - from: [{podSelector: {}}]"),
		netpol("shop", "implied-egress", "  podSelector:\n    matchLabels: {app: web}\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]"),
		netpol("shop", "empty-egress", "  podSelector: {}\n  egress: []"),
		netpol("shop", "deny-all", "  podSelector: {}"),
		netpol("shop", "egress-typed", "  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n  - {}"),
		netpol("shop", "both-typed", "  podSelector:\n    matchExpressions:\n    - {key: tier, operator: Exists}\n  policyTypes: [Ingress, Egress]"),
		netpol("shop", "no-selector", "  policyTypes: [Ingress]"),
	))
	want := map[string]struct {
		ingress, egress bool
		workloads       string
	}{
		"ingress-only":   {true, false, "shop/db,shop/web"},
		"implied-egress": {true, true, "shop/web"},
		"empty-egress":   {true, false, "shop/db,shop/web"},
		"deny-all":       {true, false, "shop/db,shop/web"},
		"egress-typed":   {false, true, "shop/db,shop/web"},
		"both-typed":     {true, true, "shop/db"},
		"no-selector":    {true, false, "shop/db,shop/web"},
	}
	for _, np := range g.NetworkPolicies {
		w := want[np.Name()]
		if np.Ingress != w.ingress || np.Egress != w.egress || refs(np.Workloads) != w.workloads {
			t.Errorf("%s: ingress %v egress %v workloads %s, want %v %v %s", np.Name(), np.Ingress, np.Egress, refs(np.Workloads), w.ingress, w.egress, w.workloads)
		}
	}
}

func TestGatewayWorkloads(t *testing.T) {
	g := graphFrom(t, docs(
		pod("istio-system", "ingress", map[string]string{"istio": "ingressgateway"}),
		pod("edge", "ingress2", map[string]string{"istio": "ingressgateway", "zone": "a"}),
		pod("shop", "web", map[string]string{"app": "web"}),
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec:\n  selector: {istio: ingressgateway}",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: zoned, namespace: shop}\nspec:\n  selector: {istio: ingressgateway, zone: a}",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: none, namespace: shop}\nspec:\n  servers: []",
	))
	want := map[string]string{"gw": "edge/ingress2,istio-system/ingress", "zoned": "edge/ingress2", "none": ""}
	for _, gw := range g.Gateways {
		if got := refs(gw.Workloads); got != want[gw.Name()] {
			t.Errorf("gateway %s selects %q, want %q", gw.Name(), got, want[gw.Name()])
		}
	}
}

func TestNamespaces(t *testing.T) {
	g := graphFrom(t, docs(
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a, istio-injection: enabled}",
		svc("shop", "web"),
		svc("implied", "web"),
		"apiVersion: v1\nkind: Service\nmetadata: {name: defaulted}\nspec: {}",
	))
	if got := strings.Join(g.NamespaceNames(), ","); got != "default,implied,shop" {
		t.Errorf("namespaces = %s", got)
	}
	for name, want := range map[string]map[string]string{
		"shop":    {"kubernetes.io/metadata.name": "shop", "team": "a", "istio-injection": "enabled"},
		"implied": {"kubernetes.io/metadata.name": "implied"},
		"default": {"kubernetes.io/metadata.name": "default"},
	} {
		ns := g.Namespaces[name]
		if len(ns.Labels) != len(want) {
			t.Errorf("%s labels = %v, want %v", name, ns.Labels, want)
		}
		for k, v := range want {
			if ns.Labels[k] != v {
				t.Errorf("%s labels = %v, want %v", name, ns.Labels, want)
			}
		}
		if ns.Declared() != (name == "shop") || ns.Injection != (name == "shop") {
			t.Errorf("%s declared %v injection %v", name, ns.Declared(), ns.Injection)
		}
	}
}

func TestSidecarInjection(t *testing.T) {
	ns := func(name string, labels ...string) string {
		s := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
		if len(labels) > 0 {
			s += "  labels:\n"
			for _, l := range labels {
				k, v, _ := strings.Cut(l, "=")
				s += "    " + k + ": \"" + v + "\"\n"
			}
		}
		return s
	}
	type L = map[string]string
	for _, tc := range []struct {
		name    string
		ns      string
		labels  L
		extra   string
		sidecar bool
	}{
		{"namespace enabled", ns("app", "istio-injection=enabled"), nil, "", true},
		{"namespace disabled", ns("app", "istio-injection=disabled"), nil, "", false},
		{"namespace revision", ns("app", "istio.io/rev=canary"), nil, "", true},
		{"namespace unlabelled", ns("app"), nil, "", false},
		{"namespace not in the input", "", nil, "", false},
		{"enabled and revision", ns("app", "istio-injection=enabled", "istio.io/rev=canary"), nil, "", true},
		{"disabled wins over revision", ns("app", "istio-injection=disabled", "istio.io/rev=canary"), nil, "", false},
		{"pod label false", ns("app", "istio-injection=enabled"), L{"sidecar.istio.io/inject": "false"}, "", false},
		{"pod annotation false", ns("app", "istio-injection=enabled"), L{"annotation:sidecar.istio.io/inject": "false"}, "", false},
		{"pod label false in a revision namespace", ns("app", "istio.io/rev=canary"), L{"sidecar.istio.io/inject": "false"}, "", false},
		{"label wins over annotation", ns("app", "istio-injection=enabled"), L{"sidecar.istio.io/inject": "true", "annotation:sidecar.istio.io/inject": "false"}, "", true},
		{"label false wins over annotation true", ns("app", "istio-injection=enabled"), L{"sidecar.istio.io/inject": "false", "annotation:sidecar.istio.io/inject": "true"}, "", false},
		{"pod label true in an unlabelled namespace", ns("app"), L{"sidecar.istio.io/inject": "true"}, "", true},
		{"pod label true in an undeclared namespace", "", L{"sidecar.istio.io/inject": "true"}, "", true},
		{"pod annotation true alone does not inject", ns("app"), L{"annotation:sidecar.istio.io/inject": "true"}, "", false},
		{"pod label true in a disabled namespace", ns("app", "istio-injection=disabled"), L{"sidecar.istio.io/inject": "true"}, "", false},
		{"pod revision label", ns("app"), L{"istio.io/rev": "canary"}, "", true},
		{"pod revision label, inject false", ns("app"), L{"istio.io/rev": "canary", "sidecar.istio.io/inject": "false"}, "", false},
		{"pod label true with a revision label", ns("app"), L{"istio.io/rev": "canary", "sidecar.istio.io/inject": "true"}, "", true},
		{"hostNetwork", ns("app", "istio-injection=enabled"), nil, "  hostNetwork: true\n", false},
		{"hostNetwork with label true", ns("app"), L{"sidecar.istio.io/inject": "true"}, "  hostNetwork: true\n", false},
		{"explicit istio-proxy container", ns("app"), nil, "  - name: istio-proxy\n    image: proxyv2\n", true},
		{"kube-system is never injected", ns("kube-system", "istio-injection=enabled"), nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nsName := "app"
			if strings.Contains(tc.ns, "kube-system") {
				nsName = "kube-system"
			}
			objs := []string{pod(nsName, "p", tc.labels, tc.extra)}
			if tc.ns != "" {
				objs = append(objs, tc.ns)
			}
			g := graphFrom(t, docs(objs...))
			if got := g.Workloads[0].Sidecar; got != tc.sidecar {
				t.Errorf("Sidecar = %v, want %v", got, tc.sidecar)
			}
		})
	}

	// A Deployment's own labels do not matter, its template's do.
	g := graphFrom(t, docs(ns("app", "istio-injection=enabled"), `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  namespace: app
  labels: {sidecar.istio.io/inject: "false"}
  annotations: {sidecar.istio.io/inject: "false"}
spec:
  template:
    metadata:
      annotations: {proxy.istio.io/config: "{}"}
    spec:
      containers: [{name: app, image: app}]`,
		`apiVersion: apps/v1
kind: Deployment
metadata:
  name: "off"
  namespace: app
spec:
  template:
    metadata:
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers: [{name: app, image: app}]`))
	for _, w := range g.Workloads {
		if want := w.Name() == "d"; w.Sidecar != want {
			t.Errorf("deployment %s: Sidecar = %v, want %v", w.Name(), w.Sidecar, want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	g, errs := graphWithErrors(t, docs(svc("shop", "reviews"), `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
      weight: "ten"
`))
	want := `in.yaml:20:15: wrong type: expected an integer, got "ten"`
	if len(errs) != 1 || !strings.HasSuffix(errs[0], want) {
		t.Errorf("errors = %q, want %q", errs, want)
	}
	if len(g.VirtualServices) != 0 || len(g.Services) != 1 {
		t.Errorf("a spec with the wrong shape must be left out")
	}
	if g.Errors[0].Line != 20 || g.Errors[0].Col != 15 {
		t.Errorf("error at %d:%d", g.Errors[0].Line, g.Errors[0].Col)
	}
}

func TestAliasBomb(t *testing.T) {
	// A thousand routes of a thousand matches of fifty headers: 5·10^7
	// values from a few kilobytes, along a path the spec decoder follows.
	var b strings.Builder
	b.WriteString("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bomb, namespace: shop}\nspec:\n  hosts: [a]\n")
	b.WriteString("  x0: &s {exact: a}\n  x1: &m {headers: {")
	for i := range 50 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("h" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + ": *s")
	}
	b.WriteString("}}\n  x2: &r {match: [" + strings.TrimSuffix(strings.Repeat("*m, ", 1000), ", ") + "]}\n")
	b.WriteString("  http: [" + strings.TrimSuffix(strings.Repeat("*r, ", 1000), ", ") + "]\n")

	done := make(chan []string, 1)
	go func() {
		g, errs := graphWithErrors(t, docs(b.String(), svc("shop", "a")))
		if len(g.Services) != 1 || len(g.VirtualServices) != 0 {
			errs = append(errs, "unexpected graph")
		}
		done <- errs
	}()
	select {
	case errs := <-done:
		if len(errs) != 1 || !strings.Contains(errs[0], "aliases expand") {
			t.Errorf("errors = %q", errs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("loading an alias bomb did not finish")
	}
}

func TestDeepNesting(t *testing.T) {
	// Nesting under a field the spec decoder keeps as a node, and under
	// one it ignores.
	deep := strings.Repeat("{a: ", 5000) + "1" + strings.Repeat("}", 5000)
	g := graphFrom(t, docs(
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs, namespace: shop}\nspec:\n  hosts: [a]\n  http:\n  - fault: "+deep+"\n    route: [{destination: {host: a}}]\n  unknown: "+deep,
	))
	if len(g.VirtualServices) != 1 || g.VirtualServices[0].Spec.HTTP[0].Fault == nil {
		t.Errorf("deep VirtualService not read")
	}
}

func TestHasKind(t *testing.T) {
	g := graphFrom(t, docs(svc("shop", "a"), dr("shop", "d", "a")))
	for _, tc := range []struct {
		kind string
		ns   string
		want bool
	}{
		{"Service", "shop", true},
		{"Service", "", true},
		{"Service", "other", false},
		{"VirtualService", "", false},
	} {
		if got := g.HasKind(kinds.Kind(tc.kind), tc.ns); got != tc.want {
			t.Errorf("HasKind(%s, %q) = %v", tc.kind, tc.ns, got)
		}
	}
}
