package reporter

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/rules"
)

// TestHTMLNotDrawn checks that the findings about objects the drawing's
// limit leaves out say so, that the note counts them, and that a finding
// about an object that is never drawn (a PeerAuthentication) or about no
// object is not marked.
func TestHTMLNotDrawn(t *testing.T) {
	const n = 400 // a finding on each service: more than the drawing holds
	r := bigReport(n)
	r.Findings = nil
	for i := range n {
		ns := fmt.Sprintf("ns%05d", i)
		r.Findings = append(r.Findings, &rules.Finding{Rule: ruleNoWorkload, Severity: rules.Info, Message: "service " + ns,
			Object: &manifest.Object{Kind: kinds.Service, Namespace: ns, Name: "svc", File: "svc.yaml"},
			Pos:    manifest.Pos{File: "svc.yaml", Loc: manifest.Loc{Line: 3, Col: 9}}})
	}
	r.Findings = append(r.Findings,
		&rules.Finding{Rule: rulePermissive, Severity: rules.Error, Message: "no node",
			Object: &manifest.Object{Group: kinds.GroupIstioSecurity, Kind: kinds.PeerAuthentication, Namespace: "ns00399", Name: "default", File: "pa.yaml"},
			Pos:    manifest.Pos{File: "pa.yaml", Loc: manifest.Loc{Line: 1, Col: 1}}},
		&rules.Finding{Rule: rulePermissive, Severity: rules.Error, Message: "no object",
			Pos: manifest.Pos{File: "mesh.yaml", Loc: manifest.Loc{Line: 1, Col: 1}}})
	page := string(write(t, "html", r, Options{}))

	item := regexp.MustCompile(`(?s)<li class="finding[^"]*" id="f\d+"[^>]*>.*?</li>\n`)
	drawn, marked := 0, 0
	for _, li := range item.FindAllString(page, -1) {
		m := regexp.MustCompile(`service (ns\d+)`).FindStringSubmatch(li)
		notDrawn := strings.Contains(li, `class="notdrawn"`)
		if notDrawn {
			marked++
		}
		if m == nil {
			if notDrawn {
				t.Errorf("a finding about an object that is never drawn is marked not drawn:\n%s", li)
			}
			continue
		}
		isDrawn := strings.Contains(page, `data-label="`+m[1]+`/svc"`)
		if isDrawn {
			drawn++
		}
		if isDrawn == notDrawn {
			t.Errorf("service %s drawn %v, its finding marked not drawn %v", m[1], isDrawn, notDrawn)
		}
	}
	if drawn == 0 || drawn+marked != n {
		t.Errorf("%d findings on drawn services, %d marked not drawn; want %d in all, some drawn", drawn, marked, n)
	}
	if want := fmt.Sprintf(" %d findings are about objects left out, marked “not drawn” below.", n-drawn); !strings.Contains(page, want) {
		t.Errorf("the note does not say %q:\n%s", want, regexp.MustCompile(`<p id="graph-note">.*</p>`).FindString(page))
	}
}

