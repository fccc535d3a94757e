package reporter

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/gatewayapi"
)

// TestHTMLRefusalWording runs the Gateway API rules whose findings can say
// that a route is refused whole over their fire fixtures, and checks that
// refusal reads them as their rules mean them: every MR619 finding (about a
// route, a Gateway or a ListenerSet) and every MR623 error refuses it, an MR623 warning (a filter on a
// backend of weight 0, which Istio skips) does not; for the rules whose
// findings refuse the route or Gateway in some cases only (MR602, MR603,
// MR606, MR617), some finding does; an MR604 finding about a GRPCRoute's
// mirror refuses it unless mesh parents still take the route. A rule that
// rewords its message breaks this test rather than the drawing. (MR624 is
// read by its rule: TestHTMLGatewayNoAddress.)
func TestHTMLRefusalWording(t *testing.T) {
	for _, c := range []struct {
		rule    *rules.Rule
		fixture string
		want    func(f *rules.Finding) bool
	}{
		{gatewayapi.CRDValidation, "MR619/fire-*.yaml", func(*rules.Finding) bool { return true }},
		{gatewayapi.RouteFilterUnsupported, "MR623/fire-*.yaml", func(f *rules.Finding) bool { return f.Severity == rules.Error }},
		{gatewayapi.BackendRefUnresolved, "MR602/fire-*.yaml", nil},
		{gatewayapi.BackendPortUnknown, "MR603/fire-*.yaml", nil},
		{gatewayapi.BackendKindUnsupported, "MR617/fire-*.yaml", nil},
		{gatewayapi.ListenerConflict, "MR606/fire-*.yaml", nil},
		{gatewayapi.ReferenceNotGranted, "MR604/fire-grpc-mirror.yaml", func(f *rules.Finding) bool {
			return !strings.Contains(f.Message, "its mesh parents need no grant")
		}},
	} {
		files, err := filepath.Glob(filepath.Join("..", "fixtures", "rules", c.fixture))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures %s: %v", c.fixture, err)
		}
		refused, kept := 0, 0
		for _, file := range files {
			res := rules.Lint(rules.LintOptions{Paths: []string{file}, Load: manifest.Options{Namespace: "default"}, Rules: []*rules.Rule{c.rule}})
			for _, f := range res.Findings {
				if f.Rule != c.rule {
					continue
				}
				got := refusal(f) != ""
				if c.want == nil {
					if got {
						refused++
					}
					continue
				}
				want := c.want(f)
				if got != want {
					t.Errorf("%s: %s finding read as a refusal of the route %v, want %v: %s", file, c.rule.ID, got, want, f.Message)
				}
				if want {
					refused++
				} else {
					kept++
				}
			}
		}
		if refused == 0 {
			t.Errorf("%s: no finding of %s refuses its object", c.fixture, c.rule.ID)
		}
		t.Logf("%s: %d findings refuse their object, %d checked that do not", c.rule.ID, refused, kept)
	}
}

// TestHTMLGatewayNoAddress runs MR624 over its fire fixtures and checks
// that withRefusals draws the Gateway of each of its errors (no Hostname
// address left: Istio programs nothing for it) serving nothing, and not
// that of a warning (Istio serves it on its Hostname addresses), whatever
// the message says: the rule and the topology's NoAddress tell, not the
// words.
func TestHTMLGatewayNoAddress(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "fixtures", "rules", "MR624", "fire-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	refused, kept := 0, 0
	for _, file := range files {
		res := rules.Lint(rules.LintOptions{Paths: []string{file}, Load: manifest.Options{Namespace: "default"}, Rules: []*rules.Rule{gatewayapi.GatewayAddressUnsupported}})
		tp := topology.Of(res.Graph)
		for _, f := range res.Findings {
			f.Message = "reworded"
			want := f.Severity == rules.Error
			c := withRefusals(tp, []*rules.Finding{f})
			drawn := c.Locator()(f.Object, f.Pos)
			if len(drawn) == 0 {
				t.Errorf("%s: the Gateway of MR624 finding %v is not drawn", file, f.Pos.Loc)
				continue
			}
			for _, i := range drawn {
				got := c.Nodes[i].Unserved
				if (got != "") != want {
					t.Errorf("%s: MR624 %s at %v: the Gateway is drawn serving nothing %v (%q), want %v", file, f.Severity, f.Pos.Loc, got != "", got, want)
				}
				if want && got != "Istio does not accept it and programs nothing for it (MR624 gatewayapi-address-unsupported)" {
					t.Errorf("%s: MR624 at %v: serves nothing for %q", file, f.Pos.Loc, got)
				}
			}
			if want {
				refused++
			} else {
				kept++
			}
		}
	}
	if refused == 0 || kept == 0 {
		t.Errorf("MR624: %d errors refuse their Gateway, %d warnings checked that do not: want some of each", refused, kept)
	}
}

