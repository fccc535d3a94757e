package cross

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
	rnetpol "github.com/meshlint/meshlint/rules/netpol"
)

// randomMesh writes a small random mesh: namespaces in and out of the
// mesh, versioned workloads, Services, DestinationRules with subsets,
// VirtualServices bound to the mesh or to a gateway with every kind of
// destination and exportTo, NetworkPolicies and admin policies that
// block some of the routes, and Gateway API routes attached to Services
// (producer and consumer routes) or not, with weights and mirrors.
func randomMesh(r *rand.Rand) string {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	nss := []string{"n0", "n1", "n2", "n3"}[:2+r.IntN(3)]
	for _, ns := range nss {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {team: %s", ns, pick("a", "b"))
		switch r.IntN(5) {
		case 0:
		case 1:
			b.WriteString(", istio.io/dataplane-mode: ambient")
			if r.IntN(3) == 0 {
				b.WriteString(", istio.io/use-waypoint: waypoint")
			}
		default:
			b.WriteString(", istio-injection: enabled")
		}
		b.WriteString("}\n---\n")
	}
	apps := []string{"a", "b", "c"}
	for i := range 3 + r.IntN(10) {
		ns := nss[r.IntN(len(nss))]
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w%d, namespace: %s}\nspec:\n  template:\n    metadata:\n      labels: {app: %s, version: %s", i, ns, pick(apps...), pick("v1", "v2"))
		if r.IntN(4) == 0 {
			b.WriteString(", tier: x")
		}
		if r.IntN(8) == 0 {
			b.WriteString(", sidecar.istio.io/inject: \"false\"")
		}
		b.WriteString("}\n    spec:\n      containers:\n      - name: c\n        ports:\n")
		fmt.Fprintf(&b, "        - {name: http, containerPort: %s}\n", pick("8080", "9080"))
		if r.IntN(3) == 0 {
			b.WriteString("        - {name: dns, containerPort: 53, protocol: UDP}\n")
		}
		b.WriteString("---\n")
	}
	for _, ns := range nss {
		for _, app := range apps {
			if r.IntN(3) == 0 {
				continue
			}
			fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s", app, ns, app)
			if r.IntN(5) == 0 {
				b.WriteString(", version: v1")
			}
			b.WriteString("}\n  ports:\n")
			fmt.Fprintf(&b, "  - {name: http, port: 80%s}\n", pick("", ", targetPort: http", ", targetPort: 8080", ", targetPort: 9080", ", targetPort: grpc"))
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "  - {name: udp, port: 53, protocol: %s}\n", pick("UDP", "TCP", "SCTP"))
			}
			b.WriteString("---\n")
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: %s, namespace: %s}\nspec:\n  host: %s\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n---\n", app, ns, app)
			}
		}
	}
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: %s}\nspec:\n  selector: {app: a}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"*\"]\n---\n", nss[0])
	}
	dest := func() string {
		h := pick(apps...)
		switch r.IntN(4) {
		case 0:
			h += "." + pick(nss...) + ".svc.cluster.local"
		case 1:
			h += "." + pick(nss...)
		}
		d := "{host: " + h
		if r.IntN(2) == 0 {
			d += ", subset: " + pick("v1", "v2", "v3")
		}
		if r.IntN(3) == 0 {
			d += ", port: {number: " + pick("80", "53", "81") + "}"
		}
		return "{destination: " + d + "}}"
	}
	for i := range 1 + r.IntN(6) {
		ns := nss[r.IntN(len(nss))]
		fmt.Fprintf(&b, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs%d, namespace: %s}\nspec:\n  hosts: [%s]\n", i, ns, pick(apps...))
		switch r.IntN(5) {
		case 0:
			b.WriteString("  gateways: [mesh]\n")
		case 1:
			b.WriteString("  gateways: [gw]\n")
		case 2:
			b.WriteString("  gateways: [gw, mesh]\n")
		}
		switch r.IntN(5) {
		case 0:
			b.WriteString("  exportTo: [\".\"]\n")
		case 1:
			fmt.Fprintf(&b, "  exportTo: [%s]\n", pick(nss...))
		case 2:
			b.WriteString("  exportTo: [\"*\"]\n")
		}
		b.WriteString("  http:\n")
		for range 1 + r.IntN(2) {
			b.WriteString("  - ")
			if r.IntN(4) == 0 {
				b.WriteString("match: [{gateways: [" + pick("mesh", "gw") + "]}]\n    ")
			}
			b.WriteString("route: [" + dest())
			if r.IntN(2) == 0 {
				b.WriteString(", " + dest())
			}
			b.WriteString("]\n")
		}
		if r.IntN(3) == 0 {
			b.WriteString("  tcp:\n  - route: [" + dest() + "]\n")
		}
		if r.IntN(4) == 0 {
			b.WriteString("  tls:\n  - match: [{sniHosts: [" + pick(apps...) + "]}]\n    route: [" + dest() + "]\n")
		}
		b.WriteString("---\n")
	}
	podSel := func() string {
		switch r.IntN(4) {
		case 0:
			return "{}"
		case 1:
			return "{matchLabels: {version: " + pick("v1", "v2") + "}}"
		}
		return "{matchLabels: {app: " + pick(apps...) + "}}"
	}
	peer := func() string {
		switch r.IntN(4) {
		case 0:
			return "{podSelector: " + podSel() + "}"
		case 1:
			return "{namespaceSelector: {matchLabels: {team: " + pick("a", "b") + "}}}"
		case 2:
			return "{namespaceSelector: {}, podSelector: " + podSel() + "}"
		}
		return "{ipBlock: {cidr: 10.0.0.0/8}}"
	}
	ports := func() string {
		switch r.IntN(4) {
		case 0:
			return ""
		case 1:
			return ", ports: [{port: http}]"
		case 2:
			return ", ports: [{protocol: UDP, port: 53}]"
		}
		return ", ports: [{port: " + pick("8080", "9080", "15008") + "}]"
	}
	for i := range r.IntN(8) {
		ns := nss[r.IntN(len(nss))]
		fmt.Fprintf(&b, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np%d, namespace: %s}\nspec:\n  podSelector: %s\n", i, ns, podSel())
		dirs := pick("[Ingress]", "[Egress]", "[Ingress, Egress]")
		fmt.Fprintf(&b, "  policyTypes: %s\n", dirs)
		for _, d := range []string{"Ingress", "Egress"} {
			if !strings.Contains(dirs, d) || r.IntN(4) == 0 {
				continue
			}
			field, peers := "ingress", "from"
			if d == "Egress" {
				field, peers = "egress", "to"
			}
			fmt.Fprintf(&b, "  %s:\n", field)
			for range 1 + r.IntN(2) {
				fmt.Fprintf(&b, "  - {%s: [%s]%s}\n", peers, peer(), ports())
			}
		}
		b.WriteString("---\n")
	}
	if r.IntN(4) == 0 {
		fmt.Fprintf(&b, "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: anp}\nspec:\n  priority: 1\n  subject: {namespaces: {matchLabels: {team: %s}}}\n", pick("a", "b"))
		fmt.Fprintf(&b, "  ingress:\n  - {action: %s, from: [{pods: {namespaceSelector: {}, podSelector: %s}}]}\n---\n", pick("Allow", "Deny", "Pass"), podSel())
	}
	// Written last, so that the rest of the mesh of a seed is the one it
	// was before the rule read Gateway API routes.
	ref := func(name string) string {
		s := "name: " + name
		if r.IntN(3) == 0 {
			s += ", namespace: " + pick(nss...)
		}
		return s
	}
	for i := range r.IntN(5) {
		kind := pick("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute")
		version := "v1"
		if kind == "TCPRoute" || kind == "TLSRoute" || kind == "UDPRoute" {
			version = "v1alpha2"
		}
		fmt.Fprintf(&b, "apiVersion: gateway.networking.k8s.io/%s\nkind: %s\nmetadata: {name: r%d, namespace: %s}\nspec:\n  parentRefs:\n", version, kind, i, pick(nss...))
		for range 1 + r.IntN(2) {
			switch r.IntN(5) {
			case 0:
				b.WriteString("  - {name: gw}\n")
			case 1:
				fmt.Fprintf(&b, "  - {group: \"\", kind: Service, %s, port: %s}\n", ref(pick(apps...)), pick("80", "81"))
			default:
				fmt.Fprintf(&b, "  - {group: \"\", kind: Service, %s}\n", ref(pick(apps...)))
			}
		}
		b.WriteString("  rules:\n")
		for range 1 + r.IntN(2) {
			b.WriteString("  - backendRefs:\n")
			for range 1 + r.IntN(2) {
				fmt.Fprintf(&b, "    - {%s, port: %s%s}\n", ref(pick(apps...)), pick("80", "80", "53", "81"), pick("", "", ", weight: 0", ", weight: 5"))
			}
			if r.IntN(4) == 0 {
				fmt.Fprintf(&b, "    filters: [{type: RequestMirror, requestMirror: {backendRef: {%s, port: 80}}}]\n", ref(pick(apps...)))
			}
		}
		b.WriteString("---\n")
	}
	return b.String()
}