// TestHTMLEdgeKinds checks how mirrors and delegations are drawn, and that
// a delegate VirtualService, which no gateway leads to, is placed right
// under the route that delegates to it rather than at the column's end.
func TestHTMLEdgeKinds(t *testing.T) {
	vs := func(name string) topology.Node {
		return topology.Node{Column: topology.Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: "shop", Name: name}
	}
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Gateways, Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: "infra", Name: "gw"},
			vs("front"), vs("inner"), vs("other"),
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "cart"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "audit"},
		},
		Edges: []topology.Edge{
			{From: 0, To: 1}, {From: 0, To: 3},
			{From: 1, To: 2, Kind: topology.Delegate},
			{From: 1, To: 5, Kind: topology.Mirror},
			{From: 2, To: 4}, {From: 3, To: 4},
		},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 2
	r := emptyReport()
	r.Topology = tp
	page := string(write(t, "html", r, Options{}))

	for class, want := range map[string]int{"edge": 4, "edge mirror": 1, "edge delegate": 1} {
		if got := strings.Count(page, `<path class="`+class+`"`); got != want {
			t.Errorf("%d edges of class %q, want %d", got, class, want)
		}
	}
	for _, label := range []string{`<text class="edgelabel mirror"`, `<text class="edgelabel delegate"`} {
		if strings.Count(page, label) != 1 {
			t.Errorf("the page does not hold one %s", label)
		}
	}

	rows := map[string]int{}
	for _, m := range regexp.MustCompile(`<rect x="\d+" y="(\d+)"[^>]*/><text x="\d+" y="\d+">([^<]*)</text>`).FindAllStringSubmatch(page, -1) {
		y, _ := strconv.Atoi(m[1])
		rows[m[2]] = y
	}
	if rows["shop/inner"] != rows["shop/front"]+rowPitch || rows["shop/other"] != rows["shop/inner"]+rowPitch {
		t.Errorf("routes at y %v: want shop/inner right under shop/front, then shop/other", rows)
	}
	// The delegate edge bends left of the routes column.
	m := regexp.MustCompile(`<path class="edge delegate" d="M(\d+) \d+C(\d+) `).FindStringSubmatch(page)
	if m == nil || m[2] >= m[1] {
		t.Errorf("the delegate edge %q does not bend left of the column", m)
	}
}

