package reporter

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/rules"
)

// fixtureTopology is a request path around the fixture's objects: an Istio
// Gateway and a Gateway API one, the VirtualService reviews and an
// HTTPRoute whose name needs escaping, the Service of reviews and a host
// nothing serves, subset v1 of the DestinationRule and the undefined
// canary.
func fixtureTopology(t testing.TB, vs, dr *manifest.Object) *topology.Topology {
	v1 := nodeAt(t, dr.Node, "spec.subsets.0")
	tp := &topology.Topology{
		Nodes: []topology.Node{
			{Column: topology.Gateways, Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: "istio-ingress", Name: "public", File: "deploy/gateway.yaml", Loc: manifest.Loc{Line: 4, Col: 9}},
			{Column: topology.Gateways, Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "web", Missing: true},
			{Column: topology.Routes, Group: vs.Group, Kind: vs.Kind, Namespace: vs.Namespace, Name: vs.Name, File: vs.File, Loc: vs.NameLoc},
			{Column: topology.Routes, Group: kinds.GroupGatewayAPI, Kind: kinds.HTTPRoute, Namespace: "shop", Name: `<script>alert("route")</script>`, File: "deploy/httproute.yaml", Loc: manifest.Loc{Line: 4, Col: 9}},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Name: "reviews", File: "deploy/services.yaml", Loc: manifest.Loc{Line: 4, Col: 9}},
			{Column: topology.Services, Kind: kinds.Service, Namespace: "shop", Host: "reviews-canary.shop.svc.cluster.local", Missing: true},
			{Column: topology.Subsets, Group: dr.Group, Kind: dr.Kind, Namespace: dr.Namespace, Name: dr.Name, Subset: "v1", File: dr.File, Loc: manifest.LocOf(v1)},
			{Column: topology.Subsets, Kind: kinds.DestinationRule, Namespace: "shop", Subset: "canary", Host: "reviews.shop.svc.cluster.local", Missing: true},
		},
		Edges:  []topology.Edge{{From: 0, To: 2}, {From: 1, To: 3}, {From: 2, To: 4}, {From: 3, To: 5}, {From: 4, To: 6}, {From: 4, To: 7}},
		Stands: []topology.Stand{{Group: dr.Group, Kind: dr.Kind, Namespace: dr.Namespace, Name: dr.Name, Node: 4}},
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), 3
	return tp
}

// external matches what would make the page load something: a URL, a
// reference to another resource, a CSS import.
var external = regexp.MustCompile(`(?i)https?://|\b(src|href|xlink:href|action)\s*=|url\(|@import|//[a-z0-9.-]+\.[a-z]{2,}/`)