// oldMeshRouteBlocked is the rule as it was before it learnt to skip the
// routes that lead only to reachable workloads: every route, every
// client, pair by pair. For Gateway API routes it takes the rule's choice
// of parent (meshParent), which the fixtures check, and asks pair by pair
// too.
func oldMeshRouteBlocked(p *rules.Pass) error {
	g := p.Graph
	clientsBy := map[string][]*graph.Workload{}
	for _, vs := range g.VirtualServices {
		mesh := len(vs.Gateways) == 0
		for _, ref := range vs.Gateways {
			mesh = mesh || ref.Mesh
		}
		if !mesh {
			continue
		}
		key := vs.Namespace() + "\x00" + strings.Join(vs.ExportTo, ",")
		clients, seen := clientsBy[key]
		if !seen {
			for _, w := range g.Workloads {
				if g.InMesh(w) && graph.Visible(vs.ExportTo, vs.Namespace(), w.Namespace()) {
					clients = append(clients, w)
				}
			}
			clientsBy[key] = clients
		}
		for _, b := range g.RouteBackends(vs) {
			if !g.AppliesTo(vs, b, nil) || waypointEnrolled(g, b.Service) {
				continue
			}
			targets := map[*graph.Workload]bool{}
			for _, t := range b.Targets {
				targets[t.Workload] = true
			}
			var others []*graph.Workload
			for _, w := range clients {
				if !targets[w] {
					others = append(others, w)
				}
			}
			if len(others) == 0 {
				continue
			}
			a := rnetpol.Analysis(p)
			var blocked []*graph.Workload
			var first string
			for _, t := range b.Targets {
				c, port, ok := proxyConnection(g, t)
				if !ok || !g.InMesh(t.Workload) || reachesExcept(a, clients, targets, t.Workload, c) {
					continue
				}
				if len(blocked) == 0 {
					first = port
				}
				blocked = append(blocked, t.Workload)
			}
			if len(blocked) == 0 {
				continue
			}
			f := p.Reportf(vs.Obj, b.Dest.Loc, "NetworkPolicies block %s of VirtualService %s/%s for every in-mesh client of the input: %s (%s) admit no connection from any of the %d in-mesh workloads that see the route (%s)",
				b.Route, vs.Namespace(), vs.Name(), names(p, blocked), first, len(others), names(p, others))
			relatePolicies(f, a, blocked, netpol.Ingress)
		}
	}
	for _, r := range g.GatewayRoutes {
		parent, producer := r.MeshParent()
		if parent == nil {
			continue
		}
		var clients []*graph.Workload
		for _, w := range g.Workloads {
			if g.InMesh(w) && (producer || w.Namespace() == r.Namespace()) {
				clients = append(clients, w)
			}
		}
		for _, rule := range r.Rules {
			for _, b := range rule.Backends {
				if waypointEnrolled(g, b.Service) {
					continue
				}
				ts := b.Targets()
				targets := map[*graph.Workload]bool{}
				for _, t := range ts {
					targets[t.Workload] = true
				}
				var bl blocked
				var others []*graph.Workload
				for _, w := range clients {
					if !targets[w] {
						others = append(others, w)
					}
				}
				if len(others) == 0 {
					continue
				}
				a := rnetpol.Analysis(p)
				for _, t := range ts {
					c, port, ok := proxyConnection(g, t)
					if !ok || !g.InMesh(t.Workload) || reachesExcept(a, clients, targets, t.Workload, c) {
						continue
					}
					if len(bl.workloads) == 0 {
						bl.port = port
					}
					bl.workloads = append(bl.workloads, t.Workload)
				}
				if len(bl.workloads) > 0 {
					reportMeshRouteBackend(p, r, parent, producer, b, bl, len(rules.Distinct(p, others)), names(p, others))
				}
			}
		}
	}
	return nil
}