// TestHTMLObjectNames checks that the page names a finding's object as the
// baseline file does: with its API group, which tells an Istio Gateway
// from a Gateway API one, without a namespace for a cluster-scoped object,
// and a Namespace by its name alone although the loader files it under
// itself.
func TestHTMLObjectNames(t *testing.T) {
	r := emptyReport()
	for _, o := range []*manifest.Object{
		{Kind: kinds.Namespace, Namespace: "shop", Name: "shop"},
		{Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: "infra", Name: "web"},
		{Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "web"},
		{Group: kinds.GroupGatewayAPI, Kind: kinds.GatewayClass, Name: "istio"},
		{Kind: kinds.Service, Namespace: "shop", Name: "cart"},
	} {
		o.File = "a.yaml"
		r.Findings = append(r.Findings, &rules.Finding{Rule: ruleNoWorkload, Severity: rules.Info, Message: "m", Object: o,
			Pos: manifest.Pos{File: "a.yaml", Loc: manifest.Loc{Line: 1, Col: 1}}})
	}
	page := string(write(t, "html", r, Options{}))
	var got []string
	for _, m := range regexp.MustCompile(`<div class="obj">([^<]*)</div>`).FindAllStringSubmatch(page, -1) {
		got = append(got, m[1])
	}
	want := []string{ // by namespace, "(cluster)" first
		"GatewayClass istio",
		"Gateway.networking.istio.io infra/web",
		"Gateway.gateway.networking.k8s.io infra/web",
		"Namespace shop",
		"Service shop/cart",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects named:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// labelRE matches an edge label of the drawing: kind, x, y, text.
var labelRE = regexp.MustCompile(`<text class="edgelabel (\w+)" x="(\d+)" y="(\d+)">([^<]*)</text>`)

// rectsByLabel returns the top-left corner of each node's box, by label.
func rectsByLabel(page string) map[string][2]int {
	rects := map[string][2]int{}
	for _, m := range regexp.MustCompile(`<rect x="(\d+)" y="(\d+)"[^>]*/><text x="\d+" y="\d+">([^<]*)</text>`).FindAllStringSubmatch(page, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		rects[m[3]] = [2]int{x, y}
	}
	return rects
}

// TestHTMLEdgeLabels checks where the labels of mirror and delegate edges
// go when a route has three of each and another route's mirrors cross
// them: one label for the edges of a kind that leave a route, with their
// number, right under where they leave it, so that no two labels are
// drawn within a few pixels of each other, whatever rows the edges join.
func TestHTMLEdgeLabels(t *testing.T) {
	route := func(name string) topology.Node {
		return topology.Node{Column: topology.Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: "shop", Name: name}
	}
	svc := func(name string) topology.Node {
		return topology.Node{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: name}
	}
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Gateways, Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: "infra", Name: "gw"},
			route("back"), route("front"), route("d1"), route("d2"), route("d3"), route("solo"), // 1-6
			svc("audit1"), svc("audit2"), svc("audit3"), svc("cart"), // 7-10
		},
		Edges: []topology.Edge{
			{From: 0, To: 1}, {From: 0, To: 2}, {From: 0, To: 6},
			// back, at row 0, mirrors to the services of rows 0, 1 and 3;
			// front, at row 1, to those of rows 0, 1 and 2: the edges
			// back→audit2 and front→audit1 have one middle.
			{From: 1, To: 9}, {From: 1, To: 10, Kind: topology.Mirror}, {From: 1, To: 7, Kind: topology.Mirror}, {From: 1, To: 8, Kind: topology.Mirror},
			{From: 2, To: 10}, {From: 2, To: 7, Kind: topology.Mirror}, {From: 2, To: 8, Kind: topology.Mirror}, {From: 2, To: 9, Kind: topology.Mirror},
			{From: 2, To: 3, Kind: topology.Delegate}, {From: 2, To: 4, Kind: topology.Delegate}, {From: 2, To: 5, Kind: topology.Delegate},
			{From: 3, To: 10}, {From: 4, To: 10}, {From: 5, To: 10},
			{From: 6, To: 10}, {From: 6, To: 9, Kind: topology.Mirror},
		},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 2
	r := emptyReport()
	r.Topology = tp
	page := string(write(t, "html", r, Options{}))
	rects := rectsByLabel(page)

	type label struct {
		kind, text string
		x, y       int
	}
	var labels []label
	for _, m := range labelRE.FindAllStringSubmatch(page, -1) {
		x, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		labels = append(labels, label{m[1], m[4], x, y})
	}
	// Each label by the route its edges leave: a mirror label starts just
	// right of it, under the mirrors' exit and above the next row; a
	// delegate label ends just left of it, under the delegates' exit.
	want := map[string]string{"shop/back": "mirror ×3", "shop/front": "mirror ×3 delegate ×3", "shop/solo": "mirror"}
	got := map[string]string{}
	for _, l := range labels {
		owner := ""
		for name, at := range rects {
			exit, left := at[1]+nodeHeight/2+mirrorDrop, at[0]+nodeWidth
			if l.kind == "delegate" {
				exit, left = at[1]+delegateExit, at[0]
			}
			dx := l.x - left
			if (l.kind == "mirror" && dx > 0 && dx <= 8 || l.kind == "delegate" && dx < 0 && dx >= -8) &&
				l.y-7 > exit && l.y < at[1]+rowPitch {
				owner = name
			}
		}
		if owner == "" {
			t.Errorf("label %q at %d,%d is under no route's exit", l.text, l.x, l.y)
			continue
		}
		got[owner] = strings.TrimSpace(got[owner] + " " + l.text)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("labels by route %v, want %v", got, want)
	}
	// No two labels come within a few pixels: a label is 9px high and at
	// most 50px wide.
	for i, a := range labels {
		for _, b := range labels[i+1:] {
			if abs(a.x-b.x) < 50 && abs(a.y-b.y) < 12 {
				t.Errorf("labels %q at %d,%d and %q at %d,%d overlap", a.text, a.x, a.y, b.text, b.x, b.y)
			}
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestHTMLWildcardRule checks how a DestinationRule with a wildcard host
// is drawn: after the services, labelled with its host, and marked with
// the findings about it that are in none of its subsets.
func TestHTMLWildcardRule(t *testing.T) {
	dr := func(subset string) topology.Node {
		return topology.Node{Column: topology.Subsets, Group: kinds.GroupIstioNetworking, Kind: kinds.DestinationRule, Namespace: "shop", Name: "shop-wide", Subset: subset}
	}
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: "shop", Name: "cart"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "cart"},
			{Column: topology.Services, Group: kinds.GroupIstioNetworking, Kind: kinds.DestinationRule, Namespace: "shop", Name: "shop-wide",
				Host: "*.shop.svc.cluster.local", Matches: 2, File: "dr.yaml", Loc: manifest.Loc{Line: 3, Col: 9}},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "unrouted"},
			dr("v1"), dr("v2"),
		},
		Edges: []topology.Edge{{From: 0, To: 1}, {From: 1, To: 4}, {From: 2, To: 4}, {From: 2, To: 5}},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 1
	r := emptyReport()
	r.Topology = tp
	r.Findings = []*rules.Finding{{Rule: ruleNoWorkload, Severity: rules.Warning, Message: "m",
		Object: &manifest.Object{Group: kinds.GroupIstioNetworking, Kind: kinds.DestinationRule, Namespace: "shop", Name: "shop-wide", File: "dr.yaml"},
		Pos:    manifest.Pos{File: "dr.yaml", Loc: manifest.Loc{Line: 5, Col: 3}}}}
	page := string(write(t, "html", r, Options{}))

	node := regexp.MustCompile(`<g class="node sev-warning" data-findings="f1" data-label="\*\.shop\.svc\.cluster\.local" data-node="DestinationRule/shop/shop-wide"><title>([^<]*)</title>.*?<text class="kind"[^>]*>([^<]*)</text>`).FindStringSubmatch(page)
	if node == nil {
		t.Fatalf("the rule is not drawn as a marked node labelled with its host:\n%s", regexp.MustCompile(`<g class="node[^>]*>`).FindAllString(page, -1))
	}
	if want := "DestinationRule shop/shop-wide, for host *.shop.svc.cluster.local, which matches 2 Services and ServiceEntries: its subsets are drawn once, here\ndr.yaml:3:9\nwarning MR301: m"; node[1] != want {
		t.Errorf("tooltip %q, want %q", node[1], want)
	}
	if node[2] != "DestinationRule, wildcard host" {
		t.Errorf("kind %q", node[2])
	}
	rects := rectsByLabel(page)
	if rule := rects["*.shop.svc.cluster.local"]; rule[1] <= rects["shop/unrouted"][1] || rule[1] <= rects["shop/cart"][1] {
		t.Errorf("the rule at y %d is not after the services (%v)", rule[1], rects)
	}
}