// TestHTMLRefusedRefPositions runs MR605 and MR604 over their fire
// fixtures and checks that withRefusedRefs finds the reference each of
// their findings about a route is about, by the position the rule reports
// it at: every MR605 finding names a parentRef of a drawn Gateway, and
// every MR604 finding about a Service backend of a route names a
// backendRef or a RequestMirror's; and that the findings of some files
// make an edge idle (a route's other parentRefs to the Gateway, or a
// repeat the API server refuses, keep it in others). A rule that moves
// its position breaks this test rather than the drawing.
func TestHTMLRefusedRefPositions(t *testing.T) {
	for _, c := range []struct {
		rule    *rules.Rule
		fixture string
	}{
		{gatewayapi.RouteNotAdmitted, "MR605/fire-*"},
		{gatewayapi.ReferenceNotGranted, "MR604/fire-*"},
	} {
		files, err := filepath.Glob(filepath.Join("..", "fixtures", "rules", c.fixture))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures %s: %v", c.fixture, err)
		}
		found, changed := 0, 0
		for _, file := range files {
			res := rules.Lint(rules.LintOptions{Paths: []string{file}, Load: manifest.Options{Namespace: "default"}, Rules: []*rules.Rule{c.rule}})
			tp := topology.Of(res.Graph)
			locate := tp.Locator()
			for _, f := range res.Findings {
				if f.Rule != c.rule || f.Object == nil || f.Object.Group != kinds.GroupGatewayAPI || !strings.HasSuffix(string(f.Object.Kind), "Route") ||
					c.rule == gatewayapi.ReferenceNotGranted && !strings.Contains(f.Message, "(Service ") {
					continue
				}
				ok := false
				for _, n := range locate(f.Object, f.Pos) {
					for _, rf := range tp.Refs {
						ok = ok || (rf.From == n || rf.To == n) && slices.Contains(rf.Locs, f.Pos.Loc)
					}
				}
				if !ok {
					t.Errorf("%s: no reference of the drawing is at %s finding %v: %s", file, c.rule.ID, f.Pos.Loc, f.Message)
					continue
				}
				found++
			}
			if e := withRefusedRefs(tp, res.Findings); !slices.Equal(e.Edges, tp.Edges) {
				changed++
			}
		}
		if found == 0 || changed == 0 {
			t.Errorf("%s: %d findings of %s name a drawn reference, in %d files they change an edge of", c.fixture, found, c.rule.ID, changed)
		}
		t.Logf("%s: %d findings name a drawn reference, in %d files they change an edge of", c.rule.ID, found, changed)
	}
}

// TestHTMLRefusalOrder checks that a Gateway that both the API server and
// Istio refuse is said to be refused by the API server, whatever the
// order of the findings: Istio never sees it.
func TestHTMLRefusalOrder(t *testing.T) {
	gw := &manifest.Object{Group: kinds.GroupGatewayAPI, Kind: kinds.K8sGateway, Namespace: "infra", Name: "public", File: "gw.yaml"}
	tp := &topology.Topology{Nodes: []topology.Node{{Column: topology.Gateways, Group: gw.Group, Kind: gw.Kind, Namespace: gw.Namespace, Name: gw.Name, NoAddress: true}}}
	finding := func(id, msg string) *rules.Finding {
		return &rules.Finding{Rule: &rules.Rule{ID: id, Name: id}, Severity: rules.Error, Message: msg, Object: gw, Pos: manifest.Pos{File: "gw.yaml"}}
	}
	istio := finding("MR624", "address 203.0.113.10 (IPAddress) of Gateway infra/public is ignored: ...; no Hostname address is left, so the Gateway is not accepted (UnsupportedAddress) and Istio programs nothing for it")
	api := finding("MR619", "addresses[1] repeats addresses[0]: the API server rejects the Gateway (IPAddress values must be unique)")
	for _, fs := range [][]*rules.Finding{{istio, api}, {api, istio}} {
		if got := withRefusals(tp, fs).Nodes[0].Unserved; got != "the API server rejects it, so it is never applied (MR619 MR619)" {
			t.Errorf("refused for %q", got)
		}
	}
	if got := withRefusals(tp, []*rules.Finding{istio}).Nodes[0].Unserved; got != "Istio does not accept it and programs nothing for it (MR624 MR624)" {
		t.Errorf("refused by Istio for %q", got)
	}
}

// TestHTMLRefusalOverTopology checks that a route the API server refuses
// is drawn as refused by it, without edges, even where the topology
// already draws it serving nothing because no parent attaches it: a route
// whose second parentRef repeats the first (MR619) to a listener that
// does not admit it (MR605).
func TestHTMLRefusalOverTopology(t *testing.T) {
	file := filepath.Join("..", "fixtures", "rules", "MR605", "fire-repeated-parent.yaml")
	res := rules.Lint(rules.LintOptions{Paths: []string{file}, Load: manifest.Options{Namespace: "default"},
		Rules: []*rules.Rule{gatewayapi.CRDValidation, gatewayapi.RouteNotAdmitted}})
	tp := topology.Of(res.Graph)
	route := slices.IndexFunc(tp.Nodes, func(n topology.Node) bool { return n.Kind == kinds.HTTPRoute })
	if route < 0 || !strings.HasPrefix(tp.Nodes[route].Unserved, "no parent takes it") {
		t.Fatalf("the topology does not draw the route attached nowhere: %+v", tp.Nodes)
	}
	c := withRefusedRefs(withRefusals(tp, res.Findings), res.Findings)
	route = slices.IndexFunc(c.Nodes, func(n topology.Node) bool { return n.Kind == kinds.HTTPRoute })
	if got := c.Nodes[route].Unserved; !strings.HasPrefix(got, "the API server rejects it") {
		t.Errorf("the route is drawn serving nothing for %q, want the API server's refusal", got)
	}
	for _, e := range c.Edges {
		if e.From == route || e.To == route {
			t.Errorf("the route the API server refuses keeps an edge: %+v", e)
		}
	}
}