// TestMeshRouteBlockedAgainstPairs checks the rule against asking about
// every route and every client on random meshes.
func TestMeshRouteBlockedAgainstPairs(t *testing.T) {
	old := *MeshRouteBlocked
	old.Run = oldMeshRouteBlocked
	render := func(fs []*rules.Finding) string {
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s %s\n", f.Pos, f.Message)
			for _, r := range f.Related {
				fmt.Fprintf(&b, "  %s %s\n", r.Pos, r.Message)
			}
		}
		return b.String()
	}
	found, routes := 0, 0
	for seed := range uint64(1500) {
		r := rand.New(rand.NewPCG(seed, 23))
		docs := randomMesh(r)
		res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(docs)})
		if len(res.Errors) > 0 {
			t.Fatalf("seed %d: load: %v\n%s", seed, res.Errors, docs)
		}
		g := graph.Build(res.Objects, config.Mesh{})
		if len(g.Errors) > 0 {
			t.Fatalf("seed %d: decode: %v\n%s", seed, g.Errors[0], docs)
		}
		want, errs := rules.Run(g, []*rules.Rule{&old}, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		got, errs := rules.Run(g, []*rules.Rule{MeshRouteBlocked}, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		// mayBlock skips the routes that lead to no Service it suspects:
		// it must find the Service of every backend.
		for _, vs := range g.VirtualServices {
			for _, b := range g.RouteBackends(vs) {
				if !leadsTo(g, vs, func(s *graph.Service) bool { return s == b.Service }) {
					t.Fatalf("seed %d: %s of VirtualService %s leads to Service %s, which leadsTo misses\n%s", seed, b.Route, vs.Name(), b.Service.Name(), docs)
				}
			}
		}
		if w, g := render(want), render(got); w != g {
			t.Fatalf("seed %d: findings differ\nwant:\n%s\ngot:\n%s\ninput:\n%s", seed, w, g, docs)
		}
		found += len(want)
		for _, f := range want {
			if f.Object.Kind != kinds.VirtualService {
				routes++
			}
		}
	}
	t.Logf("%d findings, %d of them on Gateway API routes", found, routes)
	if found-routes < 100 || routes < 50 {
		t.Errorf("only %d findings on VirtualServices and %d on Gateway API routes over every seed: the meshes block too few routes to test much", found-routes, routes)
	}
}