// TestHTMLNodeKeys checks the keys that name the nodes with findings in
// the page's address: the kind with its group where another group has a
// kind of that name, the namespace, the name or host, the subset; and
// unique, though two nodes have one label, or even one key.
func TestHTMLNodeKeys(t *testing.T) {
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Gateways, Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: "infra", Name: "web"},
			{Column: topology.Gateways, Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "web"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "cart"},
			{Column: topology.Services, Group: kinds.GroupIstioNetworking, Kind: kinds.ServiceEntry, Namespace: "shop", Name: "api", Host: "api.example.com"},
			{Column: topology.Subsets, Group: kinds.GroupIstioNetworking, Kind: kinds.DestinationRule, Namespace: "shop", Name: "cart", Subset: "v1"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "cart", File: "copy.yaml"},
		},
		Edges: []topology.Edge{{From: 2, To: 4}},
		Stands: []topology.Stand{
			{Group: kinds.GroupIstioNetworking, Kind: kinds.DestinationRule, Namespace: "shop", Name: "cart", Node: 2},
		},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 2
	r := emptyReport()
	r.Topology = tp
	for _, n := range tp.Nodes[:5] {
		o := &manifest.Object{Group: n.Group, Kind: n.Kind, Namespace: n.Namespace, Name: n.Name, File: "a.yaml"}
		line := int32(1)
		if n.Subset != "" {
			o.Kind = kinds.DestinationRule
			line = 9
		}
		r.Findings = append(r.Findings, &rules.Finding{Rule: ruleNoWorkload, Severity: rules.Info, Message: "m", Object: o,
			Pos: manifest.Pos{File: "a.yaml", Loc: manifest.Loc{Line: line, Col: 1}}})
	}
	tp.Nodes[4].File, tp.Nodes[4].Loc = "a.yaml", manifest.Loc{Line: 9, Col: 1}
	page := string(write(t, "html", r, Options{}))
	var got []string
	for _, m := range regexp.MustCompile(`data-node="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		got = append(got, m[1])
	}
	want := []string{
		"Gateway.networking.istio.io/infra/web",
		"Gateway.gateway.networking.k8s.io/infra/web",
		"Service/shop/cart",
		"ServiceEntry/shop/api",
		"DestinationRule/shop/cart:v1",
		"Service/shop/cart~2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("node keys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHTMLUnserved checks that a VirtualService that Istio serves nothing
// of is drawn dotted, says so under its name, and tells why in its
// tooltip, findings or not; and that the page's legend explains the
// dotted outline.
func TestHTMLUnserved(t *testing.T) {
	vs := func(name, why string) topology.Node {
		return topology.Node{Column: topology.Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: "shop", Name: name,
			File: "vs.yaml", Loc: manifest.Loc{Line: 4, Col: 9}, Unserved: why}
	}
	const why = "no route merges it: its exportTo does not include namespace web of VirtualService web/front, which delegates to it"
	tp := &topology.Topology{Nodes: []topology.Node{vs("front", ""), vs("hidden", why), vs("marked", why)}}
	tp.TotalNodes, tp.Namespaces = len(tp.Nodes), 1
	r := emptyReport()
	r.Topology = tp
	r.Findings = []*rules.Finding{{Rule: ruleNoWorkload, Severity: rules.Warning, Message: "a finding",
		Object: &manifest.Object{Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: "shop", Name: "marked", File: "vs.yaml"},
		Pos:    manifest.Pos{File: "vs.yaml", Loc: manifest.Loc{Line: 4, Col: 9}}}}
	page := string(write(t, "html", r, Options{}))

	nodes := map[string]string{}
	for _, g := range regexp.MustCompile(`(?s)<g class="node[^"]*"[^>]*>.*?</g>\n`).FindAllString(page, -1) {
		nodes[regexp.MustCompile(`<text x="\d+" y="\d+">([^<]*)</text>`).FindStringSubmatch(g)[1]] = g
	}
	if g := nodes["shop/front"]; !strings.HasPrefix(g, `<g class="node">`) || strings.Contains(g, "serves nothing") {
		t.Errorf("a served VirtualService is drawn as unserved:\n%s", g)
	}
	for _, name := range []string{"shop/hidden", "shop/marked"} {
		g := nodes[name]
		if !regexp.MustCompile(`^<g class="node[^"]* unserved[ "]`).MatchString(g) {
			t.Errorf("%s is not drawn unserved:\n%s", name, g)
		}
		if !strings.Contains(g, "\nserves nothing: "+template.HTMLEscapeString(why)+"\n") {
			t.Errorf("the tooltip of %s does not say why it serves nothing:\n%s", name, g)
		}
		if !regexp.MustCompile(`<text class="kind"[^>]*>VirtualService, serves nothing</text>`).MatchString(g) {
			t.Errorf("%s does not say it serves nothing under its name:\n%s", name, g)
		}
	}
	if !strings.Contains(nodes["shop/marked"], "\nwarning MR") {
		t.Errorf("the tooltip of an unserved node with a finding does not list it:\n%s", nodes["shop/marked"])
	}
	if !strings.Contains(page, "a dotted one, with grey text, a route or Gateway that Istio serves nothing of") ||
		!strings.Contains(page, "a route that no gateway or parent takes, drawn with its edges dotted") ||
		!strings.Contains(page, "svg .node.unserved rect { stroke-dasharray:") {
		t.Error("the page does not explain or style the dotted outline")
	}
}