// TestHTMLSelfContained checks that the page names nothing it would fetch,
// for reports whose own texts (findings, file names) hold no URL: a URL in
// the page can only come from the user's YAML.
func TestHTMLSelfContained(t *testing.T) {
	for name, r := range map[string]*Report{"full": fixtureReport(t), "empty": emptyReport(), "big": bigReport(2000)} {
		page := write(t, "html", r, Options{})
		if m := external.FindAll(page, 5); m != nil {
			t.Errorf("%s: the page refers to outside resources: %q", name, m)
		}
		if !bytes.Contains(page, []byte(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`)) {
			t.Errorf("%s: no Content Security Policy that forbids loading anything", name)
		}
	}
}

// The check itself: it must see the URLs that a careless page would hold.
func TestHTMLExternalPattern(t *testing.T) {
	for _, s := range []string{`<a href="x">`, `<script src=x>`, `background: url(x.png)`, `@import "x"`, `https://cdn.example/x.js`, `//fonts.example.com/css`} {
		if !external.MatchString(s) {
			t.Errorf("the pattern misses %q", s)
		}
	}
}

// TestHTMLEscapes checks that texts from the input are escaped: an object
// name, a file name and a message that hold markup.
func TestHTMLEscapes(t *testing.T) {
	r := fixtureReport(t)
	r.Findings = append(r.Findings, &rules.Finding{
		Rule: ruleWeights, Severity: rules.Warning,
		Message: `weights "<img onerror=x>" & more`,
		Pos:     manifest.Pos{File: "a<b>.yaml", Loc: manifest.Loc{Line: 1, Col: 1}},
	})
	page := string(write(t, "html", r, Options{}))
	for _, raw := range []string{`<script>alert(`, `<img onerror`, `a<b>.yaml`} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	for _, escaped := range []string{`&lt;script&gt;alert(&#34;route&#34;)&lt;/script&gt;`, `&lt;img onerror=x&gt;`, `a&lt;b&gt;.yaml`, `&lt;stdin&gt;:2:1: document 1: apiVersion is missing`} {
		if !strings.Contains(page, escaped) {
			t.Errorf("the page does not hold %q", escaped)
		}
	}
}

// TestHTMLMarks checks which nodes carry which findings: the
// VirtualService its three, subset v1 the finding on its labels; the
// PeerAuthentication's finding is on no node.
func TestHTMLMarks(t *testing.T) {
	r := fixtureReport(t)
	page := string(write(t, "html", r, Options{}))
	ids := map[string]string{}
	for i, f := range r.Findings {
		ids[f.Rule.ID] += fmt.Sprintf(" f%d", i+1)
	}
	marked := regexp.MustCompile(`<g class="node( missing)? sev-(\w+)" data-findings="([^"]*)" data-label="([^"]*)" data-node="[^"]*">`)
	got := map[string]string{}
	for _, m := range marked.FindAllStringSubmatch(page, -1) {
		got[m[4]] = m[2] + ":" + m[3]
	}
	want := map[string]string{
		"shop/reviews":      "error:" + ids["MR102"] + ids["MR101"] + ids["MR900"],
		"v1 (shop/reviews)": "info:" + ids["MR301"],
	}
	if len(got) != len(want) {
		t.Errorf("marked nodes %v, want %v", got, want)
	}
	for label, w := range want {
		if g := got[label]; sortedIDs(g) != sortedIDs(w) || strings.Split(g, ":")[0] != strings.Split(w, ":")[0] {
			t.Errorf("node %q marked %q, want %q", label, g, w)
		}
	}
	for _, s := range []string{`data-ns="shop"`, `id="input-errors"`, `id="internal-errors"`, `rule MR999 (broken-rule) panicked`} {
		if !strings.Contains(page, s) {
			t.Errorf("the page has no %s", s)
		}
	}
}

func sortedIDs(s string) string {
	_, ids, _ := strings.Cut(s, ":")
	f := strings.Fields(ids)
	sort.Strings(f)
	return strings.Join(f, " ")
}

// bigReport has a topology of n gateway→route→service→subset paths, one
// namespace each, and a finding on the service of the last path.
func bigReport(n int) *Report {
	tp := &topology.Topology{}
	for i := range n {
		ns := fmt.Sprintf("ns%05d", i)
		base := len(tp.Nodes)
		tp.Nodes = append(tp.Nodes,
			topology.Node{Column: topology.Gateways, Group: kinds.GroupIstioNetworking, Kind: kinds.Gateway, Namespace: ns, Name: "gw"},
			topology.Node{Column: topology.Routes, Group: kinds.GroupIstioNetworking, Kind: kinds.VirtualService, Namespace: ns, Name: "route"},
			topology.Node{Column: topology.Services, Kind: kinds.Service, Namespace: ns, Name: "svc"},
			topology.Node{Column: topology.Subsets, Group: kinds.GroupIstioNetworking, Kind: kinds.DestinationRule, Namespace: ns, Name: "svc", Subset: "v1"},
		)
		tp.Edges = append(tp.Edges, topology.Edge{From: base, To: base + 1}, topology.Edge{From: base + 1, To: base + 2}, topology.Edge{From: base + 2, To: base + 3})
	}
	tp.TotalNodes, tp.TotalEdges, tp.Namespaces = len(tp.Nodes), len(tp.Edges), n
	last := &manifest.Object{Kind: kinds.Service, Namespace: fmt.Sprintf("ns%05d", n-1), Name: "svc", File: "svc.yaml"}
	r := emptyReport()
	r.Topology = tp
	r.Findings = []*rules.Finding{{Rule: ruleNoWorkload, Severity: rules.Info, Object: last, Message: "the last service",
		Pos: manifest.Pos{File: "svc.yaml", Loc: manifest.Loc{Line: 3, Col: 9}}}}
	return r
}

// TestHTMLLimit checks that a large mesh is drawn in part, the page says
// so, and the path with a finding is among what is drawn.
func TestHTMLLimit(t *testing.T) {
	const n = 20000 // 80,000 nodes
	page := string(write(t, "html", bigReport(n), Options{}))
	if nodes := strings.Count(page, `<g class="node`); nodes != MaxGraphNodes {
		t.Errorf("%d nodes drawn, want %d", nodes, MaxGraphNodes)
	}
	if len(page) > 1<<20 {
		t.Errorf("the page is %d bytes", len(page))
	}
	note := fmt.Sprintf("The drawing shows %d of the 80000 objects", MaxGraphNodes)
	if !strings.Contains(page, note) || !strings.Contains(page, "namespaces are left out whole") {
		t.Errorf("the page does not say what it left out (%q)", note)
	}
	if !strings.Contains(page, fmt.Sprintf(`data-label="ns%05d/svc"`, n-1)) {
		t.Error("the service with a finding is not drawn")
	}
}

// TestHTMLNamespaceOptionValue checks that the namespace filter's options
// carry their value: an option without one takes its text with the
// spaces at its ends removed, which then matches no finding's data-ns.
func TestHTMLNamespaceOptionValue(t *testing.T) {
	r := emptyReport()
	r.Findings = []*rules.Finding{{Rule: ruleNoWorkload, Severity: rules.Info, Message: "m",
		Object: &manifest.Object{Kind: kinds.Service, Namespace: " spaced  ns ", Name: "svc", File: "svc.yaml"},
		Pos:    manifest.Pos{File: "svc.yaml", Loc: manifest.Loc{Line: 3, Col: 9}}}}
	page := string(write(t, "html", r, Options{}))
	for _, want := range []string{`<option value=" spaced  ns ">`, `data-ns=" spaced  ns "`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
}