// TestMeshRouteBlockedCases checks cases the random meshes rarely build
// against the pairwise rule, each with the findings it must have.
func TestMeshRouteBlockedCases(t *testing.T) {
	const mesh = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
`
	dep := func(name, labels, port string) string {
		return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, namespace: shop}
spec:
  template:
    metadata: {labels: {` + labels + `}}
    spec: {containers: [{name: c, image: c:1, ports: [{name: http, containerPort: ` + port + `}]}]}
---
`
	}
	svc := func(name, selector, targetPort string) string {
		return `apiVersion: v1
kind: Service
metadata: {name: ` + name + `, namespace: shop}
spec:
  selector: {` + selector + `}
  ports: [{name: http, port: 80, targetPort: ` + targetPort + `}]
---
`
	}
	const subsets = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: shop}
spec:
  host: api
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
`
	vs := func(dest string) string {
		return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - route: [{destination: {` + dest + `}}]
---
`
	}
	np := func(from, port string) string {
		return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {` + from + `}}}]
    ports: [{port: ` + port + `}]
---
`
	}
	cases := []struct {
		name, docs string
		findings   int
	}{
		// One group, one Service, two target ports: only one is let in.
		{"versions on other ports", mesh + dep("api-v1", "app: api, version: v1", "8080") + dep("api-v2", "app: api, version: v1", "9080") +
			svc("api", "app: api", "http") + vs("host: api") + np("app: web", "8080"), 1},
		{"versions on one port", mesh + dep("api-v1", "app: api, version: v1", "8080") + dep("api-v2", "app: api, version: v1", "8080") +
			svc("api", "app: api", "http") + vs("host: api") + np("app: web", "8080"), 0},
		// The only client let in is another version of the same Service,
		// which counts as a client of the subset that leaves it out.
		{"sibling version as client", mesh + dep("api-v1", "app: api, version: v1", "8080") + dep("api-v2", "app: api, version: v2", "8080") +
			svc("api", "app: api", "8080") + subsets + vs("host: api, subset: v2") + np("version: v1", "8080"), 0},
		{"sibling version as the only client, routed to", mesh + dep("api-v1", "app: api, version: v1", "8080") + dep("api-v2", "app: api, version: v2", "8080") +
			svc("api", "app: api", "8080") + subsets + vs("host: api") + np("version: v1", "8080"), 1},
		{"versions let in only each other", mesh + dep("api-v1", "app: api, version: v1", "8080") + dep("api-v2", "app: api, version: v2", "8080") +
			svc("api", "app: api", "8080") + vs("host: api") + np("app: api", "8080"), 1},
		// A workload of two Services.
		{"two Services", mesh + dep("api-v1", "app: api, version: v1", "8080") +
			svc("api", "app: api", "8080") + svc("all", "version: v1", "9080") + vs("host: api") + np("app: web", "9080"), 1},
	}
	old := *MeshRouteBlocked
	old.Run = oldMeshRouteBlocked
	for _, tc := range cases {
		res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(tc.docs)})
		if len(res.Errors) > 0 {
			t.Fatalf("%s: load: %v", tc.name, res.Errors)
		}
		g := graph.Build(res.Objects, config.Mesh{})
		want, _ := rules.Run(g, []*rules.Rule{&old}, nil)
		got, _ := rules.Run(g, []*rules.Rule{MeshRouteBlocked}, nil)
		if len(want) != tc.findings {
			t.Errorf("%s: the pairwise rule finds %d, want %d", tc.name, len(want), tc.findings)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d findings, the pairwise rule %d", tc.name, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].Message != want[i].Message || got[i].Pos != want[i].Pos {
				t.Errorf("%s: finding %q, the pairwise rule %q", tc.name, got[i].Message, want[i].Message)
			}
		}
	}
}