// TestHTMLRefusedRoute checks that a Gateway API route and a Gateway that
// a finding says the API server rejects (MR619) are drawn dotted, say
// why, and keep none of their edges, nor the missing nodes only they
// name, while a route whose finding refuses one backend only keeps them.
func TestHTMLRefusedRoute(t *testing.T) {
	route := func(name string) topology.Node {
		return topology.Node{Column: topology.Routes, Group: kinds.GroupGatewayAPI, Kind: kinds.HTTPRoute, Namespace: "shop", Name: name,
			File: "routes.yaml", Loc: manifest.Loc{Line: 3, Col: 9}}
	}
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Gateways, Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "broken"},
			{Column: topology.Gateways, Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "public"},
			route("good"), route("rejected"),
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "cart"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "shadow", Missing: true},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "unrouted", Missing: true},
		},
		Edges:  []topology.Edge{{From: 0, To: 2}, {From: 1, To: 2}, {From: 1, To: 3}, {From: 2, To: 4}, {From: 3, To: 4}, {From: 3, To: 5, Kind: topology.Mirror}},
		Stands: []topology.Stand{{Kind: kinds.DestinationRule, Namespace: "shop", Name: "cart", Node: 4}},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 2
	r := emptyReport()
	r.Topology = tp
	finding := func(rule *rules.Rule, name, msg string) *rules.Finding {
		return &rules.Finding{Rule: rule, Severity: rules.Error, Message: msg,
			Object: &manifest.Object{Group: kinds.GroupGatewayAPI, Kind: kinds.HTTPRoute, Namespace: "shop", Name: name, File: "routes.yaml"},
			Pos:    manifest.Pos{File: "routes.yaml", Loc: manifest.Loc{Line: 9, Col: 5}}}
	}
	crd := &rules.Rule{ID: "MR619", Name: "gatewayapi-crd-validation"}
	gateway := finding(crd, "", "listener http has protocol HTTP and tls settings: the API server rejects the Gateway (tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'])")
	gateway.Object = &manifest.Object{Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "broken", File: "routes.yaml"}
	r.Findings = []*rules.Finding{
		gateway,
		finding(crd, "rejected", "parentRefs[2] repeats parentRefs[1]: the API server rejects the HTTPRoute (sectionName or port must be unique)"),
		finding(&rules.Rule{ID: "MR617", Name: "gatewayapi-backend-kind-unsupported"}, "good",
			"backendRef x sets namespace shop: Istio skips the backend while its weight is 0, and rejects the whole route (InvalidDestination) once it is raised"),
	}
	before := fmt.Sprint(tp)
	page := string(write(t, "html", r, Options{}))

	nodes := map[string]string{}
	for _, g := range regexp.MustCompile(`(?s)<g class="node[^"]*"[^>]*>.*?</g>\n`).FindAllString(page, -1) {
		nodes[regexp.MustCompile(`<text x="\d+" y="\d+">([^<]*)</text>`).FindStringSubmatch(g)[1]] = g
	}
	g := nodes["shop/rejected"]
	if !regexp.MustCompile(`^<g class="node[^"]* unserved[ "]`).MatchString(g) ||
		!strings.Contains(g, "\nserves nothing: the API server rejects it, so it is never applied (MR619 gatewayapi-crd-validation)\n") ||
		!strings.Contains(g, ">HTTPRoute, serves nothing</text>") {
		t.Errorf("the rejected route is not drawn unserved, with why:\n%s", g)
	}
	if g := nodes["infra/broken"]; !regexp.MustCompile(`^<g class="node[^"]* unserved[ "]`).MatchString(g) || !strings.Contains(g, ">Gateway API Gateway, serves nothing</text>") {
		t.Errorf("the rejected Gateway is not drawn unserved:\n%s", g)
	}
	if g := nodes["shop/good"]; strings.Contains(g, "unserved") || strings.Contains(g, "serves nothing") {
		t.Errorf("a route that one backend's finding is about is drawn unserved:\n%s", g)
	}
	// Left: public to good, good to cart; the rejected Gateway's edge
	// and the rejected route's three are gone.
	if got := strings.Count(page, `<path class="edge`); got != 2 {
		t.Errorf("%d edges, want 2 (none of the rejected objects')", got)
	}
	if strings.Contains(page, `class="edge mirror"`) || strings.Contains(page, `class="edgelabel mirror"`) {
		t.Error("the rejected route's mirror is drawn")
	}
	// The rejected route's mirror went to a service the input does not
	// hold, which nothing else names: it goes too, as the topology adds
	// none for a rejected VirtualService. A missing node without edges
	// from the start stays.
	if _, ok := nodes["shop/shadow"]; ok {
		t.Error("a missing service that only the rejected route names is drawn")
	}
	if _, ok := nodes["shop/unrouted"]; !ok {
		t.Error("a missing service without edges is not drawn")
	}
	if fmt.Sprint(tp) != before {
		t.Error("drawing changed the report's topology, which the other formats share")
	}
}

