package security

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/manifest"
	"golang.org/x/tools/txtar"
)

// tricky holds what the fixtures have little of: wildcard, upper-case,
// private and cross-namespace DestinationRules, several rules for a host,
// and Services that share pods.
const tricky = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mesh, namespace: istio-system}
spec: {host: "*.svc.cluster.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: istio-system}
spec: {host: "*", exportTo: ["."]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: shop-wide, namespace: shop}
spec: {host: "*.shop.svc.cluster.local", trafficPolicy: {tls: {mode: DISABLE}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec: {host: reviews}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-again, namespace: shop}
spec: {host: reviews.shop.svc.cluster.local}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-upper, namespace: shop}
spec: {host: REVIEWS.shop.svc.cluster.local, exportTo: [web]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings-private, namespace: shop}
spec: {host: ratings, exportTo: ["."]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings-own-name, namespace: shop}
spec: {host: "*.shop.svc.cluster.local", exportTo: [shop]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web-default, namespace: web}
spec: {host: ratings.shop.svc.cluster.local}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web-own-name, namespace: istio-system}
spec: {host: "*.web.svc.cluster.local", exportTo: [istio-system]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings-hidden, namespace: web}
spec: {host: ratings.shop.svc.cluster.local, exportTo: ["~"]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings-for-api, namespace: web}
spec: {host: ratings.shop.svc.cluster.local, exportTo: [api]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: selected, namespace: web}
spec: {host: reviews.shop.svc.cluster.local, workloadSelector: {matchLabels: {app: web}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: kelvin, namespace: web}
spec: {host: "reviews.shop.svc.cluster.local\u212a"}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web-for-api, namespace: istio-system}
spec: {host: web.web.svc.cluster.local, exportTo: [api]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-grpc, namespace: shop}
spec: {selector: {app: reviews}, ports: [{port: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: shop}
spec: {selector: {app: ratings}, ports: [{port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: "rating\u017f", namespace: shop}
spec: {selector: {app: ratings}, ports: [{port: 9081}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews}}
    spec: {containers: [{name: reviews, image: reviews}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings, namespace: shop}
spec:
  selector: {matchLabels: {app: ratings}}
  template:
    metadata: {labels: {app: ratings}}
    spec: {containers: [{name: ratings, image: ratings}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: api}
`

// TestLookup checks graph.Lookup, which the rules of this package use, against
// the scans it replaces, on every fixture of the repository together.
func TestLookup(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tricky.yaml"), []byte(tricky), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{dir, "../../examples", "../../fixtures/realworld"}
	fixtures, _ := filepath.Glob("../../fixtures/rules/*/*")
	for i, f := range fixtures {
		if filepath.Ext(f) != ".txtar" {
			paths = append(paths, f)
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for j, af := range txtar.Parse(data).Files {
			if !strings.HasSuffix(af.Name, ".yaml") && !strings.HasSuffix(af.Name, ".yml") {
				continue
			}
			p := filepath.Join(dir, "txtar", strconv.Itoa(i), strconv.Itoa(j)+".yaml")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, af.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	res := manifest.Load(paths, manifest.Options{})
	for _, root := range []string{"", "shop"} {
		g := graph.Build(res.Objects, config.Mesh{RootNamespace: root})
		checkLookup(t, g)
	}
	// Istio reads only "." and "*" of the default exportTo.
	for _, def := range [][]string{{".", "web"}, {"web"}} {
		g := graph.Build(res.Objects, config.Mesh{RootNamespace: "istio-system", DefaultDestinationRuleExportTo: def})
		checkReference(t, g)
	}
}

func checkLookup(t *testing.T, g *graph.Graph) {
	lk := graph.NewLookup(g)
	hosts := map[string]bool{"*": true, "*.svc.cluster.local": true, "REVIEWS.SHOP.SVC.CLUSTER.LOCAL": true}
	for _, s := range g.Services {
		hosts[s.Host] = true
		hosts[strings.ToUpper(s.Host)] = true
		hosts["*."+s.Namespace()+".svc.cluster.local"] = true
	}
	for _, dr := range g.DestinationRules {
		hosts[dr.Host] = true
	}
	if len(g.DestinationRules) < 100 || len(hosts) < 100 {
		t.Fatalf("only %d DestinationRules and %d hosts: the fixtures were not read", len(g.DestinationRules), len(hosts))
	}
	checkReference(t, g)
	for h := range hosts {
		var want []*graph.Service
		for _, s := range g.Services {
			if host.Matches(h, s.Host) {
				want = append(want, s)
			}
		}
		if got := lk.ServicesMatching(h); !slices.Equal(got, want) {
			t.Errorf("ServicesMatching(%q) = %d services, want %d", h, len(got), len(want))
		}
		used := map[*graph.DestinationRule]bool{}
		for ns := range g.Namespaces {
			want := g.DestinationRulesFor(h, ns)
			if got := lk.DestinationRulesFor(h, ns); !slices.Equal(got, want) {
				t.Errorf("DestinationRulesFor(%q, %q) = %v, want %v", h, ns, drNames(got), drNames(want))
			}

			for _, dr := range want {
				used[dr] = true
			}
		}
		for _, dr := range g.DestinationRules {
			if got := lk.DestinationRuleUsed(dr, h); got != used[dr] {
				t.Errorf("DestinationRuleUsed(%s/%s, %q) = %v, want %v", dr.Namespace(), dr.Name(), h, got, used[dr])
			}
		}
	}
	for _, w := range g.Workloads {
		var want []*graph.Service
		for _, s := range g.Services {
			if slices.Contains(s.Workloads, w) {
				want = append(want, s)
			}
		}
		if got := lk.ServicesSelecting(w); !slices.Equal(got, want) {
			t.Errorf("ServicesSelecting(%s/%s) = %d services, want %d", w.Namespace(), w.Name(), len(got), len(want))
		}
	}
}

func drNames(drs []*graph.DestinationRule) []string {
	var out []string
	for _, dr := range drs {
		out = append(out, dr.Namespace()+"/"+dr.Name())
	}
	return out
}

// checkReference compares graph.DestinationRulesFor with a reference
// written from Istio's code, for every host of a rule or a Service (and
// their wildcards) and every namespace as the client's.
func checkReference(t *testing.T, g *graph.Graph) {
	t.Helper()
	hosts := map[string]bool{"*": true}
	for _, s := range g.Services {
		hosts[s.Host] = true
		hosts["*."+s.Namespace()+".svc.cluster.local"] = true
	}
	byNS := map[string][]*graph.DestinationRule{}
	for _, dr := range g.DestinationRules {
		hosts[dr.Host] = true
		byNS[dr.Namespace()] = append(byNS[dr.Namespace()], dr)
	}
	for h := range hosts {
		for ns := range g.Namespaces {
			want := istioDestinationRules(g, byNS, h, ns)
			if got := g.DestinationRulesFor(h, ns); !slices.Equal(sortedNames(got), sortedNames(want)) {
				t.Errorf("root %q, default exportTo %v: DestinationRulesFor(%q, %q) = %v, Istio's lookup %v",
					g.Mesh.RootNamespace, g.Mesh.DefaultDestinationRuleExportTo, h, ns, drNames(got), drNames(want))
			}
		}
	}
}

func sortedNames(drs []*graph.DestinationRule) []string {
	out := drNames(drs)
	slices.Sort(out)
	return out
}

// istioDestinationRules is a reference for the lookup, written from Istio's
// pilot/pkg/model/push_context.go (setDestinationRules, destinationRule,
// getExportedDestinationRuleFromNamespace) and MostSpecificHostMatch, by
// scanning every rule: no index, and exportTo read from the spec and the
// mesh default, not from the graph's resolved lists. Rules Istio merges
// for one host are listed each.
func istioDestinationRules(g *graph.Graph, byNS map[string][]*graph.DestinationRule, h, client string) []*graph.DestinationRule {
	root := g.Mesh.RootNamespace
	exportSet := func(dr *graph.DestinationRule) []string {
		if dr.Spec.WorkloadSelector != nil {
			return []string{"."}
		}
		var out []string
		for _, e := range dr.Spec.ExportTo {
			out = append(out, e.V)
		}
		return out
	}
	privateOnly := func(dr *graph.DestinationRule) bool {
		set := exportSet(dr)
		if len(set) == 0 {
			return slices.Contains(g.Mesh.DefaultDestinationRuleExportTo, ".")
		}
		return len(set) == 1 && (set[0] == "." || set[0] == dr.Namespace())
	}
	pick := func(ns string, ok func(*graph.DestinationRule) bool) []*graph.DestinationRule {
		var exact, wild []*graph.DestinationRule
		best := ""
		for _, dr := range byNS[ns] {
			if !ok(dr) {
				continue
			}
			d := dr.Host
			switch {
			case !host.IsWildcard(h) && !host.IsWildcard(d) && d == h,
				host.IsWildcard(h) && d == h:
				exact = append(exact, dr)
			case host.IsWildcard(d) && strings.HasSuffix(strings.TrimPrefix(h, "*"), d[1:]):
				// mostSpecificHostWildcardMatch: the longest suffix wins.
				switch {
				case best == "" || len(d) > len(best):
					best, wild = d, []*graph.DestinationRule{dr}
				case d == best:
					wild = append(wild, dr)
				}
			}
		}
		if len(exact) > 0 {
			return exact
		}
		return wild
	}
	if client != root {
		if drs := pick(client, func(dr *graph.DestinationRule) bool {
			set := exportSet(dr)
			return len(set) == 0 || slices.Contains(set, "*") || slices.Contains(set, ".") || slices.Contains(set, dr.Namespace())
		}); len(drs) > 0 {
			return drs
		}
	} else if drs := pick(root, privateOnly); len(drs) > 0 {
		return drs
	}
	exported := func(ns string) []*graph.DestinationRule {
		var out []*graph.DestinationRule
		for _, dr := range pick(ns, func(dr *graph.DestinationRule) bool { return !privateOnly(dr) }) {
			if set := exportSet(dr); len(set) == 0 || slices.Contains(set, "*") || slices.Contains(set, client) {
				out = append(out, dr)
			}
		}
		return out
	}
	if svcNS := g.ServiceNamespace(h); svcNS != "" {
		if drs := exported(svcNS); len(drs) > 0 {
			return drs
		}
	}
	return exported(root)
}
