package netpol

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestTakeIngress checks that the ingress flows of a namespace leave the
// run's index once MR401's fix has read them, so that a large tree's
// index does not stay whole until the run ends, and that a second read
// still gets them.
func TestTakeIngress(t *testing.T) {
	res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(allowBackend + allowBackend2)})
	p := &rules.Pass{Graph: graph.Build(res.Objects, config.DefaultMesh())}
	xs := collectFlows(p)
	if len(xs.ingress.byNS["shop"]) == 0 {
		t.Fatal("no ingress flow to namespace shop")
	}
	first := xs.takeIngress(p, "shop")
	if len(first) == 0 {
		t.Fatal("takeIngress returned no flow")
	}
	if _, ok := xs.ingress.byNS["shop"]; ok {
		t.Error("the index still holds the flows of shop once taken")
	}
	again := xs.takeIngress(p, "shop")
	if len(again) != len(first) {
		t.Fatalf("second read: %d flows, want %d", len(again), len(first))
	}
	for i := range first {
		if again[i].what != first[i].what || again[i].dst != first[i].dst {
			t.Errorf("second read, flow %d: %q to %s, want %q to %s", i, again[i].what, again[i].dst.Name(), first[i].what, first[i].dst.Name())
		}
	}
}

const allowBackend2 = `apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: client:1}]}
`