// TestHTMLIdleEdges checks that an edge that gets no traffic (a
// destination of weight 0) is drawn dotted with why in its tooltip, and
// the others as before; and that the page's legend explains it.
func TestHTMLIdleEdges(t *testing.T) {
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: "shop", Name: "reviews"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "canary"},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "reviews"},
		},
		Edges: []topology.Edge{{From: 0, To: 1, Idle: "weight 0 beside other destinations: no traffic"}, {From: 0, To: 2}},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 1
	r := emptyReport()
	r.Topology = tp
	page := string(write(t, "html", r, Options{}))

	idle := regexp.MustCompile(`<path class="edge idle" d="[^"]*"><title>([^<]*)</title></path>`).FindAllStringSubmatch(page, -1)
	if len(idle) != 1 || idle[0][1] != "weight 0 beside other destinations: no traffic" {
		t.Errorf("idle edges %q, want one, with why", idle)
	}
	if n := strings.Count(page, `<path class="edge" d="`); n != 1 {
		t.Errorf("%d plain edges, want 1", n)
	}
	if !strings.Contains(page, "a dotted one a destination that gets no traffic") || !strings.Contains(page, "svg .edge.idle { stroke-dasharray:") {
		t.Error("the page does not explain or style the dotted edge")
	}
}

// TestHTMLTrafficDrawn draws the topology of a mesh whose configuration
// writes traffic that never flows: a canary at weight 0, and a root's
// mirror that each route of its delegate replaces with its own. The
// canary's edge is dotted, with why; the root's mirror is not drawn, the
// delegate's is.
func TestHTMLTrafficDrawn(t *testing.T) {
	const src = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front, namespace: shop}
