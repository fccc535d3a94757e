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
