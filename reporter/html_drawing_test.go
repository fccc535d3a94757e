package reporter

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

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