spec:
  hosts: [front.example.com]
  http:
  - mirror: {host: root-audit}
    delegate: {name: api-routes}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api-routes, namespace: shop}
spec:
  http:
  - route:
    - destination: {host: api}
      weight: 100
    - destination: {host: api-canary}
      weight: 0
    mirror: {host: api-audit}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  rules:
  - backendRefs:
    - {name: api, port: 80}
    - {name: web-canary, port: 80, weight: 0}
`
	file := filepath.Join(t.TempDir(), "mesh.yaml")
	yaml := src
	for _, s := range []string{"api", "api-canary", "api-audit", "root-audit", "web-canary"} {
		yaml += "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + s + ", namespace: shop}\nspec: {ports: [{port: 80}]}\n"
	}
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{file}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	r := emptyReport()
	r.Topology = topology.Of(graph.Build(res.Objects, config.DefaultMesh()))
	page := string(write(t, "html", r, Options{}))

	rects := rectsByLabel(page)
	var got []string
	for _, m := range regexp.MustCompile(`<path class="([^"]*)" d="M(\d+) (\d+)C[^"]* (\d+) (\d+)"(?:/>|><title>([^<]*)</title></path>)`).FindAllStringSubmatch(page, -1) {
		at := func(x, y string) string {
			xi, _ := strconv.Atoi(x)
			yi, _ := strconv.Atoi(y)
			for name, r := range rects {
				if (xi == r[0] || xi == r[0]+nodeWidth || xi == r[0]-delegateBulge) && yi >= r[1] && yi <= r[1]+nodeHeight+mirrorDrop {
					return name
				}
			}
			return "?"
		}
		e := m[1] + " " + at(m[2], m[3]) + " -> " + at(m[4], m[5])
		if m[6] != "" {
			e += ": " + m[6]
		}
		got = append(got, e)
	}
	want := []string{
		"edge delegate shop/front -> shop/api-routes",
		"edge idle shop/api-routes -> shop/api-canary: weight 0 beside other destinations: no traffic",
		"edge idle shop/web -> shop/web-canary: weight 0: no traffic",
		"edge mirror shop/api-routes -> shop/api-audit",
		"edge shop/api-routes -> shop/api",
		"edge shop/web -> shop/api",
	}
	slices.Sort(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
